"""/api/v1/auth: exchange a password for a bearer token, see who the token belongs to, revoke it."""

# No `from __future__ import annotations`: django-ninja resolves the schema annotations at import time.

from datetime import datetime
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from mekong.accounts.actions import issue_api_token, revoke_api_token
from mekong.accounts.auth import bearer_token
from mekong.accounts.models import ApiToken, RoleAssignment, User
from mekong.accounts.throttle import SignInThrottle
from mekong.core.errors import DomainError

router = Router()

BAD_CREDENTIALS = _("Tên đăng nhập hoặc mật khẩu không đúng.")
TOO_MANY_FAILURES = _("Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.")


class TokenRequest(Schema):
    username: str = Field(
        ...,
        min_length=1,
        max_length=150,
        description="Tên đăng nhập (cán bộ), số định danh cá nhân hoặc số điện thoại (công dân).",
    )
    password: str = Field(..., min_length=1, max_length=4096)
    name: str = Field("", max_length=100, description="Tên gợi nhớ của mã truy cập, ví dụ tên thiết bị.")


class RoleOut(Schema):
    role: str
    role_label: str
    agency_code: str
    agency_name: str


class MeOut(Schema):
    id: int
    username: str
    kind: str
    kind_label: str
    full_name: str
    roles: list[RoleOut]


class TokenOut(Schema):
    token: str = Field(
        ..., description="Mã truy cập: chỉ hiển thị một lần. Gửi kèm: Authorization: Bearer <token>."
    )
    expires_at: datetime
    user: MeOut


class FieldErrorOut(Schema):
    field: str
    message: str
    message_en: str
    row: int | None = None


class ErrorOut(Schema):
    code: str
    message: str
    message_en: str
    errors: list[FieldErrorOut]


def describe_user(user: User) -> dict[str, Any]:
    assignments = (
        RoleAssignment.objects.filter(user=user).select_related("agency").order_by("agency__code", "role")
    )
    return {
        "id": user.pk,
        "username": user.username,
        "kind": user.kind,
        "kind_label": str(user.get_kind_display()),
        "full_name": user.full_name,
        "roles": [
            {
                "role": assignment.role,
                "role_label": str(assignment.get_role_display()),
                "agency_code": assignment.agency.code,
                "agency_name": assignment.agency.name,
            }
            for assignment in assignments
        ],
    }


def _current_token(request: HttpRequest) -> ApiToken:
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # bearer_token guards these operations; this only narrows the type
        raise DomainError(_("Cần đăng nhập: thiếu hoặc sai mã truy cập."), code="unauthorized", status=401)
    return token


@router.post(
    "/token",
    response={200: TokenOut, 401: ErrorOut, 429: ErrorOut},
    summary="Cấp mã truy cập (đăng nhập bằng mật khẩu)",
    auth=None,
)
def create_token(request: HttpRequest, payload: TokenRequest) -> HttpResponse | dict[str, Any]:
    throttle = SignInThrottle(request, payload.username)
    if throttle.is_blocked():
        minutes = throttle.limit.window_minutes
        error = DomainError(TOO_MANY_FAILURES, code="rate_limited", status=429, minutes=minutes)
        return JsonResponse(
            error.as_dict(), status=429, headers={"Retry-After": str(throttle.limit.window_seconds)}
        )

    user = authenticate(request, username=payload.username, password=payload.password)
    if not isinstance(user, User):
        throttle.record_failure()
        raise DomainError(BAD_CREDENTIALS, code="invalid_credentials", status=401)
    throttle.reset()

    token, secret = issue_api_token(user, payload.name)
    return {"token": secret, "expires_at": token.expires_at, "user": describe_user(user)}


@router.get(
    "/me", response={200: MeOut, 401: ErrorOut}, auth=bearer_token, summary="Tài khoản đang dùng mã truy cập"
)
def me(request: HttpRequest) -> dict[str, Any]:
    return describe_user(_current_token(request).user)


@router.delete(
    "/token", response={204: None, 401: ErrorOut}, auth=bearer_token, summary="Thu hồi mã truy cập này"
)
def delete_token(request: HttpRequest) -> Status[None]:
    revoke_api_token(_current_token(request))
    return Status(204, None)
