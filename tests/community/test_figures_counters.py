"""The assisted share's denominator comes from the IOC's day counters (`AgencyDay.online`), not from a scan of
the dossiers: proved equal to a direct count over the dossiers for hand-made cases (the Vietnam-local day
boundaries at both ends of the period and of its months, channels, scopes), and the figures page costs the
same number of queries however many dossiers there are."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from fractions import Fraction
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image, ImageDraw

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from dossiers.factories import OneStopShop, counter_dossier, one_stop_shop, pdf, submitted_dossier, valid_form
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, AgencyKind
from mekong.community import actions, figures
from mekong.community.models import AssistedSubmission, Team
from mekong.community.selectors import today as community_today
from mekong.dossiers import actions as dossier_actions
from mekong.dossiers.models import Channel, Dossier
from mekong.dossiers.workdays import VIETNAM_TZ
from mekong.ioc.models import AgencyDay

from .factories import Towns

SINCE, UNTIL = date(2026, 3, 1), date(2026, 4, 30)
_people = count(1)


def local(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM_TZ)


def signature() -> bytes:
    image = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(image).line([(20, 80), (120, 20), (280, 70)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@dataclasses.dataclass
class Desks:
    towns: Towns
    a: OneStopShop  # commune A's People's Committee
    b: OneStopShop  # commune B's
    department: OneStopShop  # a province department: no commune
    # Commune A, a procedure whose online dossiers count for the service index only with an e-result (the
    # counter `online_counted`); the share counts them all (`online`).
    a_e_result: OneStopShop


@pytest.fixture
def desks(towns: Towns) -> Desks:
    department = one_stop_shop()
    department.agency.kind = AgencyKind.DEPARTMENT
    department.agency.parent = towns.province
    department.agency.save()

    def at(agency: Agency) -> OneStopShop:
        department.procedure.agencies.add(agency)
        receiver = OfficialFactory()
        RoleAssignmentFactory(user=receiver, role=Role.RECEIVING_OFFICER, agency=agency)
        return dataclasses.replace(department, agency=agency, receiver=receiver)

    e_result = one_stop_shop(requires_e_result=True)
    e_result.procedure.agencies.add(towns.a.agency)
    e_result = dataclasses.replace(e_result, agency=towns.a.agency)
    return Desks(towns, at(towns.a.agency), at(towns.b.agency), department, e_result)


def online(shop: OneStopShop, at: datetime) -> Dossier:
    return submitted_dossier(shop, at=at)


def in_person(shop: OneStopShop, at: datetime) -> Dossier:
    return counter_dossier(shop, at=at)


def assisted(shop: OneStopShop, team: Team, member: User, at: datetime) -> Dossier:
    """Filed by a team member for a new citizen who signs on the member's screen, at `at`."""
    n = next(_people)
    citizen = actions.CitizenInput(f"Trần Văn Út {n}", f"0930550{n:05d}", f"09191{n:05d}", "Ấp 1")
    record = actions.start_assisted(
        member, team, procedure=shop.procedure, agency=shop.agency, citizen=citizen
    )
    assert record.dossier is not None
    dossier_actions.update_draft(record.dossier, actor=member, form_data=valid_form())
    dossier_actions.attach_file(
        record.dossier, actor=member, stream=pdf(), name="to-khai.pdf", requirement=shop.requirement
    )
    return actions.submit_with_signature(member, record, signature(), now=at)


def hand_made_cases(desks: Desks) -> None:
    """Dossiers on both sides of every boundary of SINCE..UNTIL (Vietnam time: UTC+7)."""
    towns = desks.towns
    first, last = SINCE, UNTIL
    # Commune A
    online(desks.a, local(first, 0, 10))  # in: 17:10 UTC the day before the period
    online(desks.a, local(first - timedelta(days=1), 23, 30))  # out: the evening before the first day
    online(desks.a, local(date(2026, 3, 31), 23, 30))  # March (16:30 UTC, still the 31st)
    online(desks.a, local(date(2026, 4, 1), 0, 10))  # April, though 31 March in UTC
    withdrawn = online(desks.a, local(date(2026, 3, 20), 9, 0))  # filed, then withdrawn: still filed online
    dossier_actions.withdraw(
        withdrawn, actor=desks.a.citizen, reason="Nộp nhầm", at=local(date(2026, 3, 21), 8, 0)
    )
    in_person(desks.a, local(date(2026, 3, 10), 8, 0))  # at the counter: not online
    online(desks.a_e_result, local(date(2026, 4, 10), 9, 0))  # online, though not yet "online" for the index
    dossier_actions.create_draft(  # an online draft never filed
        actor=desks.a.citizen, procedure=desks.a.procedure, agency=desks.a.agency, form_data=valid_form()
    )
    assisted(desks.a, towns.team_a, towns.member_a, local(first, 0, 10))  # in, assisted, March
    # Commune B
    online(desks.b, local(last, 23, 30))  # in: the last evening of the period
    online(desks.b, local(last + timedelta(days=1), 0, 10))  # out: 17:10 UTC on the last day
    online(desks.b, local(date(2026, 4, 15), 12, 0))
    assisted(desks.b, towns.team_b, towns.member_b, local(last, 23, 30))  # in, assisted, April
    assisted(desks.b, towns.team_b, towns.member_b, local(last + timedelta(days=1), 0, 10))  # out
    # A province department: in the province's figures only
    online(desks.department, local(date(2026, 3, 15), 10, 0))
    online(desks.department, local(last, 23, 59))


