"""/api/v1/dossiers/{code}/… — fees and payments of a dossier.

* ``GET /{code}/fees`` — the fees the dossier owes by the procedure's fee items and its form.
* ``POST /{code}/payment-request`` — an officer (receiving officer or specialist of the dossier's agency)
  asks for them: status 6.
* ``GET /{code}/payments`` — what is due, every payment with its history, and the e-receipts.
* ``POST /{code}/payments`` — the citizen starts paying online: the gateway address to send them to
  (`Idempotency-Key` accepted; an unexpired pending payment is given again rather than a second order).
* ``POST /{code}/payments/counter`` — the receiving officer records fees paid at the counter.

The gateway's own calls (return URL, IPN) are web addresses under ``/thanh-toan/``, not API operations.
Errors have the shared shape; a dossier the caller may not read answers 404.
"""

# No `from __future__ import annotations`: django-ninja resolves the annotations at import time.

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from mekong.accounts.auth import bearer_token
from mekong.accounts.throttle import client_address
from mekong.core.errors import DomainError, FieldError
from mekong.dossiers.api import ERRORS, IdempotencyKeyHeader, api_user, idempotent, readable_dossier
from mekong.dossiers.models import Dossier
from mekong.payments import actions, selectors
from mekong.payments.gateways.registry import UnknownGateway, registry
from mekong.payments.models import Payment
from mekong.payments.schemas import (
    CounterPaymentIn,
    FeesOut,
    PaymentOut,
    PaymentRequestIn,
    PaymentsOut,
    PaymentStartIn,
    PaymentStartOut,
)

router = Router(auth=bearer_token)
START_ERRORS: dict[int, Any] = {**ERRORS, 503: ERRORS[400]}


def _payments(dossier: Dossier) -> dict[str, Any]:
    due = selectors.amount_due(dossier)
    return {
        "dossier": dossier.code,
        "status": dossier.status,
        "amount_due": due.amount if due else None,
        "fees_due": due.fees if due else [],
        "payments": list(selectors.payments_of(dossier)),
        "receipts": selectors.fee_receipts(dossier),
    }


@router.get(
    "/{code}/fees", response={200: FeesOut, **ERRORS}, summary="Phí, lệ phí của hồ sơ (tính theo tờ khai)"
)
def fees(request: HttpRequest, code: str) -> dict[str, Any]:
    breakdown = actions.compute_for(readable_dossier(request, code))
    return {"total": breakdown.total, "items": breakdown.as_list()}


@router.post(
    "/{code}/payment-request",
    response={200: PaymentsOut, **ERRORS},
    summary="Yêu cầu nộp phí, lệ phí (cán bộ)",
    description="Số tiền tính từ các khoản phí, lệ phí của thủ tục và tờ khai; hồ sơ chuyển trạng thái 6.",
)
def request_payment(
    request: HttpRequest, code: str, payload: PaymentRequestIn | None = None
) -> dict[str, Any]:
    dossier = actions.request_payment(
        readable_dossier(request, code), actor=api_user(request), note=payload.note if payload else ""
    )
    return _payments(dossier)


@router.get("/{code}/payments", response={200: PaymentsOut, **ERRORS}, summary="Thanh toán của hồ sơ")
def list_payments(request: HttpRequest, code: str) -> dict[str, Any]:
    return _payments(readable_dossier(request, code))


@router.post(
    "/{code}/payments",
    response={201: PaymentStartOut, **START_ERRORS},
    summary="Thanh toán trực tuyến (công dân)",
    description="Trả địa chỉ trang thanh toán của cổng. Hồ sơ phải đang chờ nộp phí (409 nếu không); 503 khi "
    "cổng thanh toán chưa sẵn sàng.",
)
def start_payment(
    request: HttpRequest,
    code: str,
    payload: PaymentStartIn | None = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JsonResponse:
    user = api_user(request)
    dossier = readable_dossier(request, code)
    gateway = None
    if payload is not None and payload.gateway:
        try:
            gateway = registry.get(payload.gateway)
        except UnknownGateway:
            message = _("Không có cổng thanh toán “{gateway}”.")
            raise DomainError(
                message,
                errors=[FieldError("gateway", message, params={"gateway": payload.gateway})],
                gateway=payload.gateway,
            ) from None

    def run() -> tuple[int, dict[str, Any]]:
        started = actions.start_online_payment(
            dossier,
            actor=user,
            gateway=gateway,
            client_ip=client_address(request),
            locale=get_language() or "vi",
        )
        payment = started.payment
        assert payment.expires_at is not None  # online payments always expire
        out = PaymentStartOut(
            txn_ref=payment.txn_ref,
            gateway=payment.gateway,
            amount=int(payment.amount),
            payment_url=started.url,
            expires_at=payment.expires_at,
        )
        return 201, out.model_dump(mode="json")

    body = payload.model_dump(mode="json") if payload else {}
    return idempotent(request, idempotency_key, body, run)


@router.post(
    "/{code}/payments/counter",
    response={200: PaymentOut, **ERRORS},
    summary="Xác nhận nộp phí, lệ phí tại quầy (cán bộ tiếp nhận)",
)
def counter_payment(
    request: HttpRequest, code: str, payload: CounterPaymentIn | None = None
) -> Status[Payment]:
    payment = actions.confirm_counter_payment(
        readable_dossier(request, code),
        actor=api_user(request),
        reference=payload.reference if payload else "",
        note=payload.note if payload else "",
    )
    return Status(200, selectors.payments_of(payment.dossier).get(pk=payment.pk))
