"""The sandbox gateway's own pages: what VNPAY's payment page does, without a bank.

GET ``/sandbox-gateway/paymentv2/vpcpay.html?vnp_…`` checks the merchant's signature, terminal code, amount
and expiry as VNPAY does, then shows the order with two buttons. POST (Approve or Decline) makes the
gateway's result — VNPAY's parameter names, a transaction number, signed with the sandbox secret — sends
it to the merchant's IPN address server to server (an HTTP call to this installation's public address,
which in tests is the live server calling itself), and redirects the browser to ``vnp_ReturnUrl`` with the
same signed result. The page answers 404 unless `MEKONG_PAYMENT_SANDBOX` is on.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from datetime import datetime

import structlog
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mekong.payments.gateways.contrib.sandbox.plugin import sandbox
from mekong.payments.gateways.contrib.vnpay import protocol

log = structlog.get_logger(__name__)

APPROVE, DECLINE = "approve", "decline"
CUSTOMER_CANCELLED = "24"
IPN_TIMEOUT_SECONDS = 15


def _problem(params: Mapping[str, str], now: datetime) -> str:
    """Why the gateway refuses this payment URL, or "" when it is a good order."""
    if not protocol.verify(params, sandbox.secret()):
        return _("Sai chữ ký: địa chỉ thanh toán không do đơn vị bán hàng tạo hoặc đã bị sửa.")
    if params.get("vnp_TmnCode") != sandbox.tmn_code():
        return _("Mã đơn vị (vnp_TmnCode) không tồn tại.")
    if params.get("vnp_Command") != "pay" or params.get("vnp_Version") != protocol.VERSION:
        return _("Yêu cầu không đúng phiên bản giao thức.")
    try:
        protocol.amount_from_param(params.get("vnp_Amount"))
        expires = protocol.parse_timestamp(params.get("vnp_ExpireDate", ""))
    except ValueError:
        return _("Số tiền hoặc thời hạn thanh toán không hợp lệ.")
    if not params.get("vnp_TxnRef") or not params.get("vnp_ReturnUrl", "").startswith(
        ("http://", "https://")
    ):
        return _("Thiếu mã giao dịch hoặc địa chỉ trả về.")
    if expires <= now:
        return _("Đã hết hạn chờ thanh toán.")
    return ""


def result_for(params: Mapping[str, str], decision: str, now: datetime) -> dict[str, str]:
    """The gateway's signed result for an order: approved (paid) or declined (cancelled by the customer)."""
    approved = decision == APPROVE
    result = protocol.GatewayResult(
        tmn_code=params["vnp_TmnCode"],
        txn_ref=params["vnp_TxnRef"],
        amount=protocol.amount_from_param(params["vnp_Amount"]),
        response_code=protocol.SUCCESS if approved else CUSTOMER_CANCELLED,
        transaction_status=protocol.SUCCESS if approved else "02",
        transaction_no=str(10_000_000 + secrets.randbelow(90_000_000)) if approved else "0",
        bank_code="NCB",
        bank_tran_no=f"SB{secrets.randbelow(10**10):010d}" if approved else "",
        card_type="ATM" if approved else "",
        order_info=params.get("vnp_OrderInfo", ""),
        paid_at=now if approved else None,
    )
    return protocol.with_signature(result.params(), sandbox.secret())


def notify(result: Mapping[str, str]) -> str:
    """Call the merchant's IPN address with the result, as VNPAY's servers do; the RspCode it answered."""
    url = sandbox.ipn_url()
    if not url.startswith(("http://", "https://")):
        raise ValueError(url)
    address = f"{url}?{urllib.parse.urlencode(result)}"
    try:
        with urllib.request.urlopen(address, timeout=IPN_TIMEOUT_SECONDS) as response:  # noqa: S310 (checked above)
            answer = json.loads(response.read().decode())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning("sandbox_ipn_failed", url=url, error=str(exc))
        return ""
    code = str(answer.get("RspCode", "")) if isinstance(answer, dict) else ""
    log.info("sandbox_ipn_answered", txn_ref=result.get("vnp_TxnRef"), rsp_code=code)
    return code


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    if not sandbox.is_enabled():
        raise Http404
    now = timezone.now()
    source = request.GET if request.method == "GET" else request.POST
    params = {str(key): str(value) for key, value in source.items() if key.startswith("vnp_")}
    problem = _problem(params, now)
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
