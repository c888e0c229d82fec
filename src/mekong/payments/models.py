"""Payments of dossier fees.

A `Payment` is one attempt to collect the amount a payment request asked for: a trip to a gateway with our
transaction reference (``vnp_TxnRef``), or a payment taken at the one-stop-shop counter. Its status
(`payments.states`) is a projection of its append-only `PaymentEvent` history, written only by
`payments.actions`. A dossier waiting for payment (status 6) may have several attempts — a declined card,
then another try — and the first one paid moves the dossier on.

`RefusedCallback` keeps every gateway call we refused (a forged signature, an unknown reference, an amount
that differs from the one due) for the province admin to look at; `Payment.attention` flags the payments
that need a person (an amount mismatch, money taken for a request no longer open).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.core.models import AppendOnly
from mekong.payments.states import PaymentStatus as Status


class PaymentStatus(models.TextChoices):
    PENDING = Status.PENDING, _("Chờ thanh toán")
    PAID = Status.PAID, _("Đã thanh toán")
    FAILED = Status.FAILED, _("Không thành công")


class PaymentChannel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến qua cổng thanh toán")
    COUNTER = "counter", _("Nộp tại Bộ phận Một cửa")


class Attention(models.TextChoices):
    NONE = "", _("Không")
    AMOUNT_MISMATCH = "amount_mismatch", _("Cổng báo số tiền khác số phải nộp")
    NOT_AWAITED = "not_awaited", _("Đã thu tiền nhưng hồ sơ không còn chờ khoản này (cần hoàn tiền)")


class Payment(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payments")
    # The request_payment event this pays: its data holds the amount and the fee lines.
    request_event = models.ForeignKey(
        "dossiers.DossierEvent", on_delete=models.PROTECT, related_name="+", verbose_name=_("yêu cầu nộp phí")
    )
    channel = models.CharField(
        _("hình thức"), max_length=10, choices=PaymentChannel.choices, default=PaymentChannel.ONLINE
    )
    gateway = models.CharField(_("cổng thanh toán"), max_length=30, blank=True)
    txn_ref = models.CharField(_("mã giao dịch của hệ thống"), max_length=40, unique=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    transaction_no = models.CharField(_("mã giao dịch tại cổng thanh toán"), max_length=50, blank=True)
    bank_code = models.CharField(_("ngân hàng"), max_length=20, blank=True)
    response_code = models.CharField(_("mã phản hồi của cổng"), max_length=10, blank=True)
    paid_at = models.DateTimeField(_("thời điểm thanh toán"), null=True, blank=True)
    attention = models.CharField(
        _("cần xem xét"), max_length=20, choices=Attention.choices, default=Attention.NONE, blank=True
    )
    # What the payment URL was built from, so the same URL can be given again while it is valid.
    client_ip = models.CharField(max_length=45, blank=True)
    locale = models.CharField(max_length=5, default="vi")
    expires_at = models.DateTimeField(_("hết hạn"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("thời điểm tạo"))
    event_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("khoản thanh toán")
        verbose_name_plural = _("khoản thanh toán")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["dossier", "status"]),
            models.Index(fields=["gateway", "status", "paid_at"]),
        ]

    def __str__(self) -> str:
        return self.txn_ref


class PaymentEvent(AppendOnly):
    """One change to a payment. Append-only: `save` refuses updates and `delete` refuses outright."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(_("sự kiện"), max_length=20)
    from_status = models.CharField(max_length=10, choices=PaymentStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=PaymentStatus.choices)
    source = models.CharField(_("nguồn"), max_length=20)  # ipn, officer, citizen, system
    note = models.TextField(_("ghi chú"), blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    created_at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("lịch sử thanh toán")
        verbose_name_plural = _("lịch sử thanh toán")
        ordering = ["payment", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "sequence"], name="payment_event_sequence"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}#{self.sequence} {self.kind}"


class RefusalReason(models.TextChoices):
    INVALID_SIGNATURE = "invalid_signature", _("Chữ ký không hợp lệ (giả mạo hoặc bị sửa)")
    MALFORMED = "malformed", _("Thiếu hoặc sai thông tin")
    UNKNOWN_ORDER = "unknown_order", _("Không có giao dịch với mã này")
    AMOUNT_MISMATCH = "amount_mismatch", _("Số tiền khác số phải nộp")


class RefusedCallback(AppendOnly):
    """A call from (or pretending to be from) a gateway that changed nothing. Append-only."""

    gateway = models.CharField(_("cổng thanh toán"), max_length=30)
    source = models.CharField(_("đường nhận"), max_length=10)  # ipn or return
    reason = models.CharField(_("lý do từ chối"), max_length=20, choices=RefusalReason.choices)
    txn_ref = models.CharField(_("mã giao dịch"), max_length=100, blank=True)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="refused_callbacks"
    )
    params = models.JSONField(_("tham số nhận được"), default=dict)
    remote_addr = models.CharField(_("địa chỉ gửi"), max_length=45, blank=True)
    received_at = models.DateTimeField(_("thời điểm nhận"), auto_now_add=True)

    class Meta:
        verbose_name = _("lời gọi bị từ chối")
        verbose_name_plural = _("lời gọi từ cổng thanh toán bị từ chối")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.gateway} {self.get_reason_display()} {self.txn_ref}"
