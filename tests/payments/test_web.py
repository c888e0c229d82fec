"""The pages: the citizen's notice and “Thanh toán” page, the return page, the officers' fees panel and
buttons, and the sandbox gateway's checks of a payment URL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.factories import CitizenFactory
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import Status
from mekong.payments import actions
from mekong.payments.gateways.contrib.sandbox.plugin import sandbox
from mekong.payments.gateways.contrib.vnpay import protocol
from mekong.payments.models import Payment, PaymentStatus, RefusedCallback

from .factories import awaiting_payment, fee_shop, gateway_result, received, started_payment

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_citizen_sees_the_notice_and_pays_through_the_gateway() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop, copies=1)
    client = signed_in(shop.citizen)

    page = client.get(reverse("portal:dossier", args=[dossier.code])).content.decode()
    assert "Cơ quan yêu cầu nộp phí, lệ phí" in page
    assert "58.000" in page
    assert reverse("payments:pay", args=[dossier.code]) in page

    pay_page = client.get(reverse("payments:pay", args=[dossier.code]))
    html = pay_page.content.decode()
    assert pay_page.status_code == 200
    assert "Phí cấp bản sao" in html
    assert "Lệ phí cấp giấy" in html
    assert "Thanh toán qua Cổng thanh toán thử nghiệm" in html

    response = client.post(reverse("payments:pay", args=[dossier.code]))
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("sandbox_gateway:pay")
    payment = Payment.objects.get()
    assert dict(parse_qsl(target.query))["vnp_TxnRef"] == payment.txn_ref


def test_no_notice_and_no_pay_page_when_nothing_is_due() -> None:
    shop = fee_shop()
    dossier = received(shop)
    client = signed_in(shop.citizen)
    assert (
        "Cơ quan yêu cầu nộp phí"
        not in client.get(reverse("portal:dossier", args=[dossier.code])).content.decode()
    )
    response = client.get(reverse("payments:pay", args=[dossier.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dossier", args=[dossier.code])


def test_someone_elses_dossier_has_no_pay_page() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    response = signed_in(CitizenFactory()).post(reverse("payments:pay", args=[dossier.code]))
    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_the_pay_page_says_when_no_gateway_is_ready(settings: Any) -> None:
    settings.MEKONG_PAYMENT_SANDBOX = False
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    client = signed_in(shop.citizen)
    assert "chưa sẵn sàng" in client.get(reverse("payments:pay", args=[dossier.code])).content.decode()
    refused = client.post(reverse("payments:pay", args=[dossier.code]))
    assert refused.status_code == 503
    assert not Payment.objects.exists()


def test_the_return_page_shows_the_outcome_and_changes_nothing() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    payment = started_payment(shop, dossier)
    client = signed_in(shop.citizen)
    url = reverse("payments:return", args=["sandbox"])

    waiting = client.get(url, gateway_result(payment))
    assert waiting.status_code == 200
    assert "đang chờ cổng thanh toán xác nhận" in waiting.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING  # only the IPN changes state
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PAYMENT_REQUESTED

    actions.handle_notification(sandbox, gateway_result(payment))
    paid = client.get(url, gateway_result(payment)).content.decode()
    assert "Thanh toán thành công." in paid
    dossier_link = reverse("portal:dossier", args=[dossier.code])
    assert dossier_link in paid  # linked for its owner only

    declined = client.get(url, gateway_result(started_payment(shop, awaiting_payment(shop)), approved=False))
    assert "Khách hàng hủy giao dịch." in declined.content.decode()
    stranger = signed_in(CitizenFactory()).get(url, gateway_result(payment)).content.decode()
    assert dossier_link not in stranger


def test_a_forged_return_is_refused_and_recorded() -> None:
    shop = fee_shop()
    payment = started_payment(shop, awaiting_payment(shop))
    response = Client().get(
        reverse("payments:return", args=["sandbox"]),
        gateway_result(payment, secret="FORGED-SECRET-000000000000000000"),
    )
    assert response.status_code == 400
    assert "sai chữ ký" in response.content.decode()
    refused = RefusedCallback.objects.get()
    assert (refused.source, refused.reason, refused.txn_ref) == (
        "return",
        "invalid_signature",
        payment.txn_ref,
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_the_officer_sees_the_breakdown_requests_payment_and_confirms_at_the_counter() -> None:
    shop = fee_shop()
    dossier = received(shop, copies=2)
    client = signed_in(shop.receiver)
    page_url = reverse("backoffice:dossier", args=[dossier.code])

    page = client.get(page_url).content.decode()
    assert "Phí, lệ phí của hồ sơ theo các khoản thu" in page
    assert "Phí cấp bản sao" in page
    assert "16.000" in page
    assert "66.000" in page
    assert reverse("backoffice:dossier_action", args=[dossier.code, "request_payment"]) in page

    posted = client.post(
        reverse("backoffice:dossier_action", args=[dossier.code, "request_payment"]),
        {"request_payment-note": "Nộp trong 5 ngày làm việc"},
    )
    assert posted.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PAYMENT_REQUESTED
    page = client.get(page_url).content.decode()
    assert "Đang chờ công dân nộp" in page
    assert reverse("backoffice:dossier_action", args=[dossier.code, "confirm_payment"]) in page

    confirmed = client.post(
        reverse("backoffice:dossier_action", args=[dossier.code, "confirm_payment"]),
        {"confirm_payment-reference": "0004567", "confirm_payment-note": ""},
    )
    assert confirmed.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    page = client.get(page_url).content.decode()
    assert "0004567" in page
    assert "Đã thanh toán" in page
    assert "Biên lai thu phí, lệ phí (điện tử)" in page


def test_a_refusal_is_shown_next_to_the_button() -> None:
    shop = fee_shop()
    shop.procedure.fee_items.all().delete()
    dossier = received(shop)
    response = signed_in(shop.receiver).post(
        reverse("backoffice:dossier_action", args=[dossier.code, "request_payment"]), {}
    )
    assert response.status_code == 409
    assert "không phải nộp phí, lệ phí" in response.content.decode()


# --- the sandbox gateway's checks (approving and declining, which call the IPN, run over HTTP in e2e) --------


def order_params(shop: Any) -> dict[str, str]:
    started = actions.start_online_payment(awaiting_payment(shop), actor=shop.citizen)
    return dict(parse_qsl(urlsplit(started.url).query))


def test_the_sandbox_shows_the_order() -> None:
    shop = fee_shop()
    params = order_params(shop)
    page = Client().get(reverse("sandbox_gateway:pay"), params)
    html = page.content.decode()
    assert page.status_code == 200
    assert "THỬ NGHIỆM" in html
    assert params["vnp_TxnRef"] in html
    assert "66.000" in html
    assert 'value="approve"' in html
    assert 'value="decline"' in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"vnp_Amount": "100"}, "Sai chữ ký"),
        ({"vnp_SecureHash": "0" * 128}, "Sai chữ ký"),
    ],
)
def test_the_sandbox_refuses_an_altered_url(change: dict[str, str], message: str) -> None:
    shop = fee_shop()
    params = {**order_params(shop), **change}
    page = Client().get(reverse("sandbox_gateway:pay"), params)
    assert page.status_code == 400
    assert message in page.content.decode()


def test_the_sandbox_refuses_an_expired_order_and_another_merchant() -> None:
    shop = fee_shop()
    params = order_params(shop)
    past = timezone.now() - timedelta(minutes=1)
    expired = protocol.with_signature(
        {
            **{k: v for k, v in params.items() if k != "vnp_SecureHash"},
            "vnp_ExpireDate": protocol.timestamp(past),
        },
        sandbox.secret(),
    )
    assert "hết hạn" in Client().get(reverse("sandbox_gateway:pay"), expired).content.decode()
    other = protocol.with_signature(
        {**{k: v for k, v in params.items() if k != "vnp_SecureHash"}, "vnp_TmnCode": "OTHER123"},
        sandbox.secret(),
    )
    assert "vnp_TmnCode" in Client().get(reverse("sandbox_gateway:pay"), other).content.decode()


def test_the_sandbox_is_not_there_unless_enabled(settings: Any) -> None:
    shop = fee_shop()
    params = order_params(shop)
    settings.MEKONG_PAYMENT_SANDBOX = False
    assert Client().get(reverse("sandbox_gateway:pay"), params).status_code == 404
    assert Client().post(reverse("sandbox_gateway:pay"), {**params, "decision": "approve"}).status_code == 404


def test_the_sandbox_needs_a_decision() -> None:
    shop = fee_shop()
    response = Client().post(reverse("sandbox_gateway:pay"), {**order_params(shop), "decision": "maybe"})
    assert response.status_code == 400
    assert Payment.objects.get().status == PaymentStatus.PENDING
