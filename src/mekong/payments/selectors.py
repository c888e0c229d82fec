"""Read-only queries on payments for the portal, the back office and the API. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from mekong.dossiers.models import Dossier, IssuedDocument, IssuedDocumentKind
from mekong.payments.actions import open_request
from mekong.payments.models import Payment, PaymentEvent


@dataclass(frozen=True)
class FeeRow:
    name: str
    kind: str
    unit_amount: int
    quantity: int
    subtotal: int


def fee_rows(lines: Any) -> list[FeeRow]:
    """The fee lines kept on a request_payment event (or computed now) as rows to show."""
    rows = []
    for line in lines or []:
        if isinstance(line, dict):
            rows.append(
                FeeRow(
                    name=str(line.get("name", "")),
                    kind=str(line.get("kind", "")),
                    unit_amount=int(line.get("unit_amount", 0)),
                    quantity=int(line.get("quantity", 0)),
                    subtotal=int(line.get("subtotal", 0)),
                )
            )
    return rows


@dataclass(frozen=True)
class AmountDue:
    """What a dossier in status 6 waits for: the amount and the lines it adds up."""

    amount: int
    fees: list[FeeRow] = field(default_factory=list)
    note: str = ""


def amount_due(dossier: Dossier) -> AmountDue | None:
    request = open_request(dossier)
    if request is None:
        return None
    return AmountDue(int(request.data.get("amount", 0)), fee_rows(request.data.get("fees")), request.note)


def payments_of(dossier: Dossier) -> QuerySet[Payment]:
    """A dossier's payments, newest first, with their history (two queries whatever their number)."""
    return Payment.objects.filter(dossier=dossier).prefetch_related(
        Prefetch("events", queryset=PaymentEvent.objects.order_by("sequence"))
    )


def fee_receipts(dossier: Dossier) -> list[IssuedDocument]:
    return list(dossier.documents.filter(kind=IssuedDocumentKind.FEE_RECEIPT).order_by("issued_at"))
