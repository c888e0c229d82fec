"""The in-app inbox ("Thông báo" in the portal and `GET /api/v1/notifications`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from mekong.notify.channels.base import Channel, OutgoingMessage, Sent
from mekong.notify.channels.registry import register

if TYPE_CHECKING:
    from mekong.accounts.models import User


@register
class InboxChannel(Channel):
    name = "inapp"
    position = 10
    label = _("Hộp thư thông báo trên Cổng")
    description = _("Luôn bật: mọi thông báo đều có trong mục Thông báo khi bạn đăng nhập.")
    always_on = True
    # Our own table: written in the dossier event's transaction, exactly once by construction.
    in_transaction = True

    def address_for(self, user: User) -> str | None:
        return ""

    def send(self, message: OutgoingMessage) -> Sent:
        from mekong.notify.models import InboxMessage

        item, created = InboxMessage.objects.get_or_create(
            delivery_id=message.delivery_id,
            defaults={
                "notification_id": message.notification_id,
                "recipient_id": message.recipient_id,
                # In the inbox at the time of the event (the same moment, except for back-dated events).
                "created_at": message.event_at,
            },
        )
        return Sent(reference=f"inbox:{item.pk}", duplicate=not created)
