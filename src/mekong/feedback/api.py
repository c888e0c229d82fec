"""/api/v1/dossiers/{code}/rating and /api/v1/feedback/{id}/handle: citizens rate returned dossiers,
officers answer the feedback. Errors have the shared shape; a dossier the caller may not read answers 404."""

# No `from __future__ import annotations`: django-ninja resolves the annotations at import time.

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from pydantic import Field

from mekong.accounts import permissions
from mekong.accounts.auth import bearer_token
from mekong.core.errors import NotFound
from mekong.dossiers.api import ERRORS, api_user, readable_dossier
from mekong.feedback import actions
from mekong.feedback.models import Rating

router = Router(auth=bearer_token)
FEEDBACK_NOT_FOUND = _("Không tìm thấy phản ánh số {id}.")


class RatingIn(Schema):
    score: int = Field(ge=1, le=5, description="1 (rất không hài lòng) đến 5 (rất hài lòng)")
    comment: str = Field("", max_length=2000, description="Phản ánh, kiến nghị (không bắt buộc)")


class HandleIn(Schema):
    response: str = Field(..., max_length=4000)


class RatingOut(Schema):
    id: int
    dossier: str
    score: int
    comment: str
    created_at: datetime
    feedback_due_at: datetime | None
    handled_at: datetime | None
    response: str


def _out(rating: Rating) -> dict[str, Any]:
    return {
        "id": rating.pk,
        "dossier": rating.dossier.code,
        "score": rating.score,
        "comment": rating.comment,
        "created_at": rating.created_at,
        "feedback_due_at": rating.feedback_due_at,
        "handled_at": rating.handled_at,
        "response": rating.response,
    }


@router.post(
    "/dossiers/{code}/rating", response={201: RatingOut, **ERRORS}, summary="Đánh giá hồ sơ đã trả kết quả"
)
def rate(request: HttpRequest, code: str, payload: RatingIn) -> Status:
    rating = actions.rate(
        readable_dossier(request, code), actor=api_user(request), score=payload.score, comment=payload.comment
    )
    return Status(201, _out(rating))


@router.post(
    "/feedback/{rating_id}/handle", response={200: RatingOut, **ERRORS}, summary="Trả lời phản ánh (cán bộ)"
)
def handle(request: HttpRequest, rating_id: int, payload: HandleIn) -> dict[str, Any]:
    user = api_user(request)
    rating = Rating.objects.select_related("dossier").filter(pk=rating_id).first()
    if rating is None or not permissions.can_read_agency(user, rating.dossier.agency_id):
        raise NotFound(FEEDBACK_NOT_FOUND, id=rating_id)
    return _out(actions.handle_feedback(rating, actor=user, response=payload.response))
