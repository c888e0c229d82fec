"""A payment's status and the only ways it may change. Pure module, no Django.

Monotonic: a gateway result never takes a payment backwards. ``pending`` becomes ``paid`` or ``failed``;
``failed`` may still become ``paid`` (a bank that answers late: the money was taken, so it counts); ``paid``
is final. A result that would change nothing — a replayed notification, a late “failed” after “paid” —
is answered as already confirmed and leaves the payment as it is.
"""

from __future__ import annotations

from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"


class Outcome(StrEnum):
    """What the gateway says happened."""

    PAID = "paid"
    FAILED = "failed"


_MOVES: dict[tuple[PaymentStatus, Outcome], PaymentStatus] = {
    (PaymentStatus.PENDING, Outcome.PAID): PaymentStatus.PAID,
    (PaymentStatus.PENDING, Outcome.FAILED): PaymentStatus.FAILED,
    (PaymentStatus.FAILED, Outcome.PAID): PaymentStatus.PAID,
}


def after(current: PaymentStatus | str, outcome: Outcome | str) -> PaymentStatus | None:
    """The status after a gateway result, or None when the result changes nothing (already confirmed)."""
    return _MOVES.get((PaymentStatus(current), Outcome(outcome)))
