"""The import and export commands, for the province's first load of its lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mekong.accounts.models import User
from mekong.community.models import Member

from .test_import import GOOD_ROWS, workbook

pytestmark = pytest.mark.usefixtures("hau_giang")


@pytest.mark.django_db
def test_export_then_import_from_the_command_line(
    commune_officer: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ds.xlsx"
    source.write_bytes(workbook(GOOD_ROWS))

    call_command("import_community_members", str(source), user=commune_officer.username, check=True)
    assert not Member.objects.exists()
    call_command("import_community_members", str(source), user=commune_officer.username)
    assert Member.objects.count() == 4
    out = tmp_path / "xuat.csv"
    call_command("export_community_members", str(out))
    call_command("import_community_members", str(out), user=commune_officer.username)

    printed = capsys.readouterr().out
    assert "0 thành viên mới, 0 cập nhật, 4 không đổi" in printed


@pytest.mark.django_db
def test_a_bad_file_lists_its_lines_and_fails(
    commune_officer: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ds.xlsx"
    source.write_bytes(
        workbook(
            [*GOOD_ROWS, [5, "Ngô Thị Cúc", "Thành viên", "0912345678", "", "Ấp Vị Đông 1", "Xã Vị Đông"]]
        )
    )

    with pytest.raises(CommandError):
        call_command("import_community_members", str(source), user=commune_officer.username)

    assert "[dòng 9] Số điện thoại: Số điện thoại 0912345678 trùng với dòng 5." in capsys.readouterr().err
    assert not Member.objects.exists()