def direct(scope: figures.Scope, since: date, until: date) -> figures.AssistedShare:
    """The share counted over the dossiers themselves, by the local date of their submission."""
    dossiers = Dossier.objects.filter(code__isnull=False, channel=Channel.ONLINE)
    if scope.agency_ids is not None:
        dossiers = dossiers.filter(agency_id__in=scope.agency_ids)
    helped = set(
        AssistedSubmission.objects.filter(submitted_at__isnull=False).values_list("dossier_id", flat=True)
    )
    filed = [
        pk
        for pk, at in dossiers.values_list("pk", "submitted_at")
        if at is not None and since <= at.astimezone(VIETNAM_TZ).date() <= until
    ]
    return figures.AssistedShare(online=len(filed), assisted=sum(1 for pk in filed if pk in helped))


def bounded(scope: figures.Scope, since: date, until: date) -> int:
    """The count the page made before, by moments: local midnight of `since` to that after `until`."""
    dossiers = Dossier.objects.filter(
        code__isnull=False,
        channel=Channel.ONLINE,
        submitted_at__gte=local(since, 0, 0),
        submitted_at__lt=local(until + timedelta(days=1), 0, 0),
    )
    if scope.agency_ids is not None:
        dossiers = dossiers.filter(agency_id__in=scope.agency_ids)
    return dossiers.count()


def scopes(desks: Desks) -> Iterable[figures.Scope]:
    a, b = desks.a.agency.pk, desks.b.agency.pk
    yield figures.Scope()
    yield figures.Scope(frozenset({a}))
    yield figures.Scope(frozenset({b}))
    yield figures.Scope(frozenset({a, b}))
    yield figures.Scope(frozenset({desks.department.agency.pk}))
    yield figures.Scope(frozenset({desks.towns.district.pk}))  # no dossier of its own


PERIODS = [
    (SINCE, UNTIL),
    (SINCE, SINCE),  # the first day alone
    (UNTIL, UNTIL),  # the last day alone
    (SINCE - timedelta(days=1), SINCE - timedelta(days=1)),
    (UNTIL + timedelta(days=1), UNTIL + timedelta(days=1)),
    (date(2026, 3, 1), date(2026, 3, 31)),
    (date(2026, 4, 1), date(2026, 4, 30)),
    (date(2026, 3, 31), date(2026, 4, 1)),
    (date(2026, 2, 1), date(2026, 5, 31)),
]


@pytest.mark.django_db
def test_the_counters_give_the_dossiers_own_count_at_every_boundary(desks: Desks) -> None:
    hand_made_cases(desks)
    a, b = desks.a.agency.pk, desks.b.agency.pk

    # By hand: A has 00:10 on the first day, 31 March 23:30, 1 April 00:10, the withdrawn one, the one
    # waiting for its e-result and the assisted one at 00:10 on the first day; B the last evening, mid-April
    # and the assisted one on the last evening; the department two.
    whole = figures.assisted_share(figures.Scope(), since=SINCE, until=UNTIL)
    assert (whole.online, whole.assisted) == (11, 2)
    assert whole.ratio == Fraction(2, 11)
    share_a = figures.assisted_share(figures.Scope(frozenset({a})), since=SINCE, until=UNTIL)
    assert (share_a.online, share_a.assisted) == (6, 1)
    share_b = figures.assisted_share(figures.Scope(frozenset({b})), since=SINCE, until=UNTIL)
    assert (share_b.online, share_b.assisted) == (3, 1)
    last_day = figures.assisted_share(figures.Scope(frozenset({b})), since=UNTIL, until=UNTIL)
    assert (last_day.online, last_day.assisted) == (2, 1)
    first_day = figures.assisted_share(figures.Scope(frozenset({a})), since=SINCE, until=SINCE)
    assert (first_day.online, first_day.assisted) == (2, 1)
    assert figures.assisted_by_month(figures.Scope(), since=SINCE, until=UNTIL) == [
        (date(2026, 3, 1), figures.AssistedShare(online=5, assisted=1)),
        (date(2026, 4, 1), figures.AssistedShare(online=6, assisted=1)),
    ]
    # ... from the counters: the online dossiers of the period are there, on their local days.
    assert AgencyDay.objects.filter(agency_id=b, day=UNTIL).get().online == 2
    assert AgencyDay.objects.filter(agency_id=b, day=UNTIL + timedelta(days=1)).get().online == 2

    for scope in scopes(desks):
        for since, until in PERIODS:
            expected = direct(scope, since, until)
            assert figures.assisted_share(scope, since=since, until=until) == expected, (scope, since, until)
            assert expected.online == bounded(scope, since, until)
            monthly = figures.assisted_by_month(scope, since=since, until=until)
            assert [month for month, _share in monthly] == figures.months_between(since, until)
            for month, share in monthly:
                month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                assert share == direct(scope, max(since, month), min(until, month_end)), (scope, month)
            summary = figures.summary(scope, since=since, until=until)
            assert (summary.assisted, summary.assisted_by_month) == (expected, monthly)


