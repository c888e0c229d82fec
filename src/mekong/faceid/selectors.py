"""Reading face-lookup data for pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mekong.accounts.models import User
from mekong.dossiers.models import Dossier
from mekong.faceid.actions import consent_text
from mekong.faceid.models import FaceConsent, FaceEmbedding


def found_dossiers(dossiers: Iterable[Dossier]) -> list[dict[str, Any]]:
    """What a face lookup shows of each dossier: nothing more personal than its code and progress."""
    return [
        {
            "code": dossier.code,
            "procedure": dossier.procedure.name,
            "status": dossier.status,
            "status_label": dossier.status_label,
            "submitted_at": dossier.submitted_at,
            "due_at": dossier.due_at,
            "finished_at": dossier.finished_at,
        }
        for dossier in dossiers
    ]


def enrolment_status(citizen: User) -> dict[str, Any]:
    consent = FaceConsent.objects.filter(citizen=citizen, withdrawn_at__isnull=True).first()
    return {
        "consented": consent is not None,
        "faces": FaceEmbedding.objects.filter(citizen=citizen).count(),
        "given_at": consent.given_at if consent else None,
        "keep_until": consent.keep_until if consent else None,
        "consent_text": consent.text if consent else consent_text(),
    }
