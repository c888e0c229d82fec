"""API shapes of notifications. Labels follow the request's language (Vietnamese by default)."""

# No `from __future__ import annotations`: django-ninja resolves the schema annotations at import time.

from datetime import datetime

from ninja import Schema
from pydantic import Field

from mekong.accounts.api import ErrorOut
from mekong.notify.models import InboxMessage, NotificationKind
from mekong.notify.selectors import ChannelChoice

Error = ErrorOut


class NotificationOut(Schema):
    id: int = Field(description="Mã thông báo trong hộp thư.")
    kind: NotificationKind
    kind_label: str
    subject: str
    body: str
    dossier_code: str
    link: str = Field(description="Trang hồ sơ trên Cổng dịch vụ công.")
    created_at: datetime
    read_at: datetime | None
    is_read: bool

    @staticmethod
    def resolve_kind(obj: InboxMessage) -> str:
        return obj.notification.kind

    @staticmethod
    def resolve_kind_label(obj: InboxMessage) -> str:
        return str(NotificationKind(obj.notification.kind).label)

    @staticmethod
    def resolve_subject(obj: InboxMessage) -> str:
        return obj.notification.subject

    @staticmethod
    def resolve_body(obj: InboxMessage) -> str:
        return obj.notification.body

    @staticmethod
    def resolve_dossier_code(obj: InboxMessage) -> str:
        return obj.notification.dossier.code or ""

    @staticmethod
    def resolve_link(obj: InboxMessage) -> str:
        return obj.notification.link

    @staticmethod
    def resolve_is_read(obj: InboxMessage) -> bool:
        return obj.read_at is not None


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int = Field(description="Số thông báo vừa được đánh dấu đã đọc.")


class ChannelOut(Schema):
    name: str = Field(examples=["sms"])
    label: str
    enabled: bool = Field(description="Thông báo được gửi qua kênh này.")
    available: bool = Field(description="Tài khoản có địa chỉ cho kênh này (số điện thoại, thư điện tử).")
    always_on: bool = Field(description="Kênh luôn bật, không tắt được.")
    address: str

    @staticmethod
    def resolve_label(obj: ChannelChoice) -> str:
        return str(obj.channel.label)

    @staticmethod
    def resolve_always_on(obj: ChannelChoice) -> bool:
        return obj.channel.always_on


class PreferencesOut(Schema):
    channels: list[ChannelOut]
    language: str = Field(description="Ngôn ngữ của thông báo: vi hoặc en.")


class PreferencesIn(Schema):
    channels: list[str] = Field(
        ...,
        max_length=20,
        description="Các kênh muốn nhận thông báo (inapp luôn bật). Kênh cần có địa chỉ trong tài khoản.",
        examples=[["inapp", "sms", "email"]],
    )
    language: str = Field("vi", max_length=8, description="vi hoặc en.")
