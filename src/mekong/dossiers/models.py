"""Dossiers (hồ sơ) and their append-only event trail.

The current status on `Dossier` is a projection of its events, kept for querying; only
`dossiers.actions` writes it, in the same transaction as the event that changes it. Events are never
updated or deleted, and each carries the SHA-256 of its predecessor (`dossiers.chain`), so tampering
with the trail is detectable (`mekong verify_dossier_chain`).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mekong.core.models import AppendOnly
from mekong.core.text import fold
from mekong.dossiers.states import Status


class DossierStatus(models.IntegerChoices):
    NEW = Status.NEW, _("Mới đăng ký")
    RECEIVED = Status.RECEIVED, _("Được tiếp nhận")
    NOT_RECEIVED = Status.NOT_RECEIVED, _("Không được tiếp nhận")
    PROCESSING = Status.PROCESSING, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = Status.SUPPLEMENT_REQUESTED, _("Yêu cầu bổ sung giấy tờ")
    PAYMENT_REQUESTED = Status.PAYMENT_REQUESTED, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = Status.WITHDRAWN, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = Status.STOPPED, _("Dừng xử lý")
    PROCESSED = Status.PROCESSED, _("Đã xử lý xong")
    RESULT_RETURNED = Status.RESULT_RETURNED, _("Đã trả kết quả")


class Channel(models.IntegerChoices):
    """How the dossier was filed, with the national portal's codes."""

    IN_PERSON = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POSTAL = 3, _("Qua dịch vụ bưu chính công ích")


class ResultDelivery(models.TextChoices):
    ONLINE = "online", _("Nhận kết quả trực tuyến")
    COUNTER = "counter", _("Nhận tại Bộ phận một cửa")
    POSTAL = "postal", _("Nhận qua dịch vụ bưu chính công ích")


