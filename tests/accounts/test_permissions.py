"""Permission rules for every role (issue 2, item 6)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from mekong.accounts import permissions as perms
from mekong.accounts.roles import Role
from mekong.core.errors import PermissionDenied

from .conftest import OfficialMaker, Tree
from .factories import AgencyFactory, CitizenFactory, OfficialFactory, RoleAssignmentFactory, UserFactory

SLOTS = (
    "province", "district_a", "commune_a1", "commune_a2", "district_b", "commune_b1", "service_centre", "department",
)  # fmt: skip

# role, where the role is held, agencies whose records it reads, agencies whose figures it sees.
READ_SCOPES = [
    (Role.RECEIVING_OFFICER, "commune_a1", {"commune_a1"}, {"commune_a1"}),
    (Role.SPECIALIST, "commune_a1", {"commune_a1"}, {"commune_a1"}),
    (Role.RECEIVING_OFFICER, "service_centre", {"service_centre"}, {"service_centre"}),
    (Role.LEADER, "commune_a1", {"commune_a1"}, {"commune_a1"}),
    (
        Role.LEADER,
        "district_a",
        {"district_a", "commune_a1", "commune_a2"},
        {"district_a", "commune_a1", "commune_a2"},
    ),
    (Role.LEADER, "province", set(SLOTS), set(SLOTS)),
    (Role.IOC_VIEWER, "province", set(), set(SLOTS)),
    (Role.IOC_VIEWER, "district_a", set(), {"district_a", "commune_a1", "commune_a2"}),
    (Role.COMMUNITY_MEMBER, "commune_a1", set(), set()),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "held_at", "reads", "sees_figures"), READ_SCOPES)
def test_each_role_reads_exactly_its_scope(
    tree: Tree,
    official_with: OfficialMaker,
    role: Role,
    held_at: str,
    reads: set[str],
    sees_figures: set[str],
) -> None:
    user = official_with(role, getattr(tree, held_at))

    for slot in SLOTS:
        agency = getattr(tree, slot)
        assert perms.can_read_agency(user, agency) is (slot in reads), f"{role} at {held_at} reading {slot}"
        assert perms.can_view_ioc(user, agency) is (slot in sees_figures), (
            f"{role} at {held_at} figures {slot}"
        )
    assert set(perms.agencies_readable_by(user)) == {getattr(tree, slot) for slot in reads}
    assert set(perms.agencies_ioc_visible_by(user)) == {getattr(tree, slot) for slot in sees_figures}
    assert not perms.can_manage_catalog(user)
    assert not perms.can_manage_accounts(user)


ACTING = [Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.LEADER, Role.COMMUNITY_MEMBER]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ACTING)
def test_acting_roles_act_in_their_own_agency_only_and_only_with_their_role(
    tree: Tree, official_with: OfficialMaker, role: Role
) -> None:
    user = official_with(role, tree.district_a)

    assert perms.can_act(user, tree.district_a, role)
    assert perms.can_act(user, tree.district_a.pk, role)  # by id, as records carry agency_id
    for other_role in set(ACTING) - {role}:
        assert not perms.can_act(user, tree.district_a, other_role)
    for slot in ("province", "commune_a1", "commune_a2", "district_b", "service_centre"):
        assert not perms.can_act(user, getattr(tree, slot), role), f"{role} acting in {slot}"
    assert list(perms.agencies_actionable_by(user)) == [tree.district_a]
    assert list(perms.agencies_actionable_by(user, role)) == [tree.district_a]


@pytest.mark.django_db
def test_leader_of_a_parent_reads_children_but_does_not_act_on_them(
    tree: Tree, official_with: OfficialMaker
) -> None:
    leader = official_with(Role.LEADER, tree.district_a)

    assert perms.can_read_agency(leader, tree.commune_a1)
    assert perms.can_read_agency(leader, tree.commune_a2)
    for role in ACTING:
        assert not perms.can_act(leader, tree.commune_a1, role)
    assert not perms.can_read_agency(leader, tree.district_b)  # a sibling of their agency
    assert not perms.can_read_agency(leader, tree.province)  # their parent


@pytest.mark.django_db
def test_leader_reads_grandchildren(official_with: OfficialMaker) -> None:
    top = AgencyFactory()
    middle = AgencyFactory(parent=top)
    bottom = AgencyFactory(parent=middle)
    leader = official_with(Role.LEADER, top)

    assert perms.can_read_agency(leader, bottom)


@pytest.mark.django_db
def test_official_of_a_child_cannot_read_the_parent_or_siblings(
    tree: Tree, official_with: OfficialMaker
) -> None:
    officer = official_with(Role.SPECIALIST, tree.commune_a1)

    assert not perms.can_read_agency(officer, tree.district_a)
    assert not perms.can_read_agency(officer, tree.commune_a2)
    assert not perms.can_act(officer, tree.commune_a2, Role.SPECIALIST)


@pytest.mark.django_db
def test_ioc_viewer_sees_figures_but_not_personal_details(tree: Tree, official_with: OfficialMaker) -> None:
    viewer = official_with(Role.IOC_VIEWER, tree.province)

    assert perms.can_view_ioc(viewer, tree.commune_b1)
    assert not perms.can_read_agency(viewer, tree.commune_b1)
    assert not perms.can_read_agency(viewer, tree.province)
    assert not perms.can_read_record(viewer, owner=CitizenFactory(), agency=tree.commune_b1)
    assert not perms.agencies_readable_by(viewer).exists()
    assert not perms.agencies_actionable_by(viewer).exists()


@pytest.mark.django_db
def test_province_admin_reads_everything_and_manages_configuration_but_does_not_process(
    tree: Tree, official_with: OfficialMaker
) -> None:
    admin = official_with(Role.PROVINCE_ADMIN, tree.province)
    created_later = AgencyFactory(name="Cơ quan mới")

    for agency in [*tree.all, created_later]:
        assert perms.can_read_agency(admin, agency)
        assert perms.can_view_ioc(admin, agency)
        for role in ACTING:
            assert not perms.can_act(admin, agency, role)
    assert perms.agencies_readable_by(admin).count() == len(tree.all) + 1
    assert perms.can_manage_catalog(admin)
    assert perms.can_manage_accounts(admin)
    assert perms.is_province_admin(admin)


@pytest.mark.django_db
def test_superuser_administers_like_a_province_admin(tree: Tree) -> None:
    root = UserFactory(is_superuser=True, is_staff=True)

    assert perms.can_read_agency(root, tree.commune_b1)
    assert perms.can_manage_catalog(root)
    assert not perms.can_act(root, tree.commune_b1, Role.SPECIALIST)


@pytest.mark.django_db
def test_the_community_member_role_alone_opens_nothing(tree: Tree, official_with: OfficialMaker) -> None:
    # A member acts for the team they belong to (tests/community/test_permissions.py); the role by itself
    # gives no team and none of the agency's records.
    member = official_with(Role.COMMUNITY_MEMBER, tree.commune_a1)

    assert perms.member_team_ids(member) == frozenset()
    assert not perms.can_read_agency(member, tree.commune_a1)
    assert not perms.can_act(member, tree.commune_a1, Role.RECEIVING_OFFICER)
    assert not perms.can_manage_teams(member, tree.commune_a1)


@pytest.mark.django_db
def test_processing_officials_manage_their_communes_teams_but_act_for_none(
    tree: Tree, official_with: OfficialMaker
) -> None:
    officer = official_with(Role.RECEIVING_OFFICER, tree.commune_a1)

    assert perms.member_team_ids(officer) == frozenset()
    assert perms.can_manage_teams(officer, tree.commune_a1)
    assert not perms.can_manage_teams(officer, tree.commune_a2)


@pytest.mark.django_db
def test_citizen_reads_only_their_own_records(tree: Tree) -> None:
    citizen, neighbour = CitizenFactory(), CitizenFactory()

    assert perms.can_read_owned(citizen, citizen)
    assert perms.can_read_owned(citizen, citizen.pk)
    assert not perms.can_read_owned(citizen, neighbour)
    assert not perms.can_read_owned(citizen, None)
    assert perms.can_read_record(citizen, owner=citizen, agency=tree.commune_a1)
    assert not perms.can_read_record(citizen, owner=neighbour, agency=tree.commune_a1)
    for agency in tree.all:
        assert not perms.can_read_agency(citizen, agency)
        assert not perms.can_view_ioc(citizen, agency)
    assert not perms.agencies_readable_by(citizen).exists()
    assert not perms.can_manage_catalog(citizen)


@pytest.mark.django_db
def test_officials_read_citizens_records_through_the_agency(tree: Tree, official_with: OfficialMaker) -> None:
    citizen = CitizenFactory()
    officer = official_with(Role.RECEIVING_OFFICER, tree.commune_a1)

    assert perms.can_read_record(officer, owner=citizen, agency=tree.commune_a1)
    assert not perms.can_read_record(officer, owner=citizen, agency=tree.commune_b1)
    assert not perms.can_read_record(officer, owner=citizen, agency=None)
    assert not perms.can_read_owned(officer, citizen)


@pytest.mark.django_db
def test_anonymous_visitors_get_nothing(tree: Tree) -> None:
    visitor = AnonymousUser()
    citizen = CitizenFactory()

    for agency in tree.all:
        assert not perms.can_read_agency(visitor, agency)
        assert not perms.can_view_ioc(visitor, agency)
        assert not perms.can_act(visitor, agency, Role.RECEIVING_OFFICER)
        assert not perms.can_manage_teams(visitor, agency)
    assert perms.member_team_ids(visitor) == frozenset()
    assert not perms.can_read_owned(visitor, citizen)
    assert not perms.can_manage_catalog(visitor)
    assert not perms.agencies_readable_by(visitor).exists()
    assert not perms.agencies_readable_by(None).exists()


@pytest.mark.django_db
def test_deactivated_officials_lose_everything(tree: Tree, official_with: OfficialMaker) -> None:
    admin = official_with(Role.PROVINCE_ADMIN, tree.province)
    leader = official_with(Role.LEADER, tree.district_a)
    admin.is_active = leader.is_active = False

    assert not perms.can_manage_catalog(admin)
    assert not perms.can_read_agency(admin, tree.province)
    assert not perms.can_act(leader, tree.district_a, Role.LEADER)
    assert not perms.can_read_owned(leader, leader)


@pytest.mark.django_db
def test_several_roles_add_up_and_role_filter_narrows(tree: Tree) -> None:
    official = OfficialFactory()
    RoleAssignmentFactory(user=official, role=Role.RECEIVING_OFFICER, agency=tree.commune_a1)
    RoleAssignmentFactory(user=official, role=Role.SPECIALIST, agency=tree.commune_b1)

    assert set(perms.agencies_readable_by(official)) == {tree.commune_a1, tree.commune_b1}
    assert set(perms.agencies_actionable_by(official)) == {tree.commune_a1, tree.commune_b1}
    assert list(perms.agencies_actionable_by(official, Role.SPECIALIST)) == [tree.commune_b1]
    assert perms.can_act(official, tree.commune_b1, Role.SPECIALIST)
    assert not perms.can_act(official, tree.commune_a1, Role.SPECIALIST)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.IOC_VIEWER, Role.PROVINCE_ADMIN])
def test_non_acting_roles_are_a_programming_error_in_can_act(tree: Tree, role: Role) -> None:
    with pytest.raises(ValueError, match="not a role that acts"):
        perms.can_act(OfficialFactory(), tree.province, role)


@pytest.mark.django_db
def test_require_refuses_with_403_and_a_vietnamese_message() -> None:
    perms.require(True)
    with pytest.raises(PermissionDenied) as refused:
        perms.require(False)
    assert refused.value.status == 403
    assert refused.value.as_dict()["message"] == "Bạn không có quyền thực hiện thao tác này."

    with pytest.raises(PermissionDenied, match="Chỉ lãnh đạo"):
        perms.require(False, "Chỉ lãnh đạo được phê duyệt.")


@pytest.mark.django_db
def test_grants_are_cached_per_user_object_until_forgotten(tree: Tree, official_with: OfficialMaker) -> None:
    officer = official_with(Role.RECEIVING_OFFICER, tree.commune_a1)
    assert not perms.can_read_agency(officer, tree.commune_b1)

    RoleAssignmentFactory(user=officer, role=Role.SPECIALIST, agency=tree.commune_b1)
    assert not perms.can_read_agency(officer, tree.commune_b1)  # same request, same answer

    perms.forget_cached_grants(officer)
    assert perms.can_read_agency(officer, tree.commune_b1)


@pytest.mark.django_db
def test_readable_agencies_take_a_fixed_number_of_queries_whatever_the_tree_size(
    official_with: OfficialMaker, django_assert_max_num_queries: object
) -> None:
    # ~100 agencies, four levels deep, like a province.
    province = AgencyFactory()
    for _district in range(9):
        district = AgencyFactory(parent=province)
        for _commune in range(10):
            commune = AgencyFactory(parent=district)
            AgencyFactory(parent=commune)
    leader = official_with(Role.LEADER, province)

    with django_assert_max_num_queries(3):  # type: ignore[operator]
        readable = list(perms.agencies_readable_by(leader))  # roles, tree, agencies
    assert len(readable) == 1 + 9 * (1 + 10 * 2)

    with django_assert_max_num_queries(1):  # type: ignore[operator]
        assert len(list(perms.agencies_readable_by(leader))) == len(readable)
    with django_assert_max_num_queries(0):  # type: ignore[operator]
        for agency in readable:
            assert perms.can_read_agency(leader, agency)
            assert perms.can_view_ioc(leader, agency)


@pytest.mark.django_db
def test_province_admin_scope_needs_no_tree(
    tree: Tree, official_with: OfficialMaker, django_assert_num_queries: object
) -> None:
    admin = official_with(Role.PROVINCE_ADMIN, tree.province)

    with django_assert_num_queries(2):  # type: ignore[operator]
        assert len(list(perms.agencies_readable_by(admin))) == len(tree.all)
