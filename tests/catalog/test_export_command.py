"""`mekong export_catalog`: JSON or Excel by the file's suffix, JSON to standard output with "-"."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mekong.catalog.actions import import_catalog
from mekong.catalog.importer import read_catalog_file
from mekong.catalog.transfer import catalog_from_database, read_catalog_workbook, validate_catalog

from .conftest import SAMPLE_PATH, AgencyTree
from .test_import_validation import CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(agency_tree: AgencyTree) -> None:
    import_catalog(read_catalog_file(SAMPLE_PATH))


def test_export_to_json_file(imported: None, tmp_path: Path, sample_text: str) -> None:
    target = tmp_path / "danh_muc.json"
    out = io.StringIO()

    call_command("export_catalog", str(target), stdout=out)

    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(sample_text)
    assert f"Đã xuất 3 thủ tục ra {target}" in out.getvalue()


def test_export_to_excel_file(imported: None, tmp_path: Path) -> None:
    target = tmp_path / "danh_muc.xlsx"

    call_command("export_catalog", str(target), stdout=io.StringIO())

    assert validate_catalog(read_catalog_workbook(target), CONTEXT) == catalog_from_database()


def test_export_to_standard_output(imported: None, sample_text: str) -> None:
    out = io.StringIO()
    call_command("export_catalog", "-", stdout=out)
    assert json.loads(out.getvalue()) == json.loads(sample_text)


def test_export_refuses_other_suffixes(imported: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"\.json hoặc \.xlsx"):
        call_command("export_catalog", str(tmp_path / "danh_muc.csv"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Không ghi được tệp"):
        call_command("export_catalog", str(tmp_path / "khong" / "co" / "danh_muc.json"), stdout=io.StringIO())
