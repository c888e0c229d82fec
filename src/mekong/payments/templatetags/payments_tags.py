"""Payment parts of the dossier pages: the citizen's “Thanh toán” notice and the officers' payments panel."""

from __future__ import annotations

from typing import Any

from django import template

from mekong.core.errors import DomainError
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import TRANSITIONS, Command, Status
from mekong.payments import actions, selectors

register = template.Library()
REQUESTABLE = TRANSITIONS[Command.REQUEST_PAYMENT].sources


@register.inclusion_tag("payments/_notice.html")
def payment_notice(dossier: Dossier) -> dict[str, Any]:
    """On the citizen's dossier page while the dossier waits for payment."""
    return {"dossier": dossier, "due": selectors.amount_due(dossier)}


@register.inclusion_tag("payments/_panel.html")
def payments_panel(dossier: Dossier) -> dict[str, Any]:
    """On the back-office dossier page: what is owed and every attempt to pay it; before a request, what
    the fee items come to for this dossier (the breakdown an officer sees before asking for it)."""
    due = selectors.amount_due(dossier)
    computed = None
    if due is None and dossier.status is not None and Status(dossier.status) in REQUESTABLE:
        try:
            breakdown = actions.compute_for(dossier)
        except DomainError:
            breakdown = None
        if breakdown is not None and breakdown.total > 0:
            computed = {"fees": selectors.fee_rows(breakdown.as_list()), "total": breakdown.total}
    return {
        "dossier": dossier,
        "due": due,
        "computed": computed,
        "payments": list(selectors.payments_of(dossier)),
    }
