"""Admin (in Vietnamese) for agencies and the procedure catalogue. Search ignores accents and case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from mekong.catalog.models import (
    Agency,
    FeeItem,
    Procedure,
    ProcedureField,
    ProcessingStep,
    RequiredDocument,
)
from mekong.catalog.transfer import export_catalog_json, export_catalog_workbook
from mekong.core.text import fold

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _folded_search(queryset: QuerySet[Any], search_term: str, *exact_fields: str) -> QuerySet[Any]:
    """Every folded word in `search_key`, or the whole term in one of `exact_fields` (codes)."""
    words = fold(search_term).split()
    if not words:
        return queryset
    folded = Q()
    for word in words:
        folded &= Q(search_key__contains=word)
    for name in exact_fields:
        folded |= Q(**{f"{name}__icontains": search_term.strip()})
    return queryset.filter(folded)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "tree_name", "kind", "parent", "children_link", "unit", "is_active"]
    list_display_links = ["code", "tree_name"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["parent__parent__parent", "unit"]
    search_fields = ["code", "name", "short_name"]
    search_help_text = _("Tìm theo mã hoặc tên, có dấu hay không dấu đều được.")
    autocomplete_fields = ["parent"]
    raw_id_fields = ["unit"]
    ordering = ["code"]
    fieldsets = [
        (None, {"fields": ["code", "name", "short_name", "kind", "parent", "unit", "is_active"]}),
        (_("Liên hệ"), {"fields": ["address", "phone", "email"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agency]:
        return super().get_queryset(request).annotate(children_count=Count("children"))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Agency], search_term: str
    ) -> tuple[QuerySet[Agency], bool]:
        return _folded_search(queryset, search_term, "code"), False

    @admin.display(description=_("tên cơ quan"), ordering="name")
    def tree_name(self, obj: Agency) -> str:
        depth = 0
        node = obj.parent
        while node is not None and depth < 3:  # list_select_related loads three levels of parents
            depth += 1
            node = node.parent
        if not depth:
            return format_html("<strong>{}</strong>", obj.name)
        return format_html('<span style="padding-left:{}em">└ {}</span>', 1.5 * depth, obj.name)

    @admin.display(description=_("đơn vị trực thuộc"), ordering="children_count")
    def children_link(self, obj: Agency) -> str:
        count = getattr(obj, "children_count", 0)
        if not count:
            return "—"
        url = reverse("admin:catalog_agency_changelist") + "?" + urlencode({"parent__id__exact": obj.pk})
        return format_html('<a href="{}">{}</a>', url, count)


@admin.register(ProcedureField)
class ProcedureFieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "procedure_count"]
    search_fields = ["code", "name"]
    prepopulated_fields = {"code": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcedureField]:
        return super().get_queryset(request).annotate(procedure_count=Count("procedures"))

    @admin.display(description=_("số thủ tục"), ordering="procedure_count")
    def procedure_count(self, obj: ProcedureField) -> int:
        return getattr(obj, "procedure_count", 0)


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    fields = ["position", "name", "mandatory", "copies", "template", "template_name", "note"]
    extra = 0


class FeeItemInline(admin.TabularInline):
    model = FeeItem
    fields = ["position", "kind", "name", "amount", "quantity_field", "note"]
    extra = 0


class ProcessingStepInline(admin.TabularInline):
    model = ProcessingStep
    fields = ["position", "name", "role", "duration_value", "duration_unit"]
    extra = 0


class ProcedureAdminForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown

    def clean_form_schema(self) -> Any:
        schema = self.cleaned_data.get("form_schema") or {}
        if not isinstance(schema, dict):
            raise forms.ValidationError(_("Biểu mẫu phải là một JSON Schema dạng đối tượng."))
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            raise forms.ValidationError(
                _("Biểu mẫu không phải JSON Schema (2020-12) hợp lệ: %(detail)s"),
                params={"detail": error.message},
            ) from error
        return schema


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    form = ProcedureAdminForm
    list_display = ["code", "name", "field", "level", "online_level", "time_limit", "fixed_fee", "is_active"]
    list_display_links = ["code", "name"]
    list_filter = ["field", "level", "online_level", "requires_e_result", "is_active"]
    list_select_related = ["field"]
    search_fields = ["code", "name"]
    search_help_text = _("Tìm theo mã hoặc tên thủ tục, có dấu hay không dấu đều được.")
    autocomplete_fields = ["field", "agencies"]
    inlines = [RequiredDocumentInline, FeeItemInline, ProcessingStepInline]
    actions = ["export_json", "export_xlsx"]
    fieldsets = [
        (None, {"fields": ["code", "name", "field", "level", "is_active"]}),
        (
            _("Thực hiện"),
            {
                "fields": [
                    "implementing_agency",
                    "agencies",
                    ("time_limit_value", "time_limit_unit"),
                    "online_level",
                    "requires_e_result",
                    "result_name",
                ]
            },
        ),
        (_("Căn cứ và trình tự"), {"fields": ["legal_basis", "description", "source"]}),
        (_("Biểu mẫu điện tử"), {"fields": ["form_schema"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Procedure]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "fee_items", queryset=FeeItem.objects.only("procedure_id", "amount", "quantity_field")
                )
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Procedure], search_term: str
    ) -> tuple[QuerySet[Procedure], bool]:
        return _folded_search(queryset, search_term, "code"), False

    @admin.display(description=_("thời hạn"), ordering="time_limit_value")
    def time_limit(self, obj: Procedure) -> str:
        return f"{obj.time_limit_value} {obj.get_time_limit_unit_display()}"

    @admin.display(description=_("phí, lệ phí cố định (đồng)"))
    def fixed_fee(self, obj: Procedure) -> str:
        return f"{obj.total_fixed_fee:,}".replace(",", ".")

    @admin.action(description=_("Tải danh mục đã chọn (JSON)"))
    def export_json(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> HttpResponse:
        response = HttpResponse(export_catalog_json(queryset), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="danh_muc_thu_tuc.json"'
        return response

    @admin.action(description=_("Tải danh mục đã chọn (Excel)"))
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> HttpResponse:
        response = HttpResponse(export_catalog_workbook(queryset), content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="danh_muc_thu_tuc.xlsx"'
        return response
