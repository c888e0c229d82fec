"""Dossiers with fees, made through the actions, and the gateway's signed answers about their payments.

`fee_shop()` is a one-stop shop whose procedure charges a fixed 50,000 đ lệ phí and 8,000 đ per copy
(the form's ``so_ban``). `awaiting_payment()` gives a received dossier in status 6. `gateway_result()`
builds what the sandbox gateway sends back for a payment (VNPAY's parameter names, signed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from catalog.factories import FeeItemFactory
from dossiers.factories import OneStopShop, one_stop_shop, submitted_dossier, valid_form
from mekong.catalog.models import FeeKind
from mekong.dossiers import actions as dossier_actions
from mekong.dossiers.models import Dossier
from mekong.payments import actions
from mekong.payments.gateways.contrib.sandbox.plugin import sandbox
from mekong.payments.gateways.contrib.vnpay import protocol
from mekong.payments.models import Payment

FIXED_FEE = 50_000
PER_COPY = 8_000


def fee_shop(**procedure_fields: Any) -> OneStopShop:
    shop = one_stop_shop(**procedure_fields)
    FeeItemFactory(
        procedure=shop.procedure, position=0, kind=FeeKind.CHARGE, name="Lệ phí cấp giấy", amount=FIXED_FEE
    )
    FeeItemFactory(
        procedure=shop.procedure,
        position=1,
        kind=FeeKind.FEE,
        name="Phí cấp bản sao",
        amount=PER_COPY,
        quantity_field="so_ban",
    )
    return shop


def received(shop: OneStopShop, *, copies: int = 2) -> Dossier:
    dossier = submitted_dossier(shop, form_data={**valid_form(), "so_ban": copies})
    return dossier_actions.receive(dossier, actor=shop.receiver)


def awaiting_payment(shop: OneStopShop, *, copies: int = 2) -> Dossier:
    """Received, then the fees asked for: FIXED_FEE + copies × PER_COPY, status 6."""
    return actions.request_payment(received(shop, copies=copies), actor=shop.receiver)


def started_payment(shop: OneStopShop, dossier: Dossier) -> Payment:
    return actions.start_online_payment(dossier, actor=shop.citizen, gateway=sandbox).payment


def gateway_result(
    payment: Payment,
    *,
    approved: bool = True,
    amount: int | None = None,
    transaction_no: str = "14226112",
    paid_at: datetime | None = None,
    secret: str | None = None,
    **overrides: str,
) -> dict[str, str]:
    """The signed parameters the gateway sends to the IPN and return URL about `payment`."""
    result = protocol.GatewayResult(
        tmn_code=sandbox.tmn_code(),
        txn_ref=payment.txn_ref,
        amount=payment.amount if amount is None else amount,
        response_code="00" if approved else "24",
        transaction_status="00" if approved else "02",
        transaction_no=transaction_no if approved else "0",
        bank_code="NCB",
        card_type="ATM" if approved else "",
        order_info=f"Nop phi le phi ho so {payment.dossier.code}",
        paid_at=paid_at or (payment.created_at if approved else None),
    )
    params = {**result.params(), **overrides}
    return protocol.with_signature(params, secret or sandbox.secret())
