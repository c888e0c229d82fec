"""VNPAY as a gateway of the registry. Merchant code, secret and payment address come from the settings
(`VNPAY_TMN_CODE`, `VNPAY_HASH_SECRET`, `VNPAY_PAYMENT_URL`); the IPN address to register with VNPAY is
``<MEKONG_PUBLIC_URL>/thanh-toan/vnpay/ipn/`` (docs/operations.md)."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from unidecode import unidecode

from mekong.payments.gateways.base import (
    Gateway,
    InvalidSignature,
    MalformedCallback,
    Meaning,
    Order,
    Result,
    Verdict,
)
from mekong.payments.gateways.contrib.vnpay import codes, protocol
from mekong.payments.gateways.registry import registry

REPLIES = {
    Verdict.CONFIRMED: codes.IpnReply.CONFIRMED,
    Verdict.ORDER_NOT_FOUND: codes.IpnReply.ORDER_NOT_FOUND,
    Verdict.ALREADY_CONFIRMED: codes.IpnReply.ALREADY_CONFIRMED,
    Verdict.INVALID_AMOUNT: codes.IpnReply.INVALID_AMOUNT,
    Verdict.INVALID_SIGNATURE: codes.IpnReply.INVALID_SIGNATURE,
    Verdict.UNKNOWN_ERROR: codes.IpnReply.UNKNOWN_ERROR,
}


def order_info(text: str) -> str:
    """VNPAY asks for Vietnamese without diacritics and without special characters."""
    plain = unidecode(text)
    return "".join(ch if ch.isalnum() or ch in " .-" else " " for ch in plain).strip()[:255]


class VnpayGateway(Gateway):
    name = "vnpay"
    label = _("VNPAY")

    def tmn_code(self) -> str:
        return str(getattr(settings, "VNPAY_TMN_CODE", ""))

    def secret(self) -> str:
        return str(getattr(settings, "VNPAY_HASH_SECRET", ""))

    def base_url(self) -> str:
        return str(getattr(settings, "VNPAY_PAYMENT_URL", ""))

    def is_enabled(self) -> bool:
        return bool(self.tmn_code() and self.secret() and self.base_url())

    def payment_url(self, order: Order) -> str:
        request = protocol.PaymentRequest(
            tmn_code=self.tmn_code(),
            txn_ref=order.txn_ref,
            amount=order.amount,
            order_info=order_info(order.description),
            return_url=order.return_url,
            ip_address=order.client_ip or "127.0.0.1",
            created_at=order.created_at,
            expires_at=order.expires_at,
            locale="en" if order.locale == "en" else "vn",
        )
        return protocol.payment_url(self.base_url(), request, self.secret())

    def read_callback(self, params: Mapping[str, str]) -> Result:
        if not protocol.verify(params, self.secret()):
            raise InvalidSignature
        try:
            result = protocol.parse_result(params)
        except protocol.MalformedResult as exc:
            raise MalformedCallback(exc.field) from exc
        if result.tmn_code != self.tmn_code():
            raise MalformedCallback("vnp_TmnCode")
        return Result(
            txn_ref=result.txn_ref,
            amount=result.amount,
            succeeded=result.succeeded,
            transaction_no=result.transaction_no,
            response_code=result.response_code,
            paid_at=result.paid_at,
            details={
                "transaction_status": result.transaction_status,
                "bank_code": result.bank_code,
                "bank_tran_no": result.bank_tran_no,
                "card_type": result.card_type,
            },
        )

    def notification_reply(self, verdict: Verdict) -> dict[str, str]:
        return REPLIES[verdict].as_dict()

    def describe(self, result: Result) -> Meaning:
        return codes.response_meaning(result.response_code)


vnpay = registry.register(VnpayGateway())
