"""Indicator 2.2, the average handling time (shown per procedure, not scored), on hand-made dossiers.

Handling time of a processed dossier = calendar days from the day it was filed to the day it was processed
(Vietnam time), counted in the period it was processed in. Refused, withdrawn, stopped and open dossiers do
not count. Each expected figure is worked out next to its dossiers.
"""

from __future__ import annotations

import csv
import importlib
import io
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from accounts.factories import PASSWORD, OfficialFactory, RoleAssignmentFactory
from catalog.factories import AgencyFactory, ProcedureFactory, RequiredDocumentFactory
from dossiers.factories import OneStopShop, one_stop_shop, submitted_dossier, valid_form
from mekong.accounts.roles import Role
from mekong.catalog.models import AgencyKind
from mekong.dossiers import actions
from mekong.dossiers.models import Dossier
from mekong.ioc import aggregates, selectors
from mekong.ioc.indicators import Period, PeriodKind, month_of
from mekong.ioc.models import AgencyDay, DossierFact, ProcedureDay

from .builders import processed, received, returned
from .conftest import vn

pytestmark = pytest.mark.django_db

MARCH = month_of(date(2025, 3, 1))
APRIL = month_of(date(2025, 4, 1))
LATER = date(2025, 5, 10)  # every period below is over


def indicator(figures: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for g in figures["groups"] for i in g["indicators"] if i["code"] == code)


def stored() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    return (
        set(DossierFact.objects.values_list()),
        aggregates.nonzero_rows(AgencyDay, ("day", "agency_id")),
        aggregates.nonzero_rows(ProcedureDay, ("day", "agency_id", "procedure_id")),
    )


def march_cases(shop: OneStopShop) -> dict[str, Dossier]:
    """Two processed dossiers (3 and 10 days) and four that must not count."""
    return {
        # Filed Mon 3 March, processed Thu 6 March: 3 days. Returned on the 10th: processing is its end.
        "three": returned(
            shop, processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 6, 15)), vn(2025, 3, 10)
        ),
        # Filed Mon 3 March, processed Thu 13 March (late, still processed): 10 days.
        "ten": processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 13, 16)),
        # Refused at reception on the 5th: ended, not processed.
        "refused": actions.refuse(
            submitted_dossier(shop, at=vn(2025, 3, 3)),
            actor=shop.receiver,
            reason="Sai thủ tục",
            at=vn(2025, 3, 5),
        ),
        # Withdrawn on the 7th and stopped on the 12th: ended, not processed.
        "withdrawn": actions.withdraw(
            received(shop, vn(2025, 3, 3)), actor=shop.citizen, reason="Không còn nhu cầu", at=vn(2025, 3, 7)
        ),
        "stopped": actions.stop(
            received(shop, vn(2025, 3, 3)), actor=shop.leader, reason="Không bổ sung", at=vn(2025, 3, 12)
        ),
        # Still being processed at the end of March.
        "open": actions.start_processing(
            received(shop, vn(2025, 3, 4)), actor=shop.specialist, at=vn(2025, 3, 5)
        ),
    }


def test_three_and_ten_days_average_six_and_a_half(shop: OneStopShop, viewer: Any) -> None:
    march_cases(shop)
    figures = selectors.summary(viewer, None, MARCH, now=LATER)

    counts = figures["counts"]
    assert (counts["processed"], counts["processed_days"]) == (2, 3 + 10)
    assert counts["ended"] == 5  # the refused, withdrawn and stopped ones ended too, without counting here
    assert counts["average_handling_days"] == 6.5  # (3 + 10) ÷ 2
    item = indicator(figures, "2.2")
    assert item["informational"] is True
    assert (item["value"], item["numerator"], item["denominator"]) == (6.5, 13, 2)
    assert item["rate"] is None  # not a share
    assert (item["points"], item["cap"]) == (None, 0)
    # Shown, not scored: group 2 earns only what 2.1 earns, out of 2.1's 20 measured points.
    group = next(g for g in figures["groups"] if g["code"] == "2")
    assert item["measured"] is True
    assert group["points"] == indicator(figures, "2.1")["points"]
    assert group["measured_cap"] == 20


