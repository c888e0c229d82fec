"""Web side of payments.

* ``/thanh-toan/ho-so/<code>/`` — the citizen's “Thanh toán” page: what is owed and why, then off to the
  gateway (POST, so a crawler or a prefetch never opens an order).
* ``/thanh-toan/<gateway>/ket-qua/`` — where the gateway sends the browser back. It shows the outcome and
  never changes anything: only the server-to-server notification does. Parameters whose signature does not
  check are refused and recorded like a forged notification.
* ``/thanh-toan/<gateway>/ipn/`` — the gateway's notification (IPN), answered in the gateway's format.
"""

from __future__ import annotations

import structlog
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from mekong.accounts.throttle import client_address
from mekong.core.errors import DomainError, in_language
from mekong.payments import actions, selectors
from mekong.payments.gateways.base import Gateway, InvalidSignature, MalformedCallback, Verdict
from mekong.payments.gateways.registry import UnknownGateway, registry
from mekong.payments.models import Payment, PaymentStatus, RefusalReason, RefusedCallback
from mekong.portal.dossier_views import _own_dossier, citizen_required, current_citizen

log = structlog.get_logger(__name__)


def _gateway(name: str) -> Gateway:
    try:
        gateway = registry.get(name)
    except UnknownGateway as exc:
        raise Http404 from exc
    if not gateway.is_enabled():
        raise Http404
    return gateway


@citizen_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, code: str) -> HttpResponse:
    user = current_citizen(request)
    dossier = _own_dossier(request, code)
    due = selectors.amount_due(dossier)
    if due is None:
        messages.info(request, _("Hồ sơ này hiện không chờ nộp phí, lệ phí."))
        return HttpResponseRedirect(reverse("portal:dossier", args=[dossier.code]))
    gateway = registry.default()
    error = ""
    status = 200
    if request.method == "POST":
        try:
            started = actions.start_online_payment(
                dossier,
                actor=user,
                gateway=gateway,
                client_ip=client_address(request),
                locale=get_language() or "vi",
            )
        except DomainError as refused:
            error = in_language(refused.message, get_language() or "vi", **refused.params)
            status = refused.status
        else:
            return HttpResponseRedirect(started.url)
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "due": due,
        "gateway": gateway,
        "error": error,
        "attempts": list(Payment.objects.filter(dossier=dossier).order_by("-created_at", "-id")[:5]),
    }
    return render(request, "payments/pay.html", context, status=status)


@never_cache
@require_GET
def gateway_return(request: HttpRequest, gateway: str) -> HttpResponse:
    """The browser back from the gateway: show what happened, change nothing."""
    chosen = _gateway(gateway)
    params = {str(key): str(value) for key, value in request.GET.items()}
    try:
        result = chosen.read_callback(params)
    except (InvalidSignature, MalformedCallback):
        reason = RefusalReason.INVALID_SIGNATURE
        RefusedCallback.objects.create(
            gateway=chosen.name,
            source="return",
            reason=reason,
            txn_ref=params.get("vnp_TxnRef", "")[:100],
            params={k: v[:500] for k, v in list(params.items())[:60]},
            remote_addr=client_address(request)[:45],
        )
        log.warning("payment_return_refused", gateway=chosen.name, txn_ref=params.get("vnp_TxnRef", ""))
        return render(request, "payments/return.html", {"refused": True}, status=400)
    payment = (
        Payment.objects.select_related("dossier").filter(gateway=chosen.name, txn_ref=result.txn_ref).first()
    )
    user = request.user
    owner = payment is not None and user.is_authenticated and payment.dossier.applicant_id == user.pk
    meaning = chosen.describe(result)
    context = {
        "refused": False,
        "gateway": chosen,
        "result": result,
        "meaning": meaning[1] if (get_language() or "vi") == "en" else meaning[0],
        "payment": payment,
        # The dossier is named only to its owner: the address alone must not reveal whose it is.
        "dossier": payment.dossier if owner and payment is not None else None,
        "paid": payment is not None and payment.status == PaymentStatus.PAID,
        "waiting": payment is not None and payment.status == PaymentStatus.PENDING and result.succeeded,
    }
    return render(request, "payments/return.html", context)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def notification(request: HttpRequest, gateway: str) -> JsonResponse:
    """The gateway's server-to-server notification. VNPAY calls it with GET; POST forms are read too."""
    chosen = _gateway(gateway)
    source = request.GET if request.method == "GET" else request.POST
    params = {str(key): str(value) for key, value in source.items()}
    try:
        handled = actions.handle_notification(chosen, params, remote_addr=client_address(request))
        verdict = handled.verdict
    except Exception:  # the gateway must always get an answer in its own format; it will retry
        log.exception("payment_notification_failed", gateway=chosen.name, txn_ref=params.get("vnp_TxnRef"))
        verdict = Verdict.UNKNOWN_ERROR
    return JsonResponse(chosen.notification_reply(verdict))
