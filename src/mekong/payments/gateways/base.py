"""What a payment gateway plugin provides (`Gateway`), and the gateway-neutral values the payments app
works with: the `Order` it asks a gateway to collect and the `Result` a gateway reports back.

A plugin lives in `gateways/contrib/<name>/` and registers an instance with `gateways.registry`. It turns an
order into the address the citizen's browser is sent to, checks and reads what the gateway sends back (to
the return URL and to the server-to-server notification), and says how to answer the notification. What a
result *does* — the payment's status, the dossier — is decided once, in `payments.actions`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

Meaning = tuple[str, str]  # (Vietnamese, English)


class Verdict(StrEnum):
    """How the payments app took a notification; each gateway says it in its own words."""

    CONFIRMED = "confirmed"
    ORDER_NOT_FOUND = "order_not_found"
    ALREADY_CONFIRMED = "already_confirmed"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_SIGNATURE = "invalid_signature"
    UNKNOWN_ERROR = "unknown_error"


@dataclass(frozen=True)
class Order:
    """One trip to the gateway: our reference, the amount in VND, and where the citizen comes back to."""

    txn_ref: str
    amount: int
    description: str
    return_url: str
    client_ip: str
    created_at: datetime
    expires_at: datetime
    locale: str = "vi"


@dataclass(frozen=True)
class Result:
    """A gateway's signed report on one order, after its signature was checked."""

    txn_ref: str
    amount: int  # VND
    succeeded: bool
    transaction_no: str
    response_code: str
    paid_at: datetime | None = None
    details: dict[str, str] = field(default_factory=dict)


class InvalidSignature(Exception):
    """The parameters are not signed with our secret: forged, altered, or for someone else."""


class MalformedCallback(Exception):
    """Signed, but not a result we can read (a field missing or out of shape)."""


class Gateway(ABC):
    name: str
    label: Any  # a lazy translation

    @abstractmethod
    def is_enabled(self) -> bool:
        """Configured and allowed to take payments here."""

    @abstractmethod
    def payment_url(self, order: Order) -> str:
        """The address that takes the citizen to the gateway to pay `order`."""

    @abstractmethod
    def read_callback(self, params: Mapping[str, str]) -> Result:
        """Check the signature of what the gateway sent and read it. Raises InvalidSignature or
        MalformedCallback."""

    @abstractmethod
    def notification_reply(self, verdict: Verdict) -> dict[str, str]:
        """The JSON body that answers the gateway's server-to-server notification."""

    @abstractmethod
    def describe(self, result: Result) -> Meaning:
        """What the result means for the citizen, in Vietnamese and English."""
