"""The sandbox gateway's own pages: what VNPAY's payment page does, without a bank.

GET ``/sandbox-gateway/paymentv2/vpcpay.html?vnp_…`` checks the merchant's signature, terminal code, amount
and expiry as VNPAY does, then shows the order with two buttons. POST (Approve or Decline) makes the
gateway's result — VNPAY's parameter names, a transaction number, signed with the sandbox secret — sends
it to the merchant's IPN address server to server (an HTTP call to this installation's public address,
which in tests is the live server calling itself), and redirects the browser to ``vnp_ReturnUrl`` with the
same signed result. The page answers 404 unless `MEKONG_PAYMENT_SANDBOX` is on.
"""

from __future__ import annotations

import urllib.parse

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mekong.payments.gateways.contrib.sandbox.plugin import sandbox
from mekong.payments.gateways.contrib.sandbox.server import APPROVE, DECLINE, notify, problem_with, result_for
from mekong.payments.gateways.contrib.vnpay import protocol


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    if not sandbox.is_enabled():
        raise Http404
    now = timezone.now()
    source = request.GET if request.method == "GET" else request.POST
    params = {str(key): str(value) for key, value in source.items() if key.startswith("vnp_")}
    problem = problem_with(params, now)
    if problem:
        return render(request, "payments/sandbox/checkout.html", {"problem": problem}, status=400)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision not in (APPROVE, DECLINE):
            return render(
                request, "payments/sandbox/checkout.html", {"problem": _("Chọn Đồng ý hoặc Hủy.")}, status=400
            )
        result = result_for(params, decision, now)
        notify(result)
        separator = "&" if "?" in params["vnp_ReturnUrl"] else "?"
        return HttpResponseRedirect(f"{params['vnp_ReturnUrl']}{separator}{urllib.parse.urlencode(result)}")
    context = {
        "params": sorted(params.items()),
        "amount": protocol.amount_from_param(params["vnp_Amount"]),
        "order_info": params.get("vnp_OrderInfo", ""),
        "txn_ref": params["vnp_TxnRef"],
        "expires_at": protocol.parse_timestamp(params["vnp_ExpireDate"]),
    }
    return render(request, "payments/sandbox/checkout.html", context)
