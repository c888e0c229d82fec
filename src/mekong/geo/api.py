"""Administrative units API (public, read-only): `GET /api/v1/units` and `GET /api/v1/units/{id}`."""

# No `from __future__ import annotations` here: django-ninja must resolve `Query[...]` at import time.

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from mekong.core.errors import DomainError, FieldError, NotFound
from mekong.geo.models import AdministrativeUnit, Edition, UnitLevel, UnitSuccession
from mekong.geo.selectors import find_unit, search_units

router = Router()


class UnitOut(Schema):
    id: int
    edition: Edition
    code: str
    level: UnitLevel
    kind: str
    name: str
    short_name: str
    parent_id: int | None
    latitude: float | None
    longitude: float | None


class SuccessionOut(Schema):
    unit: UnitOut
    is_primary: bool
    effective_date: datetime.date


class UnitDetailOut(UnitOut):
    former_parent_id: int | None
    successors: list[SuccessionOut]
    predecessors: list[SuccessionOut]


class UnitFilters(Schema):
    parent: str | None = None
    edition: Edition | None = None
    level: UnitLevel | None = None
    q: str = ""


def _unit_not_found(reference: str | int) -> NotFound:
    return NotFound(
        _("Không tìm thấy đơn vị hành chính “{reference}”."),
        errors=[FieldError(field="parent", message=_("Không có đơn vị này."))]
        if isinstance(reference, str)
        else [],
        reference=reference,
    )


@router.get(
    "",
    response=list[UnitOut],
    auth=None,
    summary="Danh sách đơn vị hành chính / List administrative units",
    description=(
        "Không có `parent`: các tỉnh, thành phố (hoặc cấp `level`) của phiên bản `edition` (mặc định 2025). "
        "`parent` là id (`42`) hoặc phiên bản:mã (`2025:92`, `legacy:93`). `q` tìm theo tên, không phân biệt dấu. "
        "Without `parent`: provinces (or `level`) of `edition` (default 2025). `parent` is an id or edition:code."
    ),
)
@paginate(LimitOffsetPagination, max_limit=500)
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> QuerySet[AdministrativeUnit]:
    parent = None
    if filters.parent:
        try:
            parent = find_unit(filters.parent)
        except ValueError:
            raise DomainError(
                _("Tham số parent không hợp lệ."),
                errors=[
                    FieldError(
                        field="parent",
                        message=_("Dùng id đơn vị (ví dụ 42) hoặc phiên bản:mã (ví dụ 2025:92, legacy:93)."),
                    )
                ],
                code="validation_error",
                status=422,
            ) from None
        if parent is None:
            raise _unit_not_found(filters.parent)
    return search_units(
        filters.q,
        parent=parent,
        edition=filters.edition.value if filters.edition else None,
        level=filters.level.value if filters.level else None,
    )


def _successions(items: QuerySet[UnitSuccession], side: str) -> list[SuccessionOut]:
    return [
        SuccessionOut(
            unit=UnitOut.model_validate(getattr(item, side)),
            is_primary=item.is_primary,
            effective_date=item.effective_date,
        )
        for item in items
    ]


@router.get(
    "/{int:unit_id}",
    response=UnitDetailOut,
    auth=None,
    summary="Một đơn vị hành chính và quan hệ sắp xếp / One unit with its successors and predecessors",
)
def get_unit(request: HttpRequest, unit_id: int) -> UnitDetailOut:
    unit = AdministrativeUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise _unit_not_found(unit_id)
    successors = unit.successions.select_related("successor").order_by("-is_primary", "successor__code")
    predecessors = unit.predecessions.select_related("predecessor").order_by(
        "predecessor__edition", "predecessor__code"
    )
    return UnitDetailOut(
        **UnitOut.model_validate(unit).model_dump(),
        former_parent_id=unit.former_parent_id,
        successors=_successions(successors, "successor"),
        predecessors=_successions(predecessors, "predecessor"),
    )
