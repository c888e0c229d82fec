"""Importing Excel workbooks: same content as JSON, errors located by sheet row and column."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook

from mekong.catalog.actions import import_catalog
from mekong.catalog.importer import read_catalog_bytes
from mekong.catalog.models import Procedure
from mekong.catalog.transfer import (
    CatalogContext,
    parse_catalog_json,
    read_catalog_workbook,
    validate_catalog,
)
from mekong.core.errors import DomainError

from .conftest import BIRTH_CODE, AgencyTree, RowCounts
from .test_import_validation import CONTEXT

Sheets = dict[str, list[list[Any]]]


def _xlsx(sheets: Sheets) -> bytes:
    """A workbook written with openpyxl directly, independently of the exporter."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for name, rows in sheets.items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheets_from(sample: dict[str, Any]) -> Sheets:
    """The sample laid out as people would type it: columns in another order, headers without accents
    or in capitals, yes/no words, numbers typed as text, blank optional cells."""
    sheets: Sheets = {
        "linh_vuc": [["Tên lĩnh vực", "MÃ LĨNH VỰC"]],
        "thu_tuc": [
            [
                "Mã thủ tục", "Tên thủ tục", "Mã lĩnh vực", "Cap thuc hien", "Cơ quan thực hiện",
                "Cơ quan tiếp nhận (JSON)", "Căn cứ pháp lý", "Trình tự, điều kiện", "Kết quả thực hiện",
                "Đơn vị thời hạn", "Thời hạn giải quyết", "Mức độ trực tuyến", "Bắt buộc trả kết quả điện tử",
                "Biểu mẫu (JSON Schema)", "Nguồn số liệu",
            ]
        ],
        "thanh_phan_ho_so": [["Mã thủ tục", "Tên giấy tờ", "Bắt buộc", "Số bản", "Tên mẫu", "Ghi chú"]],
        "phi_le_phi": [["Mã thủ tục", "Loại", "Nội dung", "Mức thu (đồng)", "Nhân theo trường", "Ghi chú"]],
        "quy_trinh": [["Mã thủ tục", "Bước", "Vai trò", "Thời gian", "Đơn vị"]],
    }  # fmt: skip
    for field in sample["fields"]:
        sheets["linh_vuc"].append([field["name"], field["code"]])
    for p in sample["procedures"]:
        sheets["thu_tuc"].append(
            [
                p["code"], p["name"], p["field"], p["level"], p["implementing_agency"],
                json.dumps(p["agencies"], ensure_ascii=False), p["legal_basis"], p["description"] or None,
                p["result_name"], p["time_limit"]["unit"], float(p["time_limit"]["value"]), p["online_level"],
                "Có" if p["requires_e_result"] else "không",
                json.dumps(p["form_schema"], ensure_ascii=False, indent=2), p["source"],
            ]
        )  # fmt: skip
        for d in p["documents"]:
            sheets["thanh_phan_ho_so"].append(
                [
                    p["code"],
                    d["name"],
                    "x" if d["mandatory"] else "Không",
                    str(d["copies"]),
                    d["template_name"],
                    d["note"],
                ]
            )
        for f in p["fees"]:
            sheets["phi_le_phi"].append(
                [p["code"], f["kind"], f["name"], str(f["amount"]), f["quantity_field"], f["note"]]
            )
        for s in p["steps"]:
            sheets["quy_trinh"].append(
                [p["code"], s["name"], s["role"], s["duration"]["value"], s["duration"]["unit"]]
            )
    return sheets


def _errors(sheets: Sheets) -> list[tuple[int | None, str, str]]:
    with pytest.raises(DomainError) as caught:
        validate_catalog(read_catalog_workbook(_xlsx(sheets)), CONTEXT)
    return [(error.row, error.field, error.as_dict()["message"]) for error in caught.value.errors]


def test_a_workbook_reads_into_the_same_catalogue_as_the_json(sample: dict[str, Any]) -> None:
    from_json = validate_catalog(parse_catalog_json(sample), CONTEXT)
    from_excel = validate_catalog(read_catalog_workbook(_xlsx(_sheets_from(sample))), CONTEXT)
    assert from_excel == from_json


@pytest.mark.django_db
def test_a_workbook_imports(
    agency_tree: AgencyTree, sample: dict[str, Any], count_rows: Callable[[], RowCounts]
) -> None:
    report = import_catalog(read_catalog_bytes(_xlsx(_sheets_from(sample)), filename="Danh_muc.XLSX"))

    assert report.created == 3
    assert count_rows()["fees"] == 4
    birth = Procedure.objects.get(code=BIRTH_CODE)
    assert birth.requires_e_result is True
    assert [d.mandatory for d in birth.documents.order_by("position")] == [True, True, False]
    assert set(birth.agencies.all()) == set(agency_tree.communes)


