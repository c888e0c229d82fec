"""The acceptance journeys of issue 3, over HTTP against a live server.

1. A citizen submits with attachments → the officer receives → requests a supplement → the citizen
   supplements → the specialist processes and issues the e-result → the leader approves → the result is
   returned → the citizen downloads it, reads its QR code, and the verification page confirms its hash.
2. A dossier runs late: the system drafts the apology letter, the officer confirms it in the back office,
   and the citizen receives the letter and the new appointment.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dossiers.factories import PDF_BYTES, PNG_BYTES, one_stop_shop, submitted_dossier, valid_form
from dossiers.test_documents_render import pdf_text, read_qr_codes
from mekong.dossiers import actions
from mekong.dossiers.apology import draft_apologies
from mekong.dossiers.calendar import province_calendar
from mekong.dossiers.models import ApologyLetter, Dossier

from .conftest import api_client, csrf_token, web_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_citizen_to_e_result_verified_by_its_qr_code(live: str) -> None:
    shop = one_stop_shop(requires_e_result=True, time_limit_value=5)
    citizen = api_client(live, shop.citizen.personal_id)
    receiver = api_client(live, shop.receiver.username)
    specialist = api_client(live, shop.specialist.username)
    leader = api_client(live, shop.leader.username)

    # The citizen files: draft, attachment, submission (twice with one key: still one dossier).
    draft = citizen.post(
        "/dossiers/drafts",
        json={"procedure": shop.procedure.code, "agency": shop.agency.code, "form_data": valid_form()},
    )
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["id"]
    uploaded = citizen.post(
        f"/dossiers/drafts/{draft_id}/files",
        data={"requirement": str(shop.requirement.pk)},
        files={"file": ("to-khai.pdf", PDF_BYTES, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    key = {"Idempotency-Key": "nop-lan-1"}
    submitted = citizen.post(f"/dossiers/drafts/{draft_id}/submit", headers=key)
    again = citizen.post(f"/dossiers/drafts/{draft_id}/submit", headers=key)
    assert submitted.status_code == again.status_code == 200, submitted.text
    code = submitted.json()["code"]
    assert again.json()["code"] == code
    assert Dossier.objects.exclude(code=None).count() == 1
    assert submitted.json()["status"] == 1

    # The one-stop shop receives it: status 2, an appointment, and the receipt.
    received = receiver.post(f"/dossiers/{code}/receive", json={"note": ""})
    assert received.status_code == 200, received.text
    assert received.json()["status"] == 2
    assert received.json()["due_at"]
    receipt = _document(citizen, code, "receipt")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in pdf_text(_download(citizen, receipt)).upper()

    # Supplement requested and supplied online.
    asked = specialist.post(f"/dossiers/{code}/start", json={})
    assert asked.status_code == 200, asked.text
    asked = specialist.post(
        f"/dossiers/{code}/request-supplement", json={"missing": ["Ảnh chân dung 4x6"], "note": ""}
    )
    assert asked.json()["status"] == 5
    supplemented = citizen.post(
        f"/dossiers/{code}/supplement",
        data={"note": "Gửi ảnh"},
        files={"files": ("anh.png", PNG_BYTES, "image/png")},
    )
    assert supplemented.status_code == 200, supplemented.text
    assert supplemented.json()["status"] == 4

    # The specialist issues the e-result from its template; the leader approves; the result is returned.
    generated = specialist.post(f"/dossiers/{code}/result/generate", json={"note": ""})
    assert generated.status_code == 201, generated.text
    approved = leader.post(f"/dossiers/{code}/approve", json={"note": ""})
    assert approved.json()["status"] == 9, approved.text
    returned = receiver.post(f"/dossiers/{code}/return", json={"note": ""})
    assert returned.json()["status"] == 10, returned.text

    # The citizen downloads the e-result, scans its QR code and checks it on the verification page.
    result = _document(citizen, code, "result")
    pdf = _download(citizen, result)
    assert hashlib.sha256(pdf).hexdigest() == result["sha256"]
    [url] = read_qr_codes(pdf)
    assert url == f"{live}/verify/{result['id']}/"
    page = citizen.get(url)
    assert page.status_code == 200
    assert result["sha256"] in page.text
    form = citizen.get(url)
    verdict = citizen.post(
        url,
        data={"csrfmiddlewaretoken": csrf_token(form.text)},
        files={"file": ("ket-qua.pdf", pdf, "application/pdf")},
        headers={"Referer": url},
    )
    assert verdict.status_code == 200
    assert "Khớp" in verdict.text
    tampered = citizen.post(
        url,
        data={"csrfmiddlewaretoken": csrf_token(form.text)},
        files={"file": ("ket-qua.pdf", pdf + b"\n", "application/pdf")},
        headers={"Referer": url},
    )
    assert "Không khớp" in tampered.text

    # The whole trail is intact.
    timeline = citizen.get(f"/dossiers/{code}").json()["timeline"]
    assert [entry["action"] for entry in timeline] == [
        "submit",
        "receive",
        "start_processing",
        "request_supplement",
        "supplement",
        "attach_result",
        "approve",
        "return_result",
    ]


def test_a_late_dossier_gets_an_apology_and_a_new_appointment(live: str) -> None:
    shop = one_stop_shop(time_limit_value=1)
    now = timezone.now()
    # Received long enough ago that the appointment is close (or past): the apology is due.
    dossier = submitted_dossier(shop, at=now - timedelta(days=3))
    dossier = actions.receive(dossier, actor=shop.receiver, at=now - timedelta(days=3))
    dossier = actions.start_processing(dossier, actor=shop.specialist, at=now - timedelta(days=3))
    old_due = dossier.due_at
    assert old_due is not None

    drafted = draft_apologies(now=old_due - timedelta(hours=1))
    assert [letter.dossier_id for letter in drafted] == [dossier.pk]
    letter = ApologyLetter.objects.get()

    # The receiving officer confirms it in the back office.
    officer = web_client(live, shop.receiver.username)
    listing = officer.get("/can-bo/phieu-xin-loi/")
    assert listing.status_code == 200
    assert dossier.code in listing.text
    new_date = letter.new_due_at.astimezone(timezone.get_default_timezone()).date()
    if letter.new_due_at <= timezone.now():
        # Drafted for a new appointment that is already over (the suite runs late in the day): the officer
        # picks the next working day instead, as the form lets them.
        new_date = province_calendar().next_working_day(timezone.localdate())
    confirmed = officer.post(
        f"/can-bo/phieu-xin-loi/{letter.pk}/gui/",
        data={
            "csrfmiddlewaretoken": csrf_token(listing.text),
            f"phieu-{letter.pk}-reason": "Hồ sơ cần xác minh thêm với cơ quan liên quan.",
            f"phieu-{letter.pk}-new_due_date": new_date.isoformat(),
        },
        headers={"Referer": f"{live}/can-bo/phieu-xin-loi/"},
    )
    assert confirmed.status_code == 302, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", confirmed.text))[:3000]

    # The citizen sees the letter and the new appointment.
    citizen = api_client(live, shop.citizen.personal_id)
    detail = citizen.get(f"/dossiers/{dossier.code}").json()
    apology = next(doc for doc in detail["documents"] if doc["kind"] == "apology")
    text = pdf_text(_download(citizen, apology))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text.upper()
    assert "Hồ sơ cần xác minh thêm với cơ quan liên quan." in text
    assert new_date.strftime("%d/%m/%Y") in text
    assert detail["due_at"] > old_due.isoformat()


def _document(client: Any, code: str, kind: str) -> dict[str, Any]:
    documents = client.get(f"/dossiers/{code}").json()["documents"]
    found = [doc for doc in documents if doc["kind"] == kind]
    assert found, f"no {kind} among {[doc['kind'] for doc in documents]}"
    return found[-1]


def _download(client: Any, document: dict[str, Any]) -> bytes:
    url = document["download_url"]
    response = client.get(re.sub(r"^/api/v1", "", url))
    assert response.status_code == 200, response.text
    return bytes(response.content)