class Dossier(models.Model):
    # Drafts have no code and no status; both come with submission.
    # Unique through Meta.constraints, not unique=True: on PostgreSQL that would add a second, LIKE-pattern
    # index that no query uses. Every index here is paid for on each event (docs/benchmarks.md).
    code = models.CharField(_("mã hồ sơ"), max_length=40, null=True, blank=True)
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="dossiers"
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        verbose_name=_("cơ quan tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,  # (agency, status, due_at) below serves every agency query
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản người nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,  # (applicant, -submitted_at) below serves "my dossiers"
    )
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=200)
    applicant_personal_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("xã, phường của người nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    channel = models.PositiveSmallIntegerField(
        _("hình thức nộp"), choices=Channel.choices, default=Channel.ONLINE
    )
    result_delivery = models.CharField(
        _("hình thức nhận kết quả"),
        max_length=10,
        choices=ResultDelivery.choices,
        default=ResultDelivery.ONLINE,
    )
    form_data = models.JSONField(_("nội dung tờ khai"), default=dict, blank=True)
    # Folded applicant name, ID and code (core.text.fold): accent-insensitive queue search in the database.
    # Searched with LIKE '%word%', which no B-tree index serves (a trigram index would, at larger scale).
    search_key = models.CharField(max_length=300, editable=False, default="")

    status = models.PositiveSmallIntegerField(
        _("trạng thái"), choices=DossierStatus.choices, null=True, blank=True, db_index=True
    )
    paused_from = models.PositiveSmallIntegerField(choices=DossierStatus.choices, null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chuyên viên xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    due_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(_("ngày kết thúc"), null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    event_count = models.PositiveIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="0" * 64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"]),
            models.Index(fields=["applicant", "-submitted_at"]),
        ]
        constraints = [models.UniqueConstraint(fields=["code"], name="dossier_code")]

    def __str__(self) -> str:
        return self.code or _("Hồ sơ nháp #%(id)s") % {"id": self.pk}

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = fold(
            " ".join(filter(None, [self.code, self.applicant_name, self.applicant_personal_id]))
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def status_label(self) -> str:
        """The status in words. Cheaper than `get_status_display()`, which translates every choice to find
        one: that showed up as a third of a 50-row queue page's rendering time."""
        return str(DossierStatus(self.status).label) if self.status is not None else str(_("Hồ sơ nháp"))

    @property
    def current_status(self) -> Status | None:
        return Status(self.status) if self.status is not None else None

    @property
    def is_draft(self) -> bool:
        return self.status is None


class DossierEvent(AppendOnly):
    """One change to a dossier. Append-only: `save` refuses updates and `delete` refuses outright."""

    # Indexed by the (dossier, sequence) constraint; a second index on dossier alone would only cost writes.
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events", db_index=False)
    sequence = models.PositiveIntegerField()
    command = models.CharField(_("thao tác"), max_length=30)
    from_status = models.PositiveSmallIntegerField(choices=DossierStatus.choices, null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(choices=DossierStatus.choices, null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossier_events",
    )
    actor_role = models.CharField(_("vai trò"), max_length=30)
    note = models.TextField(_("ghi chú"), blank=True)
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    created_at = models.DateTimeField(_("thời điểm"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("sự kiện hồ sơ")
        ordering = ["dossier", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sequence"], name="dossier_event_sequence"),
            models.UniqueConstraint(fields=["hash"], name="dossier_event_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.sequence} {self.command}"

    def hashed_payload(self) -> dict[str, Any]:
        """What the hash covers: everything but the hashes themselves."""
        return {
            "dossier": self.dossier_id,
            "sequence": self.sequence,
            "command": self.command,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "actor": self.actor_id,
            "actor_role": self.actor_role,
            "note": self.note,
            "data": self.data,
            "created_at": self.created_at,
        }


class FileKind(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Giấy tờ bổ sung")
    RESULT = "result", _("Kết quả giải quyết")
    OTHER = "other", _("Khác")


def dossier_upload_path(instance: DossierFile, filename: str) -> str:
    # Never trust the uploaded name in the path; keep it only as metadata.
    return f"dossiers/{instance.dossier_id}/{uuid.uuid4().hex}"


class DossierFile(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="files")
    requirement = models.ForeignKey(
        "catalog.RequiredDocument",
        verbose_name=_("thành phần hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossier_files",
    )
    kind = models.CharField(_("loại"), max_length=12, choices=FileKind.choices, default=FileKind.COMPONENT)
    file = models.FileField(_("tệp"), upload_to=dossier_upload_path)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("định dạng"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event = models.ForeignKey(
        DossierEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.original_name


class DailySequence(models.Model):
    """The last dossier number given by an agency on a day, incremented by one upsert (`actions._next_code`)
    whose row lock lasts until the submission commits: numbers are unique and gap-free."""

    agency = models.ForeignKey("catalog.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_daily_sequence")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last_value}"


class IdempotencyKey(models.Model):
    """A request the API has answered: the same key from the same user gets the same answer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="dossier_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class IssuedDocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    SUPPLEMENT_REQUEST = "supplement_request", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")
    APOLOGY = "apology", _("Phiếu xin lỗi và hẹn lại ngày trả kết quả")
    RESULT = "result", _("Kết quả giải quyết thủ tục hành chính")
    FEE_RECEIPT = "fee_receipt", _("Biên lai thu phí, lệ phí (điện tử)")


class IssuedDocument(models.Model):
    """A document the one-stop shop issues, verifiable at /verify/<id> by its SHA-256."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("loại"), max_length=20, choices=IssuedDocumentKind.choices)
    file = models.FileField(_("tệp"), upload_to="issued/")
    sha256 = models.CharField(max_length=64, db_index=True)
    event = models.ForeignKey(DossierEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("văn bản đã phát hành")
        verbose_name_plural = _("văn bản đã phát hành")
        ordering = ["dossier", "issued_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.dossier}"


class ApologyStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo chờ xác nhận")
    SENT = "sent", _("Đã gửi công dân")
    DISCARDED = "discarded", _("Không sử dụng")


class ApologyLetter(models.Model):
    """Drafted by the system before a dossier becomes late; an officer confirms it, then it is sent."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="apologies")
    status = models.CharField(max_length=10, choices=ApologyStatus.choices, default=ApologyStatus.DRAFT)
    reason = models.TextField(_("lý do"))
    previous_due_at = models.DateTimeField(_("ngày hẹn cũ"))
    new_due_at = models.DateTimeField(_("ngày hẹn mới"))
    drafted_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey(
        IssuedDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("phiếu xin lỗi")
        verbose_name_plural = _("phiếu xin lỗi")

    def __str__(self) -> str:
        return f"{self.dossier} — {self.get_status_display()}"


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc")


class CalendarDay(models.Model):
    """A day the province adds to the national calendar (a provincial holiday, a swapped Saturday)."""

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=12, choices=CalendarDayKind.choices)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ngày trong lịch làm việc của tỉnh")
        verbose_name_plural = _("lịch làm việc của tỉnh")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}"
