"""Every change to a payment. Each function runs in one transaction and appends to the payment's history;
the dossier moves only through `mekong.dossiers.actions` (`request_payment`, `pay`).

* `request_payment` — an officer asks for the fees: computed from the procedure's fee items and the form
  (`payments.fees`), recorded on the dossier's request_payment event (status 6).
* `start_online_payment` — the citizen goes to pay: a `Payment` with our transaction reference and the
  address of the gateway (the same one again while it is still valid, so a double tap makes no second
  order).
* `handle_notification` — the gateway's server-to-server notification (IPN), the only thing that marks an
  online payment paid: checked for its signature, its reference and its amount, applied only if it moves
  the payment forward (`payments.states`), and then the dossier leaves status 6 through `actions.pay`.
  A refused call changes nothing but is recorded (`RefusedCallback`) for the province admin.
* `confirm_counter_payment` — the receiving officer records fees paid at the counter.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mekong.accounts import permissions
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.core.errors import DomainError, FieldError, PermissionDenied
from mekong.dossiers import actions as dossier_actions
from mekong.dossiers.chain import normalise
from mekong.dossiers.documents.issue import public_url
from mekong.dossiers.models import Dossier, DossierEvent
from mekong.dossiers.states import Command, Status
from mekong.dossiers.workdays import VIETNAM_TZ
from mekong.payments import states
from mekong.payments.fees import FeeBreakdown, FeeError, FeeLine, compute_fees
from mekong.payments.gateways.base import Gateway, InvalidSignature, MalformedCallback, Order, Verdict
from mekong.payments.gateways.registry import registry
from mekong.payments.models import (
    Attention,
    Payment,
    PaymentChannel,
    PaymentEvent,
    PaymentStatus,
    RefusalReason,
    RefusedCallback,
)

log = structlog.get_logger(__name__)

DEFAULT_WINDOW_MINUTES = 15
NOT_AWAITING = _("Hồ sơ không ở trạng thái chờ nộp phí, lệ phí.")


# --- fees ------------------------------------------------------------------------------------------------


def fee_lines(dossier: Dossier) -> list[FeeLine]:
    items = dossier.procedure.fee_items.order_by("position", "id")
    return [FeeLine(item.name, item.kind, int(item.amount), item.quantity_field) for item in items]


def compute_for(dossier: Dossier) -> FeeBreakdown:
    """The fees this dossier owes now, from the procedure's fee items and the dossier's form."""
    try:
        return compute_fees(fee_lines(dossier), dossier.form_data or {})
    except FeeError as error:
        message = _("Trường “{field}” của tờ khai phải là số lượng (số nguyên không âm) để tính phí.")
        raise DomainError(
            message,
            errors=[FieldError(f"form_data.{error.field}", message, params={"field": error.field})],
            code="fee_quantity_invalid",
            field=error.field,
        ) from error


def request_payment(dossier: Dossier, *, actor: User, note: str = "", at: datetime | None = None) -> Dossier:
    """Ask the citizen to pay what the fee items come to (status 6); the officer never types the amount."""
    breakdown = compute_for(dossier)
    if breakdown.total <= 0:
        raise DomainError(
            _("Hồ sơ này không phải nộp phí, lệ phí: các khoản phí của thủ tục cộng lại bằng 0 đồng."),
            code="no_fee_due",
            status=409,
        )
    return dossier_actions.request_payment(
        dossier, actor=actor, amount=breakdown.total, fees=breakdown.as_list(), note=note, at=at
    )


def open_request(dossier: Dossier) -> DossierEvent | None:
    """The request_payment event a dossier in status 6 is waiting on; None in any other status."""
    if dossier.status != Status.PAYMENT_REQUESTED:
        return None
    return dossier.events.filter(command=Command.REQUEST_PAYMENT).order_by("-sequence").first()


# --- history ---------------------------------------------------------------------------------------------


def _append(
    payment: Payment,
    kind: str,
    *,
    to_status: str,
    source: str,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime | None = None,
    from_status: str | None = None,
) -> PaymentEvent:
    """Append one event and move the payment's projection. Call inside transaction.atomic."""
    event = PaymentEvent.objects.create(
        payment=payment,
        sequence=payment.event_count + 1,
        kind=kind,
        from_status=payment.status if from_status is None else from_status,
        to_status=to_status,
        source=source,
        note=note,
        data=normalise(dict(data or {})),
        created_at=at or timezone.now(),
    )
    payment.event_count = event.sequence
    payment.status = to_status
    return event


