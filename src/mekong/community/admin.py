"""Admin (in Vietnamese) for the province: the team registry (communes mostly keep it through the import
page), the action that lets members sign in as members, and — read-only — support activities, assisted
dossiers and the history. Activities and assisted dossiers change only through `community.actions`."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mekong.community import actions
from mekong.community.models import Activity, AssistedSubmission, CommunityEvent, Member, Team
from mekong.core.errors import DomainError
from mekong.dossiers.admin import ReadOnlyMixin


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ("full_name", "role", "phone", "skills", "active_from", "active_until", "user")
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "hamlet", "agency", "established_on", "dissolved_on")
    list_filter = ("agency",)
    search_fields = ("code", "name", "hamlet__name", "agency__name")
    list_select_related = ("hamlet", "agency")
    raw_id_fields = ("hamlet",)
    inlines = [MemberInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("full_name", "role", "phone", "team", "active_from", "active_until", "user")
    list_filter = ("role", "team__agency")
    search_fields = ("full_name", "phone", "team__name", "team__code")
    list_select_related = ("team", "user")
    raw_id_fields = ("team", "user")
    actions = ["grant_access"]

    @admin.action(
        description=_("Cho đăng nhập với tư cách thành viên tổ (gắn tài khoản công dân cùng số điện thoại)")
    )
    def grant_access(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        try:
            report = actions.grant_member_access(request.user, list(queryset))
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            _(
                "Đã cấp quyền cho {linked} thành viên; {already} đã có quyền; {missing} chưa có tài khoản công dân."
            ).format(
                linked=len(report.linked), already=len(report.already), missing=len(report.without_account)
            ),
            messages.SUCCESS if report.linked or report.already else messages.WARNING,
        )


@admin.register(Activity)
class ActivityAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("date", "kind", "household", "team", "member", "created_at")
    list_filter = ("kind", "team__agency")
    search_fields = ("household", "team__name", "member__full_name", "client_id")
    list_select_related = ("team", "member")
    date_hierarchy = "date"


@admin.register(AssistedSubmission)
class AssistedSubmissionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "procedure",
        "dossier",
        "team",
        "member",
        "consent_method",
        "submitted_at",
        "declined_at",
    )
    list_filter = ("consent_method", "team__agency")
    search_fields = ("dossier__code", "team__name", "member__full_name")
    list_select_related = ("procedure", "dossier", "team", "member")
    fields = readonly_fields = (
        "dossier",
        "procedure",
        "team",
        "member",
        "started_by",
        "notify_phone",
        "citizen",
        "account_created",
        "consent_method",
        "consent_text",
        "consented_at",
        "signature",
        "signature_sha256",
        "declined_at",
        "created_at",
        "submitted_at",
    )


@admin.register(CommunityEvent)
class CommunityEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "actor", "team")
    list_filter = ("kind",)
    list_select_related = ("actor", "team")
    fields = readonly_fields = ("created_at", "kind", "actor", "team", "data")
