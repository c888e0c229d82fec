"""/api/v1/community: teams, activities (idempotent), figures — each caller sees their scope only."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from mekong.accounts.actions import issue_api_token
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.community.models import Activity

from .factories import ActivityFactory, Towns

API = "/api/v1/community"


def bearer(user: User) -> dict[str, str]:
    _token, secret = issue_api_token(user)
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.django_db
def test_teams_are_listed_within_the_callers_scope(towns: Towns) -> None:
    officer = OfficialFactory()
    RoleAssignmentFactory(user=officer, role=Role.SPECIALIST, agency=towns.a.agency)

    commune = Client().get(f"{API}/teams", headers=bearer(officer)).json()
    member = Client().get(f"{API}/teams", headers=bearer(towns.member_b)).json()

    assert {item["code"] for item in commune["items"]} == {"A-1", "A-2"}
    assert [item["code"] for item in member["items"]] == ["B-1"]
    a1 = next(item for item in commune["items"] if item["code"] == "A-1")
    assert a1["active_members"] == 4
    assert a1["agency_code"] == towns.a.agency.code


@pytest.mark.django_db
def test_a_team_with_its_members_or_404(towns: Towns) -> None:
    mine = Client().get(f"{API}/teams/{towns.team_a.pk}", headers=bearer(towns.member_a))
    theirs = Client().get(f"{API}/teams/{towns.team_b.pk}", headers=bearer(towns.member_a))

    assert mine.status_code == 200
    assert len(mine.json()["members"]) == 4
    assert {m["role_label"] for m in mine.json()["members"]} == {"Tổ trưởng", "Thành viên"}
    assert theirs.status_code == 404
    assert theirs.json()["message_en"]


@pytest.mark.django_db
def test_recording_an_activity_is_idempotent(towns: Towns) -> None:
    body: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "team": towns.team_a.pk,
        "kind": "online_filing",
        "household": "Hộ bà Võ Thị Chín",
        "hamlet": towns.team_a.hamlet_id,
        "date": date.today().isoformat(),
    }
    headers = bearer(towns.member_a)

    first = Client().post(f"{API}/activities", body, content_type="application/json", headers=headers)
    again = Client().post(f"{API}/activities", body, content_type="application/json", headers=headers)
    other_team = Client().post(
        f"{API}/activities", {**body, "client_id": str(uuid.uuid4()), "team": towns.team_b.pk},
        content_type="application/json", headers=headers,
    )  # fmt: skip
    bad = Client().post(
        f"{API}/activities", {**body, "client_id": str(uuid.uuid4()), "household": " "},
        content_type="application/json", headers=headers,
    )  # fmt: skip

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["kind_label"] == "Nộp hồ sơ trực tuyến"
    assert other_team.status_code == 403
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "household"
    assert Activity.objects.count() == 1


@pytest.mark.django_db
def test_activities_are_listed_within_scope_without_extra_queries(
    towns: Towns, django_assert_max_num_queries: Any
) -> None:
    ActivityFactory.create_batch(3, member=towns.team_a.members.first())
    ActivityFactory.create_batch(2, member=towns.team_b.members.first())
    headers = bearer(towns.member_b)

    with django_assert_max_num_queries(12):
        listed = Client().get(f"{API}/activities", headers=headers).json()
    assert listed["count"] == 2
    ActivityFactory.create_batch(20, member=towns.team_b.members.first())
    with django_assert_max_num_queries(12):
        more = Client().get(f"{API}/activities", headers=headers).json()
    assert more["count"] == 22


@pytest.mark.django_db
def test_figures_follow_the_ioc_rule(towns: Towns) -> None:
    viewer = OfficialFactory()
    RoleAssignmentFactory(user=viewer, role=Role.IOC_VIEWER, agency=towns.province)

    province = Client().get(f"{API}/figures", headers=bearer(viewer))
    one = Client().get(f"{API}/figures", {"commune": towns.b.agency.pk}, headers=bearer(viewer))
    refused = Client().get(f"{API}/figures", headers=bearer(towns.member_a))

    assert province.status_code == 200
    assert province.json()["coverage"] == {"hamlets": 6, "covered": 3, "percent": 50.0}
    assert province.json()["teams"]["members"] == 11
    assert [row["count"] for row in province.json()["activities_by_kind"]] == [0] * 6
    assert len(province.json()["activities_by_month"]) == 12
    assert one.json()["coverage"]["hamlets"] == 3
    assert refused.status_code == 403
    assert Client().get(f"{API}/figures").status_code == 401
