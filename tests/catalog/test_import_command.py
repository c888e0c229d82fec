"""`mekong import_catalog`: Vietnamese summary, every error printed, non-zero exit, nothing written."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mekong.catalog.models import Procedure

from .conftest import BUSINESS_CODE, SAMPLE_PATH, AgencyTree, RowCounts
from .factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_a_vietnamese_summary(agency_tree: AgencyTree) -> None:
    out, _ = _run(str(SAMPLE_PATH))
    assert "3 thủ tục mới, 0 cập nhật, 0 không đổi" in out
    assert "được giữ nguyên" in out
    assert Procedure.objects.count() == 3

    out, _ = _run(str(SAMPLE_PATH), "--verbosity", "2")
    assert "0 thủ tục mới, 0 cập nhật, 3 không đổi" in out


def test_errors_are_all_printed_with_row_and_field_and_the_command_fails(
    agency_tree: AgencyTree, sample: dict[str, Any], tmp_path: Path, count_rows: Callable[[], RowCounts]
) -> None:
    sample["procedures"][0]["fees"][1]["amount"] = -8000
    sample["procedures"][2]["level"] = "xa"
    path = tmp_path / "danh_muc.json"
    path.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    before = count_rows()

    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(path), stdout=io.StringIO(), stderr=err)

    assert caught.value.returncode == 1  # what the console script exits with
    assert "2 lỗi" in str(caught.value)
    lines = err.getvalue().splitlines()
    assert any("procedures[0].fees[1].amount" in line and "không âm" in line for line in lines)
    assert any("procedures[2].level" in line and "«xa» không hợp lệ" in line for line in lines)
    assert count_rows() == before


def test_excel_errors_name_the_sheet_row(agency_tree: AgencyTree, tmp_path: Path) -> None:
    from .test_import_excel import _sheets_from, _xlsx

    sample = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
    sheets = _sheets_from(sample)
    sheets["quy_trinh"][3][2] = "giam doc"
    path = tmp_path / "danh_muc.xlsx"
    path.write_bytes(_xlsx(sheets))

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_catalog", str(path), stdout=io.StringIO(), stderr=err)

    assert "[dòng 4] quy_trinh.Vai trò: Giá trị «giam doc» không hợp lệ" in err.getvalue()
    assert not Procedure.objects.exists()


def test_dry_run_checks_without_writing(agency_tree: AgencyTree) -> None:
    out, _ = _run(str(SAMPLE_PATH), "--dry-run")
    assert "Tệp hợp lệ: 2 lĩnh vực, 3 thủ tục" in out
    assert not Procedure.objects.exists()


def test_deactivate_missing_option(agency_tree: AgencyTree, sample: dict[str, Any], tmp_path: Path) -> None:
    other = ProcedureFactory()
    out, _ = _run(str(SAMPLE_PATH), "--deactivate-missing", "--verbosity", "2")
    assert "1 thủ tục ngừng áp dụng" in out
    assert f"Ngừng áp dụng: {other.code}" in out
    other.refresh_from_db()
    assert not other.is_active
    assert Procedure.objects.get(code=BUSINESS_CODE).is_active


def test_unsupported_or_missing_files_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"\.json hoặc \.xlsx"):
        _run(str(tmp_path / "danh_muc.csv"))
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        _run(str(tmp_path / "khong_co.json"))
