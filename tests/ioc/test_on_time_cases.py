"""Hand-made cases for the on-time rate (indicator 2.1), each with its expected figure worked out here.

One commune, a procedure of 3 working days, March 2025 (no public holiday in it). A dossier received on
Monday 3 March at 09:00 is due at the end of Thursday 6 March.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from dossiers.factories import OneStopShop
from mekong.dossiers import actions
from mekong.ioc import aggregates, selectors
from mekong.ioc.indicators import month_of
from mekong.ioc.models import AgencyDay, DossierFact, ProcedureDay

from .builders import received
from .conftest import vn

pytestmark = pytest.mark.django_db


def test_march_on_time_rate(viewer: Any, march: dict[str, Any]) -> None:
    figures = selectors.summary(viewer, None, month_of(date(2025, 3, 1)), now=date(2025, 4, 10))
    counts = figures["counts"]
    # Filed in March: d1–d7 and d10 = 8; carried over from February: d8.
    assert counts["received"] == 8
    assert counts["carried"] == 1
    assert counts["handled"] == 9
    # Ended in March: d1 d2 d3 d4 (processed), d5 (refused), d6 (withdrawn); on time: d1 d3 d5 d6.
    assert counts["ended"] == 6
    assert counts["ended_on_time"] == 4
    assert (counts["refused"], counts["withdrawn"], counts["processed"]) == (1, 1, 4)
    # Open at the end of March and within the deadline: d7 (due 1 April) and d10 (not received yet).
    assert counts["ontrack_at_end"] == 2
    assert counts["on_time"] == 6
    assert counts["late"] == 3  # d2, d4, d8
    indicator = next(i for g in figures["groups"] for i in g["indicators"] if i["code"] == "2.1")
    assert (indicator["numerator"], indicator["denominator"]) == (6, 9)
    assert indicator["rate"] == pytest.approx(6 / 9, abs=1e-4)
    assert indicator["points"] == pytest.approx(round(6 / 9 * 20, 2))  # cap 20, target 100 %


def test_february_is_the_previous_period(viewer: Any, march: dict[str, Any]) -> None:
    figures = selectors.summary(viewer, None, month_of(date(2025, 3, 1)), now=date(2025, 4, 10))
    before = figures["previous_counts"]
    # d8 (open, late since 26 February) and d9 (processed on the 26th, due the 28th).
    assert (before["handled"], before["on_time"]) == (2, 1)
    assert figures["previous_period"]["start"] == date(2025, 2, 1)


def test_current_month_is_measured_today(viewer: Any, march: dict[str, Any]) -> None:
    figures = selectors.summary(viewer, None, month_of(date(2025, 4, 1)), now=date(2025, 4, 10))
    counts = figures["counts"]
    assert figures["measured_on"] == date(2025, 4, 10)
    # Still open in April: d7 (late since 2 April), d8 (late), d10 and d11 (not received: no appointment).
    assert (counts["handled"], counts["on_time"], counts["received"]) == (4, 2, 1)
    # On 1 April, d7's appointment day, it is still within its deadline.
    on_due_day = selectors.summary(viewer, None, month_of(date(2025, 4, 1)), now=date(2025, 4, 1))
    assert on_due_day["counts"]["on_time"] == 3


def test_a_pending_supplement_stops_the_clock(shop: OneStopShop, viewer: Any) -> None:
    dossier = received(shop, vn(2025, 3, 3))  # due 6 March
    actions.request_supplement(dossier, actor=shop.receiver, missing=["Tờ khai"], at=vn(2025, 3, 5))
    figures = selectors.summary(viewer, None, month_of(date(2025, 3, 1)), now=date(2025, 4, 10))
    # Waiting for the citizen since the 5th, before the appointment: not late at the end of March.
    assert (figures["counts"]["handled"], figures["counts"]["on_time"]) == (1, 1)


def test_rebuild_gives_the_same_figures_as_the_events_did(viewer: Any, march: dict[str, Any]) -> None:
    facts = set(DossierFact.objects.values_list())
    by_agency = aggregates.nonzero_rows(AgencyDay, ("day", "agency_id"))
    by_procedure = aggregates.nonzero_rows(ProcedureDay, ("day", "agency_id", "procedure_id"))
    figures = selectors.summary(viewer, None, month_of(date(2025, 3, 1)), now=date(2025, 4, 10))
    assert len(facts) == 11
    # 2.2 is among what is compared: d1, d2, d3, d4, all filed on the 3rd, processed on the 5th, 10th, 12th
    # and 4th: 2 + 7 + 9 + 1 = 19 days over 4 dossiers; d9 (February, 1 day) is the previous period's.
    assert (figures["counts"]["processed_days"], figures["counts"]["average_handling_days"]) == (19, 4.75)
    assert (figures["previous_counts"]["processed_days"], figures["previous_counts"]["processed"]) == (1, 1)
    assert DossierFact.objects.filter(handling_days__gt=0).count() == 5  # d1–d4 and d9

    report = aggregates.rebuild()

    assert report.dossiers == 11
    assert set(DossierFact.objects.values_list()) == facts
    assert aggregates.nonzero_rows(AgencyDay, ("day", "agency_id")) == by_agency
    assert aggregates.nonzero_rows(ProcedureDay, ("day", "agency_id", "procedure_id")) == by_procedure
    assert selectors.summary(viewer, None, month_of(date(2025, 3, 1)), now=date(2025, 4, 10)) == figures


def _indexes(model: Any) -> dict[str, tuple[tuple[str, ...], bool, bool]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: (tuple(found[name]["columns"]), found[name]["unique"], found[name]["primary_key"])
        for name in found
        if found[name]["index"] or found[name]["unique"] or found[name]["primary_key"]
    }


def test_rebuild_leaves_the_counters_indexed_and_later_events_still_count(
    shop: OneStopShop, viewer: Any
) -> None:
    # The rebuild drops the counters' unique constraints and indexes while it loads (PostgreSQL) and makes
    # them again: the upserts of later events need the unique constraints (ON CONFLICT).
    received(shop, vn(2025, 3, 3))
    before = {model: _indexes(model) for model in (AgencyDay, ProcedureDay, DossierFact)}
    assert ("agency_id", "procedure_id", "day") in {
        columns for columns, unique, _ in before[ProcedureDay].values() if unique
    }

    aggregates.rebuild()

    assert {model: _indexes(model) for model in (AgencyDay, ProcedureDay, DossierFact)} == before
    received(shop, vn(2025, 3, 3))
    figures = selectors.summary(viewer, None, month_of(date(2025, 3, 1)), now=date(2025, 3, 31))
    assert figures["counts"]["received"] == 2
    assert ProcedureDay.objects.get(day=date(2025, 3, 3)).received == 2
