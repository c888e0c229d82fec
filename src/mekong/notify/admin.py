"""Admin (in Vietnamese): notifications and their deliveries, read-only — they change only through
`notify.actions` — with an action to try failed deliveries again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mekong.dossiers.admin import ReadOnlyMixin
from mekong.notify.models import Delivery, DeliveryStatus, Notification


class DeliveryInline(ReadOnlyMixin, admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "channel",
        "address",
        "status",
        "attempts",
        "sent_at",
        "next_attempt_at",
        "last_error",
        "provider_reference",
    )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "recipient", "dossier", "subject")
    list_filter = ("kind", "language")
    search_fields = ("dossier__code", "recipient__personal_id", "recipient__full_name")
    list_select_related = ("recipient", "dossier")
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]
    fields = readonly_fields = (
        "recipient",
        "dossier",
        "kind",
        "language",
        "event_at",
        "created_at",
        "subject",
        "body",
        "email_body",
        "sms_text",
        "link",
    )


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "channel", "address", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "channel")
    search_fields = ("address", "notification__dossier__code", "key")
    list_select_related = ("notification",)
    actions = ["retry_failed"]
    fields = readonly_fields = (
        "notification",
        "channel",
        "address",
        "key",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "sent_at",
        "last_error",
        "provider_reference",
    )

    @admin.action(description=_("Gửi lại các lần gửi không thành công"))
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        from mekong.notify.actions import retry_failed

        count = retry_failed(queryset.filter(status=DeliveryStatus.FAILED).values_list("pk", flat=True))
        self.message_user(
            request, _("Đã xếp hàng gửi lại %(count)d thông báo.") % {"count": count}, messages.SUCCESS
        )
