"""Notifications to citizens about their dossiers, and their delivery on each channel.

A `Notification` is written in the same transaction as the dossier event it tells about (a transactional
outbox: no event without its notification, no notification of an event rolled back). Its text is rendered
then, in the citizen's language, and never changes. It has one `Delivery` per channel the citizen chose;
the in-app inbox (`InboxMessage`) is written in that transaction too, the others are sent afterwards by
a worker (`notify.actions.deliver`), which claims the row before sending so that a retried or redelivered
task never sends twice (docs/decisions/0003-notification-delivery.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    RECEIVED = "received", _("Hồ sơ được tiếp nhận")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung giấy tờ")
    REFUSED = "refused", _("Hồ sơ không được tiếp nhận")
    PAYMENT_DUE = "payment_due", _("Yêu cầu nộp phí, lệ phí")
    PAID = "paid", _("Đã nộp phí, lệ phí")
    RESULT_READY = "result_ready", _("Đã có kết quả")
    APOLOGY = "apology", _("Xin lỗi và hẹn lại ngày trả kết quả")
    RETURNED = "returned", _("Đã trả kết quả")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")
    EXPIRED = "expired", _("Quá hạn, không gửi")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="notifications"
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent",
        verbose_name=_("sự kiện hồ sơ"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    kind = models.CharField(_("loại thông báo"), max_length=30, choices=NotificationKind.choices)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    subject = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"))
    email_body = models.TextField(_("nội dung thư điện tử"))
    sms_text = models.CharField(_("nội dung tin nhắn"), max_length=500)
    link = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    event_at = models.DateTimeField(_("thời điểm sự kiện"))
    created_at = models.DateTimeField(_("thời điểm tạo"), default=timezone.now)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event", "kind"], name="notify_one_notification_per_event"
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """One notification on one channel. `key` is the idempotency key given to the channel's provider;
    `claim_token` and `lease_until` belong to the worker attempt that holds the row while it sends."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("kênh"), max_length=20)
    address = models.CharField(_("địa chỉ nhận"), max_length=254, blank=True)
    key = models.UUIDField(_("khóa chống gửi trùng"), default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    provider_reference = models.CharField(_("mã của nhà cung cấp"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lần gửi thông báo")
        verbose_name_plural = _("lần gửi thông báo")
        ordering = ["notification", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="notify_one_delivery_per_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due")]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel}: {self.status}"


class InboxMessage(models.Model):
    """A notification in the citizen's in-app inbox: at most one per in-app delivery."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="inbox_message")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo trong hộp thư")
        verbose_name_plural = _("hộp thư thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notify_inbox_list"),
            models.Index(fields=["recipient", "read_at"], name="notify_inbox_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.notification_id}"


class NotificationPreference(models.Model):
    """The channels a citizen chose besides the inbox, and the language of their messages. Without a row,
    the defaults apply (`notify.selectors.preferences_of`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    channels = models.JSONField(_("kênh nhận thông báo"), default=list, blank=True)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi", choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tùy chọn nhận thông báo")
        verbose_name_plural = _("tùy chọn nhận thông báo")

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.channels)}"
