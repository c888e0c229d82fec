"""The Excel catalogue workbook (.xlsx): the JSON format laid out as sheets for people who edit tables.

Sheets, one row per item, keyed by procedure code: ``linh_vuc`` (fields), ``thu_tuc`` (procedures),
``thanh_phan_ho_so`` (required documents), ``phi_le_phi`` (fees), ``quy_trinh`` (processing steps).
Columns are found by their Vietnamese header (any order, accents and case ignored). The agencies and
the form schema are JSON text in a cell. A ``huong_dan`` sheet explains the columns; it is not read.

The reader builds the same JSON-shaped document as the JSON reader and remembers, for every value,
the sheet row and column it came from, so the shared validator can point at cells.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

from django.db import models
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from mekong.accounts.roles import Role
from mekong.catalog.models import FeeKind, OnlineLevel, ProcedureLevel, TimeUnit
from mekong.catalog.transfer.data import (
    FORMAT,
    UNREADABLE,
    CatalogData,
    CatalogDocument,
    Location,
    ProcedureData,
)
from mekong.catalog.transfer.json_format import agencies_to_json
from mekong.core.errors import DomainError, FieldError
from mekong.core.text import fold

CellKind = Literal["text", "number", "bool", "json"]
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
TRUE_WORDS = frozenset({"co", "x", "true", "dung", "1"})
FALSE_WORDS = frozenset({"khong", "false", "sai", "0"})
YES, NO = "có", "không"


@dataclass(frozen=True)
class Column:
    key: str  # path inside the record, dotted for nested values ("time_limit.value")
    header: str
    kind: CellKind = "text"
    required: bool = False  # the column itself must be present
    help: str = ""
    choices: type[models.TextChoices] | None = None
    width: int = 18


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    columns: tuple[Column, ...]
    # Child sheets: the key of the list in the procedure the rows go to ("documents"); "" for the others.
    child_key: str = ""


PROCEDURE_CODE = Column(
    "procedure", "Mã thủ tục", required=True, width=26, help="Mã của thủ tục trong trang thu_tuc."
)

FIELDS_SHEET = Sheet(
    "linh_vuc",
    "Lĩnh vực",
    (
        Column(
            "code", "Mã lĩnh vực", required=True, width=22, help="Chữ không dấu, số, gạch ngang: ho-tich."
        ),
        Column("name", "Tên lĩnh vực", required=True, width=40),
    ),
)
PROCEDURES_SHEET = Sheet(
    "thu_tuc",
    "Thủ tục hành chính",
    (
        Column(
            "code", "Mã thủ tục", required=True, width=26, help="Mã quốc gia, ví dụ 1.001193.000.00.00.H28."
        ),
        Column("name", "Tên thủ tục", required=True, width=50),
        Column(
            "field", "Mã lĩnh vực", required=True, help="Mã trong trang linh_vuc hoặc đã có trong hệ thống."
        ),
        Column("level", "Cấp thực hiện", required=True, choices=ProcedureLevel),
        Column("implementing_agency", "Cơ quan thực hiện", required=True, width=30),
        Column(
            "agencies",
            "Cơ quan tiếp nhận (JSON)",
            kind="json",
            width=30,
            help='{"kinds": ["commune_pc"]} hoặc {"codes": ["000.00.03.H28"]}.',
        ),
        Column("legal_basis", "Căn cứ pháp lý", width=40),
        Column("description", "Trình tự, điều kiện", width=40),
        Column("result_name", "Kết quả thực hiện", width=30),
        Column(
            "time_limit.value", "Thời hạn giải quyết", kind="number", required=True, help="Số nguyên dương."
        ),
        Column("time_limit.unit", "Đơn vị thời hạn", required=True, choices=TimeUnit),
        Column("online_level", "Mức độ trực tuyến", required=True, choices=OnlineLevel),
        Column("requires_e_result", "Bắt buộc trả kết quả điện tử", kind="bool", help="có / không."),
        Column("form_schema", "Biểu mẫu (JSON Schema)", kind="json", width=40, help="JSON Schema 2020-12."),
        Column("source", "Nguồn số liệu", width=30),
    ),
)
DOCUMENTS_SHEET = Sheet(
    "thanh_phan_ho_so",
    "Thành phần hồ sơ",
    (
        PROCEDURE_CODE,
        Column("name", "Tên giấy tờ", required=True, width=50),
        Column("mandatory", "Bắt buộc", kind="bool", help="có / không; để trống là có."),
        Column("copies", "Số bản", kind="number", help="Số nguyên; để trống là 1."),
        Column("template_name", "Tên mẫu", width=30),
        Column("note", "Ghi chú", width=30),
    ),
    child_key="documents",
)
FEES_SHEET = Sheet(
    "phi_le_phi",
    "Phí, lệ phí",
    (
        PROCEDURE_CODE,
        Column("kind", "Loại", required=True, choices=FeeKind),
        Column("name", "Nội dung", required=True, width=40),
        Column(
            "amount", "Mức thu (đồng)", kind="number", required=True, help="Số nguyên đồng, không dấu chấm."
        ),
        Column("quantity_field", "Nhân theo trường", help="Tên trường số nguyên trong biểu mẫu (số bản...)."),
        Column("note", "Ghi chú", width=30),
    ),
    child_key="fees",
)
STEPS_SHEET = Sheet(
    "quy_trinh",
    "Quy trình xử lý",
    (
        PROCEDURE_CODE,
        Column("name", "Bước", required=True, width=40),
        Column("role", "Vai trò", required=True, width=22, choices=Role),
        Column(
            "duration.value",
            "Thời gian",
            kind="number",
            required=True,
            help="Số dương, tối đa 2 chữ số thập phân.",
        ),
        Column("duration.unit", "Đơn vị", required=True, choices=TimeUnit),
    ),
    child_key="steps",
)
SHEETS = (FIELDS_SHEET, PROCEDURES_SHEET, DOCUMENTS_SHEET, FEES_SHEET, STEPS_SHEET)
SHEET_ORDER = {sheet.name: position for position, sheet in enumerate(SHEETS)}
GUIDE_SHEET = "huong_dan"

_LAST_SEGMENT = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


# -- reading -----------------------------------------------------------------------------------------------


class _Locations:
    """Path in the document → (sheet.column, row); a deeper path falls back to its nearest known parent
    (an error inside a form schema points at the schema cell)."""

    def __init__(self) -> None:
        self.known: dict[str, Location] = {}

    def __call__(self, path: str) -> Location:
        probe = path
        while probe:
            if probe in self.known:
                return self.known[probe]
            shorter = _LAST_SEGMENT.sub("", probe)
            if shorter == probe:
                break
            probe = shorter
        return path, None


def _error_order(error: FieldError) -> tuple[int, int]:
    return SHEET_ORDER.get(error.field.split(".", 1)[0], -1), error.row or 0


def _convert(value: Any, kind: CellKind) -> Any:
    """A cell as the JSON format would hold it; None for an empty cell. Values that cannot be converted
    are passed on unchanged for the validator to report (with the cell's location)."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    if value is None:
        return None
    if kind == "text":
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value if isinstance(value, str) else str(value)
    if kind == "number":
        # Only plain digits: "50.000" may mean fifty thousand or fifty, so it is refused, not guessed.
        if isinstance(value, str) and value.isdigit():
            return int(value)
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float | str):
            word = fold(str(value)).removesuffix(".0")
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        return value
    if isinstance(value, str):
        return json.loads(value)  # the caller reports JSONDecodeError at the cell
    return value


