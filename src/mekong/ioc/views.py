"""The operations centre's pages: the dashboard for IOC viewers and leaders, its exports, and the public
transparency page. They render the same figures as /api/v1/ioc (one selector each); the dashboard's script
refreshes them from the API every few seconds and draws the trend chart."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from mekong.core.errors import DomainError
from mekong.ioc import selectors
from mekong.ioc.api import PeriodQuery, parse_period
from mekong.ioc.indicators import Period, PeriodKind, month_of

MAP_SIZE = 560


def _period(request: HttpRequest) -> tuple[Period, str]:
    """The period in the query string; an unusable one falls back to this month with a message."""
    try:
        query = PeriodQuery.model_validate(
            {
                "period": request.GET.get("period", "month"),
                "date": request.GET.get("date") or None,
                "start": request.GET.get("start") or None,
                "end": request.GET.get("end") or None,
            }
        )
        return parse_period(query), ""
    except DomainError as error:
        return month_of(selectors.today()), str(error.message)
    except ValueError:
        return month_of(selectors.today()), _("Ngày không hợp lệ (dạng YYYY-MM-DD).")


def _agency(request: HttpRequest) -> int | None:
    value = request.GET.get("agency", "")
    return int(value) if value.isdigit() else None


def _figures(request: HttpRequest, period: Period) -> dict[str, Any]:
    try:
        return selectors.summary(request.user, _agency(request), period)
    except DomainError as error:  # outside the viewer's scope, or no scope at all
        raise PermissionDenied(str(error.message)) from error


def commune_map(communes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Points for the SVG map: an equirectangular projection of the communes' coordinates, bubbles by
    volume, colours by on-time rate. No tiles: the shape of the province is drawn by its communes."""
    if not communes:
        return []
    lats = [c["latitude"] for c in communes]
    lons = [c["longitude"] for c in communes]
    scale_lon = math.cos(math.radians(sum(lats) / len(lats)))
    width = max((max(lons) - min(lons)) * scale_lon, 1e-6)
    height = max(max(lats) - min(lats), 1e-6)
    span = max(width, height)
    margin = 30
    usable = MAP_SIZE - 2 * margin
    biggest = max((c["handled"] for c in communes), default=0) or 1
    points = []
    for c in communes:
        rate = c["on_time_rate"]
        tone = "none" if rate is None else "good" if rate >= 0.95 else "fair" if rate >= 0.8 else "poor"
        points.append(
            {
                **c,
                "x": round(margin + (c["longitude"] - min(lons)) * scale_lon / span * usable, 1),
                "y": round(margin + (max(lats) - c["latitude"]) / span * usable, 1),
                "r": round(4 + 14 * math.sqrt(c["handled"] / biggest), 1),
                "tone": tone,
                "percent": None if rate is None else round(rate * 100, 1),
            }
        )
    return points


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    period, period_error = _period(request)
    figures = _figures(request, period)
    agency_id = figures["agency"]["id"] if figures["agency"] else None
    context = {
        "figures": figures,
        "period": period,
        "period_error": period_error,
        "kinds": [(k.value, k) for k in PeriodKind],
        "procedures": selectors.procedures(request.user, agency_id, period)["procedures"],
        "late": selectors.late_dossiers(request.user, agency_id, soon=False)["dossiers"],
        "soon": selectors.late_dossiers(request.user, agency_id, soon=True)["dossiers"],
        "map_points": commune_map(figures["communes"]),
        "map_size": MAP_SIZE,
        "query": request.GET.urlencode(),
    }
    return render(request, "ioc/dashboard.html", context)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 2)


def _rows(figures: dict[str, Any], procedures: list[dict[str, Any]]) -> list[list[Any]]:
    """The export: the indicators (an informational one, 2.2, has a value instead of a rate and points), the
    units below, the procedures."""
    rows: list[list[Any]] = [
        [
            _("Mã"),
            _("Chỉ số"),
            _("Tử số"),
            _("Mẫu số"),
            _("Tỷ lệ (%)"),
            _("Điểm"),
            _("Điểm tối đa"),
            _("Kỳ trước (điểm)"),
            _("Giá trị"),
            _("Kỳ trước (giá trị)"),
        ]
    ]
    for group in figures["groups"]:
        rows.append(
            [
                group["code"],
                group["name"],
                "",
                "",
                "",
                group["points"],
                group["cap"],
                group["previous_points"],
            ]
        )
        for item in group["indicators"]:
            rows.append(
                [
                    item["code"],
                    item["name"],
                    item["numerator"],
                    item["denominator"],
                    _percent(item["rate"]),
                    item["points"],
                    item["cap"],
                    item["previous_points"],
                    item["value"],
                    item["previous_value"],
                ]
            )
    rows.append(["", _("Tổng điểm"), "", "", "", figures["total"], 100, figures["previous_total"]])
    rows.append([])
    rows.append(
        [
            _("Đơn vị"),
            _("Tổng điểm"),
            _("Hồ sơ trong kỳ"),
            _("Đúng hạn"),
            _("Trễ hạn"),
            _("Tỷ lệ đúng hạn (%)"),
            _("Thời gian giải quyết TB (ngày)"),
        ]
    )
    for child in figures["children"]:
        rows.append(
            [
                child["name"],
                child["total"],
                child["counts"]["handled"],
                child["counts"]["on_time"],
                child["counts"]["late"],
                _percent(child["counts"]["on_time_rate"]),
                child["counts"]["average_handling_days"],
            ]
        )
    rows.append([])
    rows.append(
        [
            _("Thủ tục"),
            _("Mã thủ tục"),
            _("Hồ sơ trong kỳ"),
            _("Trễ hạn"),
            _("Tỷ lệ đúng hạn (%)"),
            _("Đã xử lý"),
            _("Thời gian giải quyết TB (ngày)"),
        ]
    )
    for procedure in procedures:
        counts = procedure["counts"]
        rows.append(
            [
                procedure["name"],
                procedure["code"],
                counts["handled"],
                counts["late"],
                _percent(counts["on_time_rate"]),
                counts["processed"],
                counts["average_handling_days"],
            ]
        )
    return rows


@require_GET
@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    period, _error = _period(request)
    figures = _figures(request, period)
    name = figures["agency"]["code"] if figures["agency"] else "tinh"
    filename = f"chi-so-766-{name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    agency_id = figures["agency"]["id"] if figures["agency"] else None
    rows = _rows(figures, selectors.procedures(request.user, agency_id, period)["procedures"])
    title = [
        _("Chỉ số phục vụ người dân, doanh nghiệp"),
        figures["agency"]["name"] if figures["agency"] else _("Toàn tỉnh"),
        period.label(),
    ]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(title)
        writer.writerows(rows)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Chi so 766"
    sheet.append(title)
    for row in rows:
        sheet.append(row)
    sheet.column_dimensions["B"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    period, period_error = _period(request) if request.GET else (Period(*_year_to_date()), "")
    figures = selectors.public_scores(period)
    return render(
        request, "ioc/public.html", {"figures": figures, "period": period, "period_error": period_error}
    )


def _year_to_date() -> tuple[Any, Any, PeriodKind]:
    day = selectors.today()
    return day.replace(month=1, day=1), day.replace(month=12, day=31), PeriodKind.YEAR