def test_bad_rows_in_several_sheets_are_all_reported_by_row_and_column(sample: dict[str, Any]) -> None:
    sheets = _sheets_from(sample)
    sheets["thu_tuc"][2][3] = "ấp"  # level, row 3
    sheets["thu_tuc"][3][2] = "xay-dung"  # field, row 4
    sheets["thanh_phan_ho_so"][4][1] = None  # document name, row 5
    sheets["phi_le_phi"][1][3] = "0,5"  # amount, row 2
    sheets["phi_le_phi"][3][3] = 8000.5  # amount, row 4
    sheets["quy_trinh"][2][2] = "lanh dao"  # role, row 3
    sheets["quy_trinh"].append(["1.999999.000.00.00.H28", "Bước lạc", "leader", 1, "hour"])  # row 10

    errors = _errors(sheets)

    assert [(row, field) for row, field, _ in errors] == [
        (3, "thu_tuc.Cấp thực hiện"),
        (4, "thu_tuc.Mã lĩnh vực"),
        (5, "thanh_phan_ho_so.Tên giấy tờ"),
        (2, "phi_le_phi.Mức thu (đồng)"),
        (4, "phi_le_phi.Mức thu (đồng)"),
        (3, "quy_trinh.Vai trò"),
        (10, "quy_trinh.Mã thủ tục"),
    ]
    messages = [message for _, _, message in errors]
    assert "«ấp» không hợp lệ" in messages[0]
    assert "không có trong trang thu_tuc" in messages[-1]


def test_child_rows_of_a_procedure_with_a_bad_code_are_still_read(sample: dict[str, Any]) -> None:
    # The child rows name the same (bad) code, so they attach to it instead of piling up more errors.
    sheets = _sheets_from(sample)
    sheets["thu_tuc"][3][0] = "2.720"
    for sheet in ("thanh_phan_ho_so", "phi_le_phi", "quy_trinh"):
        for row in sheets[sheet][1:]:
            if row[0] == "2.000720.000.00.00.H28":
                row[0] = "2.720"

    assert [(row, field) for row, field, _ in _errors(sheets)] == [(4, "thu_tuc.Mã thủ tục")]


def test_missing_sheets_and_columns_and_unknown_columns_are_reported(sample: dict[str, Any]) -> None:
    sheets = _sheets_from(sample)
    del sheets["quy_trinh"]
    sheets["phi_le_phi"] = [[cell for cell in row[:3]] + [row[4]] for row in sheets["phi_le_phi"]]
    sheets["thanh_phan_ho_so"][0].append("Ghi chú thêm")

    errors = _errors(sheets)

    assert [(row, field) for row, field, _ in errors] == [
        (1, "thanh_phan_ho_so.Ghi chú thêm"),
        (1, "phi_le_phi.Mức thu (đồng)"),
        (None, "quy_trinh"),
    ]
    assert "Thiếu trang «quy_trinh»" in errors[-1][2]


def test_a_cell_with_broken_json_is_reported_at_that_cell(sample: dict[str, Any]) -> None:
    sheets = _sheets_from(sample)
    sheets["thu_tuc"][1][5] = '{"kinds": ["commune_pc"]'
    sheets["thu_tuc"][2][13] = (
        '{"type": "object", "properties": {"so_ban": {"type": "integer"}}, "required": 5}'
    )

    errors = _errors(sheets)

    assert [(row, field) for row, field, _ in errors] == [
        (2, "thu_tuc.Cơ quan tiếp nhận (JSON)"),
        (3, "thu_tuc.Biểu mẫu (JSON Schema)"),
    ]
    assert "Không phải JSON hợp lệ" in errors[0][2]
    assert "/required" in errors[1][2]


def test_blank_required_cells_are_reported(sample: dict[str, Any]) -> None:
    sheets = _sheets_from(sample)
    sheets["thu_tuc"][1][10] = None  # time limit value
    sheets["quy_trinh"][1][3] = "  "  # duration

    assert [(row, field) for row, field, _ in _errors(sheets)] == [
        (2, "thu_tuc.Thời hạn giải quyết"),
        (2, "quy_trinh.Thời gian"),
    ]


def test_fully_blank_rows_are_skipped(sample: dict[str, Any]) -> None:
    sheets = _sheets_from(sample)
    sheets["thu_tuc"].insert(2, [None, None, "  "])
    sheets["phi_le_phi"].append([])

    data = validate_catalog(read_catalog_workbook(_xlsx(sheets)), CONTEXT)

    assert len(data.procedures) == 3


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        read_catalog_bytes(b"PK\x03\x04 not really a zip", filename="danh_muc.xlsx", context=CatalogContext())
    assert caught.value.code == "catalog_unreadable"


def test_a_child_sheet_without_its_code_column_is_reported_once(sample: dict[str, Any]) -> None:
    sheets = _sheets_from(sample)
    sheets["quy_trinh"] = [row[1:] for row in sheets["quy_trinh"]]

    assert [(row, field) for row, field, _ in _errors(sheets)] == [(1, "quy_trinh.Mã thủ tục")]
