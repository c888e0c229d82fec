from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency
from portal.html_audit import assert_accessible

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    home = reverse("backoffice:home")

    response = client.get(home)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={home}"


def test_citizen_is_refused(client: Client, citizen: User) -> None:
    client.force_login(citizen)

    response = client.get(reverse("backoffice:home"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "Trang này chỉ dành cho cán bộ, công chức." in html
    assert '<html lang="vi">' in html


def test_official_sees_their_roles(
    client: Client, official: User, django_assert_max_num_queries: Any
) -> None:
    client.force_login(official)

    with django_assert_max_num_queries(4):  # session, user, role assignments with agencies
        response = client.get(reverse("backoffice:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Xin chào, Nguyễn Thị Lan" in html
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td class=\"code\">(.*?)</td>\s*<td>(.*?)</td>", html, re.S)
    agency = "Ủy ban nhân dân xã Vị Đông|Ủy ban nhân dân tỉnh Hậu Giang|"  # the parent agency under the name
    assert sorted((re.sub(r"<[^>]+>", "|", name), code, role) for name, code, role in rows) == sorted(
        [
            (agency, "000.01.31.H29", "Cán bộ tiếp nhận (một cửa)"),
            (agency, "000.01.31.H29", "Chuyên viên xử lý"),
        ]
    )
    # Each role links to the agency's queue.
    queue = reverse("backoffice:queue")
    assert html.count(f'<a href="{queue}?agency={official.role_assignments.first().agency_id}">') == 2  # type: ignore[union-attr]


def test_official_sees_only_their_own_roles(client: Client, official: User, province_pc: Agency) -> None:
    RoleAssignmentFactory.create(agency=province_pc, role=Role.LEADER)  # someone else's role
    client.force_login(official)

    html = client.get(reverse("backoffice:home")).content.decode()

    assert "Lãnh đạo phê duyệt" not in html


def test_official_without_roles_is_told_whom_to_ask(client: Client) -> None:
    client.force_login(OfficialFactory.create())

    response = client.get(reverse("backoffice:home"))

    assert response.status_code == 200
    assert "Bạn chưa được phân công vai trò nào." in response.content.decode()


def test_backoffice_page_structure(client: Client, official: User) -> None:
    client.force_login(official)
    html = client.get(reverse("backoffice:home")).content.decode()

    assert_accessible(html)
    assert re.search(r'<a href="/can-bo/"\s+aria-current="page">', html)
    assert 'href="/static/backoffice/backoffice.css"' in html
    assert '<body class="backoffice">' in html
    # Sign-out is a POST form; the official's name is shown.
    assert re.search(rf'<form method="post" action="{reverse("accounts:logout")}">', html)
    assert "Nguyễn Thị Lan" in html


def test_backoffice_in_english(client: Client, official: User) -> None:
    client.force_login(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse("backoffice:home")).content.decode()

    assert '<html lang="en">' in html
    assert "Assigned roles" in html
    assert "Receiving officer (one-stop desk)" in html
