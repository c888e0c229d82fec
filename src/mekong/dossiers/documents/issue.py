"""Issuing documents: render, store, hash, record. Each issued document has a UUID that is known before
rendering, so its own QR code can carry its verification address; the SHA-256 shown at that address is of
the stored PDF bytes, computed after rendering.

The one-stop-shop documents are issued by the hooks in `documents.hooks` inside the action's transaction.
The e-result comes two ways: a file the specialist uploads with `actions.attach_result`, or one generated
from the template by `generate_result`, which renders it and hands it to `actions.attach_result` in turn —
either way the result file gets an `IssuedDocument` (see `documents.hooks.issue_for_result_file`).
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mekong.accounts.models import User
from mekong.dossiers import actions
from mekong.dossiers.documents.content import Issue, build_content
from mekong.dossiers.documents.render import render_pdf
from mekong.dossiers.models import Dossier, DossierEvent, DossierFile, IssuedDocument, IssuedDocumentKind

log = structlog.get_logger(__name__)

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def public_url() -> str:
    return str(getattr(settings, "MEKONG_PUBLIC_URL", DEFAULT_PUBLIC_URL)).rstrip("/")


def verify_url(document_id: uuid.UUID | str) -> str:
    """The absolute address the QR code carries."""
    return public_url() + reverse("dossiers:verify", kwargs={"document_id": document_id})


def render_document(
    dossier: Dossier,
    kind: IssuedDocumentKind | str,
    *,
    document_id: uuid.UUID,
    at: datetime,
    event: DossierEvent | None = None,
    issued_by: User | None = None,
    extra: Mapping[str, Any] | None = None,
) -> bytes:
    """The PDF of one document, without storing anything."""
    issue = Issue(
        kind=IssuedDocumentKind(kind),
        dossier=dossier,
        document_id=str(document_id),
        verify_url=verify_url(document_id),
        at=at,
        event=event,
        issued_by=issued_by,
        extra=extra,
    )
    return render_pdf(build_content(issue))


def issue_document(
    dossier: Dossier,
    kind: IssuedDocumentKind | str,
    *,
    event: DossierEvent | None = None,
    issued_by: User | None = None,
    extra: Mapping[str, Any] | None = None,
) -> IssuedDocument:
    """Render, store and record a receipt, supplement request, refusal or apology letter.

    `event` supplies the date, the officer and the details (the supplement's `missing` list, the
    refusal's reason in its note); `extra` adds or overrides them. An apology reads the reason, the
    previous and the new appointment from its `reschedule` event (note, data ``previous_due_at`` and
    ``new_due_at``) or from ``extra={"reason": str, "new_due_at": datetime, "previous_due_at": datetime}``. Results are issued through `generate_result` or
    `actions.attach_result`, never here, so every result is also a result file on the dossier.
    """
    kind = IssuedDocumentKind(kind)
    if kind == IssuedDocumentKind.RESULT:
        raise ValueError("issue results with generate_result() or actions.attach_result()")
    issued_by = issued_by or (event.actor if event is not None else None)
    at = event.created_at if event is not None else timezone.now()
    document_id = uuid.uuid4()
    pdf = render_document(
        dossier, kind, document_id=document_id, at=at, event=event, issued_by=issued_by, extra=extra
    )
    document = IssuedDocument(
        id=document_id,
        dossier=dossier,
        kind=kind,
        sha256=hashlib.sha256(pdf).hexdigest(),
        event=event,
        issued_by=issued_by,
        issued_at=at,  # back-dated events (tests, the demo data) keep the date printed on them
    )
    document.file.save(f"{document_id}.pdf", ContentFile(pdf), save=False)
    document.save(force_insert=True)
    log.info("document_issued", dossier=dossier.code, kind=str(kind), document=str(document_id))
    return document


# --- results ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingResult:
    """A generated result on its way through `actions.attach_result`: the id its QR code already carries."""

    document_id: uuid.UUID
    sha256: str


_pending_result: ContextVar[PendingResult | None] = ContextVar("pending_result", default=None)


@contextmanager
def _pending(result: PendingResult) -> Iterator[None]:
    token = _pending_result.set(result)
    try:
        yield
    finally:
        _pending_result.reset(token)


def generate_result(
    dossier: Dossier, *, actor: User, note: str = "", at: datetime | None = None
) -> IssuedDocument:
    """The specialist's “generate from template” choice: render the e-result (the procedure's result,
    the applicant, the form data, a QR code to its own verification page) and attach it as the dossier's
    result through `actions.attach_result`, which checks the status and the specialist's role, records
    the event and lets `approve` see a result."""
    at = at or timezone.now()
    document_id = uuid.uuid4()
    pdf = render_document(dossier, IssuedDocumentKind.RESULT, document_id=document_id, at=at, issued_by=actor)
    pending = PendingResult(document_id=document_id, sha256=hashlib.sha256(pdf).hexdigest())
    with transaction.atomic(), _pending(pending):
        actions.attach_result(
            dossier, actor=actor, stream=io.BytesIO(pdf), name=f"ket-qua-{dossier.code}.pdf", note=note, at=at
        )
        return IssuedDocument.objects.get(pk=document_id)


def record_result_file(dossier_file: DossierFile) -> IssuedDocument:
    """The `IssuedDocument` of a result file, sharing its stored bytes and SHA-256. A file that
    `generate_result` rendered gets the id its QR code already points at."""
    pending = _pending_result.get()
    generated = pending is not None and pending.sha256 == dossier_file.sha256
    document = IssuedDocument(
        id=pending.document_id if pending is not None and generated else uuid.uuid4(),
        dossier_id=dossier_file.dossier_id,
        kind=IssuedDocumentKind.RESULT,
        sha256=dossier_file.sha256,
        event_id=dossier_file.event_id,
        issued_by_id=dossier_file.uploaded_by_id,
        issued_at=dossier_file.event.created_at if dossier_file.event is not None else timezone.now(),
    )
    document.file.name = dossier_file.file.name
    document.save(force_insert=True)
    log.info("result_issued", dossier=dossier_file.dossier_id, document=str(document.pk), generated=generated)
    return document
