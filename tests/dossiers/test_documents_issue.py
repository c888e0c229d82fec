"""Documents issued as the workflow moves: the right document at the right event, its text read back
from the PDF with every diacritic, its QR code decoded to its verification address, its SHA-256 that of
the stored bytes; the e-result generated from the template or uploaded."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from catalog.factories import AgencyFactory
from geo.factories import CommuneFactory
from mekong.catalog.models import AgencyKind
from mekong.core.errors import DomainError, PermissionDenied
from mekong.dossiers import actions
from mekong.dossiers.documents import generate_result, issue_document, verify_url
from mekong.dossiers.documents import issue as issue_module
from mekong.dossiers.documents.content import form_rows
from mekong.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierFile,
    FileKind,
    IssuedDocument,
    IssuedDocumentKind,
)
from mekong.dossiers.states import Status
from mekong.dossiers.workdays import VIETNAM_TZ

from .factories import OneStopShop, one_stop_shop, pdf, valid_form
from .test_documents_render import pdf_text, read_qr_codes

pytestmark = pytest.mark.django_db

MONDAY_9AM = datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM_TZ)
APPLICANT = actions.Applicant(
    name="Nguyễn Thị Ánh Tuyết",
    personal_id="093201000123",
    phone="0912345678",
    address="Số 12, đường Trần Hưng Đạo, Phường I, thành phố Vị Thanh",
)


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    """Issued files go to a per-test folder, not the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"},
        },
    }
    return tmp_path


def submitted(shop: OneStopShop, **form: Any) -> Dossier:
    draft = actions.create_draft(
        actor=shop.citizen,
        procedure=shop.procedure,
        agency=shop.agency,
        applicant=APPLICANT,
        form_data={**valid_form(), **form},
    )
    actions.attach_file(
        draft, actor=shop.citizen, stream=pdf(), name="tờ-khai.pdf", requirement=shop.requirement
    )
    return actions.submit(draft, actor=shop.citizen, at=MONDAY_9AM)


def stored_bytes(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def only_document(dossier: Dossier, kind: IssuedDocumentKind) -> IssuedDocument:
    return IssuedDocument.objects.get(dossier=dossier, kind=kind)


def assert_verifiable(document: IssuedDocument) -> str:
    """The stored bytes hash to the recorded SHA-256 and the QR code reads as the document's address.
    Returns the PDF's text."""
    content = stored_bytes(document)
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert read_qr_codes(content) == [verify_url(document.pk)] * len(PdfReader(io.BytesIO(content)).pages)
    return pdf_text(content)


# --- the hooks -------------------------------------------------------------------------------------------------


def test_receiving_issues_the_receipt_with_the_appointment_date() -> None:
    shop = one_stop_shop(time_limit_value=3)
    shop.receiver.full_name = "Trần Thị Bình"
    shop.receiver.save()
    shop.agency.unit = CommuneFactory(short_name="Vị Thủy")
    shop.agency.save()
    dossier = actions.receive(submitted(shop), actor=shop.receiver, at=MONDAY_9AM.replace(hour=10))

    receipt = only_document(dossier, IssuedDocumentKind.RECEIPT)
    event = dossier.events.get(command="receive")
    assert receipt.event == event
    assert receipt.issued_by == shop.receiver
    assert receipt.issued_at == event.created_at
    text = assert_verifiable(receipt)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {dossier.code}",
        "Ông/bà: Nguyễn Thị Ánh Tuyết",
        f"Nội dung yêu cầu giải quyết: {shop.procedure.name}",
        "Tờ khai theo mẫu (01 bản, tệp: tờ-khai.pdf)",
        "Thời gian giải quyết hồ sơ theo quy định: 3 ngày làm việc",
        "Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 09/03/2026",
        # Three working days from Monday 10:00: Thursday at the close of office hours.
        "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 12/03/2026",
        "Đăng ký nhận kết quả: Nhận kết quả trực tuyến",
        "Vị Thủy, ngày 09 tháng 3 năm 2026",
        "Trần Thị Bình",
        shop.agency.name,
    ):
        assert expected in text, expected
    metadata = PdfReader(io.BytesIO(stored_bytes(receipt))).metadata
    assert metadata is not None
    assert metadata.title == f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả — {dossier.code}"


