"""Admin (in Vietnamese) for dossiers: a read-only window on dossiers, their event trail, apology letters
and issued documents — state changes go only through `dossiers.actions` — and the one thing a province
edits here: its calendar of extra days off and working days (`CalendarDay`), which
`calendar.province_calendar()` reads on every deadline computation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mekong.dossiers.models import (
    ApologyLetter,
    CalendarDay,
    CalendarDayKind,
    Dossier,
    DossierEvent,
    DossierFile,
    IssuedDocument,
)
from mekong.dossiers.workdays import WorkingCalendar, national_holiday_name

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


class ReadOnlyMixin:
    """Seen, never written: no add, change or delete whatever the user's model permissions."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DossierEventInline(ReadOnlyMixin, admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "sequence",
        "created_at",
        "command",
        "from_status",
        "to_status",
        "actor",
        "actor_role",
        "note",
    )
    ordering = ["sequence"]
    verbose_name_plural = _("nhật ký xử lý (chỉ xem, không sửa được)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DossierEvent]:
        return super().get_queryset(request).select_related("actor")


class DossierFileInline(ReadOnlyMixin, admin.TabularInline):
    model = DossierFile
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "kind",
        "requirement",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[DossierFile]:
        return super().get_queryset(request).select_related("requirement")


class IssuedDocumentInline(ReadOnlyMixin, admin.TabularInline):
    model = IssuedDocument
    extra = 0
    can_delete = False
    fields = readonly_fields = ("id", "kind", "issued_at", "issued_by", "sha256", "file")

    def get_queryset(self, request: HttpRequest) -> QuerySet[IssuedDocument]:
        return super().get_queryset(request).select_related("issued_by")


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "procedure_name",
        "agency",
        "applicant_name",
        "status",
        "submitted_at",
        "due_at",
        "finished_at",
    ]
    list_filter = ["status", "channel", "result_delivery", "procedure__level"]
    list_select_related = ["procedure", "agency"]
    search_fields = ["code", "applicant_name", "applicant_personal_id", "applicant_phone"]
    search_help_text = _("Tìm theo mã hồ sơ, họ tên, số định danh hoặc số điện thoại của người nộp.")
    date_hierarchy = "submitted_at"
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["code", "procedure", "agency", "status", "paused_from", "assigned_to"]}),
        (
            _("Thời hạn"),
            {"fields": ["submitted_at", "received_at", "due_at", "finished_at", "supplement_count"]},
        ),
        (
            _("Người nộp"),
            {
                "fields": [
                    "applicant",
                    "applicant_name",
                    "applicant_personal_id",
                    "applicant_phone",
                    "applicant_email",
                    "applicant_address",
                    "unit",
                    "channel",
                    "result_delivery",
                ]
            },
        ),
        (_("Tờ khai"), {"fields": ["form_data"]}),
        (_("Chuỗi sự kiện"), {"fields": ["event_count", "head_hash"]}),
    ]
    inlines = [DossierEventInline, DossierFileInline, IssuedDocumentInline]

    @admin.display(description=_("thủ tục"), ordering="procedure__name")
    def procedure_name(self, obj: Dossier) -> str:
        return obj.procedure.name


@admin.register(ApologyLetter)
class ApologyLetterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "dossier",
        "status",
        "previous_due_at",
        "new_due_at",
        "drafted_at",
        "confirmed_by",
        "sent_at",
    ]
    list_filter = ["status"]
    list_select_related = ["dossier", "confirmed_by"]
    search_fields = ["dossier__code"]
    date_hierarchy = "drafted_at"


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "kind", "dossier", "issued_at", "issued_by", "sha256"]
    list_filter = ["kind"]
    list_select_related = ["dossier", "issued_by"]
    search_fields = ["dossier__code", "sha256"]
    date_hierarchy = "issued_at"


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        day, kind = cleaned.get("date"), cleaned.get("kind")
        if day is None or kind is None:
            return cleaned
        nationally_working = WorkingCalendar().is_working_day(day)
        if kind == CalendarDayKind.WORKING_DAY and nationally_working:
            self.add_error("kind", _("Ngày này đã là ngày làm việc theo lịch nhà nước."))
        if kind == CalendarDayKind.DAY_OFF and not nationally_working:
            self.add_error("kind", _("Ngày này đã là ngày nghỉ theo lịch nhà nước."))
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "kind", "note", "national"]
    list_filter = ["kind"]
    search_fields = ["note"]
    date_hierarchy = "date"
    ordering = ["-date"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarDay) -> str:
        return WEEKDAYS[obj.date.weekday()]

    @admin.display(description=_("theo lịch nhà nước"))
    def national(self, obj: CalendarDay) -> str:
        if WorkingCalendar().is_working_day(obj.date):
            return str(_("Ngày làm việc"))
        return national_holiday_name(obj.date) or str(_("Ngày nghỉ cuối tuần"))