def _set(record: dict[str, Any], dotted_key: str, value: Any) -> None:
    *parents, last = dotted_key.split(".")
    for part in parents:
        record = record.setdefault(part, {})
    record[last] = value


def _open(source: str | Path | bytes | IO[bytes]) -> Any:
    stream: str | Path | IO[bytes] = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise DomainError(
            _("Tệp Excel không đọc được: cần tệp .xlsx (Excel 2007 trở lên)."),
            errors=[FieldError(field="xlsx", message=_("Chi tiết: {detail}"), params={"detail": str(error)})],
            code="catalog_unreadable",
        ) from error


class _WorkbookReader:
    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.locations = _Locations()
        self.errors: list[FieldError] = []

    def error(self, field: str, row: int | None, message: Any, **params: Any) -> None:
        self.errors.append(FieldError(field=field, row=row, message=message, params=params))

    def rows(self, sheet: Sheet) -> list[tuple[int, dict[str, Any], dict[str, Location]]]:
        """Each non-empty row as (row number, record, where each key came from)."""
        if sheet.name not in self.workbook.sheetnames:
            self.error(
                sheet.name, None, _("Thiếu trang «{sheet}» ({title})."), sheet=sheet.name, title=sheet.title
            )
            return []
        worksheet = self.workbook[sheet.name]
        lines = worksheet.iter_rows(values_only=True)
        header = next(lines, ())
        by_header = {fold(column.header): column for column in sheet.columns}
        positions: dict[int, Column] = {}
        for position, title in enumerate(header):
            if title is None or not str(title).strip():
                continue
            column = by_header.get(fold(str(title)))
            if column is None:
                self.error(
                    f"{sheet.name}.{title}",
                    1,
                    _("Cột «{title}» không được hỗ trợ; các cột hợp lệ: {allowed}."),
                    title=title,
                    allowed=", ".join(column.header for column in sheet.columns),
                )
            elif column in positions.values():
                self.error(
                    f"{sheet.name}.{column.header}", 1, _("Cột «{title}» bị lặp."), title=column.header
                )
            else:
                positions[position] = column
        missing = [column for column in sheet.columns if column.required and column not in positions.values()]
        for column in missing:
            self.error(f"{sheet.name}.{column.header}", 1, _("Thiếu cột «{title}»."), title=column.header)

        result = []
        for row_number, values in enumerate(lines, start=2):
            record: dict[str, Any] = {}
            where: dict[str, Location] = {}
            for position, column in positions.items():
                raw = values[position] if position < len(values) else None
                location = (f"{sheet.name}.{column.header}", row_number)
                try:
                    value = _convert(raw, column.kind)
                except json.JSONDecodeError as problem:
                    self.error(
                        location[0],
                        row_number,
                        _("Không phải JSON hợp lệ (cột {column} của ô): {detail}"),
                        column=problem.colno,
                        detail=problem.msg,
                    )
                    value = UNREADABLE
                where[column.key] = location
                if value is not None:
                    _set(record, column.key, value)
            if record:
                # Already reported once for the whole column: no "empty" error on every row.
                for column in missing:
                    _set(record, column.key, UNREADABLE)
                    where[column.key] = (f"{sheet.name}.{column.header}", row_number)
                result.append((row_number, record, where))
        return result

    def remember(self, path: str, sheet: Sheet, row: int, where: dict[str, Location]) -> None:
        self.locations.known[path] = (sheet.name, row)
        for key, location in where.items():
            self.locations.known[f"{path}.{key}"] = location
            # A nested value's parent ("time_limit") points at its first column.
            parent = key.rsplit(".", 1)[0]
            if parent != key:
                self.locations.known.setdefault(f"{path}.{parent}", location)

    def read(self) -> CatalogDocument:
        fields: list[dict[str, Any]] = []
        for row, record, where in self.rows(FIELDS_SHEET):
            self.remember(f"fields[{len(fields)}]", FIELDS_SHEET, row, where)
            fields.append(record)

        procedures: list[dict[str, Any]] = []
        index_by_code: dict[str, int] = {}
        for row, record, where in self.rows(PROCEDURES_SHEET):
            path = f"procedures[{len(procedures)}]"
            # Always present, so a row without a time limit is reported at its cells.
            record.setdefault("time_limit", {})
            self.remember(path, PROCEDURES_SHEET, row, where)
            code = record.get("code")
            if isinstance(code, str):
                index_by_code.setdefault(code, len(procedures))
            procedures.append(record)

        for sheet in (DOCUMENTS_SHEET, FEES_SHEET, STEPS_SHEET):
            for row, record, where in self.rows(sheet):
                code = record.pop("procedure", None)
                code_field = f"{sheet.name}.{PROCEDURE_CODE.header}"
                if code is UNREADABLE:  # the whole column is missing, reported once
                    continue
                if code is None:
                    self.error(code_field, row, _("Không được để trống."))
                    continue
                if code not in index_by_code:
                    self.error(
                        code_field, row, _("Mã thủ tục «{code}» không có trong trang thu_tuc."), code=code
                    )
                    continue
                if sheet is STEPS_SHEET:
                    record.setdefault("duration", {})
                index = index_by_code[code]
                children = procedures[index].setdefault(sheet.child_key, [])
                self.remember(f"procedures[{index}].{sheet.child_key}[{len(children)}]", sheet, row, where)
                children.append(record)

        return CatalogDocument(
            content={"format": FORMAT, "fields": fields, "procedures": procedures},
            locate=self.locations,
            errors=self.errors,
            error_order=_error_order,
        )