def test_refusing_issues_the_refusal_with_its_reason_and_no_receipt() -> None:
    shop = one_stop_shop()
    shop.agency.unit = CommuneFactory(kind="Phường", short_name="7", name="Phường 7")
    shop.agency.save()
    reason = "Hồ sơ không thuộc thẩm quyền giải quyết; người yêu cầu cư trú tại xã Vị Thủy."
    dossier = actions.refuse(submitted(shop), actor=shop.receiver, reason=reason)

    refusal = only_document(dossier, IssuedDocumentKind.REFUSAL)
    assert refusal.event == dossier.events.get(command="refuse")
    text = assert_verifiable(refusal)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert reason in text
    assert "Nguyễn Thị Ánh Tuyết" in text
    assert "Phường 7, ngày" in text  # not a bare “7, ngày”
    assert not dossier.documents.filter(kind=IssuedDocumentKind.RECEIPT).exists()


def test_requesting_a_supplement_lists_what_is_missing() -> None:
    shop = one_stop_shop()
    dossier = actions.receive(submitted(shop), actor=shop.receiver)
    missing = ["Bản sao Giấy chứng nhận kết hôn của cha, mẹ", "Giấy chứng sinh bản chính (bản đã nộp bị mờ)"]
    dossier = actions.request_supplement(
        dossier, actor=shop.receiver, missing=missing, note="Thiếu giấy tờ chứng minh quan hệ cha con."
    )

    request = only_document(dossier, IssuedDocumentKind.SUPPLEMENT_REQUEST)
    assert request.event == dossier.events.get(command="request_supplement")
    text = assert_verifiable(request)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert f"1. {missing[0]}" in text
    assert f"2. {missing[1]}" in text
    assert "Lý do: Thiếu giấy tờ chứng minh quan hệ cha con." in text
    # The citizen supplements; a second request issues a second document.
    dossier = actions.supplement(dossier, actor=shop.citizen, note="Đã bổ sung")
    actions.request_supplement(dossier, actor=shop.receiver, missing=["Sổ hộ khẩu"])
    assert dossier.documents.filter(kind=IssuedDocumentKind.SUPPLEMENT_REQUEST).count() == 2


def test_the_whole_path_issues_each_document_once_and_approval_issues_none() -> None:
    shop = one_stop_shop(requires_e_result=True)
    dossier = actions.receive(submitted(shop), actor=shop.receiver)
    dossier = actions.start_processing(dossier, actor=shop.specialist)
    generate_result(dossier, actor=shop.specialist)
    before = set(IssuedDocument.objects.values_list("pk", flat=True))
    dossier = actions.approve(dossier, actor=shop.leader)
    dossier = actions.return_result(dossier)
    assert dossier.status == Status.RESULT_RETURNED
    assert set(IssuedDocument.objects.values_list("pk", flat=True)) == before
    assert sorted(dossier.documents.values_list("kind", flat=True)) == ["receipt", "result"]