@pytest.mark.django_db
def test_the_figures_read_the_counters_not_the_dossiers(desks: Desks) -> None:
    hand_made_cases(desks)
    scope = figures.Scope(frozenset({desks.a.agency.pk, desks.b.agency.pk}))
    with CaptureQueriesContext(connection) as queries:
        figures.summary(scope, since=SINCE, until=UNTIL)
    reads = [query["sql"] for query in queries.captured_queries]
    counters = connection.ops.quote_name(AgencyDay._meta.db_table)
    dossiers = connection.ops.quote_name(Dossier._meta.db_table)
    assert any(f"FROM {counters}" in sql for sql in reads)
    # The dossiers table is only joined to the assisted submissions (a small table), never scanned.
    assert not any(f"FROM {dossiers}" in sql for sql in reads)

    # Counters that disagree with the dossiers show: the figures are the counters'.
    AgencyDay.objects.filter(agency_id=desks.a.agency.pk, day=SINCE).update(online=40)
    share = figures.assisted_share(scope, since=SINCE, until=UNTIL)
    assert share.online == 40 + direct(scope, SINCE, UNTIL).online - 2


def _file_today(desks: Desks, n: int) -> None:
    """`n` online dossiers filed today: every third by team A in commune A, the others in commune B and
    in the department."""
    morning = local(community_today(), 0, 1)
    for i in range(n):
        if i % 3 == 0:
            assisted(desks.a, desks.towns.team_a, desks.towns.member_a, morning)
        else:
            online(desks.b if i % 3 == 1 else desks.department, morning)


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_however_many_dossiers(
    desks: Desks, django_assert_num_queries: Any
) -> None:
    viewer = OfficialFactory()
    RoleAssignmentFactory(user=viewer, role=Role.IOC_VIEWER, agency=desks.towns.province)
    client = Client()
    client.force_login(viewer)
    url = reverse("community:figures")
    _file_today(desks, 3)
    client.get(url)  # the session and anything else read once
    with CaptureQueriesContext(connection) as first:
        small = client.get(url)
    assert small.status_code == 200
    assert (small.context["summary"].assisted.online, small.context["summary"].assisted.assisted) == (3, 1)

    _file_today(desks, 30)
    hand_made_cases(desks)  # other days and months of the default period: more counter rows
    with django_assert_num_queries(len(first.captured_queries)):
        large = client.get(url)
    summary = large.context["summary"]
    # Today 33 (11 by team A); the hand-made ones 14 (3 assisted), all in the last twelve months.
    assert summary.assisted == figures.AssistedShare(online=47, assisted=14)
    assert summary.assisted == direct(figures.Scope(), summary.since, summary.until)
    assert "14/47 hồ sơ trực tuyến" in large.content.decode()
    commune_a = client.get(url, {"commune": desks.a.agency.pk}).context["summary"]
    assert commune_a.assisted == figures.AssistedShare(online=18, assisted=12)
    assert commune_a.assisted == direct(
        figures.Scope(frozenset({desks.a.agency.pk})), summary.since, summary.until
    )

    exported = client.get(reverse("community:figures_export"))
    sheet = load_workbook(io.BytesIO(exported.content))["Tổng hợp"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert (rows["Hồ sơ trực tuyến"], rows["Hồ sơ trực tuyến do tổ hỗ trợ nộp"]) == (47, 14)