def read_catalog_workbook(source: str | Path | bytes | IO[bytes]) -> CatalogDocument:
    """Read an .xlsx workbook into a document; its errors name the sheet row and ``sheet.column``."""
    workbook = _open(source)
    try:
        return _WorkbookReader(workbook).read()
    finally:
        workbook.close()


# -- writing -----------------------------------------------------------------------------------------------


def _cell_number(value: Decimal | int) -> int | float:
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def _cell_json(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


def _procedure_values(procedure: ProcedureData) -> dict[str, Any]:
    agencies = (
        agencies_to_json(procedure.agencies) if procedure.agencies.kinds or procedure.agencies.codes else None
    )
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field,
        "level": procedure.level,
        "implementing_agency": procedure.implementing_agency,
        "agencies": _cell_json(agencies),
        "legal_basis": procedure.legal_basis,
        "description": procedure.description,
        "result_name": procedure.result_name,
        "time_limit.value": procedure.time_limit_value,
        "time_limit.unit": procedure.time_limit_unit,
        "online_level": procedure.online_level,
        "requires_e_result": YES if procedure.requires_e_result else NO,
        "form_schema": _cell_json(procedure.form_schema),
        "source": procedure.source,
    }


def _sheet_rows(sheet: Sheet, data: CatalogData) -> list[dict[str, Any]]:
    procedures = sorted(data.procedures, key=lambda p: p.code)
    if sheet is FIELDS_SHEET:
        return [{"code": f.code, "name": f.name} for f in sorted(data.fields, key=lambda f: f.code)]
    if sheet is PROCEDURES_SHEET:
        return [_procedure_values(p) for p in procedures]
    if sheet is DOCUMENTS_SHEET:
        return [
            {
                "procedure": p.code,
                "name": d.name,
                "mandatory": YES if d.mandatory else NO,
                "copies": d.copies,
                "template_name": d.template_name,
                "note": d.note,
            }
            for p in procedures
            for d in p.documents
        ]
    if sheet is FEES_SHEET:
        return [
            {
                "procedure": p.code,
                "kind": f.kind,
                "name": f.name,
                "amount": f.amount,
                "quantity_field": f.quantity_field,
                "note": f.note,
            }
            for p in procedures
            for f in p.fees
        ]
    return [
        {
            "procedure": p.code,
            "name": s.name,
            "role": s.role,
            "duration.value": _cell_number(s.duration_value),
            "duration.unit": s.duration_unit,
        }
        for p in procedures
        for s in p.steps
    ]


