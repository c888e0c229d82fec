"""Admin (in Vietnamese) for payments: read-only. The province admin sees every payment with its history,
the payments flagged for a person (an amount the gateway reported differently, money taken for a request
no longer open), and every gateway call that was refused (a forged signature, an unknown reference)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mekong.dossiers.admin import ReadOnlyMixin
from mekong.payments.models import Payment, PaymentEvent, RefusedCallback


class PaymentEventInline(ReadOnlyMixin, admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "sequence",
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "source",
        "note",
        "data",
    )
    ordering = ["sequence"]
    verbose_name_plural = _("lịch sử (chỉ xem, không sửa được)")


class RefusedCallbackInline(ReadOnlyMixin, admin.TabularInline):
    model = RefusedCallback
    extra = 0
    can_delete = False
    fields = readonly_fields = ("received_at", "source", "reason", "remote_addr", "params")
    verbose_name_plural = _("lời gọi bị từ chối")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "txn_ref",
        "dossier",
        "channel",
        "gateway",
        "amount",
        "status",
        "attention",
        "paid_at",
        "created_at",
    ]
    list_filter = ["status", "attention", "channel", "gateway"]
    list_select_related = ["dossier"]
    search_fields = ["txn_ref", "transaction_no", "dossier__code"]
    search_help_text = _("Tìm theo mã giao dịch, mã giao dịch tại cổng hoặc mã hồ sơ.")
    date_hierarchy = "created_at"
    inlines = [PaymentEventInline, RefusedCallbackInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return super().get_queryset(request).select_related("dossier")


@admin.register(RefusedCallback)
class RefusedCallbackAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["received_at", "gateway", "source", "reason", "txn_ref", "payment", "remote_addr"]
    list_filter = ["reason", "gateway", "source"]
    list_select_related = ["payment"]
    search_fields = ["txn_ref", "remote_addr"]
    date_hierarchy = "received_at"
