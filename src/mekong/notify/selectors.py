"""Reading notifications: the inbox, the unread count, and a citizen's channel choices."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from mekong.accounts.models import User
from mekong.notify.channels.base import Channel
from mekong.notify.channels.registry import registry
from mekong.notify.models import InboxMessage, NotificationPreference

DEFAULT_LANGUAGE = "vi"


@dataclass(frozen=True)
class Preferences:
    channels: tuple[str, ...]  # every channel a notification goes to, the always-on ones included
    language: str
    chosen: bool  # False: the defaults, the citizen has not chosen yet


@dataclass(frozen=True)
class ChannelChoice:
    channel: Channel
    enabled: bool
    available: bool  # the account has an address for it
    address: str

    @property
    def name(self) -> str:
        return self.channel.name


def preferences_of(user: User) -> Preferences:
    """The channels `user` receives notifications on: the always-on ones, plus those chosen (or, before
    any choice, those on by default) that can reach the account now."""
    stored = NotificationPreference.objects.filter(user_id=user.pk).first()
    wanted = set(stored.channels) if stored is not None else None
    channels = []
    for channel in registry:
        if channel.address_for(user) is None:
            continue
        if channel.always_on or (
            channel.name in wanted if wanted is not None else channel.on_by_default(user)
        ):
            channels.append(channel.name)
    return Preferences(
        channels=tuple(channels),
        language=stored.language if stored is not None else DEFAULT_LANGUAGE,
        chosen=stored is not None,
    )


def channel_choices(user: User, preferences: Preferences | None = None) -> list[ChannelChoice]:
    preferences = preferences or preferences_of(user)
    choices = []
    for channel in registry:
        address = channel.address_for(user)
        choices.append(
            ChannelChoice(
                channel=channel,
                enabled=channel.name in preferences.channels,
                available=address is not None,
                address=address or "",
            )
        )
    return choices


def inbox(user: User, *, unread_only: bool = False) -> QuerySet[InboxMessage]:
    """The user's inbox, newest first, each row with its notification and dossier (one query)."""
    rows = InboxMessage.objects.filter(recipient_id=user.pk).select_related(
        "notification", "notification__dossier"
    )
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return InboxMessage.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
