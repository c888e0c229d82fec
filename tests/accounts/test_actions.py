"""Actions: registration, officials, role assignment, admin permissions, API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from mekong.accounts import actions
from mekong.accounts import permissions as perms
from mekong.accounts.models import ApiToken, RoleAssignment, User, UserKind
from mekong.accounts.roles import Role
from mekong.accounts.tokens import hash_secret
from mekong.core.errors import DomainError, PermissionDenied

from .conftest import OfficialMaker, Tree
from .factories import PASSWORD, AgencyFactory, CitizenFactory, OfficialFactory, UserFactory


def field_messages(error: DomainError) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for item in error.as_dict()["errors"]:
        result.setdefault(item["field"], []).append(item["message"])
    return result


# --- register_citizen -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_register_citizen_creates_a_citizen_signed_in_by_personal_id() -> None:
    user = actions.register_citizen("093090005678", "+84 939 111 222", "  Trần   Văn  Bảy ", PASSWORD)

    user.refresh_from_db()
    assert user.kind == UserKind.CITIZEN
    assert user.username == user.personal_id == "093090005678"
    assert user.phone == "0939111222"  # stored in national form
    assert user.full_name == "Trần Văn Bảy"
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert not user.role_assignments.exists()


@pytest.mark.django_db
def test_register_citizen_reports_every_problem_in_vietnamese_and_creates_nothing() -> None:
    with pytest.raises(DomainError) as refused:
        actions.register_citizen("12345", "12345", "", "123")

    assert refused.value.status == 400
    messages = field_messages(refused.value)
    assert messages["personal_id"] == ["Số định danh cá nhân gồm đúng 12 chữ số."]
    assert messages["phone"] == [
        "Số điện thoại di động không hợp lệ: 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."
    ]
    assert messages["full_name"] == ["Vui lòng nhập họ và tên."]
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in messages["password"]
    assert "Mật khẩu không được chỉ gồm chữ số." in messages["password"]
    assert refused.value.as_dict()["message"].startswith("Chưa đăng ký được tài khoản")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_password_problems_come_in_english_too() -> None:
    with pytest.raises(DomainError) as refused:
        actions.register_citizen("093090005678", "0939111222", "Trần Văn Bảy", "password")

    errors = refused.value.as_dict()["errors"]
    assert [e["message"] for e in errors] == ["Mật khẩu này quá phổ biến, dễ bị đoán."]
    assert [e["message_en"] for e in errors] == ["This password is too common."]


@pytest.mark.django_db
def test_empty_fields_are_required() -> None:
    with pytest.raises(DomainError) as refused:
        actions.register_citizen(" ", "", "", "")

    assert field_messages(refused.value) == {
        "personal_id": ["Vui lòng nhập số định danh cá nhân."],
        "phone": ["Vui lòng nhập số điện thoại di động."],
        "full_name": ["Vui lòng nhập họ và tên."],
        "password": ["Vui lòng nhập mật khẩu."],
    }


@pytest.mark.django_db
def test_personal_id_and_phone_are_unique_among_citizens() -> None:
    existing = CitizenFactory(personal_id="093090005678", phone="0939111222")

    with pytest.raises(DomainError) as refused:
        actions.register_citizen("093090005678", "+84939111222", "Người khác", PASSWORD)

    assert field_messages(refused.value) == {
        "personal_id": ["Số định danh cá nhân này đã được đăng ký."],
        "phone": ["Số điện thoại này đã được dùng cho một tài khoản khác."],
    }
    assert list(User.objects.all()) == [existing]


@pytest.mark.django_db
def test_an_official_may_register_as_a_citizen_with_the_same_phone() -> None:
    OfficialFactory(phone="0939111222")

    citizen = actions.register_citizen("093090005678", "0939111222", "Cán bộ làm công dân", PASSWORD)

    assert citizen.phone == "0939111222"


@pytest.mark.django_db
def test_password_similar_to_the_personal_id_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        actions.register_citizen("093090005678", "0939111222", "Trần Văn Bảy", "093090005678a")

    assert field_messages(refused.value) == {
        "password": ["Mật khẩu quá giống thông tin cá nhân (Tên đăng nhập)."]
    }
    assert not User.objects.exists()


# --- create_official --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_official_with_roles(tree: Tree) -> None:
    user = actions.create_official(
        "motcua.a1",
        "Trần Thị Bình",
        PASSWORD,
        [(Role.RECEIVING_OFFICER, tree.commune_a1), ("specialist", tree.commune_a1)],
    )

    assert user.kind == UserKind.OFFICIAL
    assert user.check_password(PASSWORD)
    assert set(user.role_assignments.values_list("role", flat=True)) == {"receiving_officer", "specialist"}
    assert not user.is_staff


@pytest.mark.django_db
def test_create_official_refuses_bad_input_and_creates_nothing(tree: Tree) -> None:
    OfficialFactory(username="motcua.a1")

    with pytest.raises(DomainError) as refused:
        actions.create_official("MotCua.A1", "", "motcua.a1", [("chairman", tree.province)])

    messages = field_messages(refused.value)
    assert messages["username"] == ["Tên đăng nhập này đã được dùng."]
    assert messages["full_name"] == ["Vui lòng nhập họ và tên."]
    assert messages["password"]  # too similar to the username
    assert messages["roles"] == ["Vai trò không hợp lệ: chairman."]
    assert refused.value.as_dict()["errors"][-1]["row"] == 1
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["093090005678", "0939111222", "có dấu cách"])
def test_official_usernames_cannot_look_like_identifiers_or_hold_spaces(username: str) -> None:
    with pytest.raises(DomainError) as refused:
        actions.create_official(username, "Cán bộ", PASSWORD)

    assert "username" in field_messages(refused.value)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_create_official_as_province_admin_gets_admin_access(tree: Tree) -> None:
    admin = actions.create_official("quantri", "Quản trị", PASSWORD, [(Role.PROVINCE_ADMIN, tree.province)])

    admin = User.objects.get(pk=admin.pk)
    assert admin.is_staff
    assert not admin.is_superuser
    assert admin.has_perm("catalog.change_procedure")
    assert admin.has_perm("geo.view_administrativeunit")
    assert admin.has_perm("accounts.add_roleassignment")
    assert not admin.has_perm("auth.change_group")


# --- assign_role / revoke_role -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_province_admin_assigns_and_revokes_roles(tree: Tree, official_with: OfficialMaker) -> None:
    admin = official_with(Role.PROVINCE_ADMIN, tree.province)
    officer = OfficialFactory()

    assignment = actions.assign_role(admin, officer, Role.SPECIALIST, tree.commune_a1)
    again = actions.assign_role(admin, officer, "specialist", tree.commune_a1)

    assert assignment.pk == again.pk
    assert perms.can_act(officer, tree.commune_a1, Role.SPECIALIST)  # the action dropped the cached grants

    assert actions.revoke_role(admin, officer, Role.SPECIALIST, tree.commune_a1) is True
    assert actions.revoke_role(admin, officer, Role.SPECIALIST, tree.commune_a1) is False
    assert not RoleAssignment.objects.filter(user=officer).exists()
    assert not perms.can_act(officer, tree.commune_a1, Role.SPECIALIST)


@pytest.mark.django_db
def test_superuser_may_assign_roles(tree: Tree) -> None:
    root = UserFactory(is_superuser=True)
    officer = OfficialFactory()

    actions.assign_role(root, officer, Role.LEADER, tree.district_a)

    assert RoleAssignment.objects.filter(user=officer, role=Role.LEADER, agency=tree.district_a).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "held_at"),
    [(Role.LEADER, "province"), (Role.IOC_VIEWER, "province"), (Role.RECEIVING_OFFICER, "commune_a1")],
)
def test_nobody_else_may_assign_or_revoke_roles(
    tree: Tree, official_with: OfficialMaker, role: Role, held_at: str
) -> None:
    actor = official_with(role, getattr(tree, held_at))
    officer = official_with(Role.SPECIALIST, tree.commune_a1)

    with pytest.raises(PermissionDenied) as refused:
        actions.assign_role(actor, officer, Role.LEADER, tree.commune_a1)
    assert refused.value.as_dict()["message"] == "Chỉ quản trị cấp tỉnh mới được giao hoặc thu hồi vai trò."
    with pytest.raises(PermissionDenied):
        actions.revoke_role(actor, officer, Role.SPECIALIST, tree.commune_a1)
    with pytest.raises(PermissionDenied):
        actions.assign_role(AnonymousUser(), officer, Role.LEADER, tree.commune_a1)

    assert list(officer.role_assignments.values_list("role", flat=True)) == ["specialist"]


@pytest.mark.django_db
def test_citizens_cannot_receive_official_roles_but_may_join_a_community_team(
    tree: Tree, official_with: OfficialMaker
) -> None:
    admin = official_with(Role.PROVINCE_ADMIN, tree.province)
    citizen = CitizenFactory()

    with pytest.raises(DomainError, match="Chỉ tài khoản cán bộ"):
        actions.assign_role(admin, citizen, Role.SPECIALIST, tree.commune_a1)
    actions.assign_role(admin, citizen, Role.COMMUNITY_MEMBER, tree.commune_a1)

    assert list(citizen.role_assignments.values_list("role", flat=True)) == ["community_member"]


@pytest.mark.django_db
def test_roles_are_not_given_in_inactive_agencies(tree: Tree, official_with: OfficialMaker) -> None:
    admin = official_with(Role.PROVINCE_ADMIN, tree.province)
    closed = AgencyFactory(is_active=False)

    with pytest.raises(DomainError, match="ngừng hoạt động"):
        actions.assign_role(admin, OfficialFactory(), Role.SPECIALIST, closed)
    assert not RoleAssignment.objects.filter(agency=closed).exists()


@pytest.mark.django_db
def test_invalid_role_is_refused(tree: Tree, official_with: OfficialMaker) -> None:
    admin = official_with(Role.PROVINCE_ADMIN, tree.province)

    with pytest.raises(DomainError, match="Vai trò không hợp lệ"):
        actions.assign_role(admin, OfficialFactory(), "mayor", tree.province)


@pytest.mark.django_db
def test_staff_access_follows_the_province_admin_role(tree: Tree, official_with: OfficialMaker) -> None:
    admin = official_with(Role.PROVINCE_ADMIN, tree.province)
    newcomer = OfficialFactory()

    actions.assign_role(admin, newcomer, Role.PROVINCE_ADMIN, tree.province)
    newcomer = User.objects.get(pk=newcomer.pk)
    assert newcomer.is_staff
    assert newcomer.has_perm("catalog.add_agency")

    actions.revoke_role(admin, newcomer, Role.PROVINCE_ADMIN, tree.province)
    newcomer = User.objects.get(pk=newcomer.pk)
    assert not newcomer.is_staff
    assert not newcomer.has_perm("catalog.add_agency")
    assert not newcomer.user_permissions.exists()


@pytest.mark.django_db
def test_superusers_stay_staff_when_they_lose_the_admin_role(tree: Tree) -> None:
    root = UserFactory(is_superuser=True, is_staff=True, kind=UserKind.OFFICIAL)
    actions.assign_role(root, root, Role.PROVINCE_ADMIN, tree.province)

    actions.revoke_role(root, root, Role.PROVINCE_ADMIN, tree.province)

    assert User.objects.get(pk=root.pk).is_staff


@pytest.mark.django_db
def test_a_province_admin_cannot_remove_their_own_last_admin_role(
    tree: Tree, official_with: OfficialMaker
) -> None:
    admin = official_with(Role.PROVINCE_ADMIN, tree.province)

    with pytest.raises(PermissionDenied, match="chính mình"):
        actions.revoke_role(admin, admin, Role.PROVINCE_ADMIN, tree.province)
    assert perms.is_province_admin(User.objects.get(pk=admin.pk))


# --- API tokens -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_issue_api_token_stores_only_the_hash(settings: object) -> None:
    settings.MEKONG_API_TOKEN_TTL_DAYS = 7  # type: ignore[attr-defined]
    user = CitizenFactory()
    before = timezone.now()

    token, secret = actions.issue_api_token(user, name="  Điện thoại  ")

    token.refresh_from_db()
    assert token.key_hash == hash_secret(secret)
    assert secret not in {token.key_hash, token.prefix, token.name}
    assert secret.startswith(token.prefix)
    assert token.name == "Điện thoại"
    assert before + timedelta(days=7) <= token.expires_at <= timezone.now() + timedelta(days=7)
    assert token.revoked_at is None


@pytest.mark.django_db
def test_inactive_accounts_get_no_token() -> None:
    with pytest.raises(PermissionDenied):
        actions.issue_api_token(CitizenFactory(is_active=False))
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_revoke_api_token_keeps_the_first_revocation_time() -> None:
    token, _secret = actions.issue_api_token(CitizenFactory())

    actions.revoke_api_token(token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    actions.revoke_api_token(ApiToken.objects.get(pk=token.pk))

    assert first is not None
    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


@pytest.mark.django_db
def test_token_use_is_recorded_at_most_once_a_minute(django_assert_num_queries: object) -> None:
    token, _secret = actions.issue_api_token(CitizenFactory())
    now = timezone.now()

    with django_assert_num_queries(1):  # type: ignore[operator]
        actions.record_api_token_use(token, now)
    with django_assert_num_queries(0):  # type: ignore[operator]
        actions.record_api_token_use(token, now + timedelta(seconds=59))
    with django_assert_num_queries(1):  # type: ignore[operator]
        actions.record_api_token_use(token, now + timedelta(seconds=61))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == now + timedelta(seconds=61)
