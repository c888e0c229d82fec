"""A payment's status only moves forward (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mekong.payments.states import Outcome, PaymentStatus, after


def test_the_moves() -> None:
    assert after("pending", "paid") == PaymentStatus.PAID
    assert after("pending", "failed") == PaymentStatus.FAILED
    assert after("failed", "paid") == PaymentStatus.PAID  # a late success: the money was taken
    assert after("failed", "failed") is None  # a replay
    assert after("paid", "paid") is None  # a replay
    assert after("paid", "failed") is None  # a late failure never overwrites paid


@given(st.lists(st.sampled_from(list(Outcome)), max_size=20))
def test_any_sequence_of_results_ends_paid_once_a_payment_succeeded(outcomes: list[Outcome]) -> None:
    status = PaymentStatus.PENDING
    history = [status]
    for outcome in outcomes:
        moved = after(status, outcome)
        if moved is not None:
            status = moved
            history.append(status)
    if Outcome.PAID in outcomes:
        assert status == PaymentStatus.PAID
        assert history.index(PaymentStatus.PAID) == len(history) - 1  # nothing after paid
    else:
        assert status == (PaymentStatus.FAILED if outcomes else PaymentStatus.PENDING)
    assert len(history) <= 3
