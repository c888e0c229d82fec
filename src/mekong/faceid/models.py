"""Face lookup data. Under Decree 13/2023/NĐ-CP a face is sensitive personal data: nothing here is kept
without a recorded consent, no photo is kept at all, embeddings are encrypted at rest, and withdrawing the
consent deletes them.

- `FaceConsent`: what the citizen agreed to, when, through which page, until when; withdrawal is recorded.
- `FaceEmbedding`: one encrypted face vector of a consenting citizen, with keyed hashes of the two factors a
  lookup may give (date of birth, last four digits of the phone) — never the factors themselves.
- `FaceIndexChange`: the ordered log every server process follows to keep its in-memory index current
  (no biometric data: which embedding was added or removed).
- `FaceLookupAttempt`: the audit of every lookup, found or not (no photo, no vector).
- `DuplicateEnrolment`: two identities whose faces match, for the province administrator to review.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentChannel(models.TextChoices):
    PROFILE = "profile", _("Trang tài khoản")
    SUBMISSION = "submission", _("Khi nộp hồ sơ")
    API = "api", _("Ứng dụng (API)")


class FaceConsent(models.Model):
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("công dân"),
        on_delete=models.CASCADE,
        related_name="face_consents",
    )
    channel = models.CharField(_("nơi đồng ý"), max_length=20, choices=ConsentChannel.choices)
    # The exact text shown, so that what was agreed stays known when the wording changes later.
    text = models.TextField(_("nội dung đã đồng ý"))
    text_version = models.CharField(_("phiên bản nội dung"), max_length=20)
    given_at = models.DateTimeField(_("thời điểm đồng ý"))
    keep_until = models.DateTimeField(_("lưu đến"))
    withdrawn_at = models.DateTimeField(_("thời điểm rút lại"), null=True, blank=True)

    class Meta:
        verbose_name = _("đồng ý dùng khuôn mặt")
        verbose_name_plural = _("đồng ý dùng khuôn mặt")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["citizen", "withdrawn_at"])]

    def __str__(self) -> str:
        return f"{self.citizen} — {self.given_at:%d/%m/%Y}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class FaceEmbedding(models.Model):
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="face_embeddings"
    )
    consent = models.ForeignKey(FaceConsent, on_delete=models.CASCADE, related_name="embeddings")
    embedder = models.CharField(max_length=40)  # vectors of different models are never compared
    vector = models.BinaryField()  # Fernet token of the float32 vector
    birth_date_key = models.CharField(max_length=32, blank=True)
    phone_key = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("đặc trưng khuôn mặt")
        verbose_name_plural = _("đặc trưng khuôn mặt")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.embedder})"


class IndexOperation(models.TextChoices):
    ADD = "add"
    REMOVE = "remove"


class FaceIndexChange(models.Model):
    """`version` is taken under a row lock on `FaceIndexVersion` in the same transaction, so versions
    become visible in commit order and a process that has applied version v has seen every change ≤ v."""

    version = models.PositiveBigIntegerField(unique=True)
    operation = models.CharField(max_length=10, choices=IndexOperation.choices)
    embedding_id = models.BigIntegerField()  # not a foreign key: the row is gone after a removal
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version"]

    def __str__(self) -> str:
        return f"v{self.version} {self.operation} #{self.embedding_id}"


class FaceIndexVersion(models.Model):
    """One row: the last version given to a `FaceIndexChange`."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"v{self.version}"


class LookupOutcome(models.TextChoices):
    FOUND = "found", _("Tìm thấy")
    NOT_FOUND = "not_found", _("Không tìm thấy")
    UNUSABLE_PHOTO = "unusable_photo", _("Ảnh không dùng được")
    LIVENESS_FAILED = "liveness_failed", _("Không qua kiểm tra người thật")
    RATE_LIMITED = "rate_limited", _("Vượt giới hạn số lần")


class FaceLookupAttempt(models.Model):
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    client = models.CharField(_("máy khách (băm)"), max_length=64)
    factor = models.CharField(_("yếu tố nhớ"), max_length=20)
    outcome = models.CharField(_("kết quả"), max_length=20, choices=LookupOutcome.choices)
    detail = models.CharField(_("chi tiết"), max_length=40, blank=True)
    candidates = models.PositiveIntegerField(_("số người trong nhóm"), default=0)
    best_distance = models.FloatField(_("khoảng cách gần nhất"), null=True, blank=True)
    threshold = models.FloatField(_("ngưỡng"), null=True, blank=True)
    matched = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("công dân tìm thấy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lượt tra cứu bằng khuôn mặt")
        verbose_name_plural = _("lượt tra cứu bằng khuôn mặt")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.outcome}"


class DuplicateEnrolment(models.Model):
    """Two citizens whose faces match across the whole gallery: perhaps one person under two identification
    numbers, perhaps twins. A person decides."""

    first = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("công dân 1"), on_delete=models.CASCADE, related_name="+"
    )
    second = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("công dân 2"), on_delete=models.CASCADE, related_name="+"
    )
    distance = models.FloatField(_("khoảng cách"))
    found_at = models.DateTimeField(_("phát hiện lúc"))
    reviewed_at = models.DateTimeField(_("đã xem xét lúc"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("nghi trùng khuôn mặt")
        verbose_name_plural = _("nghi trùng khuôn mặt")
        ordering = ["-found_at"]
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="faceid_duplicate_pair")]

    def __str__(self) -> str:
        return f"{self.first} ↔ {self.second} ({self.distance:.2f})"
