"""Member lists as communes send them: an Excel sheet (.xlsx) or a CSV file with Vietnamese headers
(STT, Họ và tên, Chức vụ trong tổ, Số điện thoại, Ấp/Khu vực, Xã/Phường, …), often under a few title
lines ("UBND XÃ …", "DANH SÁCH THÀNH VIÊN …"), sometimes with the hamlet cell merged over its rows.

This module turns the file into rows of raw values keyed by column, with the line each came from; the
checks against the database are in `community.transfer`. Writing goes the other way, in the same shape.

CSV encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), and Windows-1258 —
what Excel on a Vietnamese Windows writes as "CSV". Windows-1258 is accepted only when the header line
decoded with it reads "Họ và tên" with its accents: that known text proves the guess. Anything else is
refused with a message saying how to save the file as UTF-8.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from mekong.core.errors import DomainError, FieldError
from mekong.core.text import fold

HEADER_SEARCH_ROWS = 20  # title lines above the table
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: int = 18


COLUMNS: tuple[Column, ...] = (
    Column("seq", "STT", width=6),
    Column("full_name", "Họ và tên", required=True, aliases=("Họ tên", "Họ và tên thành viên"), width=26),
    Column("role", "Chức vụ trong tổ", required=True, aliases=("Chức vụ",), width=16),
    Column(
        "phone", "Số điện thoại", required=True, aliases=("Điện thoại", "SĐT", "Số ĐT", "Điện thoại di động")
    ),
    Column("skills", "Kỹ năng", aliases=("Kỹ năng, chuyên môn", "Chuyên môn", "Kỹ năng hỗ trợ"), width=30),
    Column(
        "hamlet", "Ấp/Khu vực", required=True, aliases=("Ấp", "Khu vực", "Ấp, khu vực", "Ấp/KV"), width=20
    ),
    Column(
        "commune",
        "Xã/Phường",
        required=True,
        aliases=("Xã", "Phường", "Xã, phường", "Xã/Phường/Thị trấn", "Xã, phường, thị trấn", "Đơn vị"),
        width=20,
    ),
    Column("team_name", "Tên tổ", aliases=("Tổ", "Tổ công nghệ số", "Tên tổ công nghệ số"), width=34),
    Column("active_from", "Ngày bắt đầu", aliases=("Từ ngày", "Ngày tham gia"), width=14),
    Column("active_until", "Ngày kết thúc", aliases=("Đến ngày",), width=14),
    Column("note", "Ghi chú", width=24),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
TITLE = "DANH SÁCH THÀNH VIÊN TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG"
SHEET_NAME = "Danh sách thành viên"

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    """ "Ấp / Khu vực", "ap,khu vuc" and "ẤP KHU VỰC" are one header."""
    return _NOT_WORD.sub(" ", fold(text)).strip()


_HEADERS: dict[str, Column] = {
    header_key(name): column for column in COLUMNS for name in (column.header, *column.aliases)
}
_NAME_COLUMN = COLUMN_BY_KEY["full_name"]


def _is_name_header(cell: Any) -> bool:
    return isinstance(cell, str) and _HEADERS.get(header_key(cell)) is _NAME_COLUMN


@dataclass(frozen=True)
class RawRow:
    line: int
    values: dict[str, Any]


@dataclass
class Sheet:
    """A file read but not yet checked. `errors` are the problems found while reading (columns)."""

    format: str  # "xlsx" / "csv"
    encoding: str  # "" for xlsx
    header_line: int
    rows: list[RawRow] = field(default_factory=list)
    columns: tuple[str, ...] = ()  # keys of the columns present
    errors: list[FieldError] = field(default_factory=list)


def refuse(message: Any, *, code: str = "members_unreadable", **params: Any) -> DomainError:
    return DomainError(message, errors=[FieldError("file", message, params=params)], code=code, **params)


# --- reading ----------------------------------------------------------------------------------------------


def read_members_file(content: bytes, filename: str) -> Sheet:
    """The rows of an uploaded member list (.xlsx or .csv, by the file name's suffix)."""
    if len(content) > MAX_BYTES:
        raise refuse(_("Tệp quá lớn (tối đa {limit} MB)."), limit=MAX_BYTES // (1024 * 1024))
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return read_workbook(content)
    if suffix == ".csv":
        return read_csv(content)
    if suffix == ".xls":
        raise refuse(
            _(
                "Tệp .xls (Excel 97–2003) không được hỗ trợ: trong Excel chọn Lưu thành → «Excel Workbook (.xlsx)»."
            ),
            code="members_unsupported",
        )
    raise refuse(
        _("Chỉ nhận tệp .xlsx hoặc .csv, không nhận «{name}»."), code="members_unsupported", name=filename
    )


def _find_header(lines: Iterable[tuple[int, Sequence[Any]]]) -> tuple[int, Sequence[Any]] | None:
    for number, cells in lines:
        if number > HEADER_SEARCH_ROWS:
            return None
        if any(_is_name_header(cell) for cell in cells):
            return number, cells
    return None


def _map_columns(sheet: Sheet, header: Sequence[Any]) -> dict[int, Column]:
    positions: dict[int, Column] = {}
    allowed = ", ".join(column.header for column in COLUMNS)
    for position, title in enumerate(header):
        text = "" if title is None else str(title).strip()
        if not text:
            continue
        column = _HEADERS.get(header_key(text))
        if column is None:
            sheet.errors.append(
                FieldError(
                    text,
                    _("Cột «{title}» không được hỗ trợ; các cột hợp lệ: {allowed}."),
                    row=sheet.header_line,
                    params={"title": text, "allowed": allowed},
                )
            )
        elif column in positions.values():
            sheet.errors.append(
                FieldError(
                    column.header, _("Cột «{title}» bị lặp."), row=sheet.header_line, params={"title": text}
                )
            )
        else:
            positions[position] = column
    for column in COLUMNS:
        if column.required and column not in positions.values():
            sheet.errors.append(
                FieldError(
                    column.header,
                    _("Thiếu cột «{title}»."),
                    row=sheet.header_line,
                    params={"title": column.header},
                )
            )
    sheet.columns = tuple(column.key for column in positions.values())
    return positions


def _no_header() -> DomainError:
    return refuse(
        _("Không tìm thấy dòng tiêu đề của bảng trong {rows} dòng đầu: cần các cột {required}."),
        code="members_no_header",
        rows=HEADER_SEARCH_ROWS,
        required=", ".join(f"«{column.header}»" for column in COLUMNS if column.required),
    )


def _rows(sheet: Sheet, lines: Iterable[tuple[int, Sequence[Any]]], positions: dict[int, Column]) -> None:
    for number, cells in lines:
        values = {
            column.key: cells[position]
            for position, column in positions.items()
            if position < len(cells) and not _blank(cells[position])
        }
        # A line with only a number (STT) or a column-numbering line "(1) (2) (3)…" is not a member.
        if not any(key != "seq" for key in values) or _is_numbering(cells):
            continue
        if len(sheet.rows) >= MAX_ROWS:
            raise refuse(_("Tệp có quá nhiều dòng (tối đa {limit})."), limit=MAX_ROWS)
        sheet.rows.append(RawRow(number, values))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")


def _is_numbering(cells: Sequence[Any]) -> bool:
    texts = [str(cell).strip() for cell in cells if not _blank(cell)]
    return len(texts) >= 3 and all(_NUMBERING.match(text) for text in texts)


def read_workbook(content: bytes) -> Sheet:
    """The first sheet with a header line. Merged cells (a hamlet written once over its members) give
    every row they cover the value of their top-left cell."""
    try:
        workbook = load_workbook(io.BytesIO(content), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise refuse(
            _("Tệp Excel không đọc được: cần tệp .xlsx (Excel 2007 trở lên)."), detail=str(error)
        ) from error
    try:
        for worksheet in workbook.worksheets:
            merged: dict[tuple[int, int], Any] = {}
            for cell_range in worksheet.merged_cells.ranges:
                top_left = worksheet.cell(row=cell_range.min_row, column=cell_range.min_col).value
                for row in range(cell_range.min_row, cell_range.max_row + 1):
                    for column in range(cell_range.min_col, cell_range.max_col + 1):
                        merged[(row, column)] = top_left

            def lines(
                sheet: Any = worksheet, merged: dict[tuple[int, int], Any] = merged
            ) -> Iterable[tuple[int, list[Any]]]:
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield (
                        number,
                        [
                            merged.get((number, position), value)
                            for position, value in enumerate(cells, start=1)
                        ],
                    )

            found = _find_header(lines())
            if found is None:
                continue
            header_line, header = found
            sheet = Sheet(format="xlsx", encoding="", header_line=header_line)
            positions = _map_columns(sheet, header)
            _rows(sheet, ((n, c) for n, c in lines() if n > header_line), positions)
            return sheet
    finally:
        workbook.close()
    raise _no_header()


_CP1258_PROOF = "họ và tên"


def decode_csv(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in; DomainError when it is none we can trust."""
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise _bad_encoding() from None
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _bad_encoding() from None
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = unicodedata.normalize("NFC", content.decode("cp1258"))
    except UnicodeDecodeError:
        raise _bad_encoding() from None
    head = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS]).casefold()
    if _CP1258_PROOF in head:
        return text, "cp1258"
    raise _bad_encoding()


def _bad_encoding() -> DomainError:
    return refuse(
        _(
            "Tệp CSV không ở bảng mã UTF-8 nên chữ tiếng Việt sẽ bị sai. Trong Excel chọn Lưu thành → "
            "«CSV UTF-8 (Comma delimited) (*.csv)» rồi gửi lại."
        ),
        code="members_bad_encoding",
    )


def read_csv(content: bytes) -> Sheet:
    text, encoding = decode_csv(content)
    text = unicodedata.normalize("NFC", text)
    if "\x00" in text:
        raise _bad_encoding()
    first_lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    sample = next(
        (line for line in first_lines if any(_is_name_header(part) for part in re.split(r"[,;\t]", line))), ""
    )
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        records = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise refuse(_("Tệp CSV không đúng định dạng: {detail}"), detail=str(error)) from error
    found = _find_header(records)
    if found is None:
        raise _no_header()
    header_line, header = found
    sheet = Sheet(format="csv", encoding=encoding, header_line=header_line)
    positions = _map_columns(sheet, header)
    _rows(sheet, ((n, c) for n, c in records if n > header_line), positions)
    return sheet


# --- writing ----------------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value


def _sheet_value(column: Column, value: Any) -> Any:
    if column.key == "seq" or value is None or value == "":
        return value if value != "" else None
    return str(_cell(value))


def write_members_workbook(rows: Sequence[dict[str, Any]], subtitle: str = "") -> bytes:
    """The list as communes keep it: title lines, then the table (which `read_workbook` finds again)."""
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = SHEET_NAME
    worksheet.append([TITLE])
    worksheet["A1"].font = Font(bold=True, size=13)
    worksheet.append([subtitle])
    worksheet.append([])
    worksheet.append([column.header for column in COLUMNS])
    header_line = worksheet.max_row
    fill = PatternFill("solid", fgColor="DDEBF7")
    for position, column in enumerate(COLUMNS, start=1):
        cell = worksheet.cell(row=header_line, column=position)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        worksheet.column_dimensions[get_column_letter(position)].width = column.width
    for row in rows:
        # Phones and dates as text: Excel would drop a phone's leading zero.
        worksheet.append([_sheet_value(column, row.get(column.key)) for column in COLUMNS])
    worksheet.freeze_panes = f"A{header_line + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_members_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """UTF-8 with a BOM, so that Excel shows the accents when the file is opened by double-click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in COLUMNS])
    for row in rows:
        writer.writerow([_cell(row.get(column.key)) for column in COLUMNS])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