def _write_sheet(worksheet: Worksheet, sheet: Sheet, rows: list[dict[str, Any]]) -> None:
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for position, column in enumerate(sheet.columns, start=1):
        cell = worksheet.cell(row=1, column=position, value=column.header)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        worksheet.column_dimensions[get_column_letter(position)].width = column.width
    worksheet.freeze_panes = "B2"
    for row_number, values in enumerate(rows, start=2):
        for position, column in enumerate(sheet.columns, start=1):
            value = values.get(column.key)
            if value == "":
                value = None
            if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
                raise DomainError(
                    _("Không xuất được ra Excel: nội dung dài quá giới hạn một ô ({limit} ký tự)."),
                    errors=[
                        FieldError(
                            field=f"{sheet.name}.{column.header}", row=row_number, message=_("Quá dài.")
                        )
                    ],
                    limit=MAX_CELL_TEXT,
                )
            worksheet.cell(row=row_number, column=position, value=value)
    # Drop-down lists keep hand edits within the allowed values.
    last_row = max(len(rows) + 1, 500)
    for position, column in enumerate(sheet.columns, start=1):
        allowed = (
            list(column.choices.values) if column.choices else [YES, NO] if column.kind == "bool" else []
        )
        if allowed:
            validation = DataValidation(type="list", formula1=f'"{",".join(allowed)}"', allow_blank=True)
            letter = get_column_letter(position)
            validation.add(f"{letter}2:{letter}{last_row}")
            worksheet.add_data_validation(validation)


def _write_guide(worksheet: Worksheet) -> None:
    worksheet.append(["Trang", "Cột", "Bắt buộc", "Giá trị / hướng dẫn"])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for sheet in SHEETS:
        for column in sheet.columns:
            allowed = ", ".join(column.choices.values) if column.choices else ""
            worksheet.append(
                [sheet.name, column.header, YES if column.required else "", allowed or column.help]
            )
    for letter, width in zip("ABCD", (18, 32, 10, 70), strict=True):
        worksheet.column_dimensions[letter].width = width


def write_catalog_workbook(data: CatalogData, target: str | Path | IO[bytes] | None = None) -> bytes:
    """The catalogue as an .xlsx workbook (rows sorted by procedure code); written to `target` if given."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for sheet in SHEETS:
        _write_sheet(workbook.create_sheet(sheet.name), sheet, _sheet_rows(sheet, data))
    _write_guide(workbook.create_sheet(GUIDE_SHEET))
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    if isinstance(target, str | Path):
        Path(target).write_bytes(content)
    elif target is not None:
        target.write(content)
    return content
