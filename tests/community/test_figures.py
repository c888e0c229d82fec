"""The figures for the IOC dashboard and the community pages: hamlet coverage, members per team, activities
by kind, commune and month, assisted dossiers and their share of online dossiers — and their export."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from dossiers.factories import counter_dossier, one_stop_shop, submitted_dossier
from mekong.accounts.roles import Role
from mekong.community import figures
from mekong.community.models import Activity, ActivityKind, AssistedSubmission, Member

from .factories import MemberFactory, TeamFactory, Towns

TODAY = date(2026, 6, 15)


def activity(team: Any, kind: str, day: date) -> Activity:
    member = Member.objects.filter(team=team).first()
    return Activity.objects.create(
        client_id=uuid.uuid4(),
        team=team,
        member=member,
        kind=kind,
        household="Hộ X",
        hamlet=team.hamlet,
        date=day,
    )


@pytest.mark.django_db
def test_coverage_counts_hamlets_with_an_active_team_with_active_members(towns: Towns) -> None:
    scope = figures.Scope()
    assert figures.coverage(scope) == figures.Coverage(hamlets=6, covered=3)

    towns.team_a2.dissolved_on = date.today()
    towns.team_a2.save()
    Member.objects.filter(team=towns.team_b).update(active_until=date.today() - timedelta(days=1))
    empty = TeamFactory(hamlet=towns.b.hamlets[1], agency=towns.b.agency)  # a team without members
    covered_later = TeamFactory(hamlet=towns.b.hamlets[2], agency=towns.b.agency)
    MemberFactory(team=covered_later, active_from=date.today() + timedelta(days=3))

    now = figures.coverage(scope)
    assert (now.hamlets, now.covered, now.uncovered) == (6, 1, 5)
    assert now.ratio == Fraction(1, 6)
    assert not now.goal_met
    assert figures.coverage(scope, on=date.today() + timedelta(days=5)).covered == 2
    assert empty.pk


@pytest.mark.django_db
def test_coverage_by_commune_lists_the_hamlets_to_follow_up(towns: Towns) -> None:
    rows = {row.commune: row for row in figures.coverage_by_commune(figures.Scope())}

    assert rows["Xã Vị Đông"].coverage == figures.Coverage(3, 2)
    assert rows["Xã Vị Đông"].uncovered_hamlets == ("Ấp Vị Đông 3",)
    assert rows["Xã Vị Bình"].coverage == figures.Coverage(3, 1)
    only_a = figures.coverage_by_commune(figures.Scope(frozenset({towns.a.agency.pk})))
    assert [row.commune for row in only_a] == ["Xã Vị Đông"]
    assert figures.coverage(figures.Scope(frozenset({towns.b.agency.pk}))) == figures.Coverage(3, 1)


@pytest.mark.django_db
def test_members_per_team(towns: Towns) -> None:
    Member.objects.filter(team=towns.team_b).exclude(user=towns.member_b).update(
        active_until=date.today() - timedelta(days=1)
    )

    sizes = figures.team_sizes(figures.Scope())

    by_code = {team.code: team.members for team in sizes.teams}
    assert by_code == {"A-1": 4, "A-2": 3, "B-1": 1}
    assert (sizes.team_count, sizes.member_count, sizes.smallest, sizes.largest) == (3, 8, 1, 4)
    assert sizes.average == pytest.approx(8 / 3)
    assert sizes.distribution() == [(1, 1), (3, 1), (4, 1)]
    assert [t.code for t in figures.team_sizes(figures.Scope(frozenset({towns.b.agency.pk}))).teams] == [
        "B-1"
    ]
    # The IOC panel's totals in one aggregate: the same as the per-team rows, with a dissolved team and
    # members who left or have not started.
    towns.team_a2.dissolved_on = date.today()
    towns.team_a2.save()
    MemberFactory(team=towns.team_a, active_from=date.today() + timedelta(days=3))
    for scope in (figures.Scope(), figures.Scope(frozenset({towns.a.agency.pk}))):
        sizes = figures.team_sizes(scope)
        assert figures.team_totals(scope) == (sizes.team_count, sizes.member_count)
    assert figures.team_totals(figures.Scope()) == (2, 5)
    assert figures.team_totals(figures.Scope(), on=date.today() + timedelta(days=3)) == (2, 6)


@pytest.mark.django_db
def test_activities_by_kind_commune_and_month(towns: Towns) -> None:
    activity(towns.team_a, ActivityKind.INSTALL_APP, date(2026, 4, 2))
    activity(towns.team_a, ActivityKind.INSTALL_APP, date(2026, 4, 30))
    activity(towns.team_a2, ActivityKind.EID_ACCOUNT, date(2026, 6, 1))
    activity(towns.team_b, ActivityKind.EHEALTH_CARD, date(2026, 6, 14))
    activity(towns.team_b, ActivityKind.OTHER, date(2026, 2, 27))  # before the period

    counts = figures.activity_counts(figures.Scope(), since=date(2026, 3, 1), until=TODAY)

    assert sorted((c.month, c.commune, c.kind, c.count) for c in counts) == [
        (date(2026, 4, 1), "Xã Vị Đông", "install_app", 2),
        (date(2026, 6, 1), "Xã Vị Bình", "ehealth_card", 1),
        (date(2026, 6, 1), "Xã Vị Đông", "eid_account", 1),
    ]
    by_kind = {kind: n for kind, _label, n in figures.activities_by_kind(counts)}
    assert by_kind == {
        "install_app": 2,
        "eid_account": 1,
        "online_filing": 0,
        "cashless_payment": 0,
        "ehealth_card": 1,
        "other": 0,
    }
    assert [(name, n) for _id, name, n in figures.activities_by_commune(counts)] == [
        ("Xã Vị Đông", 3),
        ("Xã Vị Bình", 1),
    ]
    assert figures.activities_by_month(counts, since=date(2026, 3, 1), until=TODAY) == [
        (date(2026, 3, 1), 0), (date(2026, 4, 1), 2), (date(2026, 5, 1), 0), (date(2026, 6, 1), 2),
    ]  # fmt: skip
    only_b = figures.activity_counts(
        figures.Scope(frozenset({towns.b.agency.pk})), since=date(2026, 1, 1), until=TODAY
    )
    assert sum(c.count for c in only_b) == 2
    # The IOC panel's total in one count: the sum of the rows, both ends of the period included.
    for scope in (figures.Scope(), figures.Scope(frozenset({towns.b.agency.pk}))):
        for since, until in (
            (date(2026, 3, 1), TODAY),
            (date(2026, 4, 2), date(2026, 4, 30)),
            (TODAY, TODAY),
        ):
            rows = figures.activity_counts(scope, since=since, until=until)
            assert figures.activity_total(scope, since=since, until=until) == sum(c.count for c in rows)
    assert figures.activity_total(figures.Scope(), since=date(2026, 4, 2), until=date(2026, 4, 30)) == 2


def test_the_default_period_is_twelve_whole_months() -> None:
    assert figures.default_period(date(2026, 6, 15)) == (date(2025, 7, 1), date(2026, 6, 15))
    assert figures.default_period(date(2026, 12, 31)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert figures.default_period(date(2027, 1, 1)) == (date(2026, 2, 1), date(2027, 1, 1))
    assert len(figures.months_between(*figures.default_period(date(2026, 6, 15)))) == 12


@pytest.mark.django_db
def test_assisted_dossiers_and_their_share_of_online_dossiers(towns: Towns) -> None:
    shop = one_stop_shop()
    online = [submitted_dossier(shop) for _ in range(4)]
    counter_dossier(shop)
    member = Member.objects.get(user=towns.member_a)
    AssistedSubmission.objects.create(
        dossier=online[0],
        procedure=shop.procedure,
        team=towns.team_a,
        member=member,
        started_by=towns.member_a,
        notify_phone="0919000111",
        submitted_at=timezone.now(),
    )
    AssistedSubmission.objects.create(  # still a draft: not counted
        procedure=shop.procedure,
        team=towns.team_a,
        member=member,
        started_by=towns.member_a,
        notify_phone="0919000111",
    )
    today = timezone.localdate()

    share = figures.assisted_share(figures.Scope(), since=today, until=today)
    assert (share.online, share.assisted, share.ratio) == (4, 1, Fraction(1, 4))
    assert (
        figures.assisted_share(figures.Scope(frozenset({towns.a.agency.pk})), since=today, until=today).online
        == 0
    )
    assert (
        figures.assisted_share(
            figures.Scope(), since=today - timedelta(days=9), until=today - timedelta(days=1)
        ).online
        == 0
    )
    monthly = dict(figures.assisted_by_month(figures.Scope(), since=today.replace(day=1), until=today))
    assert monthly[today.replace(day=1)] == figures.AssistedShare(4, 1)
    # The IOC panel's count (from the assisted submissions alone) agrees, scope and period alike.
    assert figures.assisted_count(figures.Scope(), since=today, until=today) == 1
    assert figures.assisted_count(figures.Scope(frozenset({shop.agency.pk})), since=today, until=today) == 1
    assert (
        figures.assisted_count(figures.Scope(frozenset({towns.a.agency.pk})), since=today, until=today) == 0
    )
    assert (
        figures.assisted_count(
            figures.Scope(), since=today - timedelta(days=9), until=today - timedelta(days=1)
        )
        == 0
    )


@pytest.mark.django_db
def test_the_summary_costs_a_fixed_number_of_queries(
    towns: Towns, django_assert_max_num_queries: Any
) -> None:
    for day in range(1, 20):
        activity(towns.team_a, ActivityKind.INSTALL_APP, date.today() - timedelta(days=day))
    with django_assert_max_num_queries(10):
        small = figures.summary(figures.Scope())
    for n in range(20):
        team = TeamFactory(hamlet=towns.b.hamlets[n % 3], agency=towns.b.agency, name=f"Tổ {n}")
        MemberFactory.create_batch(2, team=team)
        activity(team, ActivityKind.OTHER, date.today())
    with django_assert_max_num_queries(10):
        large = figures.summary(figures.Scope())
    assert large.team_sizes.team_count == small.team_sizes.team_count + 20


@pytest.mark.django_db
def test_the_figures_page_and_its_export(towns: Towns) -> None:
    activity(towns.team_a, ActivityKind.INSTALL_APP, date.today())
    viewer = OfficialFactory()
    RoleAssignmentFactory(user=viewer, role=Role.IOC_VIEWER, agency=towns.province)
    client = Client()
    client.force_login(viewer)

    page = client.get(reverse("community:figures"))
    assert page.status_code == 200
    assert "50,0 %" in page.content.decode() or "50.0 %" in page.content.decode()
    one = client.get(reverse("community:figures"), {"commune": towns.b.agency.pk})
    assert one.context["summary"].coverage == figures.Coverage(3, 1)
    bad = client.get(reverse("community:figures"), {"since": "2026-06-10", "until": "2026-06-01"})
    assert bad.status_code == 200
    assert "Ngày kết thúc trước ngày bắt đầu." in bad.content.decode()

    exported = client.get(reverse("community:figures_export"))
    book = load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames == [
        "Tổng hợp", "Bao phủ theo xã", "Thành viên theo tổ", "Hoạt động theo loại",
        "Hoạt động theo xã", "Hoạt động theo tháng", "Chi tiết hoạt động", "Hồ sơ nộp hộ",
    ]  # fmt: skip
    summary_rows = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary_rows["Số ấp, khu vực"] == 6
    assert summary_rows["Số ấp, khu vực có tổ đang hoạt động"] == 3
    assert summary_rows["Tỷ lệ bao phủ (%) — mục tiêu 100 %"] == 50.0
    assert summary_rows["Số lượt hỗ trợ"] == 1
    kinds = {row[0]: row[1] for row in book["Hoạt động theo loại"].iter_rows(min_row=2, values_only=True)}
    assert kinds["Cài đặt ứng dụng"] == 1


@pytest.mark.django_db
def test_the_figures_appear_on_the_ioc_dashboard(towns: Towns) -> None:
    from mekong.ioc import selectors
    from mekong.ioc.indicators import month_of

    activity(towns.team_a, ActivityKind.INSTALL_APP, selectors.today())
    activity(towns.team_b, ActivityKind.INSTALL_APP, selectors.today())
    viewer = OfficialFactory()
    RoleAssignmentFactory(user=viewer, role=Role.IOC_VIEWER, agency=towns.province)

    panels = selectors.summary(viewer, None, month_of(selectors.today()))["panels"]
    panel = next(p for p in panels if p["key"] == "community")
    shown = {str(f["label"]): f["value"] for f in panel["figures"]}
    # 3 of the 6 hamlets have an active team; 3 teams of 4 members (3 + the signed-in one of A and B).
    assert shown["Ấp, khu vực có tổ hoạt động"] == 50.0
    assert shown["Số tổ"] == 3
    assert shown["Lượt hỗ trợ người dân trong kỳ"] == 2
    assert shown["Số thành viên"] == figures.team_sizes(figures.Scope()).member_count
