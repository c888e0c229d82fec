"""Who sees and edits what, for every role: a member only their team's records, the commune its teams,
the province everything (issue 7, item 5)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from accounts.factories import PASSWORD, AgencyFactory, CitizenFactory, OfficialFactory, RoleAssignmentFactory
from mekong.accounts import permissions as perms
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import AgencyKind
from mekong.community import figures, selectors
from mekong.community.models import Activity, Member
from mekong.core.errors import PermissionDenied

from .factories import MemberFactory, Towns, member_account

Maker = Callable[[Towns], User | AnonymousUser]


def official(role: Role, where: str) -> Maker:
    def make(towns: Towns) -> User:
        if where == "department":
            agency = AgencyFactory(kind=AgencyKind.DEPARTMENT, parent=towns.province, name="Sở Tư pháp")
        else:
            agency = {
                "a": towns.a.agency,
                "b": towns.b.agency,
                "district": towns.district,
                "province": towns.province,
            }[where]
        user = OfficialFactory()
        RoleAssignmentFactory(user=user, role=role, agency=agency)
        return user

    return make


def former_member(towns: Towns) -> User:
    user = member_account(towns.team_a)
    Member.objects.filter(user=user).update(active_until=date.today() - timedelta(days=1))
    return user


def member_of_dissolved_team(towns: Towns) -> User:
    user = member_account(towns.team_a2)
    towns.team_a2.dissolved_on = date.today()
    towns.team_a2.save()
    return user


def role_without_membership(towns: Towns) -> User:
    return official(Role.COMMUNITY_MEMBER, "a")(towns)


def membership_without_role(towns: Towns) -> User:
    user = OfficialFactory()
    MemberFactory(team=towns.team_a, user=user)
    return user


def citizen_member(towns: Towns) -> User:
    """Members are often residents signing in with their citizen account."""
    return member_account(towns.team_a, user=CitizenFactory())


# who: (reads teams, manages communes, acts for teams, sees figures of communes) — of a, a2 (commune A), b
ROLES: dict[str, tuple[Maker, set[str], set[str], set[str], set[str]]] = {
    "member of team A": (lambda t: t.member_a, {"a"}, set(), {"a"}, set()),
    "citizen member of team A": (citizen_member, {"a"}, set(), {"a"}, set()),
    "member of team B": (lambda t: t.member_b, {"b"}, set(), {"b"}, set()),
    "community role, no membership": (role_without_membership, set(), set(), set(), set()),
    "membership, no community role": (membership_without_role, set(), set(), set(), set()),
    "former member": (former_member, set(), set(), set(), set()),
    "member of a dissolved team": (member_of_dissolved_team, set(), set(), set(), set()),
    "receiving officer of commune A": (
        official(Role.RECEIVING_OFFICER, "a"),
        {"a", "a2"},
        {"A"},
        set(),
        {"A"},
    ),
    "specialist of commune A": (official(Role.SPECIALIST, "a"), {"a", "a2"}, {"A"}, set(), {"A"}),
    "leader of commune A": (official(Role.LEADER, "a"), {"a", "a2"}, {"A"}, set(), {"A"}),
    "specialist of commune B": (official(Role.SPECIALIST, "b"), {"b"}, {"B"}, set(), {"B"}),
    "leader of the district": (official(Role.LEADER, "district"), {"a", "a2", "b"}, set(), set(), {"A", "B"}),
    "IOC viewer of the province": (official(Role.IOC_VIEWER, "province"), set(), set(), set(), {"A", "B"}),
    "province admin": (
        official(Role.PROVINCE_ADMIN, "province"),
        {"a", "a2", "b"},
        {"A", "B"},
        set(),
        {"A", "B"},
    ),
    "specialist of a department": (official(Role.SPECIALIST, "department"), set(), set(), set(), set()),
    "citizen": (lambda t: CitizenFactory(), set(), set(), set(), set()),
    "anonymous": (lambda t: AnonymousUser(), set(), set(), set(), set()),
}


def teams(towns: Towns) -> dict[str, object]:
    return {"a": towns.team_a, "a2": towns.team_a2, "b": towns.team_b}


def communes(towns: Towns) -> dict[str, object]:
    return {"A": towns.a.agency, "B": towns.b.agency}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_each_role_reads_manages_and_acts_exactly_in_its_scope(towns: Towns, who: str) -> None:
    make, reads, manages, acts, sees = ROLES[who]
    user = make(towns)

    for key, team in teams(towns).items():
        assert perms.can_read_team(user, team) is (key in reads), f"{who} reading team {key}"  # type: ignore[arg-type]
        assert perms.can_act_for_team(user, team) is (key in acts), f"{who} acting for team {key}"  # type: ignore[arg-type]
    for key, agency in communes(towns).items():
        assert perms.can_manage_teams(user, agency) is (key in manages), f"{who} managing {key}"  # type: ignore[arg-type]
        assert perms.can_view_ioc(user, agency) is (key in sees), f"{who} figures of {key}"  # type: ignore[arg-type]
    listed = {key for key, team in teams(towns).items() if team in selectors.readable_teams(user)}
    assert listed == reads
    assert {t.pk for t in selectors.my_teams(user)} == {teams(towns)[key].pk for key in acts}  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_each_role_sees_only_its_teams_records(towns: Towns, who: str) -> None:
    make, reads, *_rest = ROLES[who]
    user = make(towns)
    for team in teams(towns).values():
        member = Member.objects.filter(team=team).first()
        Activity.objects.create(
            client_id=uuid.uuid4(),
            team=team,
            member=member,
            kind="other",
            household="Hộ X",
            hamlet=team.hamlet,
            date=date.today(),  # type: ignore[attr-defined]
        )

    seen = {activity.team_id for activity in selectors.readable_activities(user)}

    assert seen == {teams(towns)[key].pk for key in reads}  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_figures_follow_the_ioc_rule(towns: Towns, who: str) -> None:
    make, _reads, _manages, _acts, sees = ROLES[who]
    user = make(towns)

    try:
        scope = figures.scope_for(user)
    except PermissionDenied:
        assert not sees
        return
    visible = {
        key
        for key, agency in communes(towns).items()
        if scope.agency_ids is None or agency.pk in scope.agency_ids
    }  # type: ignore[attr-defined]
    assert visible == sees
    for key, agency in communes(towns).items():
        if key in sees:
            assert figures.scope_for(user, commune=agency.pk).agency_ids == frozenset({agency.pk})  # type: ignore[attr-defined]
        else:
            with pytest.raises(PermissionDenied):
                figures.scope_for(user, commune=agency.pk)  # type: ignore[attr-defined]


def client_for(user: User | AnonymousUser) -> Client:
    client = Client()
    if isinstance(user, User):
        client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_each_roles_pages(towns: Towns, who: str) -> None:
    make, reads, manages, acts, sees = ROLES[who]
    user = make(towns)
    client = client_for(user)
    anything = bool(reads or acts or sees)

    home = client.get(reverse("community:home"))
    if isinstance(user, AnonymousUser):
        assert home.status_code == 302
        assert "/tai-khoan/dang-nhap/" in home["Location"]
        return
    assert home.status_code == (200 if anything else 403)
    for key, team in teams(towns).items():
        page = client.get(reverse("community:team", args=[team.pk]))  # type: ignore[attr-defined]
        expected = 200 if key in reads else 404 if anything else 403
        assert page.status_code == expected, f"{who} opening team {key}"
    assert client.get(reverse("community:import")).status_code == (200 if manages else 403)
    assert client.get(reverse("community:figures")).status_code == (200 if sees else 403)
    assert client.get(reverse("community:activities")).status_code == (200 if acts else 403)
    assert client.get(reverse("community:assisted_start")).status_code == (200 if acts else 403)
    exported = client.get(reverse("community:export_csv"))
    if anything:
        phones = {
            phone
            for phone in Member.objects.values_list("phone", flat=True)
            if phone in exported.content.decode("utf-8-sig")
        }
        expected_phones = set(
            Member.objects.filter(team__in=[teams(towns)[k] for k in reads]).values_list("phone", flat=True)
        )
        assert phones == expected_phones
    else:
        assert exported.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("who", ROLES)
def test_only_members_record_for_their_own_team(towns: Towns, who: str) -> None:
    make, _reads, _manages, acts, _sees = ROLES[who]
    user = make(towns)
    client = client_for(user)
    client.get(reverse("community:home"))  # sets the CSRF cookie for the JSON request below
    client.handler.enforce_csrf_checks = False

    for key, team in teams(towns).items():
        entry = {
            "client_id": str(uuid.uuid4()),
            "team": team.pk,  # type: ignore[attr-defined]
            "kind": "install_app",
            "household": "Hộ bà Ba",
            "hamlet": team.hamlet_id,  # type: ignore[attr-defined]
            "date": date.today().isoformat(),
        }
        response = client.post(
            reverse("community:activity_sync"), json.dumps(entry), content_type="application/json"
        )
        if isinstance(user, AnonymousUser):
            assert response.status_code == 401
        else:
            assert response.status_code == (201 if key in acts else 403), f"{who} recording for team {key}"
    assert Activity.objects.count() == len(acts)


@pytest.mark.django_db
def test_a_member_edits_only_their_own_teams_activities(towns: Towns) -> None:
    theirs = Activity.objects.create(
        client_id=uuid.uuid4(), team=towns.team_b, member=Member.objects.filter(team=towns.team_b).first(),
        kind="other", household="Hộ ông Tư", hamlet=towns.team_b.hamlet, date=date.today(),
    )  # fmt: skip
    client = client_for(towns.member_a)

    assert client.get(reverse("community:activity_edit", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("community:activity_edit", args=[theirs.pk]),
        {
            "client_id": str(theirs.client_id),
            "kind": "install_app",
            "household": "Đổi",
            "hamlet": theirs.hamlet_id,
            "date": date.today().isoformat(),
        },
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.household == "Hộ ông Tư"

    own = client_for(towns.member_b)
    response = own.post(
        reverse("community:activity_edit", args=[theirs.pk]),
        {
            "client_id": str(theirs.client_id),
            "kind": "install_app",
            "household": "Hộ ông Tư, số 3",
            "hamlet": theirs.hamlet_id,
            "date": date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert (theirs.household, theirs.kind) == ("Hộ ông Tư, số 3", "install_app")


@pytest.mark.django_db
def test_the_header_offers_the_community_pages_to_those_who_use_them(towns: Towns) -> None:
    assert "/cong-dong/" in client_for(towns.member_a).get("/").content.decode()
    citizen = Client()
    citizen.force_login(CitizenFactory())
    assert "/cong-dong/" not in citizen.get("/").content.decode()
    login = Client()
    assert login.login(username=towns.member_a.username, password=PASSWORD)
