"""The public verification page at /verify/<id>/: what it shows (and what it hides), the file comparison,
the QR image, unknown ids; and the acceptance path — the QR code read from the citizen's PDF opens the page,
and the page confirms that PDF."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mekong.dossiers import actions
from mekong.dossiers.documents import generate_result
from mekong.dossiers.models import Dossier, IssuedDocument, IssuedDocumentKind
from mekong.dossiers.workdays import VIETNAM_TZ
from portal.html_audit import assert_accessible

from .factories import OneStopShop, one_stop_shop, pdf, valid_form
from .test_documents_render import read_qr_codes

pytestmark = pytest.mark.django_db

FULL_NAME = "Nguyễn Thị Ánh Tuyết"
PERSONAL_ID = "093201000123"
PHONE = "0912345678"
ADDRESS = "Số 12, đường Trần Hưng Đạo"


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"},
        },
    }
    return tmp_path


def received(shop: OneStopShop) -> Dossier:
    draft = actions.create_draft(
        actor=shop.citizen,
        procedure=shop.procedure,
        agency=shop.agency,
        applicant=actions.Applicant(name=FULL_NAME, personal_id=PERSONAL_ID, phone=PHONE, address=ADDRESS),
        form_data=valid_form(),
    )
    actions.attach_file(
        draft, actor=shop.citizen, stream=pdf(), name="to-khai.pdf", requirement=shop.requirement
    )
    return actions.receive(actions.submit(draft, actor=shop.citizen), actor=shop.receiver)


@pytest.fixture
def receipt() -> IssuedDocument:
    dossier = received(one_stop_shop())
    return IssuedDocument.objects.select_related("dossier__agency", "dossier__procedure").get(
        dossier=dossier, kind=IssuedDocumentKind.RECEIPT
    )


def file_bytes(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def page(document: IssuedDocument) -> str:
    return reverse("dossiers:verify", kwargs={"document_id": document.pk})


def compare(client: Client, document: IssuedDocument, content: bytes, name: str = "van-ban.pdf") -> Any:
    return client.post(page(document), {"file": SimpleUploadedFile(name, content)})


def test_the_page_shows_the_header_facts_and_the_hash(client: Client, receipt: IssuedDocument) -> None:
    dossier = receipt.dossier
    response = client.get(page(receipt))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        str(receipt.pk),
        str(dossier.code),
        dossier.procedure.name,
        dossier.agency.name,
        "Nguyễn T. Á. T.",
        receipt.sha256,
        receipt.issued_at.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M"),
    ):
        assert expected in html, expected
    assert response["Cache-Control"] == "no-store"
    assert_accessible(html)


def test_the_page_reveals_no_personal_data_beyond_the_masked_name(
    client: Client, receipt: IssuedDocument
) -> None:
    html = client.get(page(receipt)).content.decode()
    for secret in (FULL_NAME, "Ánh Tuyết", PERSONAL_ID, PHONE, ADDRESS, valid_form()["ho_ten"]):
        assert secret not in html, secret
    assert receipt.file.url not in html  # the document itself is not offered for download here


def test_the_true_file_matches(client: Client, receipt: IssuedDocument) -> None:
    response = compare(client, receipt, file_bytes(receipt))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Khớp: tệp bạn tải lên đúng là văn bản đã phát hành." in html
    assert "Không khớp" not in html


def test_a_tampered_file_does_not_match_and_its_hash_is_shown(
    client: Client, receipt: IssuedDocument
) -> None:
    original = file_bytes(receipt)
    tampered = original.replace(b"/Producer (Mekong)", b"/Producer (Mekonh)", 1)
    assert tampered != original
    assert len(tampered) == len(original)
    response = compare(client, receipt, tampered)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không khớp: tệp bạn tải lên không phải văn bản đã phát hành." in html
    assert hashlib.sha256(tampered).hexdigest() in html
    assert "Khớp: tệp" not in html


def test_comparing_stores_nothing(client: Client, receipt: IssuedDocument, media: Path) -> None:
    before = sorted(path for path in media.rglob("*") if path.is_file())
    compare(client, receipt, b"%PDF-1.4 something else %%EOF")
    assert sorted(path for path in media.rglob("*") if path.is_file()) == before
    assert IssuedDocument.objects.count() == 1


def test_posting_without_a_file_is_a_clear_400(client: Client, receipt: IssuedDocument) -> None:
    response = client.post(page(receipt), {})
    assert response.status_code == 400
    assert "Vui lòng chọn tệp văn bản." in response.content.decode()


def test_an_oversized_file_is_refused(client: Client, receipt: IssuedDocument, settings: Any) -> None:
    settings.MEKONG_UPLOAD_MAX_BYTES = 1024 * 1024
    response = compare(client, receipt, b"%PDF" + b"0" * (1024 * 1024 + 1))
    assert response.status_code == 400
    assert "Tệp quá lớn: tối đa 1 MB." in response.content.decode()


def test_an_unknown_id_is_a_404_page(client: Client) -> None:
    response = client.get(reverse("dossiers:verify", kwargs={"document_id": uuid.uuid4()}))
    assert response.status_code == 404
    assert "Không tìm thấy văn bản" in response.content.decode()
    assert client.post(reverse("dossiers:verify", kwargs={"document_id": uuid.uuid4()})).status_code == 404
    assert client.get("/verify/not-a-uuid/").status_code == 404


def test_the_page_reads_a_bounded_number_of_queries(
    client: Client, receipt: IssuedDocument, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        assert client.get(page(receipt)).status_code == 200


def test_the_qr_image_for_pages_that_list_documents(client: Client, receipt: IssuedDocument) -> None:
    response = client.get(reverse("dossiers:verify_qr", kwargs={"document_id": receipt.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml")
    assert b"<svg" in response.content
    assert "Mã QR xác thực văn bản" in response.content.decode()
    missing = reverse("dossiers:verify_qr", kwargs={"document_id": uuid.uuid4()})
    assert client.get(missing).status_code == 404


def test_from_the_qr_code_in_the_e_result_to_a_confirmed_hash(client: Client) -> None:
    """The acceptance path: the citizen's e-result PDF → its QR code → the page → the same PDF matches."""
    shop = one_stop_shop(requires_e_result=True)
    dossier = actions.start_processing(received(shop), actor=shop.specialist)
    result = generate_result(dossier, actor=shop.specialist)
    downloaded = file_bytes(result)

    (address,) = read_qr_codes(downloaded)
    path = urlsplit(address).path
    assert path == page(result)
    response = client.get(path)
    assert response.status_code == 200
    assert result.sha256 in response.content.decode()
    assert "Kết quả giải quyết thủ tục hành chính" in response.content.decode()
    matched = client.post(path, {"file": SimpleUploadedFile("ket-qua.pdf", downloaded)})
    assert "Khớp: tệp bạn tải lên đúng là văn bản đã phát hành." in matched.content.decode()


def test_an_uploaded_result_is_verifiable_too(client: Client) -> None:
    shop = one_stop_shop()
    dossier = actions.start_processing(received(shop), actor=shop.specialist)
    scan = b"\x89PNG\r\n\x1a\n" + bytes(range(64)) + b"IEND\xaeB`\x82"
    actions.attach_result(dossier, actor=shop.specialist, stream=io.BytesIO(scan), name="ket-qua.png")
    result = IssuedDocument.objects.get(dossier=dossier, kind=IssuedDocumentKind.RESULT)
    assert "Khớp: tệp" in compare(client, result, scan, name="ket-qua.png").content.decode()
    assert "Không khớp" in compare(client, result, scan + b"\x00", name="ket-qua.png").content.decode()
