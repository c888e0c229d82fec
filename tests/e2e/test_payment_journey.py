"""Issue 4 acceptance, over HTTP against a live server: a fee-bearing dossier paid through the sandbox
gateway. The officer asks for the fees → the citizen's payment URL → the sandbox gateway's page → decline,
then approve → the gateway calls the IPN (the live server calling itself) → the dossier leaves status 6 →
the e-receipt is downloadable, its QR code leads to its verification page."""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from dossiers.factories import valid_form
from dossiers.test_documents_render import pdf_text, read_qr_codes
from mekong.dossiers.models import Dossier
from mekong.payments.models import Payment, PaymentStatus
from payments.factories import FIXED_FEE, PER_COPY, fee_shop

from .conftest import api_client, csrf_token, web_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _sandbox(settings: Any) -> None:
    settings.MEKONG_PAYMENT_SANDBOX = True
    settings.MEKONG_SANDBOX_HASH_SECRET = "E2ESANDBOXSECRET0123456789ABCDEF"


def gateway_decides(browser: httpx.Client, payment_url: str, decision: str) -> httpx.Response:
    """The citizen on the sandbox gateway's page presses a button; returns the redirect back to us."""
    page = browser.get(payment_url)
    assert page.status_code == 200, page.text
    assert "Cổng thanh toán thử nghiệm" in page.text
    fields = dict(re.findall(r'<input type="hidden" name="(vnp_[A-Za-z]+)" value="([^"]*)">', page.text))
    fields = {name: value.replace("&amp;", "&") for name, value in fields.items()}
    assert fields["vnp_TxnRef"] == dict(parse_qsl(urlsplit(payment_url).query))["vnp_TxnRef"]
    gateway_page = str(page.url).split("?")[0]
    answer = browser.post(
        gateway_page,
        data={**fields, "decision": decision, "csrfmiddlewaretoken": csrf_token(page.text)},
        headers={"Referer": str(page.url)},
    )
    assert answer.status_code == 302, answer.text
    return answer


def test_fees_paid_through_the_sandbox_gateway(live: str) -> None:
    shop = fee_shop(time_limit_value=5)
    citizen_api = api_client(live, shop.citizen.personal_id)
    receiver = api_client(live, shop.receiver.username)

    # Filed (a form asking for 3 copies, the mandatory document attached) and received.
    draft = citizen_api.post(
        "/dossiers/drafts",
        json={
            "procedure": shop.procedure.code,
            "agency": shop.agency.code,
            "form_data": {**valid_form(), "so_ban": 3},
        },
    ).json()
    uploaded = citizen_api.post(
        f"/dossiers/drafts/{draft['id']}/files",
        data={"requirement": str(shop.requirement.pk)},
        files={
            "file": ("to-khai.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
        },
    )
    assert uploaded.status_code == 201, uploaded.text
    code = citizen_api.post(f"/dossiers/drafts/{draft['id']}/submit").json()["code"]
    assert receiver.post(f"/dossiers/{code}/receive", json={"note": ""}).json()["status"] == 2

    # The officer sees the fees and asks for them: status 6.
    fees = receiver.get(f"/dossiers/{code}/fees").json()
    assert fees["total"] == FIXED_FEE + 3 * PER_COPY
    requested = receiver.post(f"/dossiers/{code}/payment-request", json={"note": "Nộp trong 5 ngày"})
    assert requested.status_code == 200, requested.text
    assert requested.json()["status"] == 6
    assert requested.json()["amount_due"] == 74_000

    # The citizen's dossier page says so, with a "Thanh toán" button.
    browser = web_client(live, shop.citizen.personal_id)
    page = browser.get(f"/ho-so/{code}/")
    assert "Cơ quan yêu cầu nộp phí, lệ phí" in page.text
    assert "74.000" in page.text
    pay_page = browser.get(f"/thanh-toan/ho-so/{code}/")
    assert pay_page.status_code == 200

    # First try: declined at the gateway. The return page says so; the dossier still waits.
    to_gateway = browser.post(
        f"/thanh-toan/ho-so/{code}/",
        data={"csrfmiddlewaretoken": csrf_token(pay_page.text)},
        headers={"Referer": f"{live}/thanh-toan/ho-so/{code}/"},
    )
    assert to_gateway.status_code == 302
    back = gateway_decides(browser, to_gateway.headers["Location"], "decline")
    returned = browser.get(back.headers["Location"])
    assert returned.status_code == 200
    assert "Giao dịch không thành công." in returned.text
    assert citizen_api.get(f"/dossiers/{code}").json()["status"] == 6
    first = Payment.objects.get()
    assert first.status == PaymentStatus.FAILED  # the IPN said so, server to server

    # Second try, through the API this time: approved.
    started = citizen_api.post(f"/dossiers/{code}/payments", json={}, headers={"Idempotency-Key": "lan-2"})
    assert started.status_code == 201, started.text
    assert started.json()["txn_ref"] != first.txn_ref
    back = gateway_decides(browser, started.json()["payment_url"], "approve")
    assert back.headers["Location"].startswith(f"{live}/thanh-toan/sandbox/ket-qua/?")
    returned = browser.get(back.headers["Location"])
    assert "Thanh toán thành công." in returned.text

    # The IPN was authoritative: the dossier left 6 for where it was, the pay event names the payment.
    detail = citizen_api.get(f"/dossiers/{code}").json()
    assert detail["status"] == 2
    assert [entry["action"] for entry in detail["timeline"]][-2:] == ["request_payment", "pay"]
    payments = citizen_api.get(f"/dossiers/{code}/payments").json()
    assert payments["amount_due"] is None
    latest = payments["payments"][0]
    assert (latest["txn_ref"], latest["status"]) == (started.json()["txn_ref"], "paid")
    assert latest["transaction_no"].isdigit()
    pay_event = Dossier.objects.get(code=code).events.get(command="pay")
    assert pay_event.data["payment"] == latest["txn_ref"]

    # The receipt: in the API and on the dossier page, a PDF whose QR code verifies it.
    [receipt] = payments["receipts"]
    pdf = citizen_api.get(receipt["download_url"].removeprefix("/api/v1")).content
    assert hashlib.sha256(pdf).hexdigest() == receipt["sha256"]
    text = pdf_text(pdf)
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text
    assert "74.000 đồng" in text
    assert latest["txn_ref"] in text
    page = browser.get(f"/ho-so/{code}/")
    assert "Cơ quan yêu cầu nộp phí, lệ phí" not in page.text
    link = f"/ho-so/{code}/van-ban/{receipt['id']}/"
    assert link in page.text
    assert browser.get(link).content == pdf
    [url] = read_qr_codes(pdf)
    assert url == f"{live}/verify/{receipt['id']}/"
    verify = browser.get(url)
    assert verify.status_code == 200
    assert receipt["sha256"] in verify.text
