"""Public verification of issued documents at /verify/<id>/ — the address in each document's QR code.

Anyone holding the address sees what the document's header already shows (kind, dossier code, procedure,
agency, date, the applicant's name masked) and its SHA-256, and can upload a file to check that it is the
document issued, byte for byte. Nothing is stored and nothing changes.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from typing import Any
from uuid import UUID

import segno
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from mekong.dossiers.documents.issue import verify_url
from mekong.dossiers.documents.text import mask_name
from mekong.dossiers.models import IssuedDocument
from mekong.dossiers.validation import max_upload_bytes


class CompareForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp văn bản cần đối chiếu"),
        help_text=_("Tệp chỉ dùng để tính mã SHA-256 trên máy chủ, không được lưu lại."),
        error_messages={"required": _("Vui lòng chọn tệp văn bản."), "empty": _("Tệp rỗng.")},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("Tệp quá lớn: tối đa %(limit_mb)s MB."), params={"limit_mb": limit // (1024 * 1024)}
            )
        return upload


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def _document(document_id: UUID) -> IssuedDocument | None:
    return (
        IssuedDocument.objects.select_related("dossier__procedure", "dossier__agency")
        .filter(pk=document_id)
        .first()
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "dossiers/verify_not_found.html", status=404)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, document_id: UUID) -> HttpResponse:
    document = _document(document_id)
    if document is None:
        return _not_found(request)
    outcome: dict[str, Any] | None = None
    status = 200
    form = CompareForm()
    if request.method == "POST":
        form = CompareForm(request.POST, request.FILES)
        if form.is_valid():
            uploaded = _sha256(form.cleaned_data["file"])
            outcome = {"match": hmac.compare_digest(uploaded, document.sha256), "sha256": uploaded}
            form = CompareForm()
        else:
            status = 400
    dossier = document.dossier
    context = {
        "document": document,
        "dossier_code": dossier.code,
        "procedure_name": dossier.procedure.name,
        "agency_name": dossier.agency.name,
        "applicant": mask_name(dossier.applicant_name),
        "form": form,
        "outcome": outcome,
        "verify_url": verify_url(document.pk),
    }
    response = render(request, "dossiers/verify.html", context, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def verify_qr(request: HttpRequest, document_id: UUID) -> HttpResponse:
    """The QR code of a document's verification address, for pages that list issued documents (an
    uploaded result carries no QR code of its own)."""
    if not IssuedDocument.objects.filter(pk=document_id).exists():
        return _not_found(request)
    svg = io.BytesIO()
    segno.make(verify_url(document_id), error="m", micro=False).save(
        svg, kind="svg", scale=4, title=str(_("Mã QR xác thực văn bản"))
    )
    response = HttpResponse(svg.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