def test_a_document_that_fails_to_render_rolls_the_action_back(monkeypatch: pytest.MonkeyPatch) -> None:
    shop = one_stop_shop()
    dossier = submitted(shop)

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(issue_module, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        actions.receive(dossier, actor=shop.receiver)
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW
    assert dossier.received_at is None
    assert not DossierEvent.objects.filter(dossier=dossier, command="receive").exists()
    assert not IssuedDocument.objects.exists()


# --- results ---------------------------------------------------------------------------------------------------


def processing(shop: OneStopShop, **form: Any) -> Dossier:
    dossier = actions.receive(submitted(shop, **form), actor=shop.receiver)
    return actions.start_processing(dossier, actor=shop.specialist)


def test_an_uploaded_result_file_is_recorded_as_an_issued_result() -> None:
    shop = one_stop_shop()
    dossier = processing(shop)
    content = b"%PDF-1.4\n% Giay khai sinh ban dien tu\n%%EOF\n"
    result_file = actions.attach_result(dossier, actor=shop.specialist, stream=pdf(content), name="kq.pdf")

    document = only_document(dossier, IssuedDocumentKind.RESULT)
    assert document.sha256 == result_file.sha256 == hashlib.sha256(content).hexdigest()
    assert document.event_id == result_file.event_id
    assert document.event is not None
    assert document.event.command == "attach_result"
    assert document.issued_by == shop.specialist
    assert stored_bytes(document) == content  # the same stored file, not a copy that could drift


def test_generate_result_renders_the_e_result_and_attaches_it_as_the_result() -> None:
    shop = one_stop_shop(requires_e_result=True, result_name="Giấy xác nhận tình trạng hôn nhân")
    shop.specialist.full_name = "Lê Văn Cường"
    shop.specialist.save()
    shop.agency.parent = AgencyFactory(name="Ủy ban nhân dân huyện Vị Thủy", kind=AgencyKind.DISTRICT_PC)
    shop.agency.save()
    dossier = processing(shop, ho_ten="Phạm Thị Hương Giang")
    at = datetime(2026, 3, 10, 9, 0, tzinfo=VIETNAM_TZ)

    document = generate_result(dossier, actor=shop.specialist, note="Kết quả điện tử", at=at)

    assert document.kind == IssuedDocumentKind.RESULT
    assert document.issued_at == at
    result_file = DossierFile.objects.get(dossier=dossier, kind=FileKind.RESULT)
    assert result_file.sha256 == document.sha256
    assert result_file.original_name == f"ket-qua-{dossier.code}.pdf"
    assert result_file.content_type == "application/pdf"
    event = dossier.events.get(command="attach_result")
    assert (event.actor, event.note, document.event) == (shop.specialist, "Kết quả điện tử", event)
    # Its QR code points at this very document, whose SHA-256 is that of these bytes.
    text = assert_verifiable(document)
    for expected in (
        # Issued by the agency itself, under the body it belongs to.
        f"ỦY BAN NHÂN DÂN HUYỆN VỊ THỦY {shop.agency.name.upper()}",
        "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "Giấy xác nhận tình trạng hôn nhân",
        "Ông/bà: Nguyễn Thị Ánh Tuyết",
        "Số định danh cá nhân: 093201000123",
        "Họ, chữ đệm và tên Phạm Thị Hương Giang",
        "Số bản sao 1",
        f"theo hồ sơ mã {dossier.code}",
        "Ngày 10 tháng 3 năm 2026",  # an agency with no territory: the date alone
        "Lê Văn Cường",
    ):
        assert expected in text, expected
    assert IssuedDocument.objects.filter(kind=IssuedDocumentKind.RESULT).count() == 1
    # approve() sees the result the template produced.
    assert actions.approve(dossier, actor=shop.leader).status == Status.PROCESSED


def test_generate_result_is_refused_outside_processing_and_leaves_nothing() -> None:
    shop = one_stop_shop()
    dossier = actions.receive(submitted(shop), actor=shop.receiver)
    with pytest.raises(DomainError) as refused:
        generate_result(dossier, actor=shop.specialist)
    assert refused.value.code == "illegal_transition"
    assert not IssuedDocument.objects.filter(kind=IssuedDocumentKind.RESULT).exists()
    assert not DossierFile.objects.filter(kind=FileKind.RESULT).exists()


def test_generate_result_needs_a_specialist() -> None:
    shop = one_stop_shop()
    dossier = processing(shop)
    with pytest.raises(PermissionDenied):
        generate_result(dossier, actor=shop.receiver)
    assert not IssuedDocument.objects.filter(kind=IssuedDocumentKind.RESULT).exists()
    assert not dossier.events.filter(command="attach_result").exists()


def test_results_are_never_issued_directly() -> None:
    shop = one_stop_shop()
    with pytest.raises(ValueError, match="generate_result"):
        issue_document(processing(shop), IssuedDocumentKind.RESULT)


# --- apology ---------------------------------------------------------------------------------------------------


def test_apology_from_the_reschedule_event_gives_the_reason_and_both_dates() -> None:
    shop = one_stop_shop(time_limit_value=3)
    dossier = actions.receive(submitted(shop), actor=shop.receiver, at=MONDAY_9AM.replace(hour=10))
    new_due = datetime(2026, 3, 17, 17, 0, tzinfo=VIETNAM_TZ)
    reason = "Cơ sở dữ liệu hộ tịch điện tử gặp sự cố, chưa cấp được số định danh."
    dossier = actions.reschedule(dossier, actor=shop.receiver, new_due_at=new_due, reason=reason)
    event = dossier.events.get(command="reschedule")

    apology = issue_document(dossier, IssuedDocumentKind.APOLOGY, event=event, issued_by=shop.leader)

    assert apology.issued_by == shop.leader
    text = assert_verifiable(apology)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert f"Lý do: {reason}" in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 12/03/2026" in text
    assert "17 giờ 00 phút, ngày 17/03/2026" in text
    assert "Ngày 09/03/2026" in text


def test_apology_from_extra_without_an_event() -> None:
    shop = one_stop_shop()
    dossier = actions.receive(submitted(shop), actor=shop.receiver)
    new_due = datetime(2026, 4, 2, 8, 30, tzinfo=VIETNAM_TZ)
    apology = issue_document(
        dossier,
        IssuedDocumentKind.APOLOGY,
        issued_by=shop.receiver,
        extra={"reason": "Cần xác minh thêm tại địa phương.", "new_due_at": new_due},
    )
    text = assert_verifiable(apology)
    assert "Lý do: Cần xác minh thêm tại địa phương." in text
    assert "08 giờ 30 phút, ngày 02/04/2026" in text
    assert apology.event is None


def test_an_apology_without_its_new_date_is_a_programming_error() -> None:
    shop = one_stop_shop()
    dossier = actions.receive(submitted(shop), actor=shop.receiver)
    with pytest.raises(ValueError, match="new appointment"):
        issue_document(dossier, IssuedDocumentKind.APOLOGY, extra={"reason": "Chậm"})
    assert not dossier.documents.filter(kind=IssuedDocumentKind.APOLOGY).exists()


# --- the applicant's form on the e-result -------------------------------------------------------------------


def test_form_rows_follow_the_schema_and_speak_vietnamese() -> None:
    schema = {
        "type": "object",
        "properties": {
            "ho_ten": {"type": "string", "title": "Họ, chữ đệm và tên"},
            "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
            "gioi_tinh": {
                "type": "string",
                "title": "Giới tính",
                "oneOf": [{"const": "nam", "title": "Nam"}, {"const": "nu", "title": "Nữ"}],
            },
            "da_ket_hon": {"type": "boolean", "title": "Đã kết hôn"},
            "noi_o": {
                "type": "object",
                "title": "Nơi ở",
                "properties": {"xa": {"type": "string", "title": "Xã, phường"}},
            },
            "con": {"type": "array", "title": "Con", "items": {"type": "string"}},
            "ghi_chu": {"type": "string", "title": "Ghi chú"},
        },
    }
    data = {
        "con": ["Bé Na", "Bé Bi"],
        "ngay_sinh": "1990-02-03",
        "ho_ten": "Võ Thị Sáu",
        "gioi_tinh": "nu",
        "da_ket_hon": False,
        "noi_o": {"xa": "Vị Thủy"},
        "ghi_chu": "",
        "ngoai_bieu_mau": 7,
    }
    assert form_rows(schema, data) == [
        ("Họ, chữ đệm và tên", "Võ Thị Sáu"),
        ("Ngày sinh", "03/02/1990"),
        ("Giới tính", "Nữ"),
        ("Đã kết hôn", "Không"),
        ("Nơi ở › Xã, phường", "Vị Thủy"),
        ("Con", "Bé Na; Bé Bi"),
        ("ngoai_bieu_mau", "7"),
    ]


# --- addresses ---------------------------------------------------------------------------------------------------


def test_the_qr_code_carries_the_public_address_from_settings(settings: Any) -> None:
    settings.MEKONG_PUBLIC_URL = "https://dichvucong.haugiang.example/"
    shop = one_stop_shop()
    dossier = actions.receive(submitted(shop), actor=shop.receiver)
    receipt = only_document(dossier, IssuedDocumentKind.RECEIPT)
    expected = f"https://dichvucong.haugiang.example/verify/{receipt.pk}/"
    assert verify_url(receipt.pk) == expected
    assert read_qr_codes(stored_bytes(receipt)) == [expected]
    assert expected in pdf_text(stored_bytes(receipt))


def test_rendering_the_same_document_twice_gives_the_same_bytes() -> None:
    shop = one_stop_shop()
    dossier = actions.receive(submitted(shop), actor=shop.receiver, at=MONDAY_9AM)
    document_id = uuid.uuid4()
    render = issue_module.render_document
    first = render(dossier, IssuedDocumentKind.RECEIPT, document_id=document_id, at=MONDAY_9AM)
    assert render(dossier, IssuedDocumentKind.RECEIPT, document_id=document_id, at=MONDAY_9AM) == first
    assert render(dossier, IssuedDocumentKind.RECEIPT, document_id=uuid.uuid4(), at=MONDAY_9AM) != first
