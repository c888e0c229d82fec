"""/api/v1/notifications: the signed-in user's inbox and their choice of channels.

Every operation needs a bearer token. A notification that is not the caller's answers 404. Errors have
the shared shape (`Error`).
"""

# No `from __future__ import annotations`: django-ninja resolves the annotations at import time.

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from mekong.accounts.auth import bearer_token
from mekong.accounts.models import ApiToken, User
from mekong.core.errors import DomainError
from mekong.notify import actions, selectors
from mekong.notify.models import InboxMessage
from mekong.notify.schemas import Error, MarkedOut, NotificationOut, PreferencesIn, PreferencesOut, UnreadOut

router = Router(auth=bearer_token)


def _user(request: HttpRequest) -> User:
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # bearer_token guards these operations; this only narrows the type
        raise DomainError(_("Cần đăng nhập: thiếu hoặc sai mã truy cập."), code="unauthorized", status=401)
    return token.user


class InboxFilters(Schema):
    unread: bool = Field(False, description="Chỉ thông báo chưa đọc.")


@router.get(
    "",
    response={200: list[NotificationOut], 401: Error, 422: Error},
    summary="Thông báo của tôi",
    url_name="notifications",
)
@paginate(PageNumberPagination, page_size=20, max_page_size=100)
def list_notifications(request: HttpRequest, filters: Query[InboxFilters]) -> QuerySet[InboxMessage]:
    return selectors.inbox(_user(request), unread_only=filters.unread)


@router.get("/unread-count", response={200: UnreadOut, 401: Error}, summary="Số thông báo chưa đọc")
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.unread_count(_user(request))}


@router.post(
    "/{message_id}/read",
    response={200: NotificationOut, 401: Error, 404: Error, 422: Error},
    summary="Đánh dấu đã đọc",
    url_name="notification_read",
)
def mark_read(request: HttpRequest, message_id: int) -> InboxMessage:
    return actions.mark_read(_user(request), message_id)


@router.post("/read-all", response={200: MarkedOut, 401: Error}, summary="Đánh dấu tất cả đã đọc")
def mark_all_read(request: HttpRequest) -> dict[str, int]:
    return {"marked": actions.mark_all_read(_user(request))}


def _preferences(user: User) -> dict[str, Any]:
    preferences = selectors.preferences_of(user)
    return {
        "channels": selectors.channel_choices(user, preferences),
        "language": preferences.language,
    }


@router.get(
    "/preferences",
    response={200: PreferencesOut, 401: Error},
    summary="Kênh nhận thông báo của tôi",
    url_name="notification_preferences",
)
def get_preferences(request: HttpRequest) -> dict[str, Any]:
    return _preferences(_user(request))


@router.put(
    "/preferences",
    response={200: PreferencesOut, 400: Error, 401: Error, 422: Error},
    summary="Chọn kênh nhận thông báo",
)
def set_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    user = _user(request)
    actions.set_preferences(user, channels=payload.channels, language=payload.language)
    return _preferences(user)
