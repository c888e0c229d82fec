"""The registry in the province admin's Django admin: teams and members editable, activities and assisted
dossiers read-only, and the action that lets members sign in as members of their team."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.factories import CitizenFactory, OfficialFactory
from mekong.accounts import permissions as perms
from mekong.accounts.actions import assign_role
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.community import actions
from mekong.community.models import Member
from mekong.core.errors import PermissionDenied

from .factories import ActivityFactory, MemberFactory, Towns


@pytest.fixture
def province_admin(towns: Towns) -> User:
    root = User.objects.create_superuser("goc", password="x" * 12)
    admin = OfficialFactory()
    assign_role(root, admin, Role.PROVINCE_ADMIN, towns.province)
    admin.refresh_from_db()
    return admin


@pytest.mark.django_db
def test_the_province_admin_keeps_the_registry(towns: Towns, province_admin: User) -> None:
    client = Client()
    client.force_login(province_admin)

    teams = client.get("/admin/community/team/")
    team = client.get(f"/admin/community/team/{towns.team_a.pk}/change/")
    activity = ActivityFactory(member=towns.team_a.members.first())
    shown = client.get(f"/admin/community/activity/{activity.pk}/change/")

    assert teams.status_code == 200
    assert towns.team_b.name in teams.content.decode()
    assert team.status_code == 200
    assert 'name="_save"' in team.content.decode()
    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()
    assert client.get("/admin/community/assistedsubmission/").status_code == 200
    assert client.get("/admin/community/communityevent/").status_code == 200


@pytest.mark.django_db
def test_members_get_in_through_the_citizen_account_with_their_phone(
    towns: Towns, province_admin: User
) -> None:
    resident = CitizenFactory(phone="0939555111")
    joining = MemberFactory(team=towns.team_b, phone="0939555111")
    without = MemberFactory(team=towns.team_b, phone="0939555222")
    client = Client()
    client.force_login(province_admin)

    response = client.post(
        "/admin/community/member/",
        {"action": "grant_access", "_selected_action": [joining.pk, without.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert (
        "Đã cấp quyền cho 1 thành viên; 0 đã có quyền; 1 chưa có tài khoản công dân."
        in response.content.decode()
    )
    joining.refresh_from_db()
    assert joining.user == resident
    perms.forget_cached_grants(resident)
    assert perms.can_act_for_team(resident, towns.team_b)
    assert not perms.can_act_for_team(resident, towns.team_a)
    assert Member.objects.get(pk=without.pk).user is None


@pytest.mark.django_db
def test_only_the_province_admin_grants_access(towns: Towns) -> None:
    officer = OfficialFactory(is_staff=True, is_superuser=False)
    member = MemberFactory(team=towns.team_b, phone="0939555111")
    CitizenFactory(phone="0939555111")

    with pytest.raises(PermissionDenied):
        actions.grant_member_access(officer, [member])
    member.refresh_from_db()
    assert member.user is None
