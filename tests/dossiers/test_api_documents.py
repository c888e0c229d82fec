"""Downloads: attachments and issued documents, for the owner and the agency's readers only (404 for
everyone else, so that nobody learns the dossier exists)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from accounts.factories import CitizenFactory, OfficialFactory, RoleAssignmentFactory
from catalog.factories import AgencyFactory
from mekong.accounts.roles import Role
from mekong.dossiers import actions
from mekong.dossiers.models import Dossier, IssuedDocument, IssuedDocumentKind

from .api_support import Api, media_in_tmp
from .factories import JPEG_BYTES, PDF_BYTES, OneStopShop, one_stop_shop, pdf, submitted_dossier

__all__ = ["media_in_tmp"]

pytestmark = pytest.mark.django_db


def content(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def issue(dossier: Dossier, kind: str, data: bytes = PDF_BYTES) -> IssuedDocument:
    document = IssuedDocument(dossier=dossier, kind=kind, sha256="0" * 64)
    document.file.save("phieu.pdf", ContentFile(data), save=False)
    document.save()
    return document


def test_owner_and_agency_download_an_attachment_others_get_404() -> None:
    shop = one_stop_shop()
    dossier = submitted_dossier(shop)
    attachment = dossier.files.get()
    path = f"/{dossier.code}/files/{attachment.pk}"

    for reader in (shop.citizen, shop.receiver, shop.leader):
        response = Api(reader).get(path)
        assert response.status_code == 200
        assert content(response) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert 'filename="to-khai.pdf"' in response["Content-Disposition"]

    other = one_stop_shop()
    for stranger in (CitizenFactory(), other.receiver, other.leader):
        refused = Api(stranger).get(path)
        assert refused.status_code == 404
        assert refused.json()["code"] == "not_found"
    assert Api().get(path).status_code == 401
    # A file id of another dossier under this code is not found either.
    foreign = submitted_dossier(other).files.get()
    assert Api(shop.citizen).get(f"/{dossier.code}/files/{foreign.pk}").status_code == 404


def test_supervising_leader_downloads_from_a_child_agency() -> None:
    shop = one_stop_shop()
    parent = AgencyFactory()
    shop.agency.parent = parent
    shop.agency.save()
    supervisor = OfficialFactory()
    RoleAssignmentFactory(user=supervisor, role=Role.LEADER, agency=parent)
    dossier = submitted_dossier(shop)
    assert Api(supervisor).get(f"/{dossier.code}/files/{dossier.files.get().pk}").status_code == 200


def test_issued_documents_are_listed_and_downloadable() -> None:
    shop = one_stop_shop()
    dossier = submitted_dossier(shop)
    receipt = issue(dossier, IssuedDocumentKind.RECEIPT)

    detail = Api(shop.citizen).get(f"/{dossier.code}").json()
    listed = next(d for d in detail["documents"] if d["id"] == str(receipt.pk))
    assert listed["kind_label"] == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    assert listed["verify_url"] == f"/verify/{receipt.pk}/"

    response = Api(shop.citizen).client.get(listed["download_url"], **Api(shop.citizen).headers)
    assert response.status_code == 200
    assert content(response) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert Api(CitizenFactory()).get(f"/{dossier.code}/documents/{receipt.pk}").status_code == 404
    assert Api(shop.citizen).get(f"/{dossier.code}/documents/not-a-uuid").status_code == 422


def _processing(shop: OneStopShop) -> Dossier:
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    return actions.start_processing(dossier, actor=shop.specialist)


def test_result_reaches_the_citizen_only_once_approved() -> None:
    shop = one_stop_shop()
    dossier = _processing(shop)
    result_file = actions.attach_result(dossier, actor=shop.specialist, stream=pdf(JPEG_BYTES), name="kq.jpg")
    result_document = issue(dossier, IssuedDocumentKind.RESULT, JPEG_BYTES)
    citizen, specialist = Api(shop.citizen), Api(shop.specialist)
    file_path = f"/{dossier.code}/files/{result_file.pk}"
    document_path = f"/{dossier.code}/documents/{result_document.pk}"

    assert citizen.get(file_path).status_code == 404
    assert citizen.get(document_path).status_code == 404
    assert str(result_document.pk) not in {
        d["id"] for d in citizen.get(f"/{dossier.code}").json()["documents"]
    }
    assert specialist.get(file_path).status_code == 200

    actions.approve(dossier, actor=shop.leader)
    downloaded = citizen.get(file_path)
    assert downloaded.status_code == 200
    assert downloaded["Content-Type"] == "image/jpeg"
    document = citizen.get(document_path)
    assert document.status_code == 200
    assert document["Content-Type"] == "image/jpeg"  # told by the content, not assumed to be a PDF
    assert content(document) == JPEG_BYTES
