"""The electronic fee receipt: issued once per payment, what it says, its QR code, its verification."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from dossiers.test_documents_render import pdf_text, read_qr_codes
from mekong.dossiers import actions as dossier_actions
from mekong.dossiers.models import IssuedDocument, IssuedDocumentKind
from mekong.payments import actions
from mekong.payments.gateways.contrib.sandbox.plugin import sandbox

from .factories import awaiting_payment, fee_shop, gateway_result, started_payment

pytestmark = pytest.mark.django_db


def receipt_of(dossier_id: int) -> IssuedDocument:
    return IssuedDocument.objects.get(dossier_id=dossier_id, kind=IssuedDocumentKind.FEE_RECEIPT)


def test_online_receipt_says_who_paid_what_how_and_verifies(settings: object) -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop, copies=2)
    payment = started_payment(shop, dossier)
    actions.handle_notification(sandbox, gateway_result(payment, transaction_no="14226112"))

    receipt = receipt_of(dossier.pk)
    pdf = receipt.file.read()
    assert hashlib.sha256(pdf).hexdigest() == receipt.sha256
    text = pdf_text(pdf)
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text
    assert "(Biên lai điện tử)" in text
    assert dossier.code in text
    assert dossier.applicant_name in text
    assert "Lệ phí: Lệ phí cấp giấy" in text
    assert "2 × 8.000 đồng = 16.000 đồng" in text
    assert "Tổng số tiền: 66.000 đồng" in text
    assert "Số tiền bằng chữ: Sáu mươi sáu nghìn đồng" in text
    assert "Trực tuyến qua Cổng thanh toán thử nghiệm" in text
    assert payment.txn_ref in text
    assert "14226112" in text
    [url] = read_qr_codes(pdf)
    assert url == f"http://127.0.0.1:8000/verify/{receipt.pk}/"
    page = Client().get(reverse("dossiers:verify", args=[receipt.pk]))
    assert page.status_code == 200
    assert receipt.sha256 in page.content.decode()


def test_counter_receipt_names_the_officer_and_the_paper_receipt() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop, copies=0)
    actions.confirm_counter_payment(dossier, actor=shop.receiver, reference="BL-0001234")

    text = pdf_text(receipt_of(dossier.pk).file.read())
    assert "Nộp tại Bộ phận Một cửa" in text
    assert "Số biên lai giấy: BL-0001234" in text
    assert "Tổng số tiền: 50.000 đồng" in text
    assert "0 × 8.000 đồng = 0 đồng" in text  # the copies not asked for are shown as free
    assert str(shop.receiver.full_name) in text


def test_a_pay_event_without_a_payment_record_still_gets_its_receipt() -> None:
    # Dossiers paid before payments existed: the receipt reads the amount from the request.
    shop = fee_shop()
    dossier = awaiting_payment(shop, copies=1)
    dossier_actions.pay(dossier, actor=shop.receiver, note="Đã nộp")
    text = pdf_text(receipt_of(dossier.pk).file.read())
    assert "Tổng số tiền: 58.000 đồng" in text
    assert "Năm mươi tám nghìn đồng" in text


def test_the_citizen_downloads_the_receipt_from_their_dossier_page() -> None:
    shop = fee_shop()
    dossier = awaiting_payment(shop)
    actions.handle_notification(sandbox, gateway_result(started_payment(shop, dossier)))
    receipt = receipt_of(dossier.pk)
    client = Client()
    client.force_login(shop.citizen)

    page = client.get(reverse("portal:dossier", args=[dossier.code])).content.decode()
    link = reverse("portal:dossier_document", args=[dossier.code, receipt.pk])
    assert link in page
    assert "Biên lai thu phí, lệ phí (điện tử)" in page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
