"""What a notification channel is. A channel reaches a user at an address (a phone number, an email
address, or our own inbox) and sends one message there, given an idempotency key.

Contract of `send`:
* it receives the same `key` every time the same delivery is attempted, so a provider that can deduplicate
  (our inbox, the development SMS log, SMS gateways with a client reference) sends once however often
  it is called; it answers `Sent(duplicate=True)` when it recognised the key;
* it raises `PermanentDeliveryError` when trying again cannot help (an address refused), and
  `DeliveryError` (or anything else) for a failure worth retrying later.

A channel with `in_transaction = True` writes only to our database: it is delivered inside the transaction
that creates the notification, never through the queue.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from django.utils.functional import Promise

if TYPE_CHECKING:
    from mekong.accounts.models import User


@dataclass(frozen=True)
class OutgoingMessage:
    key: str  # idempotency key: the delivery's, the same on every attempt
    address: str
    subject: str
    body: str  # the inbox text
    email_body: str  # the same with greeting and signature
    sms_text: str
    link: str  # path of the dossier page
    language: str
    delivery_id: int
    notification_id: int
    recipient_id: int
    event_at: datetime  # when the dossier event happened


@dataclass(frozen=True)
class Sent:
    reference: str = ""  # what the provider calls the message (a Message-ID, a gateway's id)
    duplicate: bool = False  # the provider had already accepted this key: nothing was sent now


class DeliveryError(Exception):
    """The message could not be sent now; trying again later may work."""


class PermanentDeliveryError(DeliveryError):
    """The message cannot be sent to this address; trying again will not help."""


class Channel(ABC):
    name: ClassVar[str]
    label: ClassVar[str | Promise]
    description: ClassVar[str | Promise] = ""
    position: ClassVar[int] = 100  # where citizens see it among the channels
    always_on: ClassVar[bool] = False  # the citizen cannot turn it off
    in_transaction: ClassVar[bool] = False

    @abstractmethod
    def address_for(self, user: User) -> str | None:
        """Where `user` is reached on this channel, or None when they cannot be."""

    def on_by_default(self, user: User) -> bool:
        """Chosen for a citizen who has not chosen yet."""
        return self.address_for(user) is not None

    @abstractmethod
    def send(self, message: OutgoingMessage) -> Sent:
        """Send once per `message.key`; see the module docstring."""
