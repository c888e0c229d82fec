"""The interface an SMS gateway adapter implements.

A real provider (a Vietnamese brandname-SMS gateway, say) subclasses `SmsProvider`, reads its credentials
from settings or the environment, and is selected with MEKONG_SMS_PROVIDER=<dotted path>. It should pass
`idempotency_key` to the gateway when the gateway accepts a client reference (so a retried request is
not sent twice), raise `SmsRejected` for a number or text the gateway refuses for good, and `SmsError`
for anything worth retrying (timeouts, 5xx, throttling).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from mekong.notify.channels.base import DeliveryError, PermanentDeliveryError


class SmsError(DeliveryError):
    """The gateway did not take the message now."""


class SmsRejected(PermanentDeliveryError):
    """The gateway refuses this number or text; retrying will not help."""


@dataclass(frozen=True)
class SmsReceipt:
    reference: str  # the gateway's message id
    duplicate: bool = False  # the gateway had already accepted this idempotency key


class SmsProvider(ABC):
    @abstractmethod
    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        """Hand one text to the gateway. Raise SmsError / SmsRejected as described above."""
