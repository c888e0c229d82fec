"""Exporting the catalogue: stable JSON and Excel that import back to the same catalogue."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from mekong.catalog.actions import import_catalog
from mekong.catalog.importer import read_catalog_bytes, read_catalog_file
from mekong.catalog.models import AgencyKind, Procedure, ProcedureField
from mekong.catalog.transfer import (
    catalog_from_database,
    export_catalog_json,
    export_catalog_workbook,
    parse_catalog_json,
    read_catalog_workbook,
    validate_catalog,
)

from .conftest import BIRTH_CODE, BUSINESS_CODE, SAMPLE_PATH, AgencyTree
from .factories import AgencyFactory, FullProcedureFactory, ProcedureFactory
from .test_import_validation import CONTEXT

pytestmark = pytest.mark.django_db


def _wipe_catalogue() -> None:
    Procedure.objects.all().delete()
    ProcedureField.objects.all().delete()


def test_export_of_an_imported_file_is_that_file(agency_tree: AgencyTree, sample_text: str) -> None:
    # The sample is written in the exporter's layout. Compared as data, not text: PostgreSQL's jsonb
    # does not keep the key order inside a form schema (SQLite does, and there the text is identical).
    import_catalog(read_catalog_file(SAMPLE_PATH))
    exported = export_catalog_json()
    assert json.loads(exported) == json.loads(sample_text)
    assert exported.endswith("}\n")


def test_json_export_import_export_is_identical(agency_tree: AgencyTree) -> None:
    FullProcedureFactory.create_batch(3, agencies=[agency_tree.district])
    ProcedureFactory(name="Thủ tục không có giấy tờ", form_schema={})
    first = export_catalog_json()

    report = import_catalog(read_catalog_bytes(first.encode(), filename="x.json"))
    assert report.unchanged == 4  # the export describes exactly what is stored

    _wipe_catalogue()
    import_catalog(read_catalog_bytes(first.encode(), filename="x.json"))
    assert export_catalog_json() == first


def test_excel_export_import_gives_back_the_same_catalogue(agency_tree: AgencyTree) -> None:
    import_catalog(read_catalog_file(SAMPLE_PATH))
    FullProcedureFactory(agencies=[agency_tree.province])
    json_before = export_catalog_json()
    workbook = export_catalog_workbook()

    assert read_catalog_bytes(workbook, filename="x.xlsx") == catalog_from_database()

    _wipe_catalogue()
    report = import_catalog(read_catalog_bytes(workbook, filename="x.xlsx"))
    assert report.created == 4
    assert export_catalog_json() == json_before
    # and the workbook itself is stable
    assert _cells(export_catalog_workbook()) == _cells(workbook)


def _cells(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames}


def test_the_workbook_has_the_documented_sheets_and_headers(agency_tree: AgencyTree) -> None:
    import_catalog(read_catalog_file(SAMPLE_PATH))

    cells = _cells(export_catalog_workbook())

    assert list(cells) == ["linh_vuc", "thu_tuc", "thanh_phan_ho_so", "phi_le_phi", "quy_trinh", "huong_dan"]
    assert cells["phi_le_phi"][0] == (
        "Mã thủ tục",
        "Loại",
        "Nội dung",
        "Mức thu (đồng)",
        "Nhân theo trường",
        "Ghi chú",
    )
    assert cells["phi_le_phi"][1:] == [
        (BIRTH_CODE, "le_phi", "Lệ phí đăng ký khai sinh đúng hạn", 0, None, "Miễn lệ phí."),
        (BIRTH_CODE, "phi", "Phí cấp bản sao Giấy khai sinh", 8000, "so_ban_sao", "8.000 đồng/bản."),
        (
            "2.000635.000.00.00.H28",
            "phi",
            "Phí cấp bản sao trích lục hộ tịch",
            8000,
            "so_ban",
            "8.000 đồng/bản.",
        ),
        (BUSINESS_CODE, "le_phi", "Lệ phí đăng ký hộ kinh doanh", 100000, None, None),
    ]
    steps = [row for row in cells["quy_trinh"][1:] if row[0] == BIRTH_CODE]
    assert [(row[3], row[4]) for row in steps] == [(2, "hour"), (0.5, "working_day"), (2, "hour")]
    procedures = {row[0]: row for row in cells["thu_tuc"][1:]}
    assert json.loads(procedures[BIRTH_CODE][5]) == {"kinds": ["commune_pc"]}
    assert procedures[BIRTH_CODE][12] == "có"


def test_export_is_sorted_by_code_whatever_the_insertion_order(agency_tree: AgencyTree) -> None:
    for code in ("3.000300.000.00.00.H28", "1.000100.000.00.00.H28", "2.000200.000.00.00.H28"):
        ProcedureFactory(code=code)

    exported = json.loads(export_catalog_json())

    assert [p["code"] for p in exported["procedures"]] == [
        "1.000100.000.00.00.H28",
        "2.000200.000.00.00.H28",
        "3.000300.000.00.00.H28",
    ]
    assert [f["code"] for f in exported["fields"]] == sorted(f["code"] for f in exported["fields"])


def test_agencies_are_written_as_kinds_only_when_the_whole_kind_is_served(agency_tree: AgencyTree) -> None:
    everywhere = ProcedureFactory(agencies=[*agency_tree.communes, agency_tree.province])
    somewhere = ProcedureFactory(agencies=[agency_tree.communes[0]])
    third = AgencyFactory(kind=AgencyKind.COMMUNE_PC, code="000.03.03.H28")
    later = ProcedureFactory(agencies=[*agency_tree.communes])  # all communes but the new one

    by_code = {p["code"]: p["agencies"] for p in json.loads(export_catalog_json())["procedures"]}

    assert by_code[everywhere.code] == {
        "codes": [agency_tree.province.code, *[c.code for c in agency_tree.communes]]
    }
    assert by_code[somewhere.code] == {"codes": [agency_tree.communes[0].code]}
    assert third.code not in by_code[later.code]["codes"]
    ProcedureFactory(code="1.000999.000.00.00.H28", agencies=[*agency_tree.communes, third])
    assert {p["code"]: p["agencies"] for p in json.loads(export_catalog_json())["procedures"]}[
        "1.000999.000.00.00.H28"
    ] == {"kinds": ["commune_pc"]}


def test_retired_procedures_and_closed_agencies_are_not_exported(agency_tree: AgencyTree) -> None:
    kept = ProcedureFactory(agencies=[agency_tree.district])
    ProcedureFactory(is_active=False)
    closed = AgencyFactory(kind=AgencyKind.DEPARTMENT, is_active=False)
    kept.agencies.add(closed)

    exported = json.loads(export_catalog_json())

    assert [p["code"] for p in exported["procedures"]] == [kept.code]
    assert exported["procedures"][0]["agencies"] == {"codes": [agency_tree.district.code]}


def test_a_selection_exports_only_its_procedures_and_fields(agency_tree: AgencyTree) -> None:
    chosen = ProcedureFactory()
    ProcedureFactory()

    exported = json.loads(export_catalog_json(Procedure.objects.filter(pk=chosen.pk)))

    assert [p["code"] for p in exported["procedures"]] == [chosen.code]
    assert [f["code"] for f in exported["fields"]] == [chosen.field.code]


def test_an_exported_workbook_validates_without_the_database(agency_tree: AgencyTree) -> None:
    import_catalog(read_catalog_file(SAMPLE_PATH))
    from_excel = validate_catalog(read_catalog_workbook(export_catalog_workbook()), CONTEXT)
    from_json = validate_catalog(parse_catalog_json(export_catalog_json()), CONTEXT)
    assert from_excel == from_json
