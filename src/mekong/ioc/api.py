"""/api/v1/ioc: the service index of Decision 766 for the operations centre.

Officials with the IOC viewer role see their agency and everything below it; leaders see theirs and below.
Bearer token or the signed-in session of the dashboard page. `GET /public` needs neither.

* ``GET /summary`` — total score, groups and indicators for an agency (default: the viewer's top agency)
  and a period (``period=month|quarter|year|custom``, ``date`` in it, or ``start``/``end``), with the
  previous period, its units below, the communes for the map, and the extra panels. An informational
  indicator (cap 0: 2.2, the average handling time) has its figure in ``value`` (days), no ``rate`` and no
  points; every ``counts`` has ``average_handling_days``.
* ``GET /procedures`` — the same period per procedure (counts, with the average handling time).
* ``GET /trend`` — month by month.
* ``GET /late`` — open dossiers past their appointment (``soon=true``: due within two days).
* ``GET /public`` — the province's scores, for the transparency page.
"""

# No `from __future__ import annotations`: django-ninja resolves the annotations at import time.

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.security import django_auth

from mekong.accounts.auth import bearer_token
from mekong.core.errors import DomainError, FieldError
from mekong.dossiers.schemas import Error
from mekong.ioc import indicators, selectors

router = Router(auth=[bearer_token, django_auth])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


class PeriodQuery(Schema):
    agency: int | None = None
    period: str = "month"
    date: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None


def parse_period(query: PeriodQuery) -> indicators.Period:
    """The period asked for; a clear 422 when it makes no sense."""
    try:
        kind = indicators.PeriodKind(query.period)
    except ValueError:
        raise DomainError(
            _("Kỳ báo cáo không hợp lệ: chọn tháng, quý, năm hoặc khoảng ngày."),
            errors=[FieldError("period", _("Chọn month, quarter, year hoặc custom."))],
            status=422,
        ) from None
    if kind == indicators.PeriodKind.CUSTOM:
        if query.start is None or query.end is None or query.end < query.start:
            raise DomainError(
                _("Khoảng ngày không hợp lệ: cần ngày bắt đầu không sau ngày kết thúc."),
                errors=[FieldError("start", _("Nhập ngày bắt đầu và ngày kết thúc."))],
                status=422,
            )
        if (query.end - query.start).days > 366 * 3:
            raise DomainError(
                _("Khoảng ngày dài quá 3 năm."),
                errors=[FieldError("end", _("Chọn khoảng ngắn hơn."))],
                status=422,
            )
    return indicators.resolve_period(kind, query.date or selectors.today(), query.start, query.end)


def _caller(request: HttpRequest) -> Any:
    auth = getattr(request, "auth", None)
    return getattr(auth, "user", None) or request.user


@router.get("/summary", response={200: dict, **ERRORS}, summary="Chỉ số phục vụ theo cơ quan và kỳ")
def summary(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    return selectors.summary(_caller(request), query.agency, parse_period(query))


@router.get("/procedures", response={200: dict, **ERRORS}, summary="Chỉ số theo thủ tục")
def procedures(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    return selectors.procedures(_caller(request), query.agency, parse_period(query))


@router.get("/trend", response={200: dict, **ERRORS}, summary="Diễn biến theo tháng")
def trend(request: HttpRequest, agency: int | None = None, months: int = 12) -> dict[str, Any]:
    return selectors.trend(_caller(request), agency, months)


@router.get("/late", response={200: dict, **ERRORS}, summary="Hồ sơ trễ hạn, sắp trễ hạn")
def late(request: HttpRequest, agency: int | None = None, soon: bool = False) -> dict[str, Any]:
    return selectors.late_dossiers(_caller(request), agency, soon=soon)


@router.get("/public", auth=None, response={200: dict, **ERRORS}, summary="Chỉ số công khai của tỉnh")
def public(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, Any]:
    return selectors.public_scores(parse_period(query))
