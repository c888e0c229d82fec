"""Demo accounts: one per role, found by agency kind, idempotent, passwords generated once."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password

from mekong.accounts import permissions as perms
from mekong.accounts.demo import (
    DEMO_CITIZEN_PERSONAL_ID,
    DEMO_CITIZEN_PHONE,
    create_demo_accounts,
    generate_password,
)
from mekong.accounts.identifiers import is_personal_id, normalize_phone
from mekong.accounts.models import RoleAssignment, User, UserKind
from mekong.accounts.roles import Role
from mekong.catalog.models import AgencyKind

from .conftest import Tree
from .factories import AgencyFactory


def role_holders(role: Role) -> list[RoleAssignment]:
    return list(RoleAssignment.objects.filter(role=role).select_related("agency", "user"))


@pytest.mark.django_db
def test_one_account_per_role_in_agencies_of_the_right_kind(tree: Tree) -> None:
    accounts = create_demo_accounts(tree.all)

    assert {account.role_label for account in accounts} >= {str(role.label) for role in Role} | {"Công dân"}
    assert all(account.password for account in accounts)
    assert len({account.password for account in accounts}) == len(accounts)

    kinds = {(a.role, a.agency.kind) for a in RoleAssignment.objects.select_related("agency")}
    assert kinds == {
        (Role.RECEIVING_OFFICER, AgencyKind.COMMUNE_PC),
        (Role.SPECIALIST, AgencyKind.COMMUNE_PC),
        (Role.LEADER, AgencyKind.COMMUNE_PC),
        (Role.LEADER, AgencyKind.DISTRICT_PC),
        (Role.RECEIVING_OFFICER, AgencyKind.SERVICE_CENTRE),
        (Role.SPECIALIST, AgencyKind.SERVICE_CENTRE),
        (Role.IOC_VIEWER, AgencyKind.PROVINCE_PC),
        (Role.PROVINCE_ADMIN, AgencyKind.PROVINCE_PC),
        (Role.COMMUNITY_MEMBER, AgencyKind.COMMUNE_PC),
    }


@pytest.mark.django_db
def test_the_demo_shows_the_rules(tree: Tree) -> None:
    create_demo_accounts(tree.all)
    officer = User.objects.get(username="motcua.xa")
    district_leader = User.objects.get(username="lanhdao.huyen")
    commune = officer.role_assignments.get().agency

    assert commune.parent == district_leader.role_assignments.get().agency  # the leader supervises it
    assert perms.can_read_agency(district_leader, commune)
    assert perms.can_act(officer, commune, Role.RECEIVING_OFFICER)
    assert User.objects.get(username="quantri.tinh").is_staff
    assert perms.can_view_ioc(User.objects.get(username="ioc.tinh"), commune)


@pytest.mark.django_db
def test_every_demo_account_signs_in_with_its_printed_identifier_and_password(tree: Tree) -> None:
    for account in create_demo_accounts(tree.all):
        assert account.password is not None
        user = authenticate(None, username=account.identifier, password=account.password)
        assert user is not None, account.identifier


@pytest.mark.django_db
def test_the_citizen_has_a_valid_personal_id_and_phone(tree: Tree) -> None:
    citizen_account = create_demo_accounts(tree.all)[0]
    citizen = User.objects.get(personal_id=citizen_account.identifier)

    assert citizen.kind == UserKind.CITIZEN
    assert is_personal_id(DEMO_CITIZEN_PERSONAL_ID)
    assert citizen.phone == normalize_phone(DEMO_CITIZEN_PHONE)
    assert authenticate(None, username=citizen.phone, password=citizen_account.password) == citizen


@pytest.mark.django_db
def test_running_again_creates_nothing_and_reveals_no_password(tree: Tree) -> None:
    first = create_demo_accounts(tree.all)
    users, roles = User.objects.count(), RoleAssignment.objects.count()

    second = create_demo_accounts()  # default: every agency in the database

    assert [a.identifier for a in second] == [a.identifier for a in first]
    assert [a.agency for a in second] == [a.agency for a in first]
    assert all(account.password is None for account in second)
    assert (User.objects.count(), RoleAssignment.objects.count()) == (users, roles)


@pytest.mark.django_db
def test_missing_kinds_fall_back_to_the_province_people_s_committee() -> None:
    province = AgencyFactory(kind=AgencyKind.PROVINCE_PC, name="UBND tỉnh")

    accounts = create_demo_accounts([province])

    officials = [a for a in accounts if a.agency]
    assert officials
    assert {a.agency for a in officials} == {"UBND tỉnh"}
    assert RoleAssignment.objects.exclude(agency=province).count() == 0


@pytest.mark.django_db
def test_without_agencies_only_the_citizen_is_created() -> None:
    accounts = create_demo_accounts([])

    assert [a.identifier for a in accounts] == [DEMO_CITIZEN_PERSONAL_ID]
    assert User.objects.count() == 1


def test_generated_passwords_pass_the_validators() -> None:
    passwords = {generate_password() for _ in range(50)}

    assert len(passwords) == 50
    for password in passwords:
        validate_password(password)
