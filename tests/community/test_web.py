"""The community pages in a browser-less client: the import page, the member's home, the team page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mekong.accounts.models import User
from mekong.community.models import Member

from .factories import ActivityFactory, Towns
from .test_import import GOOD_ROWS, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(rows: list[list[object]]) -> SimpleUploadedFile:
    return SimpleUploadedFile("ds.xlsx", workbook(rows), content_type=XLSX)


@pytest.mark.django_db
def test_the_import_page_checks_then_imports(commune_officer: User) -> None:
    client = Client()
    client.force_login(commune_officer)

    checked = client.post(reverse("community:import"), {"file": upload(GOOD_ROWS), "check_only": "on"})
    assert checked.status_code == 200
    assert "Tệp hợp lệ: 4 dòng thành viên." in checked.content.decode()
    assert not Member.objects.exists()

    imported = client.post(reverse("community:import"), {"file": upload(GOOD_ROWS)}, follow=True)
    assert "4 thành viên mới, 0 cập nhật, 0 không đổi; 2 tổ mới" in imported.content.decode()
    assert Member.objects.count() == 4


@pytest.mark.django_db
def test_the_import_page_lists_every_bad_line(commune_officer: User) -> None:
    client = Client()
    client.force_login(commune_officer)
    rows = [*GOOD_ROWS, [5, "Ngô Thị Cúc", "Thành viên", "0912345678", "", "Ấp Vị Đông 9", "Xã Vị Đông"]]

    refused = client.post(reverse("community:import"), {"file": upload(rows)})

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Tệp có 2 lỗi; chưa nhập dòng nào." in html
    assert html.count("<td>9</td>") == 2  # both problems of line 9, each in its row
    assert "Số điện thoại 0912345678 trùng với dòng 5." in html
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_the_member_home_and_team_page(towns: Towns) -> None:
    ActivityFactory(member=towns.team_a.members.first(), household="Hộ ông Mười")
    client = Client()
    client.force_login(towns.member_a)

    home = client.get(reverse("community:home")).content.decode()
    team = client.get(reverse("community:team", args=[towns.team_a.pk])).content.decode()

    assert towns.team_a.name in home
    assert "Hộ ông Mười" in home
    assert "Ghi nhận hỗ trợ" in home
    assert "Nộp hồ sơ giúp người dân" in home
    assert "Hộ ông Mười" in team
    assert "/sua/" in team
    for member in towns.team_a.members.all():
        assert member.phone in team
