"""Public, read-only procedure catalogue API, mounted at /api/v1/procedures."""

# No `from __future__ import annotations` here: django-ninja must resolve `Query[...]` at import time.

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from mekong.catalog.models import (
    Agency,
    FeeItem,
    Procedure,
    ProcedureField,
    ProcedureLevel,
    ProcessingStep,
    RequiredDocument,
)
from mekong.catalog.schemas import FieldSummaryOut, ProcedureDetailOut, ProcedureListOut
from mekong.catalog.search import search_procedures
from mekong.core.errors import NotFound

router = Router()


class ProcedureFilters(Schema):
    q: str = Field("", max_length=200, description="Tìm theo tên hoặc mã, không phân biệt dấu, hoa thường.")
    field: str | None = Field(None, description="Mã lĩnh vực, ví dụ ho-tich.")
    level: ProcedureLevel | None = Field(None, description="Cấp thực hiện.")


class FieldFilters(Schema):
    level: ProcedureLevel | None = Field(None, description="Chỉ đếm thủ tục của cấp này.")


# Registered before "/{code}" so that "fields" is never taken for a procedure code.
@router.get("/fields", response=list[FieldSummaryOut], summary="Lĩnh vực và số thủ tục", auth=None)
def list_fields(request: HttpRequest, filters: Query[FieldFilters]) -> QuerySet[ProcedureField]:
    counted = Q(procedures__is_active=True)
    if filters.level:
        counted &= Q(procedures__level=filters.level)
    return ProcedureField.objects.annotate(procedure_count=Count("procedures", filter=counted)).order_by(
        "name"
    )


@router.get("", response=list[ProcedureListOut], summary="Danh sách thủ tục hành chính", auth=None)
@paginate(PageNumberPagination, page_size=20, max_page_size=100)
def list_procedures(request: HttpRequest, filters: Query[ProcedureFilters]) -> QuerySet[Procedure]:
    # The acceptance asks for fees, time limit and documents right in the search results.
    return search_procedures(filters.q, field=filters.field, level=filters.level).prefetch_related(
        Prefetch("fee_items", queryset=FeeItem.objects.order_by("position")),
        Prefetch("documents", queryset=RequiredDocument.objects.order_by("position")),
    )


@router.get("/{code}", response=ProcedureDetailOut, summary="Chi tiết thủ tục hành chính", auth=None)
def get_procedure(request: HttpRequest, code: str) -> Procedure:
    procedure = (
        Procedure.objects.filter(code=code, is_active=True)
        .select_related("field")
        .prefetch_related(
            Prefetch("documents", queryset=RequiredDocument.objects.order_by("position")),
            Prefetch("steps", queryset=ProcessingStep.objects.order_by("position")),
            Prefetch("fee_items", queryset=FeeItem.objects.order_by("position")),
            Prefetch("agencies", queryset=Agency.objects.filter(is_active=True).order_by("code")),
        )
        .first()
    )
    if procedure is None:
        raise NotFound(_("Không có thủ tục hành chính nào mang mã «{procedure_code}»."), procedure_code=code)
    return procedure
