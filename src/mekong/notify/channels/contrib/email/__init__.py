"""Email through Django's email backends: SMTP in production (EMAIL_HOST…), files under var/mail in
development and the demo (settings.EMAIL_BACKEND).

Each message carries a Message-ID made from the delivery's key, the same on every attempt, so a copy sent
twice (possible with SMTP: see docs/decisions/0003-notification-delivery.md) is recognisably one message.
"""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext_lazy as _

from mekong.notify.channels.base import (
    Channel,
    DeliveryError,
    OutgoingMessage,
    PermanentDeliveryError,
    Sent,
)
from mekong.notify.channels.registry import register

if TYPE_CHECKING:
    from mekong.accounts.models import User


def message_id(key: str) -> str:
    domain = str(getattr(settings, "MEKONG_EMAIL_MESSAGE_ID_DOMAIN", "") or "mekong.localhost")
    return f"<notification.{key}@{domain}>"


@register
class EmailChannel(Channel):
    name = "email"
    position = 30
    label = _("Thư điện tử")
    description = _("Gửi đến địa chỉ thư điện tử của tài khoản.")

    def address_for(self, user: User) -> str | None:
        return user.email or None

    def send(self, message: OutgoingMessage) -> Sent:
        reference = message_id(message.key)
        email = EmailMessage(
            subject=message.subject,
            body=message.email_body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"Message-ID": reference, "X-Mekong-Delivery": message.key},
        )
        try:
            get_connection(fail_silently=False).send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentDeliveryError(f"recipient refused: {error.recipients}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from error
        return Sent(reference=reference)
