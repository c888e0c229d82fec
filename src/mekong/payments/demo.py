"""Payments in the demo data: the same records a real payment leaves, made without a browser.

An online dossier is paid through the sandbox gateway's protocol — the citizen's payment URL, the gateway's
signed result, the notification handled by `actions.handle_notification` — so it has a `Payment` with its
history, a gateway transaction number, a pay event carrying the reference and an e-receipt. A dossier
handed in at the counter is paid at the counter (`actions.confirm_counter_payment`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from mekong.accounts.models import User
from mekong.core.errors import DomainError
from mekong.dossiers import actions as dossier_actions
from mekong.dossiers.models import Dossier
from mekong.payments import actions
from mekong.payments.gateways.contrib.sandbox.plugin import sandbox
from mekong.payments.gateways.contrib.sandbox.server import APPROVE, result_for

FALLBACK_AMOUNT = 50_000


def request_payment(dossier: Dossier, *, actor: User, note: str, at: datetime) -> Dossier:
    """The fees the procedure's items come to; a flat amount for a procedure whose items are all free."""
    try:
        return actions.request_payment(dossier, actor=actor, note=note, at=at)
    except DomainError as error:
        if error.code != "no_fee_due":
            raise
        return dossier_actions.request_payment(dossier, actor=actor, amount=FALLBACK_AMOUNT, note=note, at=at)


def pay_online(dossier: Dossier, *, citizen: User, at: datetime) -> Dossier:
    """The citizen pays through the sandbox at `at` (the gateway answers two minutes later)."""
    started = actions.open_order(dossier, actor=citizen, gateway=sandbox, now=at)
    order = dict(parse_qsl(urlsplit(started.url).query, keep_blank_values=True))
    answered = at + timedelta(minutes=2)
    actions.handle_notification(sandbox, result_for(order, APPROVE, answered), source="ipn", at=answered)
    return Dossier.objects.get(pk=dossier.pk)


def pay_at_counter(dossier: Dossier, *, officer: User, at: datetime) -> Dossier:
    actions.confirm_counter_payment(dossier, actor=officer, at=at)
    return Dossier.objects.get(pk=dossier.pk)
