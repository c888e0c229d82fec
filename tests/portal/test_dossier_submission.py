"""Filing a dossier on the portal, step by step, as a citizen on a phone would (no JavaScript)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.factories import CitizenFactory, OfficialFactory
from catalog.factories import AgencyFactory, RequiredDocumentFactory
from dossiers.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, one_stop_shop, pdf, submitted_dossier
from mekong.dossiers import actions
from mekong.dossiers.models import Dossier, DossierEvent, DossierFile, ResultDelivery
from mekong.dossiers.states import Status

from .html_audit import PageAudit

pytestmark = pytest.mark.django_db

NOT_A_PDF = (
    "Tệp “to-khai.pdf” không phải PDF, JPEG hoặc PNG hợp lệ (kiểm tra theo nội dung tệp, không theo tên)."
)


@pytest.fixture(autouse=True)
def _memory_storage(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def _text(response: Any) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _draft_url(name: str, draft: Dossier) -> str:
    return reverse(f"portal:{name}", args=[draft.pk])


def test_the_procedure_page_offers_online_filing(client: Client) -> None:
    shop = one_stop_shop()
    response = client.get(reverse("portal:procedure", args=[shop.procedure.code]))
    start = reverse("portal:dossier_start", args=[shop.procedure.code])
    assert f'href="{start}"' in response.content.decode()
    assert "Nộp hồ sơ trực tuyến" in _text(response)


def test_filing_needs_a_citizen_account(client: Client) -> None:
    shop = one_stop_shop()
    start = reverse("portal:dossier_start", args=[shop.procedure.code])
    anonymous = client.get(start)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    client.force_login(OfficialFactory())
    assert client.get(start).status_code == 403
    inactive = one_stop_shop(is_active=False)
    client.force_login(inactive.citizen)
    assert client.get(reverse("portal:dossier_start", args=[inactive.procedure.code])).status_code == 404


def test_a_whole_filing_with_a_saved_and_resumed_draft(
    client: Client, accessible: Callable[..., PageAudit]
) -> None:
    shop = one_stop_shop(time_limit_value=3)
    optional = RequiredDocumentFactory(procedure=shop.procedure, name="Giấy tờ khác", mandatory=False)
    client.force_login(shop.citizen)

    # Step 1: the only agency is already chosen; choosing creates the draft.
    start = reverse("portal:dossier_start", args=[shop.procedure.code])
    page = client.get(start)
    assert page.status_code == 200
    accessible(page.content.decode())
    assert f'value="{shop.agency.pk}" checked' in page.content.decode()
    chosen = client.post(start, {"agency": shop.agency.pk})
    draft = Dossier.objects.get(applicant=shop.citizen)
    assert chosen["Location"] == _draft_url("dossier_form", draft)
    assert draft.is_draft
    assert draft.agency == shop.agency

    # Step 2: half filled, saved for later.
    form_url = _draft_url("dossier_form", draft)
    accessible(client.get(form_url).content.decode())
    saved = client.post(form_url, {"so_ban": "2", "luu_nhap": "1"})
    assert saved["Location"] == reverse("portal:my_dossiers")
    draft.refresh_from_db()
    assert draft.form_data == {"so_ban": 2}
    mine = client.get(reverse("portal:my_dossiers"))
    resume = _draft_url("dossier_resume", draft)
    assert f'href="{resume}"' in mine.content.decode()
    assert "Đã lưu hồ sơ nháp" in _text(mine)

    # Resuming goes to what is missing, and says what.
    resumed = client.get(resume)
    assert resumed["Location"] == f"{form_url}?kiem-tra=1"
    checking = client.get(resumed["Location"])
    assert "Vui lòng nhập “Họ, chữ đệm và tên”." in _text(checking)
    assert 'value="2"' in checking.content.decode()
    accessible(checking.content.decode())

    filled = client.post(form_url, {"ho_ten": "Trần Văn Hai", "so_ban": "2"})
    assert filled["Location"] == _draft_url("dossier_documents", draft)

    # Step 3: the mandatory document is asked for before going on.
    documents_url = _draft_url("dossier_documents", draft)
    page = client.get(documents_url)
    accessible(page.content.decode())
    html = page.content.decode()
    assert f'name="tep_{shop.requirement.pk}"' in html
    assert 'accept=".pdf,.jpg,.jpeg,.png' in html
    assert 'capture="environment"' in html
    assert "tối đa 10 MB" in _text(page)
    missing = client.post(documents_url, {})
    assert missing.status_code == 400
    assert "Thiếu giấy tờ bắt buộc: Tờ khai theo mẫu." in _text(missing)
    accessible(missing.content.decode())
    attached = client.post(
        documents_url,
        {
            f"tep_{shop.requirement.pk}": [
                _upload("to-khai.pdf", PDF_BYTES),
                _upload("trang-2.png", PNG_BYTES),
            ],
            f"anh_{optional.pk}": _upload("anh.jpg", JPEG_BYTES, "image/jpeg"),
        },
    )
    assert attached["Location"] == _draft_url("dossier_delivery", draft)
    files = {f.original_name: f for f in draft.files.all()}
    assert set(files) == {"to-khai.pdf", "trang-2.png", "anh.jpg"}
    assert files["trang-2.png"].content_type == "image/png"
    assert files["anh.jpg"].requirement == optional
    assert len(files["to-khai.pdf"].sha256) == 64

    # Step 4.
    delivery_url = _draft_url("dossier_delivery", draft)
    accessible(client.get(delivery_url).content.decode())
    chosen_delivery = client.post(delivery_url, {"result_delivery": ResultDelivery.COUNTER})
    assert chosen_delivery["Location"] == _draft_url("dossier_review", draft)

    # Step 5: everything on one page, then submit.
    review_url = _draft_url("dossier_review", draft)
    review = client.get(review_url)
    accessible(review.content.decode())
    text = _text(review)
    for expected in ("Trần Văn Hai", "to-khai.pdf", "Nhận tại Bộ phận một cửa", shop.agency.name):
        assert expected in text, expected
    assert "điều cần sửa" not in text
    done = client.post(review_url)
    dossier = Dossier.objects.get(pk=draft.pk)
    assert dossier.status == Status.NEW
    assert dossier.code
    assert dossier.code.startswith(f"{shop.agency.code}-")
    assert done["Location"] == reverse("portal:dossier_submitted", args=[dossier.code])
    confirmation = client.get(done["Location"])
    accessible(confirmation.content.decode())
    assert f'<p class="dossier-code">{dossier.code}</p>' in confirmation.content.decode()
    assert "Tiếp theo là gì?" in _text(confirmation)
    assert "3 ngày làm việc" in _text(confirmation)

    # A second tap on "Nộp hồ sơ" (slow network) leads to the dossier, not to a second one.
    again = client.post(review_url)
    assert again["Location"] == reverse("portal:dossier", args=[dossier.code])
    assert Dossier.objects.filter(applicant=shop.citizen).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_a_missing_mandatory_file_at_submission_is_shown_and_nothing_is_submitted(
    client: Client, accessible: Callable[..., PageAudit]
) -> None:
    shop = one_stop_shop()
    draft = actions.create_draft(
        actor=shop.citizen, procedure=shop.procedure, agency=shop.agency, form_data={"ho_ten": "An"}
    )
    client.force_login(shop.citizen)
    review = client.get(_draft_url("dossier_review", draft))
    assert "Thiếu giấy tờ bắt buộc: Tờ khai theo mẫu." in _text(review)
    refused = client.post(_draft_url("dossier_review", draft))
    assert refused.status_code == 400
    html = refused.content.decode()
    accessible(html)
    # Back on the documents step, the error next to the document's input and in the focused summary.
    assert "Giấy tờ kèm theo" in _text(refused)
    assert f'<a href="#tep-{shop.requirement.pk}">Thiếu giấy tờ bắt buộc: Tờ khai theo mẫu.</a>' in html
    assert f'aria-describedby="tep-{shop.requirement.pk}-goi-y tep-{shop.requirement.pk}-loi"' in html
    assert "data-error-summary" in html
    assert "autofocus" in html
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.code is None
    assert not DossierEvent.objects.exists()


def test_an_invalid_tờ_khai_at_submission_goes_back_to_the_form(client: Client) -> None:
    shop = one_stop_shop()
    draft = actions.create_draft(
        actor=shop.citizen, procedure=shop.procedure, agency=shop.agency, form_data={"so_ban": -1}
    )
    actions.attach_file(draft, actor=shop.citizen, stream=pdf(), name="a.pdf", requirement=shop.requirement)
    client.force_login(shop.citizen)
    refused = client.post(_draft_url("dossier_review", draft))
    assert refused.status_code == 400
    text = _text(refused)
    assert "Bước 2 trên 5" in text
    assert "Vui lòng nhập “Họ, chữ đệm và tên”." in text
    assert "“Số bản sao” không được nhỏ hơn 0." in text
    assert '<a href="#id_so_ban">' in refused.content.decode()
    assert Dossier.objects.get(pk=draft.pk).is_draft


def test_form_errors_are_linked_to_their_inputs_and_the_typing_is_kept(client: Client) -> None:
    shop = one_stop_shop()
    draft = actions.create_draft(actor=shop.citizen, procedure=shop.procedure, agency=shop.agency)
    client.force_login(shop.citizen)
    response = client.post(_draft_url("dossier_form", draft), {"ho_ten": "Bình", "so_ban": "ba"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_so_ban">“Số bản sao” không đúng kiểu dữ liệu.</a>' in html
    assert re.search(r'<input[^>]*aria-describedby="id_so_ban_helptext id_so_ban-loi"', html)
    assert 'id="id_so_ban-loi"' in html
    draft.refresh_from_db()
    assert draft.form_data == {"ho_ten": "Bình", "so_ban": "ba"}


def test_a_text_file_named_pdf_is_refused_by_its_content(
    client: Client, accessible: Callable[..., PageAudit]
) -> None:
    shop = one_stop_shop()
    draft = actions.create_draft(actor=shop.citizen, procedure=shop.procedure, agency=shop.agency)
    client.force_login(shop.citizen)
    field = f"tep_{shop.requirement.pk}"
    refused = client.post(
        _draft_url("dossier_documents", draft), {field: _upload("to-khai.pdf", b"Xin chao, day la van ban.")}
    )
    assert refused.status_code == 400
    accessible(refused.content.decode())
    assert NOT_A_PDF in _text(refused)
    assert not DossierFile.objects.exists()
    # A real PNG named .pdf is refused too: whoever opens "to-khai.pdf" expects a PDF.
    misnamed = client.post(_draft_url("dossier_documents", draft), {field: _upload("to-khai.pdf", PNG_BYTES)})
    assert misnamed.status_code == 400
    assert "có đuôi .pdf nhưng nội dung là PNG" in _text(misnamed)
    assert not DossierFile.objects.exists()
    # The content decides the stored type.
    accepted = client.post(_draft_url("dossier_documents", draft), {field: _upload("anh-chup", PNG_BYTES)})
    assert accepted.status_code == 302
    assert DossierFile.objects.get().content_type == "image/png"


def test_an_oversized_file_is_refused_with_the_limit(client: Client, settings: Any) -> None:
    settings.MEKONG_UPLOAD_MAX_BYTES = 1024 * 1024
    shop = one_stop_shop()
    draft = actions.create_draft(actor=shop.citizen, procedure=shop.procedure, agency=shop.agency)
    client.force_login(shop.citizen)
    big = PDF_BYTES[:-6] + b"0" * (1024 * 1024) + b"%%EOF\n"
    refused = client.post(
        _draft_url("dossier_documents", draft), {f"tep_{shop.requirement.pk}": _upload("lon.pdf", big)}
    )
    assert refused.status_code == 400
    assert "Tệp “lon.pdf” quá lớn: tối đa 1 MB." in _text(refused)
    assert "tối đa 1 MB mỗi tệp" in _text(refused)
    assert not DossierFile.objects.exists()


def test_a_draft_file_can_be_viewed_and_removed_by_its_owner_only(client: Client) -> None:
    shop = one_stop_shop()
    draft = actions.create_draft(actor=shop.citizen, procedure=shop.procedure, agency=shop.agency)
    attached = actions.attach_file(
        draft, actor=shop.citizen, stream=pdf(), name="to-khai.pdf", requirement=shop.requirement
    )
    view_url = reverse("portal:draft_file", args=[draft.pk, attached.pk])
    client.force_login(CitizenFactory())
    assert client.get(view_url).status_code == 404
    assert client.post(_draft_url("dossier_documents", draft), {"xoa": attached.pk}).status_code == 404
    client.force_login(shop.citizen)
    viewed = client.get(view_url)
    assert viewed.status_code == 200
    assert b"".join(viewed.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert viewed["Content-Type"] == "application/pdf"
    removed = client.post(_draft_url("dossier_documents", draft), {"xoa": attached.pk})
    assert removed.status_code == 302
    assert not DossierFile.objects.exists()


def test_another_citizen_cannot_open_resume_or_submit_someone_elses_draft(client: Client) -> None:
    shop = one_stop_shop()
    draft = actions.create_draft(
        actor=shop.citizen, procedure=shop.procedure, agency=shop.agency, form_data={"ho_ten": "An"}
    )
    actions.attach_file(draft, actor=shop.citizen, stream=pdf(), name="a.pdf", requirement=shop.requirement)
    client.force_login(CitizenFactory())
    for name in ("dossier_resume", "dossier_form", "dossier_documents", "dossier_delivery", "dossier_review"):
        assert client.get(_draft_url(name, draft)).status_code == 404, name
    assert client.post(_draft_url("dossier_form", draft), {"ho_ten": "Kẻ lạ"}).status_code == 404
    assert client.post(_draft_url("dossier_review", draft)).status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.form_data == {"ho_ten": "An"}
    assert "Kẻ lạ" not in _text(client.get(reverse("portal:my_dossiers")))


def test_step_one_suggests_the_citizens_commune_and_searches_agencies(client: Client) -> None:
    shop = one_stop_shop()
    district = AgencyFactory(name="Ủy ban nhân dân huyện Vị Thủy")
    others = [
        AgencyFactory(name=f"Ủy ban nhân dân xã Vị {name}", parent=district) for name in ("Bình", "Thanh")
    ]
    shop.procedure.agencies.add(*others)
    # The citizen filed with Vị Thanh before: it is suggested.
    other = one_stop_shop()
    other.procedure.agencies.add(others[1])
    actions.create_draft(actor=shop.citizen, procedure=other.procedure, agency=others[1])
    client.force_login(shop.citizen)
    start = reverse("portal:dossier_start", args=[shop.procedure.code])
    page = client.get(start).content.decode()
    assert "Gợi ý cho bạn" in page
    assert f'value="{others[1].pk}" checked' in page
    assert page.count('type="radio"') == 3

    found = client.get(start, {"q": "vi binh"})  # without diacritics
    assert found.status_code == 200
    assert f'value="{others[0].pk}"' in found.content.decode()
    assert f'value="{shop.agency.pk}"' not in found.content.decode()
    by_district = client.get(start, {"q": "Vị Thủy"}, headers={"HX-Request": "true"})
    fragment = by_district.content.decode()
    assert "<html" not in fragment  # htmx gets the list only
    assert fragment.count('type="radio"') == 2

    refused = client.post(start, {"agency": AgencyFactory().pk})
    assert refused.status_code == 400
    assert "Cơ quan này không tiếp nhận thủ tục." in _text(refused)
    nothing = client.post(start, {})
    assert "Vui lòng chọn cơ quan tiếp nhận hồ sơ." in _text(nothing)
    assert Dossier.objects.filter(procedure=shop.procedure).count() == 0


def test_a_submitted_dossier_is_not_a_draft_any_more(client: Client) -> None:
    shop = one_stop_shop()
    dossier = submitted_dossier(shop)
    client.force_login(shop.citizen)
    response = client.get(_draft_url("dossier_form", dossier))
    assert response["Location"] == reverse("portal:dossier", args=[dossier.code])


def test_every_kind_of_question_renders_labelled_and_is_stored(
    client: Client, accessible: Callable[..., PageAudit]
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
            "gioi_tinh": {"type": "string", "title": "Giới tính", "enum": ["Nam", "Nữ"]},
            "noi_dung": {
                "type": "array",
                "title": "Nội dung thay đổi",
                "minItems": 1,
                "items": {"type": "string", "enum": ["Tên", "Địa điểm", "Vốn"]},
            },
            "co_tang_ham": {"type": "boolean", "title": "Có tầng hầm"},
            "dien_tich": {"type": "number", "title": "Diện tích (m²)", "exclusiveMinimum": 0},
        },
        "required": ["ngay_sinh", "gioi_tinh", "noi_dung"],
    }
    shop = one_stop_shop(form_schema=schema)
    draft = actions.create_draft(actor=shop.citizen, procedure=shop.procedure, agency=shop.agency)
    client.force_login(shop.citizen)
    url = _draft_url("dossier_form", draft)
    refused = client.post(url, {"ngay_sinh": "30/02/2024", "dien_tich": "0"})
    assert refused.status_code == 400
    audit = accessible(refused.content.decode())
    assert {"id_noi_dung_0", "id_noi_dung_2", "id_co_tang_ham", "id_gioi_tinh"} <= audit.label_targets
    text = _text(refused)
    for message in (
        "“Ngày sinh” không đúng định dạng.",
        "Vui lòng nhập “Giới tính”.",
        "Vui lòng nhập “Nội dung thay đổi”.",
        "“Diện tích (m²)” phải lớn hơn 0.",
    ):
        assert message in text, message
    html = refused.content.decode()
    assert '<a href="#id_noi_dung_0">Vui lòng nhập “Nội dung thay đổi”.</a>' in html
    assert re.search(
        r'<input[^>]*id="id_noi_dung_0"[^>]*aria-describedby="[^"]*id_noi_dung-loi"', html
    ) or re.search(r'<input[^>]*aria-describedby="[^"]*id_noi_dung-loi"[^>]*id="id_noi_dung_0"', html)

    stored = client.post(
        url,
        {
            "ngay_sinh": "2024-02-29",
            "gioi_tinh": "Nữ",
            "noi_dung": ["Vốn", "Tên"],
            "co_tang_ham": "on",
            "dien_tich": "75,5",
        },
    )
    assert stored.status_code == 302
    draft.refresh_from_db()
    assert draft.form_data == {
        "ngay_sinh": "2024-02-29",
        "gioi_tinh": "Nữ",
        "noi_dung": ["Vốn", "Tên"],
        "co_tang_ham": True,
        "dien_tich": 75.5,
    }
    resumed = client.get(url).content.decode()
    assert re.search(r'<input[^>]*value="Vốn"[^>]*checked', resumed)
    assert re.search(
        r'<input[^>]*id="id_co_tang_ham"[^>]*checked|<input[^>]*checked[^>]*id="id_co_tang_ham"', resumed
    )
