"""The gateway's notifications (IPN) through the real endpoint: verified, idempotent, monotonic and checked
against the amount due — each refusal leaves the payment and the dossier as they were and is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mekong.dossiers import actions as dossier_actions
from mekong.dossiers.models import Dossier, IssuedDocument, IssuedDocumentKind
from mekong.dossiers.states import Command, Status
from mekong.payments.models import (
    Attention,
    Payment,
    PaymentEvent,
    PaymentStatus,
    RefusalReason,
    RefusedCallback,
)

from .factories import FIXED_FEE, PER_COPY, awaiting_payment, fee_shop, gateway_result, started_payment

pytestmark = pytest.mark.django_db
IPN = reverse("payments:ipn", args=["sandbox"])


def notify(params: dict[str, str], client: Client | None = None) -> dict[str, Any]:
    response = (client or Client()).get(IPN, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def snapshot(payment: Payment) -> tuple[Any, ...]:
    payment.refresh_from_db()
    dossier = Dossier.objects.get(pk=payment.dossier_id)
    return (
        payment.status,
        payment.event_count,
        payment.transaction_no,
        payment.attention,
        dossier.status,
        dossier.event_count,
        IssuedDocument.objects.filter(dossier=dossier, kind=IssuedDocumentKind.FEE_RECEIPT).count(),
    )


@pytest.fixture
def pending() -> Payment:
    shop = fee_shop()
    dossier = awaiting_payment(shop, copies=2)
    payment = started_payment(shop, dossier)
    assert payment.amount == FIXED_FEE + 2 * PER_COPY
    return payment


def test_a_paid_notification_pays_the_dossier_and_issues_the_receipt(pending: Payment) -> None:
    reply = notify(gateway_result(pending, transaction_no="14226112"))

    assert reply == {"RspCode": "00", "Message": "Confirm Success"}
    pending.refresh_from_db()
    assert pending.status == PaymentStatus.PAID
    assert pending.transaction_no == "14226112"
    assert pending.bank_code == "NCB"
    assert [e.kind for e in pending.events.order_by("sequence")] == ["created", "gateway_result"]
    dossier = Dossier.objects.get(pk=pending.dossier_id)
    assert dossier.status == Status.RECEIVED  # back where the request paused it
    pay_event = dossier.events.get(command=Command.PAY)
    assert pay_event.actor is None
    assert pay_event.actor_role == "system"
    assert pay_event.data["payment"] == pending.txn_ref
    assert pay_event.data["transaction_no"] == "14226112"
    assert pay_event.data["amount"] == pending.amount
    receipt = IssuedDocument.objects.get(dossier=dossier, kind=IssuedDocumentKind.FEE_RECEIPT)
    assert receipt.event_id == pay_event.pk
    assert not RefusedCallback.objects.exists()


def test_a_forged_signature_is_refused_logged_and_changes_nothing(pending: Payment) -> None:
    before = snapshot(pending)
    forged = gateway_result(pending, secret="NOT-THE-GATEWAYS-SECRET-000000000")
    reply = notify(forged)

    assert reply == {"RspCode": "97", "Message": "Invalid signature"}
    assert snapshot(pending) == before
    refused = RefusedCallback.objects.get()
    assert refused.reason == RefusalReason.INVALID_SIGNATURE
    assert refused.source == "ipn"
    assert refused.txn_ref == pending.txn_ref
    assert refused.remote_addr == "127.0.0.1"
    assert refused.params["vnp_ResponseCode"] == "00"


def test_a_genuine_result_with_one_value_changed_is_forged(pending: Payment) -> None:
    before = snapshot(pending)
    tampered = {
        **gateway_result(pending, approved=False),
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
    }
    assert notify(tampered)["RspCode"] == "97"
    assert snapshot(pending) == before


def test_a_replayed_notification_changes_nothing(pending: Payment) -> None:
    paid = gateway_result(pending)
    assert notify(paid)["RspCode"] == "00"
    after_first = snapshot(pending)

    for _ in range(3):
        assert notify(paid) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert snapshot(pending) == after_first
    assert Dossier.objects.get(pk=pending.dossier_id).events.filter(command=Command.PAY).count() == 1
    assert not RefusedCallback.objects.exists()  # a replay is genuine, only redundant


def test_a_late_failure_never_overwrites_paid(pending: Payment) -> None:
    assert notify(gateway_result(pending))["RspCode"] == "00"
    after_paid = snapshot(pending)

    assert notify(gateway_result(pending, approved=False))["RspCode"] == "02"
    assert snapshot(pending) == after_paid
    assert after_paid[0] == PaymentStatus.PAID


def test_failure_then_success_out_of_order_ends_paid(pending: Payment) -> None:
    assert notify(gateway_result(pending, approved=False))["RspCode"] == "00"
    pending.refresh_from_db()
    assert pending.status == PaymentStatus.FAILED
    assert Dossier.objects.get(pk=pending.dossier_id).status == Status.PAYMENT_REQUESTED  # still owed

    assert notify(gateway_result(pending))["RspCode"] == "00"
    pending.refresh_from_db()
    assert pending.status == PaymentStatus.PAID
    assert [(e.from_status, e.to_status) for e in pending.events.order_by("sequence")] == [
        ("", "pending"),
        ("pending", "failed"),
        ("failed", "paid"),
    ]
    assert Dossier.objects.get(pk=pending.dossier_id).status == Status.RECEIVED


@pytest.mark.parametrize("reported", [FIXED_FEE, FIXED_FEE + 2 * PER_COPY + 100, 1])
def test_an_amount_that_differs_is_refused_and_flagged(pending: Payment, reported: int) -> None:
    dossier_before = Dossier.objects.get(pk=pending.dossier_id)
    reply = notify(gateway_result(pending, amount=reported))

    assert reply == {"RspCode": "04", "Message": "Invalid amount"}
    pending.refresh_from_db()
    assert pending.status == PaymentStatus.PENDING
    assert pending.attention == Attention.AMOUNT_MISMATCH
    assert pending.events.filter(kind="flagged").count() == 1
    dossier = Dossier.objects.get(pk=pending.dossier_id)
    assert (dossier.status, dossier.event_count) == (Status.PAYMENT_REQUESTED, dossier_before.event_count)
    refused = RefusedCallback.objects.get()
    assert (refused.reason, refused.payment_id) == (RefusalReason.AMOUNT_MISMATCH, pending.pk)

    # The genuine notification with the right amount still goes through afterwards.
    assert notify(gateway_result(pending))["RspCode"] == "00"
    assert Dossier.objects.get(pk=pending.dossier_id).status == Status.RECEIVED


def test_an_unknown_reference_is_refused(pending: Payment) -> None:
    before = snapshot(pending)
    params = gateway_result(pending, vnp_TxnRef="T000000NOSUCHREF")
    assert notify(params) == {"RspCode": "01", "Message": "Order not found"}
    assert snapshot(pending) == before
    assert RefusedCallback.objects.get().reason == RefusalReason.UNKNOWN_ORDER


def test_a_signed_but_unreadable_result_is_refused(pending: Payment) -> None:
    before = snapshot(pending)
    params = gateway_result(pending, vnp_Amount="6600050")  # not whole đồng, but signed
    assert notify(params)["RspCode"] == "99"
    assert snapshot(pending) == before
    assert RefusedCallback.objects.get().reason == RefusalReason.MALFORMED


def test_nothing_at_all_is_an_invalid_signature() -> None:
    assert notify({})["RspCode"] == "97"


def test_money_taken_after_the_dossier_was_withdrawn_is_flagged_for_refund(pending: Payment) -> None:
    dossier = Dossier.objects.get(pk=pending.dossier_id)
    dossier_actions.withdraw(dossier, actor=dossier.applicant, reason="Không cần nữa")

    assert notify(gateway_result(pending))["RspCode"] == "00"  # recorded: the gateway must stop retrying
    pending.refresh_from_db()
    assert pending.status == PaymentStatus.PAID
    assert pending.attention == Attention.NOT_AWAITED
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    assert not dossier.events.filter(command=Command.PAY).exists()


def test_a_second_attempt_paid_after_the_first_is_flagged_not_paid_twice() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    first = started_payment(shop, dossier)
    # The first order expires unpaid; the citizen starts another one.
    Payment.objects.filter(pk=first.pk).update(expires_at=first.created_at)
    second = started_payment(shop, dossier)
    assert second.pk != first.pk

    assert notify(gateway_result(second))["RspCode"] == "00"
    assert notify(gateway_result(first, transaction_no="99999999"))["RspCode"] == "00"

    first.refresh_from_db()
    assert first.status == PaymentStatus.PAID
    assert first.attention == Attention.NOT_AWAITED
    assert Dossier.objects.get(pk=dossier.pk).events.filter(command=Command.PAY).count() == 1


def test_the_endpoint_of_a_disabled_gateway_does_not_exist(pending: Payment, settings: Any) -> None:
    settings.MEKONG_PAYMENT_SANDBOX = False
    response = Client().get(IPN, gateway_result(pending))
    assert response.status_code == 404
    assert Client().get(reverse("payments:ipn", args=["paypal"])).status_code == 404
    assert PaymentEvent.objects.filter(payment=pending).count() == 1
