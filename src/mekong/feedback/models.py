"""A citizen's rating of a returned dossier (1–5 stars) with optional feedback (phản ánh, kiến nghị).

Feedback must be handled by an officer of the dossier's agency within `FEEDBACK_WORKING_DAYS` working days
(`feedback_due_at`, fixed when the rating is given). Written only by `feedback.actions`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.Model):
    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="rating"
    )
    score = models.PositiveSmallIntegerField(
        _("mức đánh giá"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("phản ánh, kiến nghị"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người đánh giá")
    )
    created_at = models.DateTimeField(_("thời điểm đánh giá"))
    feedback_due_at = models.DateTimeField(_("hạn xử lý phản ánh"), null=True, blank=True)
    handled_at = models.DateTimeField(_("thời điểm xử lý"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ xử lý"),
    )
    response = models.TextField(_("nội dung trả lời"), blank=True)

    class Meta:
        verbose_name = _("đánh giá của người dân")
        verbose_name_plural = _("đánh giá của người dân")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.score}/5"

    @property
    def has_feedback(self) -> bool:
        return bool(self.comment.strip())
