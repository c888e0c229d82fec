"""Admin (in Vietnamese) for face lookup: consents and the lookup audit, read-only; suspected duplicate
enrolments, which the province administrator marks as reviewed. Face vectors are never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mekong.dossiers.admin import ReadOnlyMixin
from mekong.faceid.models import DuplicateEnrolment, FaceConsent, FaceLookupAttempt


@admin.register(FaceConsent)
class FaceConsentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("citizen", "channel", "given_at", "keep_until", "withdrawn_at", "face_count")
    list_filter = ("channel", "withdrawn_at")
    search_fields = ("citizen__full_name", "citizen__personal_id")
    fields = readonly_fields = (
        "citizen",
        "channel",
        "text_version",
        "text",
        "given_at",
        "keep_until",
        "withdrawn_at",
    )

    @admin.display(description="Số ảnh khuôn mặt")
    def face_count(self, obj: FaceConsent) -> int:
        return obj.embeddings.count()


@admin.register(FaceLookupAttempt)
class FaceLookupAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "at",
        "outcome",
        "detail",
        "factor",
        "candidates",
        "best_distance",
        "threshold",
        "matched",
    )
    list_filter = ("outcome", "factor")
    date_hierarchy = "at"


@admin.register(DuplicateEnrolment)
class DuplicateEnrolmentAdmin(admin.ModelAdmin):
    list_display = ("first", "second", "distance", "found_at", "reviewed_at")
    list_filter = ("reviewed_at",)
    readonly_fields = ("first", "second", "distance", "found_at")
    fields = ("first", "second", "distance", "found_at", "reviewed_at", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