def test_nothing_processed_has_no_average(shop: OneStopShop, viewer: Any) -> None:
    received(shop, vn(2025, 3, 3))
    actions.refuse(
        submitted_dossier(shop, at=vn(2025, 3, 3)), actor=shop.receiver, reason="Sai", at=vn(2025, 3, 4)
    )
    figures = selectors.summary(viewer, None, MARCH, now=LATER)
    assert figures["counts"]["average_handling_days"] is None
    item = indicator(figures, "2.2")
    assert (item["measured"], item["value"], item["points"]) == (False, None, None)


def test_a_dossier_counts_in_the_period_it_was_processed_in(shop: OneStopShop, viewer: Any) -> None:
    # Filed Thu 27 February, processed Tue 4 March: 1 + 4 = 5 days (2025 is not a leap year), in March.
    processed(shop, received(shop, vn(2025, 2, 27)), vn(2025, 3, 4, 10))
    # Filed Fri 28 March, processed Wed 2 April: 3 + 2 = 5 days, in April.
    processed(shop, received(shop, vn(2025, 3, 28)), vn(2025, 4, 2, 10))
    # Filed at 23:30 on 31 March, processed at 00:30 on 1 April (Vietnam time): 1 calendar day, in April —
    # in UTC both moments fall on 31 March (16:30 and 17:30), so days taken in UTC would give 0.
    late_night = received(shop, vn(2025, 3, 31, 23, 30))
    processed(shop, late_night, vn(2025, 4, 1, 0, 30), started=vn(2025, 3, 31, 23, 45))

    march = selectors.summary(viewer, None, MARCH, now=LATER)
    assert (march["counts"]["processed"], march["counts"]["average_handling_days"]) == (1, 5.0)
    # February: the first dossier was filed then but not processed then.
    assert (march["previous_counts"]["processed"], march["previous_counts"]["average_handling_days"]) == (
        0,
        None,
    )
    assert indicator(march, "2.2")["previous_value"] is None

    april = selectors.summary(viewer, None, APRIL, now=LATER)
    assert (april["counts"]["processed"], april["counts"]["processed_days"]) == (2, 5 + 1)
    assert indicator(april, "2.2")["value"] == 3.0  # (5 + 1) ÷ 2
    assert indicator(april, "2.2")["previous_value"] == 5.0  # March, for comparison
    # The first day of April alone: only the late-night dossier.
    first = Period(date(2025, 4, 1), date(2025, 4, 1), PeriodKind.CUSTOM)
    assert selectors.summary(viewer, None, first, now=LATER)["counts"]["average_handling_days"] == 1.0
    fact = DossierFact.objects.get(dossier_id=late_night.pk)
    assert (fact.start_day, fact.end_day, fact.handling_days) == (date(2025, 3, 31), date(2025, 4, 1), 1)


def test_per_procedure_and_per_unit(db: None) -> None:
    district = AgencyFactory(kind=AgencyKind.DISTRICT_PC)
    shop = one_stop_shop(time_limit_value=3)
    shop.agency.parent = district
    shop.agency.save()
    viewer = OfficialFactory(username="ioc.huyen")
    RoleAssignmentFactory(user=viewer, role=Role.IOC_VIEWER, agency=district)
    march_cases(shop)  # the shop's procedure: 3 and 10 days
    other = ProcedureFactory(time_limit_value=5)
    other.agencies.add(shop.agency)
    RequiredDocumentFactory(procedure=other, name="Tờ khai", mandatory=False)
    # The other procedure: filed Mon 3 March, processed Wed 5 March: 2 days.
    filed = actions.submit(
        actions.create_draft(actor=shop.citizen, procedure=other, agency=shop.agency, form_data=valid_form()),
        actor=shop.citizen,
        at=vn(2025, 3, 3),
    )
    processed(shop, actions.receive(filed, actor=shop.receiver, at=vn(2025, 3, 3)), vn(2025, 3, 5))

    by_procedure = {
        p["id"]: p["counts"]["average_handling_days"]
        for p in selectors.procedures(viewer, None, MARCH, now=LATER)["procedures"]
    }
    assert by_procedure == {shop.procedure.pk: 6.5, other.pk: 2.0}
    figures = selectors.summary(viewer, None, MARCH, now=LATER)
    assert figures["agency"]["id"] == district.pk
    assert indicator(figures, "2.2")["value"] == 5.0  # (3 + 10 + 2) ÷ 3 over the district
    (commune,) = figures["children"]
    assert commune["counts"]["average_handling_days"] == 5.0

    client = Client()
    assert client.login(username=viewer.username, password=PASSWORD)
    html = client.get("/dieu-hanh/", {"period": "month", "date": "2025-03-01"}).content.decode()
    assert html.count("Thời gian giải quyết TB (ngày)") == 2  # the units table and the procedures table
    assert "<td>6,5</td>" in html  # the shop's procedure
    assert "<td>2,0</td>" in html  # the other procedure
    assert "<td>5,0</td>" in html  # the commune in the units table
    assert "5,0 ngày" in html  # the scorecard's 2.2 row
    assert "hiển thị, không tính điểm" in html

    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/dieu-hanh/xuat.csv", {"period": "month", "date": "2025-03-01"}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    header = rows[1]
    assert header[8:10] == ["Giá trị", "Kỳ trước (giá trị)"]
    row_2_2 = next(row for row in rows if row[:1] == ["2.2"])
    assert (row_2_2[2], row_2_2[3], row_2_2[5], row_2_2[8], row_2_2[9]) == ("15", "3", "", "5.0", "")
    unit_row = next(row for row in rows if row[:1] == [commune["name"]])
    assert unit_row[6] == "5.0"
    procedure_rows = {row[1]: row for row in rows if row[1:2] in ([shop.procedure.code], [other.code])}
    assert procedure_rows[shop.procedure.code][5:7] == ["2", "6.5"]
    assert procedure_rows[other.code][5:7] == ["1", "2.0"]


