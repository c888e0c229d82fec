"""The electronic fee receipt (biên lai thu phí, lệ phí điện tử): issued, as a PDF with its verification QR
code, in the same transaction as every pay event — online through a gateway or at the counter — by the
document machinery of `dossiers.documents` (kind ``fee_receipt``)."""

from __future__ import annotations

from typing import Any

from mekong.dossiers import hooks
from mekong.dossiers.documents.issue import issue_document
from mekong.dossiers.models import Dossier, DossierEvent, IssuedDocumentKind
from mekong.dossiers.states import Command
from mekong.payments.amounts import in_words
from mekong.payments.gateways.registry import registry


def receipt_details(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """What the receipt says beyond the pay event's own data: the request's fee lines and the amount."""
    request = (
        dossier.events.filter(command=Command.REQUEST_PAYMENT, sequence__lt=event.sequence)
        .order_by("-sequence")
        .first()
    )
    requested = request.data if request is not None else {}
    amount = int(event.data.get("amount") or requested.get("amount") or 0)
    gateway = str(event.data.get("gateway") or "")
    details: dict[str, Any] = {"amount": amount, "fees": requested.get("fees", [])}
    if amount > 0:
        details["amount_in_words"] = in_words(amount)
    if gateway in registry:
        details["gateway_label"] = str(registry.get(gateway).label)
    if "channel" not in event.data:  # a pay event recorded without a payment (before issue 4)
        details["channel"] = "counter"
    return details


@hooks.on_event(Command.PAY)
def issue_fee_receipt(dossier: Dossier, event: DossierEvent) -> None:
    issue_document(
        dossier, IssuedDocumentKind.FEE_RECEIPT, event=event, extra=receipt_details(dossier, event)
    )
