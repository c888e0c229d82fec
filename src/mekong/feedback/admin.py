"""Admin (in Vietnamese) for ratings: read-only; the agency answers feedback through the API."""

from __future__ import annotations

from django.contrib import admin

from mekong.dossiers.admin import ReadOnlyMixin
from mekong.feedback.models import Rating


@admin.register(Rating)
class RatingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("dossier", "score", "created_at", "feedback_due_at", "handled_at")
    list_filter = ("score",)
    search_fields = ("dossier__code",)
    readonly_fields = (
        "dossier",
        "score",
        "comment",
        "created_by",
        "created_at",
        "feedback_due_at",
        "handled_at",
        "handled_by",
        "response",
    )
    list_select_related = ("dossier",)
