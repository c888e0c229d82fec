"""Citizens over the API: drafts, uploads (and their refusals), submission, the one-shot submission."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from accounts.factories import CitizenFactory
from catalog.factories import AgencyFactory, ProcedureFactory, RequiredDocumentFactory
from mekong.dossiers.models import Dossier, DossierEvent, DossierFile
from mekong.dossiers.states import Status

from .api_support import Api, media_in_tmp, upload
from .factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, OneStopShop, one_stop_shop, valid_form

__all__ = ["media_in_tmp"]

pytestmark = pytest.mark.django_db


def draft_body(shop: OneStopShop, **changes: Any) -> dict[str, Any]:
    return {
        "procedure": shop.procedure.code,
        "agency": shop.agency.code,
        "form_data": valid_form(),
        "result_delivery": "online",
        **changes,
    }


def test_draft_upload_submit_gives_a_coded_dossier() -> None:
    shop = one_stop_shop()
    api = Api(shop.citizen)

    created = api.post("/drafts", draft_body(shop, form_data={}))
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["procedure"] == {"code": shop.procedure.code, "name": shop.procedure.name}
    assert {problem["field"] for problem in draft["problems"]} == {
        "ho_ten",
        f"documents.{shop.requirement.pk}",
    }

    patched = api.patch(f"/drafts/{draft['id']}", {"form_data": valid_form(), "result_delivery": "postal"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["result_delivery"] == "postal"
    assert [p["field"] for p in patched.json()["problems"]] == [f"documents.{shop.requirement.pk}"]

    uploaded = api.upload(
        f"/drafts/{draft['id']}/files",
        {"file": upload("to-khai.pdf", PDF_BYTES, "text/plain")},
        requirement=shop.requirement.pk,
    )
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert uploaded.json()["content_type"] == "application/pdf"
    assert uploaded.json()["requirement_id"] == shop.requirement.pk
    assert api.get(f"/drafts/{draft['id']}").json()["problems"] == []

    submitted = api.post(f"/drafts/{draft['id']}/submit")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert re.fullmatch(rf"{re.escape(shop.agency.code)}-\d{{6}}-0001", body["code"])
    assert body["status"] == Status.NEW
    assert body["status_label"] == "Mới đăng ký"
    # Once submitted it is no longer a draft: the draft endpoints do not find it.
    assert api.get(f"/drafts/{draft['id']}").status_code == 404
    assert api.post(f"/drafts/{draft['id']}/submit").status_code == 404


def test_incomplete_submission_lists_every_problem_and_changes_nothing() -> None:
    shop = one_stop_shop()
    api = Api(shop.citizen)
    draft = api.post("/drafts", draft_body(shop, form_data={"so_ban": -1})).json()

    refused = api.post(f"/drafts/{draft['id']}/submit")

    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "incomplete"
    assert body["message"] == "Hồ sơ chưa đầy đủ, vui lòng kiểm tra các mục được đánh dấu."
    assert body["message_en"]
    assert {error["field"] for error in body["errors"]} == {
        "ho_ten",
        "so_ban",
        f"documents.{shop.requirement.pk}",
    }
    assert Dossier.objects.get(pk=draft["id"]).status is None
    assert not DossierEvent.objects.exists()


def test_draft_list_and_removing_a_file() -> None:
    shop = one_stop_shop()
    api = Api(shop.citizen)
    draft = api.post("/drafts", draft_body(shop)).json()
    file_id = api.upload(f"/drafts/{draft['id']}/files", {"file": upload("anh.jpg", JPEG_BYTES)}).json()["id"]

    listed = api.get("/drafts")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [draft["id"]]

    assert api.delete(f"/drafts/{draft['id']}/files/{file_id}").status_code == 204
    assert not DossierFile.objects.filter(pk=file_id).exists()
    assert api.delete(f"/drafts/{draft['id']}/files/{file_id}").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        ({"procedure": "1.999999.000.00.00.H28"}, "procedure", 400),
        ({"agency": "999.99.99.H28"}, "agency", 400),
        ({"result_delivery": "pigeon"}, "result_delivery", 422),
        ({"form_data": "not an object"}, "form_data", 422),
    ],
)
def test_bad_draft_input_is_refused_per_field(changes: dict[str, Any], field: str, status: int) -> None:
    shop = one_stop_shop()
    response = Api(shop.citizen).post("/drafts", draft_body(shop, **changes))
    assert response.status_code == status, response.content
    assert field in {error["field"] for error in response.json()["errors"]}
    assert response.json()["message"]
    assert response.json()["message_en"]
    assert not Dossier.objects.exists()


def test_agency_that_does_not_take_the_procedure_is_refused() -> None:
    shop = one_stop_shop()
    elsewhere = AgencyFactory()
    response = Api(shop.citizen).post("/drafts", draft_body(shop, agency=elsewhere.code))
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["agency"]
    assert not Dossier.objects.exists()


def test_drafts_are_private_to_their_owner() -> None:
    shop = one_stop_shop()
    draft = Api(shop.citizen).post("/drafts", draft_body(shop)).json()
    stranger = Api(CitizenFactory())

    assert stranger.get(f"/drafts/{draft['id']}").status_code == 404
    assert stranger.patch(f"/drafts/{draft['id']}", {"form_data": {}}).status_code == 404
    assert (
        stranger.upload(f"/drafts/{draft['id']}/files", {"file": upload("a.pdf", PDF_BYTES)}).status_code
        == 404
    )
    assert stranger.post(f"/drafts/{draft['id']}/submit").status_code == 404
    assert stranger.get("/drafts").json()["items"] == []
    assert Dossier.objects.get(pk=draft["id"]).form_data == valid_form()
    assert not DossierFile.objects.exists()


def test_anonymous_and_officials_cannot_file() -> None:
    shop = one_stop_shop()
    anonymous = Api().post("/drafts", draft_body(shop))
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthorized"
    official = Api(shop.receiver).post("/submit", draft_body(shop))
    assert official.status_code == 403
    assert official.json()["message"] == "Chỉ tài khoản công dân được nộp hồ sơ trực tuyến."
    assert not Dossier.objects.exists()


# --- upload refusals ------------------------------------------------------------------------------------


def _draft(api: Api, shop: OneStopShop) -> int:
    return int(api.post("/drafts", draft_body(shop)).json()["id"])


@pytest.mark.parametrize(
    ("name", "content", "status", "code", "fragment"),
    [
        ("ghi-chu.txt", b"just some text", 415, "unsupported_file_type", "không phải PDF, JPEG hoặc PNG"),
        ("to-khai.pdf", b"%PDF-garbage without an end", 415, "unsupported_file_type", "“to-khai.pdf”"),
        ("to-khai.pdf", b"\x00\x01garbage" * 10, 415, "unsupported_file_type", "kiểm tra theo nội dung tệp"),
        ("to-khai.pdf", PNG_BYTES, 415, "file_type_mismatch", "nội dung là PNG"),
        ("anh.png", PDF_BYTES, 415, "file_type_mismatch", "nội dung là PDF"),
        ("rong.pdf", b"", 400, "empty_file", "rỗng"),
    ],
)
def test_uploads_are_judged_by_content(
    name: str, content: bytes, status: int, code: str, fragment: str
) -> None:
    shop = one_stop_shop()
    api = Api(shop.citizen)
    draft_id = _draft(api, shop)

    refused = api.upload(f"/drafts/{draft_id}/files", {"file": upload(name, content, "application/pdf")})

    assert refused.status_code == status, refused.content
    assert refused.json()["code"] == code
    assert fragment in refused.json()["message"]
    assert refused.json()["message_en"]
    assert refused.json()["errors"][0]["field"] == "file"
    assert not DossierFile.objects.exists()


def test_oversized_upload_is_refused(settings: Any) -> None:
    settings.MEKONG_UPLOAD_MAX_BYTES = 1024 * 1024
    shop = one_stop_shop()
    api = Api(shop.citizen)
    draft_id = _draft(api, shop)
    big_pdf = PDF_BYTES[:-7] + b"\n" * (1024 * 1024) + b"%%EOF\n"

    refused = api.upload(f"/drafts/{draft_id}/files", {"file": upload("lon.pdf", big_pdf)})

    assert refused.status_code == 413
    assert refused.json()["code"] == "file_too_large"
    assert refused.json()["message"] == "Tệp “lon.pdf” quá lớn: tối đa 1 MB."
    assert not DossierFile.objects.exists()
    small = api.upload(f"/drafts/{draft_id}/files", {"file": upload("nho.pdf", PDF_BYTES)})
    assert small.status_code == 201


def test_requirement_of_another_procedure_is_refused() -> None:
    shop = one_stop_shop()
    other = one_stop_shop()
    api = Api(shop.citizen)
    draft_id = _draft(api, shop)
    refused = api.upload(
        f"/drafts/{draft_id}/files", {"file": upload("a.pdf", PDF_BYTES)}, requirement=other.requirement.pk
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "requirement"
    assert not DossierFile.objects.exists()


# --- one-shot submission ---------------------------------------------------------------------------------


def test_one_shot_submission_without_files() -> None:
    procedure = ProcedureFactory()  # no mandatory documents
    shop = one_stop_shop()
    procedure.agencies.add(shop.agency)
    api = Api(shop.citizen)

    response = api.post("/submit", draft_body(shop, procedure=procedure.code))

    assert response.status_code == 201, response.content
    dossier = Dossier.objects.get(code=response.json()["code"])
    assert dossier.status == Status.NEW
    assert dossier.applicant == shop.citizen
    assert dossier.procedure == procedure
    assert api.get("/mine").json()["count"] == 1


def test_one_shot_submission_checks_the_agency_and_only_mandatory_documents() -> None:
    procedure = ProcedureFactory()
    RequiredDocumentFactory(procedure=procedure, mandatory=False)  # optional: no reason to refuse
    shop = one_stop_shop()
    procedure.agencies.add(shop.agency)
    api = Api(shop.citizen)

    elsewhere = AgencyFactory()  # exists, but does not receive the procedure
    refused = api.post("/submit", draft_body(shop, procedure=procedure.code, agency=elsewhere.code))
    assert refused.status_code == 400
    assert [error["field"] for error in refused.json()["errors"]] == ["agency"]
    assert not Dossier.objects.exists()

    accepted = api.post("/submit", draft_body(shop, procedure=procedure.code))
    assert accepted.status_code == 201, accepted.content
    assert Dossier.objects.get().agency == shop.agency


def test_refused_one_shot_submission_leaves_no_draft() -> None:
    shop = one_stop_shop()  # its procedure requires a document: a one-shot submission cannot satisfy it
    response = Api(shop.citizen).post("/submit", draft_body(shop))
    assert response.status_code == 400
    assert response.json()["code"] == "incomplete"
    assert not Dossier.objects.exists()
