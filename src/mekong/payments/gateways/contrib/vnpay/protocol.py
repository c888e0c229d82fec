"""VNPAY's payment-URL protocol, version 2.1.0. Pure module, no Django.

The merchant sends the citizen to the gateway with a URL whose ``vnp_*`` parameters are signed; the gateway
answers twice with signed parameters of its own: the browser comes back to ``vnp_ReturnUrl``, and the
gateway calls the merchant's IPN address server to server (that address is registered with VNPAY, not sent).

Signature: the ``vnp_*`` parameters except ``vnp_SecureHash`` and ``vnp_SecureHashType``, sorted by name,
each name and value URL-encoded as ``urllib.parse.quote_plus`` does (space → ``+``), joined as
``name=value&…``, then HMAC-SHA512 with the merchant's secret, in hex. VNPAY's own samples differ on
whether parameters with an empty value are part of the signed text (PHP and Python include them, Java
leaves them out), so a received signature is accepted if it matches either way; we never send empty ones.

Amounts travel multiplied by 100 (``vnp_Amount=1500000`` is 15,000 VND); times are GMT+7 as
``yyyyMMddHHmmss``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote_plus

VERSION = "2.1.0"
HASH_PARAMS = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})
GMT7 = timezone(timedelta(hours=7))
TIME_FORMAT = "%Y%m%d%H%M%S"
SUCCESS = "00"


class MalformedResult(ValueError):
    """Signed parameters that do not say what a gateway result must: `field` names the first bad one."""

    def __init__(self, field: str, value: str | None) -> None:
        self.field = field
        super().__init__(f"{field}: {value!r}")


def signed_data(params: Mapping[str, str], *, skip_empty: bool = False) -> str:
    """The text that is signed: sorted, URL-encoded ``name=value`` pairs of the ``vnp_`` parameters."""
    pairs = sorted(
        (name, value)
        for name, value in params.items()
        if name.startswith("vnp_") and name not in HASH_PARAMS and not (skip_empty and value == "")
    )
    return "&".join(f"{quote_plus(name)}={quote_plus(value)}" for name, value in pairs)


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), signed_data(params).encode(), hashlib.sha512).hexdigest()


def with_signature(params: Mapping[str, str], secret: str) -> dict[str, str]:
    """The parameters plus their ``vnp_SecureHash``."""
    return {**params, "vnp_SecureHash": sign(params, secret)}


def query_string(params: Mapping[str, str], secret: str) -> str:
    """The query of a signed URL: the signed text, then ``&vnp_SecureHash=…``."""
    return f"{signed_data(params)}&vnp_SecureHash={sign(params, secret)}"


def verify(params: Mapping[str, str], secret: str) -> bool:
    """Do the parameters carry a valid signature made with `secret`?"""
    received = (params.get("vnp_SecureHash") or "").strip().lower()
    if len(received) != 128 or not secret:
        return False
    candidates = {signed_data(params), signed_data(params, skip_empty=True)}
    return any(
        hmac.compare_digest(received, hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest())
        for data in candidates
    )


# --- values -------------------------------------------------------------------------------------------


def timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime: {moment!r}")
    return moment.astimezone(GMT7).strftime(TIME_FORMAT)


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=GMT7)


def amount_param(vnd: int) -> str:
    if isinstance(vnd, bool) or not isinstance(vnd, int) or vnd <= 0:
        raise ValueError(f"not an amount of VND: {vnd!r}")
    return str(vnd * 100)


def amount_from_param(text: str | None) -> int:
    """VND from ``vnp_Amount``; it must be a whole number of đồng."""
    if not text or not text.isdigit() or int(text) % 100:
        raise MalformedResult("vnp_Amount", text)
    return int(text) // 100


# --- the request -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRequest:
    tmn_code: str
    txn_ref: str
    amount: int  # VND
    order_info: str  # Vietnamese without diacritics or special characters, as VNPAY asks
    return_url: str
    ip_address: str
    created_at: datetime
    expires_at: datetime
    locale: str = "vn"
    order_type: str = "other"
    bank_code: str = ""

    def params(self) -> dict[str, str]:
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": amount_param(self.amount),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": self.txn_ref,
            "vnp_OrderInfo": self.order_info,
            "vnp_OrderType": self.order_type,
            "vnp_Locale": self.locale,
            "vnp_ReturnUrl": self.return_url,
            "vnp_IpAddr": self.ip_address,
            "vnp_CreateDate": timestamp(self.created_at),
            "vnp_ExpireDate": timestamp(self.expires_at),
        }
        if self.bank_code:
            params["vnp_BankCode"] = self.bank_code
        return params


def payment_url(base_url: str, request: PaymentRequest, secret: str) -> str:
    return f"{base_url}?{query_string(request.params(), secret)}"


# --- the result --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayResult:
    """What the return URL and the IPN carry, once their signature has been checked."""

    tmn_code: str
    txn_ref: str
    amount: int  # VND
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str = ""
    bank_tran_no: str = ""
    card_type: str = ""
    order_info: str = ""
    paid_at: datetime | None = None

    @property
    def succeeded(self) -> bool:
        """Money taken: both the response code and the transaction status say success."""
        return self.response_code == SUCCESS and self.transaction_status == SUCCESS

    def params(self) -> dict[str, str]:
        """As the gateway sends them (the sandbox uses this)."""
        params = {
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": self.txn_ref,
            "vnp_Amount": amount_param(self.amount),
            "vnp_ResponseCode": self.response_code,
            "vnp_TransactionStatus": self.transaction_status,
            "vnp_TransactionNo": self.transaction_no,
            "vnp_BankCode": self.bank_code,
            "vnp_BankTranNo": self.bank_tran_no,
            "vnp_CardType": self.card_type,
            "vnp_OrderInfo": self.order_info,
        }
        if self.paid_at is not None:
            params["vnp_PayDate"] = timestamp(self.paid_at)
        return {name: value for name, value in params.items() if value}


def _required(params: Mapping[str, str], name: str, *, digits: bool = False) -> str:
    value = (params.get(name) or "").strip()
    if not value or len(value) > 255 or (digits and not value.isdigit()):
        raise MalformedResult(name, params.get(name))
    return value


def parse_result(params: Mapping[str, str]) -> GatewayResult:
    """Read a signed result. Call `verify` first: this only checks the shape."""
    pay_date = (params.get("vnp_PayDate") or "").strip()
    try:
        paid_at = parse_timestamp(pay_date) if pay_date else None
    except ValueError as exc:
        raise MalformedResult("vnp_PayDate", pay_date) from exc
    return GatewayResult(
        tmn_code=_required(params, "vnp_TmnCode"),
        txn_ref=_required(params, "vnp_TxnRef"),
        amount=amount_from_param(params.get("vnp_Amount")),
        response_code=_required(params, "vnp_ResponseCode", digits=True),
        transaction_status=(params.get("vnp_TransactionStatus") or "").strip(),
        transaction_no=(params.get("vnp_TransactionNo") or "").strip()[:50],
        bank_code=(params.get("vnp_BankCode") or "").strip()[:20],
        bank_tran_no=(params.get("vnp_BankTranNo") or "").strip()[:255],
        card_type=(params.get("vnp_CardType") or "").strip()[:20],
        order_info=(params.get("vnp_OrderInfo") or "").strip()[:255],
        paid_at=paid_at,
    )
