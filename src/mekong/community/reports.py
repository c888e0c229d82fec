"""The figures as an Excel workbook (one sheet per figure), in Vietnamese whatever the page's language:
the province forwards these to the ministry and the People's Committee."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mekong.community.figures import Summary


def _sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    fill = PatternFill("solid", fgColor="DDEBF7")
    for position, _name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=position)
        cell.font = Font(bold=True)
        cell.fill = fill
        sheet.column_dimensions[get_column_letter(position)].width = 16 if position > 1 else 34
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    return sheet


def _percent(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def figures_workbook(summary: Summary) -> bytes:
    with translation.override("vi"):
        return _workbook(summary)


def _workbook(summary: Summary) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    period = f"{summary.since:%d/%m/%Y} – {summary.until:%d/%m/%Y}"
    sizes = summary.team_sizes
    _sheet(
        workbook,
        "Tổng hợp",
        ["Chỉ tiêu", "Giá trị"],
        [
            ["Ngày lấy số liệu", summary.on.strftime("%d/%m/%Y")],
            ["Kỳ số liệu hoạt động, hồ sơ", period],
            ["Số ấp, khu vực", summary.coverage.hamlets],
            ["Số ấp, khu vực có tổ đang hoạt động", summary.coverage.covered],
            ["Tỷ lệ bao phủ (%) — mục tiêu 100 %", _percent(summary.coverage.percent)],
            ["Số tổ đang hoạt động", sizes.team_count],
            ["Số thành viên đang hoạt động", sizes.member_count],
            ["Bình quân thành viên mỗi tổ", round(sizes.average, 2) if sizes.average is not None else None],
            ["Số tổ chưa có thành viên", sizes.without_members],
            ["Số lượt hỗ trợ", summary.activity_total],
            ["Hồ sơ trực tuyến", summary.assisted.online],
            ["Hồ sơ trực tuyến do tổ hỗ trợ nộp", summary.assisted.assisted],
            ["Tỷ lệ hồ sơ do tổ hỗ trợ (%)", _percent(summary.assisted.percent)],
        ],
    )
    _sheet(
        workbook,
        "Bao phủ theo xã",
        ["Xã, phường, thị trấn", "Số ấp, khu vực", "Có tổ hoạt động", "Tỷ lệ (%)", "Ấp, khu vực chưa có tổ"],
        [
            [
                row.commune,
                row.coverage.hamlets,
                row.coverage.covered,
                _percent(row.coverage.percent),
                ", ".join(row.uncovered_hamlets),
            ]
            for row in sorted(summary.coverage_by_commune, key=lambda r: r.commune)
        ],
    )
    _sheet(
        workbook,
        "Thành viên theo tổ",
        ["Tổ", "Mã tổ", "Ấp, khu vực", "Xã, phường", "Số thành viên"],
        [[t.name, t.code, t.hamlet, t.commune, t.members] for t in sizes.teams],
    )
    _sheet(
        workbook,
        "Hoạt động theo loại",
        ["Nội dung hỗ trợ", "Số lượt"],
        [[label, count] for _kind, label, count in summary.by_kind],
    )
    _sheet(
        workbook,
        "Hoạt động theo xã",
        ["Xã, phường, thị trấn", "Số lượt"],
        [[commune, count] for _id, commune, count in summary.by_commune],
    )
    _sheet(
        workbook,
        "Hoạt động theo tháng",
        ["Tháng", "Số lượt"],
        [[month.strftime("%m/%Y"), count] for month, count in summary.by_month],
    )
    _sheet(
        workbook,
        "Chi tiết hoạt động",
        ["Tháng", "Xã, phường, thị trấn", "Nội dung hỗ trợ", "Số lượt"],
        [
            [row.month.strftime("%m/%Y"), row.commune, row.kind_label, row.count]
            for row in sorted(summary.activity_counts, key=lambda r: (r.month, r.commune, r.kind))
        ],
    )
    _sheet(
        workbook,
        "Hồ sơ nộp hộ",
        ["Tháng", "Hồ sơ trực tuyến", "Do tổ hỗ trợ nộp", "Tỷ lệ (%)"],
        [
            [month.strftime("%m/%Y"), share.online, share.assisted, _percent(share.percent)]
            for month, share in summary.assisted_by_month
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
