"""/api/v1/faceid: look up one's dossiers by face, and manage one's consent and enrolled faces.

A lookup needs no account: `GET /challenge` gives a head-turn direction and a signed token valid for five
minutes and one use; `POST /lookup` sends the token, the remembered factor (date of birth or the last four
digits of the phone) and two photos — looking straight, then turned as asked. Answers: 200 with the
dossiers (code, procedure, status, dates; nothing more personal), 404 when no citizen matches (the same
answer whatever the reason), 422 for a photo or a movement that cannot be used (saying what to do), 429
past the per-client limit.
"""

# No `from __future__ import annotations`: django-ninja resolves the annotations at import time.

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile

from mekong.accounts.api import ErrorOut
from mekong.accounts.auth import bearer_token
from mekong.accounts.models import ApiToken, User
from mekong.accounts.throttle import client_address
from mekong.core.errors import DomainError, PermissionDenied
from mekong.faceid import actions, selectors
from mekong.faceid.models import ConsentChannel

router = Router()
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class ChallengeOut(Schema):
    challenge: str
    direction: str
    direction_label: str
    expires_at: datetime


class FoundDossierOut(Schema):
    code: str
    procedure: str
    status: int
    status_label: str
    submitted_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None


class LookupResultOut(Schema):
    dossiers: list[FoundDossierOut]


class EnrolmentOut(Schema):
    consented: bool
    faces: int
    given_at: datetime | None
    keep_until: datetime | None
    consent_text: str


class WithdrawOut(Schema):
    deleted: int


def _citizen(request: HttpRequest) -> User:
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise DomainError("Cần đăng nhập.", code="unauthorized", status=401)
    if not token.user.is_citizen:
        raise PermissionDenied(actions.CITIZENS_ONLY)
    return token.user


@router.get(
    "/challenge", response={200: ChallengeOut}, auth=None, summary="Lấy yêu cầu quay đầu cho một lượt tra cứu"
)
def challenge(request: HttpRequest) -> dict[str, Any]:
    issued = actions.new_challenge()
    return {
        "challenge": issued.token,
        "direction": issued.direction.value,
        "direction_label": str(actions.DIRECTION_LABELS[issued.direction]),
        "expires_at": issued.expires_at,
    }


@router.post(
    "/lookup",
    response={200: LookupResultOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="Tra cứu hồ sơ bằng khuôn mặt (không cần đăng nhập)",
)
def lookup(
    request: HttpRequest,
    frontal: File[UploadedFile],
    turned: File[UploadedFile],
    challenge: Form[str],
    factor_kind: Form[str],
    factor: Form[str],
) -> dict[str, Any]:
    answer = actions.identify(
        client=client_address(request),
        challenge=challenge,
        factor_kind=factor_kind,
        factor=factor,
        frontal=actions.read_upload(frontal),
        turned=actions.read_upload(turned),
    )
    return {"dossiers": selectors.found_dossiers(answer.dossiers)}


@router.get(
    "/enrolment",
    response={200: EnrolmentOut, **ERRORS},
    auth=bearer_token,
    summary="Tình trạng đăng ký khuôn mặt của tôi",
)
def my_enrolment(request: HttpRequest) -> dict[str, Any]:
    return selectors.enrolment_status(_citizen(request))


@router.post(
    "/enrolment/faces",
    response={201: EnrolmentOut, **ERRORS, 413: ErrorOut},
    auth=bearer_token,
    summary="Đồng ý và đăng ký một ảnh khuôn mặt",
    description="`consent` phải là true: người dùng đã đọc và đồng ý nội dung `consent_text` "
    "(GET /enrolment). Ảnh không được lưu; chỉ lưu đặc trưng khuôn mặt đã mã hóa.",
)
def enrol(
    request: HttpRequest,
    photo: File[UploadedFile],
    consent: Form[bool],
    birth_date: Form[date | None] = None,
) -> Status[dict[str, Any]]:
    citizen = _citizen(request)
    actions.enrol(
        citizen,
        photo=actions.read_upload(photo),
        consent_given=consent,
        channel=ConsentChannel.API,
        birth_date=birth_date,
    )
    return Status(201, selectors.enrolment_status(citizen))


@router.delete(
    "/enrolment",
    response={200: WithdrawOut, **ERRORS},
    auth=bearer_token,
    summary="Rút lại đồng ý và xóa dữ liệu khuôn mặt",
)
def withdraw(request: HttpRequest) -> dict[str, int]:
    return {"deleted": actions.withdraw_consent(_citizen(request))}