def _new_reference(prefix: str, at: datetime) -> str:
    """``<prefix><yymmdd><10 hex>``: unique (checked by the database), unguessable, fits vnp_TxnRef."""
    return f"{prefix}{at.astimezone(VIETNAM_TZ):%y%m%d}{secrets.token_hex(5).upper()}"


def _create(payment: Payment, *, source: str, data: Mapping[str, Any]) -> Payment:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                payment.save(force_insert=True)
        except IntegrityError:  # the same random reference twice: draw another
            payment.txn_ref = _new_reference(payment.txn_ref[:1], payment.created_at)
            payment.pk = None
            continue
        _append(payment, "created", to_status=payment.status, from_status="", source=source, data=data)
        payment.save(update_fields=["event_count", "status"])
        return payment
    raise RuntimeError("could not draw a unique payment reference")


def _locked_dossier(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency")
        .get(pk=dossier.pk)
    )


# --- paying online ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentStart:
    payment: Payment
    url: str


def window() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "MEKONG_PAYMENT_WINDOW_MINUTES", DEFAULT_WINDOW_MINUTES)))


def return_url(gateway: Gateway) -> str:
    return public_url() + reverse("payments:return", args=[gateway.name])


def payment_url(payment: Payment, gateway: Gateway | None = None) -> str:
    """The gateway address of a pending online payment, built from what the payment stored."""
    gateway = gateway or registry.get(payment.gateway)
    assert payment.expires_at is not None
    order = Order(
        txn_ref=payment.txn_ref,
        amount=int(payment.amount),
        description=f"Nop phi le phi ho so {payment.dossier.code}",
        return_url=return_url(gateway),
        client_ip=payment.client_ip,
        created_at=payment.created_at,
        expires_at=payment.expires_at,
        locale=payment.locale,
    )
    return gateway.payment_url(order)


def unavailable() -> DomainError:
    return DomainError(
        _("Cổng thanh toán trực tuyến chưa sẵn sàng. Vui lòng thử lại sau hoặc nộp tại Bộ phận Một cửa."),
        code="gateway_unavailable",
        status=503,
    )


def start_online_payment(
    dossier: Dossier,
    *,
    actor: User,
    gateway: Gateway | None = None,
    client_ip: str = "",
    locale: str = "vi",
    now: datetime | None = None,
) -> PaymentStart:
    """The citizen pays their own dossier's fees online: the payment and the address to send them to."""
    gateway = gateway or registry.default()
    if gateway is None or not gateway.is_enabled():
        raise unavailable()
    return open_order(dossier, actor=actor, gateway=gateway, client_ip=client_ip, locale=locale, now=now)


