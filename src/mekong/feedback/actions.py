"""Ratings and feedback: a citizen rates their returned dossier; an officer of its agency handles the feedback.
Each function runs in one transaction and tells the IOC (`signals.rating_changed`) in it."""

from __future__ import annotations

from datetime import datetime

import structlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mekong.accounts import permissions
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.core.errors import DomainError, FieldError, PermissionDenied
from mekong.dossiers.calendar import province_calendar
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import Status
from mekong.feedback.models import Rating
from mekong.feedback.signals import rating_changed

log = structlog.get_logger(__name__)

# Phản ánh, kiến nghị: handled within 15 working days (docs/decisions/0007-ioc-aggregates.md).
FEEDBACK_WORKING_DAYS = 15
HANDLING_ROLES = (Role.RECEIVING_OFFICER, Role.LEADER)


def rate(
    dossier: Dossier, *, actor: User, score: int, comment: str = "", at: datetime | None = None
) -> Rating:
    """The citizen who filed the dossier rates it once it is returned (10 Đã trả kết quả)."""
    at = at or timezone.now()
    if dossier.applicant_id is None or dossier.applicant_id != actor.pk:
        raise PermissionDenied(_("Chỉ người nộp hồ sơ được đánh giá hồ sơ này."))
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError(
            _("Mức đánh giá phải từ 1 đến 5 sao."), errors=[FieldError("score", _("Chọn từ 1 đến 5 sao."))]
        )
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise DomainError(
            _("Phản ánh dài quá 2.000 ký tự."), errors=[FieldError("comment", _("Rút gọn nội dung."))]
        )
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
        if locked.status != Status.RESULT_RETURNED:
            raise DomainError(_("Chỉ đánh giá được hồ sơ đã trả kết quả."), code="not_returned", status=409)
        if Rating.objects.filter(dossier=locked).exists():
            raise DomainError(_("Hồ sơ này đã được đánh giá."), code="already_rated", status=409)
        due = None
        if comment:
            due = province_calendar().add_working_days(at, FEEDBACK_WORKING_DAYS)
        rating = Rating.objects.create(
            dossier=locked, score=score, comment=comment, created_by=actor, created_at=at, feedback_due_at=due
        )
        rating_changed.send(sender=Rating, rating=rating)
    log.info("dossier_rated", dossier=locked.code, score=score, feedback=bool(comment))
    return rating


def handle_feedback(rating: Rating, *, actor: User, response: str, at: datetime | None = None) -> Rating:
    """An officer (receiving officer or leader of the dossier's agency) answers the citizen's feedback."""
    at = at or timezone.now()
    response = (response or "").strip()
    if not response:
        raise DomainError(
            _("Vui lòng nhập nội dung trả lời."), errors=[FieldError("response", _("Chưa có nội dung."))]
        )
    with transaction.atomic():
        locked = Rating.objects.select_for_update(of=("self",)).select_related("dossier").get(pk=rating.pk)
        agency_id = locked.dossier.agency_id
        if not any(permissions.can_act(actor, agency_id, role) for role in HANDLING_ROLES):
            raise PermissionDenied(_("Chỉ cán bộ một cửa hoặc lãnh đạo của cơ quan được xử lý phản ánh."))
        if not locked.has_feedback:
            raise DomainError(_("Đánh giá này không có phản ánh cần xử lý."), code="no_feedback", status=409)
        if locked.handled_at is not None:
            raise DomainError(_("Phản ánh này đã được xử lý."), code="already_handled", status=409)
        locked.handled_at = at
        locked.handled_by = actor
        locked.response = response
        locked.save(update_fields=["handled_at", "handled_by", "response"])
        rating_changed.send(sender=Rating, rating=locked)
    log.info("feedback_handled", dossier=locked.dossier.code, rating=locked.pk)
    return locked
