""" "Hồ sơ của tôi": the citizen's dossiers and drafts, one dossier's timeline, files and documents, and the
two things a citizen may do to a dossier: supplement it when asked, and withdraw it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.factories import CitizenFactory
from dossiers.factories import PDF_BYTES, PNG_BYTES, OneStopShop, one_stop_shop, pdf, submitted_dossier
from mekong.dossiers import actions
from mekong.dossiers.models import Dossier, DossierFile, FileKind, IssuedDocument, IssuedDocumentKind
from mekong.dossiers.states import Status

from .html_audit import PageAudit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _memory_storage(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _issue(dossier: Dossier, kind: str, content: bytes = PDF_BYTES) -> IssuedDocument:
    document = IssuedDocument(dossier=dossier, kind=kind, sha256=hashlib.sha256(content).hexdigest())
    document.file.save(f"{kind}.pdf", ContentFile(content), save=True)
    return document


def _supplement_requested(shop: OneStopShop) -> Dossier:
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    return actions.request_supplement(
        dossier, actor=shop.receiver, missing=["Bản sao giấy khai sinh", "Ảnh 4x6"], note="Ảnh chụp bị mờ."
    )


def _my_dossiers_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:my_dossiers"))
    assert response.status_code == 200
    return len(queries)


def test_my_dossiers_lists_submitted_ones_and_drafts_apart(
    client: Client, accessible: Callable[..., PageAudit]
) -> None:
    shop = one_stop_shop()
    received = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    new = submitted_dossier(shop)
    draft = actions.create_draft(actor=shop.citizen, procedure=shop.procedure, agency=shop.agency)
    stranger = one_stop_shop()
    theirs = submitted_dossier(stranger)
    client.force_login(shop.citizen)

    response = client.get(reverse("portal:my_dossiers"))
    accessible(response.content.decode())
    html = response.content.decode()
    drafts, submitted = html.split('id="ho-so-da-nop"')
    assert reverse("portal:dossier_resume", args=[draft.pk]) in drafts
    assert shop.procedure.name in drafts
    for dossier in (received, new):
        assert reverse("portal:dossier", args=[dossier.code]) in submitted
        assert dossier.code in submitted
    assert "Được tiếp nhận" in submitted
    assert "Mới đăng ký" in submitted
    assert received.due_at is not None
    assert f"{timezone.localtime(received.due_at):%d/%m/%Y}" in submitted
    assert f"{timezone.localtime(new.submitted_at):%d/%m/%Y}" in submitted
    assert "khi được tiếp nhận" in submitted  # the new one has no appointment yet
    assert theirs.code not in html


def test_my_dossiers_costs_the_same_queries_however_many_there_are(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    shop = one_stop_shop()
    for _index in range(2):
        submitted_dossier(shop)
    actions.create_draft(actor=shop.citizen, procedure=shop.procedure, agency=shop.agency)
    client.force_login(shop.citizen)
    few = _my_dossiers_queries(client)
    for _index in range(10):
        actions.receive(submitted_dossier(shop), actor=shop.receiver)
        actions.create_draft(actor=shop.citizen, procedure=shop.procedure, agency=shop.agency)
    assert _my_dossiers_queries(client) == few
    with django_assert_max_num_queries(6):
        client.get(reverse("portal:my_dossiers"))


def test_the_detail_shows_the_timeline_files_and_documents(
    client: Client, accessible: Callable[..., PageAudit]
) -> None:
    shop = one_stop_shop()
    dossier = _supplement_requested(shop)
    receipt = _issue(dossier, IssuedDocumentKind.RECEIPT)
    client.force_login(shop.citizen)
    response = client.get(reverse("portal:dossier", args=[dossier.code]))
    assert response.status_code == 200
    html = response.content.decode()
    accessible(html)
    timeline = re.search(r'<ol class="timeline".*?</ol>', html, re.S)
    assert timeline
    steps = re.findall(r"<strong>(.*?)</strong>", timeline.group(0))
    assert steps == ["Yêu cầu bổ sung giấy tờ", "Được tiếp nhận", "Mới đăng ký"]  # newest first
    assert "Ảnh chụp bị mờ." in timeline.group(0)
    assert "Bản sao giấy khai sinh" in timeline.group(0)
    assert reverse("portal:dossier_document", args=[dossier.code, receipt.pk]) in html
    attached = dossier.files.get()
    assert reverse("portal:dossier_file", args=[dossier.code, attached.pk]) in html
    # Waiting for the citizen: the request and the button to answer it come first.
    assert reverse("portal:dossier_supplement", args=[dossier.code]) in html
    assert reverse("portal:dossier_withdraw", args=[dossier.code]) in html


def test_only_the_owner_sees_a_dossier_and_downloads_its_files(client: Client) -> None:
    shop = one_stop_shop()
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    attached = dossier.files.get()
    receipt = _issue(dossier, IssuedDocumentKind.RECEIPT)
    other = submitted_dossier(one_stop_shop())
    urls = [
        reverse("portal:dossier", args=[dossier.code]),
        reverse("portal:dossier_submitted", args=[dossier.code]),
        reverse("portal:dossier_file", args=[dossier.code, attached.pk]),
        reverse("portal:dossier_document", args=[dossier.code, receipt.pk]),
        reverse("portal:dossier_supplement", args=[dossier.code]),
        reverse("portal:dossier_withdraw", args=[dossier.code]),
    ]
    client.force_login(CitizenFactory())
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(shop.receiver)  # officials use the back office, not the citizen's pages
    assert client.get(urls[0]).status_code == 403

    client.force_login(shop.citizen)
    downloaded = client.get(urls[2])
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]
    assert "private" in downloaded["Cache-Control"]
    document = client.get(urls[3])
    assert document["Content-Type"] == "application/pdf"
    # Someone else's file through the citizen's own code is not theirs either.
    someone_elses = reverse("portal:dossier_file", args=[dossier.code, other.files.get().pk])
    assert client.get(someone_elses).status_code == 404
    assert client.get(reverse("portal:dossier", args=["000.00.98.H28-260101-0001"])).status_code == 404


def test_a_result_is_shown_only_once_approved(client: Client) -> None:
    shop = one_stop_shop()
    dossier = actions.start_processing(
        actions.receive(submitted_dossier(shop), actor=shop.receiver), actor=shop.specialist
    )
    result = _issue(dossier, IssuedDocumentKind.RESULT)
    actions.attach_result(dossier, actor=shop.specialist, stream=pdf(), name="ket-qua.pdf")
    result_file = dossier.files.get(kind=FileKind.RESULT)
    client.force_login(shop.citizen)
    document_url = reverse("portal:dossier_document", args=[dossier.code, result.pk])
    file_url = reverse("portal:dossier_file", args=[dossier.code, result_file.pk])
    page = client.get(reverse("portal:dossier", args=[dossier.code])).content.decode()
    assert document_url not in page
    assert file_url not in page
    assert client.get(document_url).status_code == 404
    assert client.get(file_url).status_code == 404
    actions.approve(dossier, actor=shop.leader)
    page = client.get(reverse("portal:dossier", args=[dossier.code])).content.decode()
    assert document_url in page
    assert file_url in page
    assert client.get(document_url).status_code == 200


def test_a_citizen_supplements_what_was_asked_for(
    client: Client, accessible: Callable[..., PageAudit]
) -> None:
    shop = one_stop_shop()
    dossier = _supplement_requested(shop)
    url = reverse("portal:dossier_supplement", args=[dossier.code])
    client.force_login(shop.citizen)
    page = client.get(url)
    accessible(page.content.decode())
    text = _text(page)
    assert "Bản sao giấy khai sinh" in text
    assert "Ảnh 4x6" in text
    assert "Ảnh chụp bị mờ." in text

    nothing = client.post(url, {"note": ""})
    assert nothing.status_code == 400
    assert "Vui lòng đính kèm giấy tờ bổ sung hoặc ghi chú." in _text(nothing)
    bad = client.post(
        url, {"tep_0": SimpleUploadedFile("khai-sinh.pdf", b"khong phai pdf"), "note": "Gửi lại"}
    )
    assert bad.status_code == 400
    accessible(bad.content.decode())
    assert "Tệp “khai-sinh.pdf” không phải PDF, JPEG hoặc PNG hợp lệ" in _text(bad)
    assert 'aria-describedby="bo-sung-0-loi"' in bad.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED

    sent = client.post(
        url,
        {
            "tep_0": SimpleUploadedFile("khai-sinh.pdf", PDF_BYTES),
            "tep_1": SimpleUploadedFile("anh.png", PNG_BYTES),
            "note": "Đã chụp lại rõ hơn.",
        },
    )
    assert sent["Location"] == reverse("portal:dossier", args=[dossier.code])
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED  # back where it was when the supplement was asked for
    supplements = DossierFile.objects.filter(dossier=dossier, kind=FileKind.SUPPLEMENT)
    assert {f.original_name for f in supplements} == {"khai-sinh.pdf", "anh.png"}
    event = dossier.events.order_by("-sequence").first()
    assert event is not None
    assert event.command == "supplement"
    assert event.note == "Đã chụp lại rõ hơn."
    detail = client.get(sent["Location"])
    assert "Đã gửi giấy tờ bổ sung." in _text(detail)
    assert url not in detail.content.decode()
    # Nothing more to supplement: the page sends back to the dossier.
    assert client.get(url)["Location"] == reverse("portal:dossier", args=[dossier.code])


def test_withdrawal_asks_for_a_reason_and_a_confirmation(
    client: Client, accessible: Callable[..., PageAudit]
) -> None:
    shop = one_stop_shop()
    dossier = submitted_dossier(shop)
    url = reverse("portal:dossier_withdraw", args=[dossier.code])

    client.force_login(CitizenFactory())
    assert client.post(url, {"reason": "Không cần", "xac_nhan": "1"}).status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW

    client.force_login(shop.citizen)
    accessible(client.get(url).content.decode())
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400
    accessible(empty.content.decode())
    assert "Vui lòng nêu lý do rút hồ sơ." in _text(empty)
    confirm = client.post(url, {"reason": "Nộp nhầm thủ tục"})
    assert confirm.status_code == 200
    accessible(confirm.content.decode())
    assert "Bạn chắc chắn muốn rút hồ sơ?" in _text(confirm)
    assert 'name="xac_nhan" value="1"' in confirm.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.NEW  # not yet

    done = client.post(url, {"reason": "Nộp nhầm thủ tục", "xac_nhan": "1"})
    assert done["Location"] == reverse("portal:dossier", args=[dossier.code])
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    assert dossier.events.order_by("-sequence").first().note == "Nộp nhầm thủ tục"
    detail = client.get(done["Location"])
    assert "Công dân yêu cầu rút hồ sơ" in _text(detail)
    assert url not in detail.content.decode()
    assert client.get(url)["Location"] == reverse("portal:dossier", args=[dossier.code])
