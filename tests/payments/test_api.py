"""/api/v1/dossiers/{code}/fees, /payment-request, /payments, /payments/counter."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import CitizenFactory
from dossiers.api_support import Api
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import Status
from mekong.payments import actions
from mekong.payments.gateways.contrib.sandbox.plugin import sandbox
from mekong.payments.gateways.contrib.vnpay import protocol
from mekong.payments.models import Payment

from .conftest import SANDBOX_SECRET
from .factories import (
    FIXED_FEE,
    PER_COPY,
    awaiting_payment,
    fee_shop,
    gateway_result,
    received,
    started_payment,
)

pytestmark = pytest.mark.django_db


def test_fees_are_computed_from_the_form() -> None:
    shop = fee_shop()
    dossier = received(shop, copies=4)
    for user in (shop.receiver, shop.citizen):
        response = Api(user).get(f"/{dossier.code}/fees")
        assert response.status_code == 200, response.content
        assert response.json()["total"] == FIXED_FEE + 4 * PER_COPY
        assert [item["quantity"] for item in response.json()["items"]] == [1, 4]
    assert Api(CitizenFactory()).get(f"/{dossier.code}/fees").status_code == 404


def test_the_officer_requests_payment_and_everyone_sees_what_is_due() -> None:
    shop = fee_shop()
    dossier = received(shop, copies=1)
    response = Api(shop.receiver).post(f"/{dossier.code}/payment-request", {"note": "Nộp trong 3 ngày"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == Status.PAYMENT_REQUESTED
    assert body["amount_due"] == FIXED_FEE + PER_COPY
    assert [line["subtotal"] for line in body["fees_due"]] == [FIXED_FEE, PER_COPY]
    assert body["payments"] == []
    assert body["receipts"] == []
    again = Api(shop.citizen).get(f"/{dossier.code}/payments").json()
    assert again["amount_due"] == FIXED_FEE + PER_COPY


def test_a_citizen_cannot_request_payment() -> None:
    shop = fee_shop()
    dossier = received(shop)
    response = Api(shop.citizen).post(f"/{dossier.code}/payment-request", {})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert response.json()["message_en"]
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED


def test_the_citizen_gets_the_payment_url_once_per_key() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    api = Api(shop.citizen)
    first = api.post(f"/{dossier.code}/payments", {}, key="tra-phi-1")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["gateway"] == "sandbox"
    assert body["amount"] == FIXED_FEE + 2 * PER_COPY
    params = dict(parse_qsl(urlsplit(body["payment_url"]).query))
    assert params["vnp_TxnRef"] == body["txn_ref"]
    assert protocol.verify(params, SANDBOX_SECRET)

    replay = api.post(f"/{dossier.code}/payments", {}, key="tra-phi-1")
    assert replay.status_code == 201
    assert replay.json() == body
    tap_again = api.post(f"/{dossier.code}/payments", {})  # no key: the open order is given again
    assert tap_again.json()["txn_ref"] == body["txn_ref"]
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_citizen", 404), ("officer", 403)],
)
def test_only_the_applicant_starts_a_payment(who: str, status: int) -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    user = CitizenFactory() if who == "other_citizen" else shop.receiver
    response = Api(user).post(f"/{dossier.code}/payments", {})
    assert response.status_code == status
    assert not Payment.objects.exists()


def test_paying_when_nothing_is_due_or_with_an_unknown_gateway() -> None:
    shop = fee_shop()
    dossier = received(shop)
    response = Api(shop.citizen).post(f"/{dossier.code}/payments", {})
    assert response.status_code == 409
    assert response.json()["code"] == "not_awaiting_payment"
    due = awaiting_payment(shop)
    unknown = Api(shop.citizen).post(f"/{due.code}/payments", {"gateway": "paypal"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "gateway"


def test_gateway_unavailable_is_503(settings: Any) -> None:
    settings.MEKONG_PAYMENT_SANDBOX = False
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    response = Api(shop.citizen).post(f"/{dossier.code}/payments", {})
    assert response.status_code == 503
    assert response.json()["code"] == "gateway_unavailable"


def test_payments_list_with_history_and_receipt_in_constant_queries() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    api = Api(shop.citizen)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/{dossier.code}/payments").status_code == 200
        return len(captured)

    first = started_payment(shop, dossier)
    actions.handle_notification(sandbox, gateway_result(first, approved=False))
    queries()  # the first request of a token also records its use
    one = queries()
    for _ in range(3):
        Payment.objects.filter(dossier=dossier, status="pending").update(expires_at=first.created_at)
        attempt = started_payment(shop, dossier)
        actions.handle_notification(sandbox, gateway_result(attempt, approved=False))
    assert queries() == one

    last = started_payment(shop, dossier)
    actions.handle_notification(sandbox, gateway_result(last))
    body = api.get(f"/{dossier.code}/payments").json()
    assert body["amount_due"] is None
    assert next(p["status"] for p in body["payments"]) == "paid"
    assert len(body["payments"]) == 5
    assert [h["kind"] for h in body["payments"][0]["history"]] == ["created", "gateway_result"]
    [receipt] = body["receipts"]
    assert receipt["kind"] == "fee_receipt"
    download = api.client.get(receipt["download_url"], **api.headers)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"


def test_the_receiving_officer_confirms_a_counter_payment() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    response = Api(shop.receiver).post(f"/{dossier.code}/payments/counter", {"reference": "0000123"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["channel"], body["status"], body["transaction_no"]) == ("counter", "paid", "0000123")
    assert [h["kind"] for h in body["history"]] == ["created", "counter"]
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED
    assert Api(shop.citizen).post(f"/{dossier.code}/payments/counter", {}).status_code == 403
