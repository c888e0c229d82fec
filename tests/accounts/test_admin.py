"""The Django admin for a province admin who is not a superuser."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mekong.accounts import actions
from mekong.accounts.models import ApiToken, RoleAssignment, User
from mekong.accounts.roles import Role

from .conftest import Tree
from .factories import PASSWORD, CitizenFactory, OfficialFactory, RoleAssignmentFactory, UserFactory


@pytest.fixture
def province_admin(tree: Tree) -> User:
    return actions.create_official(
        "quantri", "Quản trị tỉnh", PASSWORD, [(Role.PROVINCE_ADMIN, tree.province)]
    )


@pytest.fixture
def admin_client(province_admin: User) -> Client:
    client = Client()
    client.force_login(province_admin)
    return client


@pytest.mark.django_db
def test_province_admin_is_not_a_superuser_but_the_admin_opens(
    province_admin: User, admin_client: Client
) -> None:
    assert not province_admin.is_superuser

    response = admin_client.get("/admin/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tài khoản và vai trò" in html  # the app, in Vietnamese
    assert "/admin/accounts/user/" in html
    assert "/admin/accounts/roleassignment/" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/roleassignment/",
        "/admin/accounts/roleassignment/add/",
        "/admin/accounts/apitoken/",
    ],
)
def test_account_pages_load_for_a_province_admin(tree: Tree, admin_client: Client, url: str) -> None:
    RoleAssignmentFactory(role=Role.SPECIALIST, agency=tree.commune_a1)
    actions.issue_api_token(CitizenFactory())

    assert admin_client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["093190000001", "0912000001", "Mai"])
def test_users_are_found_by_personal_id_phone_or_name(admin_client: Client, query: str) -> None:
    mai = CitizenFactory(personal_id="093190000001", phone="0912000001", full_name="Nguyễn Thị Mai")
    CitizenFactory(full_name="Trần Văn Bảy")

    response = admin_client.get("/admin/accounts/user/", {"q": query})

    assert list(response.context["cl"].result_list) == [mai]


@pytest.mark.django_db
def test_user_list_takes_few_queries(admin_client: Client, django_assert_max_num_queries: Any) -> None:
    for _ in range(30):
        CitizenFactory()

    with django_assert_max_num_queries(12):
        response = admin_client.get("/admin/accounts/user/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_privilege_fields_are_read_only_and_superusers_hidden(admin_client: Client) -> None:
    citizen = CitizenFactory()
    root = UserFactory(username="root", is_superuser=True, is_staff=True)

    page = admin_client.get(f"/admin/accounts/user/{citizen.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="full_name"' in html
    for field in ("is_superuser", "is_staff", "user_permissions", "groups"):
        assert f'name="{field}"' not in html

    assert admin_client.get(f"/admin/accounts/user/{root.pk}/change/").status_code == 302  # "does not exist"
    assert root not in admin_client.get("/admin/accounts/user/").context["cl"].result_list
    assert admin_client.get(f"/admin/accounts/user/{root.pk}/password/").status_code == 404


@pytest.mark.django_db
def test_posting_is_superuser_changes_nothing(admin_client: Client, province_admin: User) -> None:
    official = OfficialFactory(username="canbo.x", full_name="Cán bộ X")
    page = admin_client.get(f"/admin/accounts/user/{official.pk}/change/")
    data = change_form_data(page.context)
    data.update({"full_name": "Cán bộ Y", "is_superuser": "on", "is_staff": "on"})

    response = admin_client.post(f"/admin/accounts/user/{official.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    official.refresh_from_db()
    assert official.full_name == "Cán bộ Y"
    assert not official.is_superuser
    assert not official.is_staff


@pytest.mark.django_db
def test_roles_added_in_the_user_page_go_through_assign_role(tree: Tree, admin_client: Client) -> None:
    official = OfficialFactory(username="canbo.x")
    page = admin_client.get(f"/admin/accounts/user/{official.pk}/change/")
    data = change_form_data(page.context)
    data.update({"role_assignments-TOTAL_FORMS": "1", "role_assignments-0-role": Role.PROVINCE_ADMIN})
    data["role_assignments-0-agency"] = str(tree.province.pk)

    response = admin_client.post(f"/admin/accounts/user/{official.pk}/change/", data)

    assert response.status_code == 302
    official = User.objects.get(pk=official.pk)
    assert official.is_staff  # sync_staff_permissions ran
    assert official.has_perm("catalog.change_procedure")


@pytest.mark.django_db
def test_citizens_cannot_get_official_roles_in_the_user_page(tree: Tree, admin_client: Client) -> None:
    citizen = CitizenFactory()
    page = admin_client.get(f"/admin/accounts/user/{citizen.pk}/change/")
    data = change_form_data(page.context)
    data.update({"role_assignments-TOTAL_FORMS": "1", "role_assignments-0-role": Role.SPECIALIST})
    data["role_assignments-0-agency"] = str(tree.commune_a1.pk)

    response = admin_client.post(f"/admin/accounts/user/{citizen.pk}/change/", data)

    assert response.status_code == 200
    assert "Chỉ tài khoản cán bộ, công chức mới được giao vai trò này." in response.content.decode()
    assert not RoleAssignment.objects.filter(user=citizen).exists()


@pytest.mark.django_db
def test_role_assignment_page_assigns_and_revokes_through_actions(tree: Tree, admin_client: Client) -> None:
    official = OfficialFactory()

    response = admin_client.post(
        "/admin/accounts/roleassignment/add/",
        {"user": official.pk, "role": Role.PROVINCE_ADMIN, "agency": tree.province.pk},
    )
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=official)
    assert User.objects.get(pk=official.pk).is_staff

    response = admin_client.post(
        "/admin/accounts/roleassignment/",
        {"action": "delete_selected", "_selected_action": [assignment.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(user=official).exists()
    assert not User.objects.get(pk=official.pk).is_staff


@pytest.mark.django_db
def test_a_province_admin_cannot_delete_their_own_admin_role(
    admin_client: Client, province_admin: User
) -> None:
    own = RoleAssignment.objects.get(user=province_admin)

    response = admin_client.post(f"/admin/accounts/roleassignment/{own.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert RoleAssignment.objects.filter(pk=own.pk).exists()


@pytest.mark.django_db
def test_api_tokens_are_read_only_and_can_be_revoked(admin_client: Client) -> None:
    token, _secret = actions.issue_api_token(CitizenFactory())

    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
    page = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()

    response = admin_client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    assert "Đã thu hồi 1 mã truy cập." in response.content.decode()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


@pytest.mark.django_db
def test_officials_without_the_admin_role_and_citizens_stay_out(tree: Tree) -> None:
    for user in (OfficialFactory(), CitizenFactory()):
        RoleAssignmentFactory(user=user, role=Role.COMMUNITY_MEMBER, agency=tree.commune_a1)
        client = Client()
        client.force_login(user)
        assert client.get("/admin/").status_code == 302


def change_form_data(context: Any) -> dict[str, Any]:
    """The user change form as the browser would post it back unchanged."""
    form = context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if name in {"last_login", "date_joined"}:
            local = timezone.localtime(value) if value else None
            data[f"{name}_0"] = local.strftime("%Y-%m-%d") if local else ""
            data[f"{name}_1"] = local.strftime("%H:%M:%S") if local else ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None and name != "password":
            data[name] = value
    for formset in context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data