def open_order(
    dossier: Dossier,
    *,
    actor: User,
    gateway: Gateway,
    client_ip: str = "",
    locale: str = "vi",
    now: datetime | None = None,
) -> PaymentStart:
    """`start_online_payment` without asking whether `gateway` is offered to citizens here: the demo data
    pays through the sandbox protocol on any installation."""
    if dossier.applicant_id is None or dossier.applicant_id != actor.pk:
        raise PermissionDenied(_("Chỉ người nộp hồ sơ được thanh toán phí, lệ phí của hồ sơ này."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_dossier(dossier)
        request = open_request(locked)
        if request is None:
            raise DomainError(NOT_AWAITING, code="not_awaiting_payment", status=409)
        reusable = (
            Payment.objects.filter(
                request_event=request,
                gateway=gateway.name,
                status=PaymentStatus.PENDING,
                expires_at__gt=now + timedelta(minutes=1),
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if reusable is not None:
            reusable.dossier = locked
            return PaymentStart(reusable, payment_url(reusable, gateway))
        payment = _create(
            Payment(
                dossier=locked,
                request_event=request,
                channel=PaymentChannel.ONLINE,
                gateway=gateway.name,
                txn_ref=_new_reference("T", now),
                amount=int(request.data["amount"]),
                client_ip=client_ip[:45],
                locale="en" if locale == "en" else "vi",
                created_by=actor,
                created_at=now,
                expires_at=now + window(),
            ),
            source="citizen",
            data={"gateway": gateway.name},
        )
    log.info("payment_started", dossier=locked.code, payment=payment.txn_ref, gateway=gateway.name)
    return PaymentStart(payment, payment_url(payment, gateway))


# --- what the gateway tells us ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handled:
    verdict: Verdict
    payment: Payment | None = None


def _refuse(
    gateway: Gateway,
    source: str,
    reason: RefusalReason,
    params: Mapping[str, str],
    remote_addr: str,
    *,
    txn_ref: str = "",
    payment: Payment | None = None,
) -> None:
    RefusedCallback.objects.create(
        gateway=gateway.name,
        source=source,
        reason=reason,
        txn_ref=(txn_ref or str(params.get("vnp_TxnRef", "")))[:100],
        payment=payment,
        params={str(key): str(value)[:500] for key, value in list(params.items())[:60]},
        remote_addr=remote_addr[:45],
    )
    log.warning(
        "payment_callback_refused",
        gateway=gateway.name,
        source=source,
        reason=str(reason),
        txn_ref=txn_ref or params.get("vnp_TxnRef", ""),
        remote_addr=remote_addr,
    )


def _flag(
    payment: Payment, attention: Attention, source: str, data: Mapping[str, Any], at: datetime | None = None
) -> None:
    if payment.attention == attention:
        return
    _append(
        payment,
        "flagged",
        to_status=payment.status,
        source=source,
        note=str(attention.label),
        data=data,
        at=at,
    )
    payment.attention = attention
    payment.save(update_fields=["attention", "event_count", "status"])


def _pay_data(payment: Payment) -> dict[str, Any]:
    """What the dossier's pay event records about the payment."""
    return {
        "payment": payment.txn_ref,
        "channel": payment.channel,
        "gateway": payment.gateway,
        "transaction_no": payment.transaction_no,
        "amount": int(payment.amount),
        "paid_at": payment.paid_at,
    }


def _settle(payment: Payment, source: str, at: datetime | None) -> None:
    """A payment just became paid: the dossier leaves status 6 if it is still waiting for this request;
    otherwise the money was taken for nothing and a person must refund it."""
    dossier = _locked_dossier(payment.dossier)
    request = open_request(dossier)
    if request is None or request.pk != payment.request_event_id:
        _flag(payment, Attention.NOT_AWAITED, source, {"dossier_status": dossier.status}, at)
        return
    gateway = registry.get(payment.gateway) if payment.gateway in registry else None
    label = str(gateway.label) if gateway is not None else payment.gateway
    dossier_actions.pay(
        dossier,
        actor=None,
        note=f"Đã thanh toán trực tuyến qua {label}, mã giao dịch {payment.txn_ref}.",
        data=_pay_data(payment),
        at=at,
    )


def handle_notification(
    gateway: Gateway,
    params: Mapping[str, str],
    *,
    remote_addr: str = "",
    source: str = "ipn",
    at: datetime | None = None,
) -> Handled:
    """Take a gateway's notification of a result. Idempotent: a replay changes nothing. `at` dates what it
    records (the demo data's past payments); by default now."""
    try:
        result = gateway.read_callback(params)
    except InvalidSignature:
        _refuse(gateway, source, RefusalReason.INVALID_SIGNATURE, params, remote_addr)
        return Handled(Verdict.INVALID_SIGNATURE)
    except MalformedCallback:
        _refuse(gateway, source, RefusalReason.MALFORMED, params, remote_addr)
        return Handled(Verdict.UNKNOWN_ERROR)
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("dossier")
            .filter(gateway=gateway.name, txn_ref=result.txn_ref)
            .first()
        )
        if payment is None:
            _refuse(gateway, source, RefusalReason.UNKNOWN_ORDER, params, remote_addr, txn_ref=result.txn_ref)
            return Handled(Verdict.ORDER_NOT_FOUND)
        if result.amount != payment.amount:
            _refuse(
                gateway,
                source,
                RefusalReason.AMOUNT_MISMATCH,
                params,
                remote_addr,
                txn_ref=result.txn_ref,
                payment=payment,
            )
            _flag(payment, Attention.AMOUNT_MISMATCH, source, {"reported_amount": result.amount}, at)
            return Handled(Verdict.INVALID_AMOUNT, payment)
        outcome = states.Outcome.PAID if result.succeeded else states.Outcome.FAILED
        moved_to = states.after(payment.status, outcome)
        if moved_to is None:
            log.info("payment_callback_replayed", payment=payment.txn_ref, outcome=str(outcome))
            return Handled(Verdict.ALREADY_CONFIRMED, payment)
        payment.response_code = result.response_code[:10]
        payment.transaction_no = result.transaction_no
        payment.bank_code = result.details.get("bank_code", "")[:20]
        if moved_to == states.PaymentStatus.PAID:
            payment.paid_at = result.paid_at or at or timezone.now()
        _append(
            payment,
            "gateway_result",
            to_status=moved_to,
            source=source,
            data={
                "response_code": result.response_code,
                "transaction_no": result.transaction_no,
                "amount": result.amount,
                "paid_at": result.paid_at,
                **result.details,
            },
            at=at,
        )
        payment.save()
        if moved_to == states.PaymentStatus.PAID:
            _settle(payment, source, at)
    log.info("payment_result", payment=payment.txn_ref, status=str(moved_to), gateway=gateway.name)
    return Handled(Verdict.CONFIRMED, payment)


# --- at the counter -----------------------------------------------------------------------------------------


def confirm_counter_payment(
    dossier: Dossier, *, actor: User, reference: str = "", note: str = "", at: datetime | None = None
) -> Payment:
    """The receiving officer took the fees at the counter (`reference`: the paper receipt's number, if any)."""
    if not permissions.can_act(actor, dossier.agency_id, Role.RECEIVING_OFFICER):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận của cơ quan được xác nhận nộp phí, lệ phí tại quầy."))
    now = at or timezone.now()
    with transaction.atomic():
        locked = _locked_dossier(dossier)
        request = open_request(locked)
        if request is None:
            raise DomainError(NOT_AWAITING, code="not_awaiting_payment", status=409)
        payment = _create(
            Payment(
                dossier=locked,
                request_event=request,
                channel=PaymentChannel.COUNTER,
                gateway="",
                txn_ref=_new_reference("Q", now),
                amount=int(request.data["amount"]),
                transaction_no=reference.strip()[:50],
                created_by=actor,
                created_at=now,
            ),
            source="officer",
            data={"reference": reference.strip()[:50]},
        )
        payment.paid_at = now
        _append(payment, "counter", to_status=PaymentStatus.PAID, source="officer", note=note, at=now)
        payment.save()
        dossier_actions.pay(
            locked,
            actor=actor,
            note=note.strip() or "Đã nộp phí, lệ phí tại Bộ phận Một cửa.",
            data=_pay_data(payment),
            at=at,
        )
    log.info("payment_at_counter", dossier=locked.code, payment=payment.txn_ref)
    return payment