def test_english_names(shop: OneStopShop, viewer: Any) -> None:
    march_cases(shop)
    with translation.override("en"):
        figures = selectors.summary(viewer, None, MARCH, now=LATER)
        assert indicator(figures, "2.2")["name"] == "Average handling time (days)"
        assert translation.gettext("Thời gian giải quyết TB (ngày)") == "Average handling time (days)"
        assert translation.gettext("hiển thị, không tính điểm") == "shown, not scored"


def test_rebuild_and_events_agree_on_handling_days(shop: OneStopShop, viewer: Any) -> None:
    made = march_cases(shop)
    processed(
        shop, received(shop, vn(2025, 3, 31, 23, 30)), vn(2025, 4, 1, 0, 30), started=vn(2025, 3, 31, 23, 45)
    )
    facts = dict(DossierFact.objects.values_list("dossier_id", "handling_days"))
    assert facts[made["three"].pk] == 3
    assert facts[made["ten"].pk] == 10
    assert {facts[made[k].pk] for k in ("refused", "withdrawn", "stopped", "open")} == {0}
    before, figures = stored(), selectors.summary(viewer, None, APRIL, now=LATER)
    assert figures["previous_counts"]["processed_days"] == 13
    assert figures["counts"]["processed_days"] == 1

    aggregates.rebuild()

    assert stored() == before
    assert selectors.summary(viewer, None, APRIL, now=LATER) == figures


def test_the_migration_fills_the_new_columns_from_the_stored_facts(shop: OneStopShop, viewer: Any) -> None:
    march_cases(shop)
    processed(shop, received(shop, vn(2025, 2, 27)), vn(2025, 3, 4, 10))
    expected = stored()
    figures = selectors.summary(viewer, None, MARCH, now=LATER)
    # As the tables were before the migration: the new columns at their default.
    DossierFact.objects.update(handling_days=0)
    AgencyDay.objects.update(processed_days=0)
    ProcedureDay.objects.update(processed_days=0)
    assert stored() != expected

    migration = importlib.import_module("mekong.ioc.migrations.0003_handling_days")
    from django.apps import apps

    migration.backfill(apps, SimpleNamespace(connection=connection))

    assert stored() == expected
    assert selectors.summary(viewer, None, MARCH, now=LATER) == figures
    assert figures["counts"]["processed_days"] == 3 + 10 + 5


def test_a_later_event_moves_the_days_incrementally(shop: OneStopShop, viewer: Any) -> None:
    dossier = actions.start_processing(
        received(shop, vn(2025, 3, 3)), actor=shop.specialist, at=vn(2025, 3, 4)
    )
    assert selectors.summary(viewer, None, MARCH, now=LATER)["counts"]["processed_days"] == 0
    actions.approve(dossier, actor=shop.leader, at=vn(2025, 3, 20))
    counts = selectors.summary(viewer, None, MARCH, now=LATER)["counts"]
    assert (counts["processed"], counts["processed_days"], counts["average_handling_days"]) == (1, 17, 17.0)
