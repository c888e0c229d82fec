"""Requesting fees and starting an online payment: amounts from the fee items, permissions, reuse."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone

from accounts.factories import CitizenFactory, OfficialFactory, RoleAssignmentFactory
from mekong.accounts.roles import Role
from mekong.core.errors import DomainError, PermissionDenied
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import Command, Status
from mekong.payments import actions
from mekong.payments.gateways.contrib.sandbox.plugin import sandbox
from mekong.payments.gateways.contrib.vnpay import protocol
from mekong.payments.models import Payment, PaymentChannel, PaymentStatus

from .conftest import SANDBOX_SECRET
from .factories import FIXED_FEE, PER_COPY, awaiting_payment, fee_shop, received

pytestmark = pytest.mark.django_db


def test_the_officer_asks_for_what_the_fee_items_come_to() -> None:
    shop = fee_shop()
    dossier = actions.request_payment(
        received(shop, copies=3), actor=shop.specialist, note="Nộp trong 5 ngày"
    )

    assert dossier.status == Status.PAYMENT_REQUESTED
    event = dossier.events.get(command=Command.REQUEST_PAYMENT)
    assert event.data["amount"] == FIXED_FEE + 3 * PER_COPY
    assert [(line["name"], line["quantity"], line["subtotal"]) for line in event.data["fees"]] == [
        ("Lệ phí cấp giấy", 1, FIXED_FEE),
        ("Phí cấp bản sao", 3, 3 * PER_COPY),
    ]
    assert event.note == "Nộp trong 5 ngày"


def test_a_procedure_without_fees_cannot_ask_for_payment() -> None:
    shop = fee_shop()
    shop.procedure.fee_items.all().delete()
    dossier = received(shop)
    with pytest.raises(DomainError) as refused:
        actions.request_payment(dossier, actor=shop.receiver)
    assert refused.value.code == "no_fee_due"
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_a_count_that_is_not_a_number_is_named() -> None:
    shop = fee_shop()
    dossier = received(shop)
    Dossier.objects.filter(pk=dossier.pk).update(form_data={"ho_ten": "An", "so_ban": "hai"})
    dossier.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        actions.request_payment(dossier, actor=shop.receiver)
    assert refused.value.errors[0].field == "form_data.so_ban"
    assert "so_ban" in refused.value.as_dict()["message_en"]


def test_only_officers_of_the_agency_ask_for_payment() -> None:
    shop = fee_shop()
    dossier = received(shop)
    elsewhere = OfficialFactory()
    RoleAssignmentFactory(user=elsewhere, role=Role.RECEIVING_OFFICER)  # another agency
    for user in (shop.citizen, elsewhere, shop.leader):
        with pytest.raises(PermissionDenied):
            actions.request_payment(dossier, actor=user)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_the_citizen_gets_a_signed_url_for_the_amount_due() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop, copies=1)
    started = actions.start_online_payment(dossier, actor=shop.citizen, client_ip="203.0.113.7")

    payment = started.payment
    assert payment.gateway == "sandbox"
    assert payment.channel == PaymentChannel.ONLINE
    assert payment.status == PaymentStatus.PENDING
    assert payment.amount == FIXED_FEE + PER_COPY
    assert payment.txn_ref.startswith("T")
    assert len(payment.txn_ref) == 17
    assert payment.events.get().kind == "created"
    parts = urlsplit(started.url)
    assert parts.path == "/sandbox-gateway/paymentv2/vpcpay.html"
    params = dict(parse_qsl(parts.query))
    assert protocol.verify(params, SANDBOX_SECRET)
    assert params["vnp_TxnRef"] == payment.txn_ref
    assert params["vnp_Amount"] == str(payment.amount * 100)
    assert params["vnp_IpAddr"] == "203.0.113.7"
    assert params["vnp_TmnCode"] == sandbox.tmn_code()
    assert params["vnp_ReturnUrl"].endswith("/thanh-toan/sandbox/ket-qua/")
    assert params["vnp_OrderInfo"] == f"Nop phi le phi ho so {dossier.code}"


def test_a_second_tap_gets_the_same_order_until_it_expires() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    first = actions.start_online_payment(dossier, actor=shop.citizen)
    again = actions.start_online_payment(dossier, actor=shop.citizen)
    assert again.payment.pk == first.payment.pk
    assert again.url == first.url  # rebuilt from what the payment stored: the very same signed URL

    later = timezone.now() + timedelta(minutes=20)
    renewed = actions.start_online_payment(dossier, actor=shop.citizen, now=later)
    assert renewed.payment.pk != first.payment.pk
    assert Payment.objects.filter(dossier=dossier).count() == 2


def test_only_the_applicant_pays_and_only_while_payment_is_due() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    for someone in (CitizenFactory(), shop.receiver):
        with pytest.raises(PermissionDenied):
            actions.start_online_payment(dossier, actor=someone)
    not_due = received(shop)
    with pytest.raises(DomainError) as refused:
        actions.start_online_payment(not_due, actor=shop.citizen)
    assert (refused.value.status, refused.value.code) == (409, "not_awaiting_payment")
    assert not Payment.objects.exists()


def test_no_gateway_enabled_is_a_clear_503(settings: Any) -> None:
    settings.MEKONG_PAYMENT_SANDBOX = False
    settings.VNPAY_TMN_CODE = ""
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    with pytest.raises(DomainError) as refused:
        actions.start_online_payment(dossier, actor=shop.citizen)
    assert refused.value.status == 503
    assert refused.value.code == "gateway_unavailable"


def test_vnpay_is_used_once_configured(settings: Any) -> None:
    settings.MEKONG_PAYMENT_SANDBOX = False
    settings.VNPAY_TMN_CODE = "2QXUI4J4"
    settings.VNPAY_HASH_SECRET = "VNPAYSECRETFORTESTS0123456789ABCD"
    shop = fee_shop()
    started = actions.start_online_payment(awaiting_payment(shop), actor=shop.citizen)
    assert started.payment.gateway == "vnpay"
    assert started.url.startswith("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?")
    params = dict(parse_qsl(urlsplit(started.url).query))
    assert params["vnp_TmnCode"] == "2QXUI4J4"
    assert protocol.verify(params, settings.VNPAY_HASH_SECRET)


def test_the_officer_records_fees_paid_at_the_counter() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    payment = actions.confirm_counter_payment(dossier, actor=shop.receiver, reference="0001234")

    assert (payment.channel, payment.status, payment.transaction_no) == ("counter", "paid", "0001234")
    assert payment.paid_at is not None
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    pay = dossier.events.get(command=Command.PAY)
    assert pay.actor_id == shop.receiver.pk
    assert pay.data["channel"] == "counter"
    assert pay.data["payment"] == payment.txn_ref
    with pytest.raises(DomainError):  # nothing is owed any more
        actions.confirm_counter_payment(dossier, actor=shop.receiver)


def test_a_specialist_or_the_citizen_cannot_record_a_counter_payment() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    for someone in (shop.specialist, shop.citizen):
        with pytest.raises(PermissionDenied):
            actions.confirm_counter_payment(dossier, actor=someone)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PAYMENT_REQUESTED
