"""The sandbox gateway's server side: what VNPAY does with a payment URL — check it, make a signed result,
notify the merchant server to server. Used by the sandbox's pages (`views`) and by the demo data, which
pays its online dossiers through the same protocol without a browser."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from datetime import datetime

import structlog
from django.utils.translation import gettext as _

from mekong.payments.gateways.contrib.sandbox.plugin import sandbox
from mekong.payments.gateways.contrib.vnpay import protocol

log = structlog.get_logger(__name__)

APPROVE, DECLINE = "approve", "decline"
CUSTOMER_CANCELLED = "24"
IPN_TIMEOUT_SECONDS = 15


def problem_with(params: Mapping[str, str], now: datetime) -> str:
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
