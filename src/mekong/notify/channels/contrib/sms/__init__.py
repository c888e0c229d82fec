"""SMS through a provider chosen in settings (MEKONG_SMS_PROVIDER, a dotted path to an `SmsProvider`).
The development provider appends to a log file (MEKONG_SMS_LOG, var/sms.log by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from mekong.notify.channels.base import Channel, OutgoingMessage, Sent
from mekong.notify.channels.contrib.sms.providers.base import SmsProvider
from mekong.notify.channels.registry import register

if TYPE_CHECKING:
    from mekong.accounts.models import User


def provider() -> SmsProvider:
    """The configured provider (built per message: settings may change, providers are cheap to make)."""
    provider_class = import_string(settings.MEKONG_SMS_PROVIDER)
    instance = provider_class()
    if not isinstance(instance, SmsProvider):
        raise TypeError(f"{settings.MEKONG_SMS_PROVIDER} is not an SmsProvider")
    return instance


@register
class SmsChannel(Channel):
    name = "sms"
    position = 20
    label = _("Tin nhắn SMS")
    description = _("Gửi đến số điện thoại của tài khoản.")

    def address_for(self, user: User) -> str | None:
        return user.phone or None

    def send(self, message: OutgoingMessage) -> Sent:
        receipt = provider().send(to=message.address, text=message.sms_text, idempotency_key=message.key)
        return Sent(reference=receipt.reference, duplicate=receipt.duplicate)
