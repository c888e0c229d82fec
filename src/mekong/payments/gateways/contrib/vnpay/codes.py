"""What VNPAY's codes mean, in Vietnamese and English. Pure module, no Django.

`RESPONSE_CODES` are the payment's ``vnp_ResponseCode``; `TRANSACTION_STATUSES` its
``vnp_TransactionStatus``; `IpnReply` the answers the merchant's IPN address gives the gateway (VNPAY
retries a notification until it gets one of them).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

Meaning = tuple[str, str]  # (Vietnamese, English)

RESPONSE_CODES: Mapping[str, Meaning] = MappingProxyType(
    {
        "00": ("Giao dịch thành công.", "Transaction successful."),
        "07": (
            "Trừ tiền thành công. Giao dịch bị nghi ngờ (liên quan tới lừa đảo, giao dịch bất thường).",
            "Money taken, but the transaction is suspected of fraud or is unusual.",
        ),
        "09": (
            "Thẻ/tài khoản chưa đăng ký dịch vụ InternetBanking tại ngân hàng.",
            "The card or account is not registered for internet banking.",
        ),
        "10": (
            "Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần.",
            "Card or account details were entered wrongly more than 3 times.",
        ),
        "11": ("Đã hết hạn chờ thanh toán.", "The payment window expired."),
        "12": ("Thẻ/tài khoản bị khóa.", "The card or account is locked."),
        "13": (
            "Nhập sai mật khẩu xác thực giao dịch (OTP).",
            "The one-time password (OTP) was wrong.",
        ),
        "24": ("Khách hàng hủy giao dịch.", "The customer cancelled the transaction."),
        "51": ("Tài khoản không đủ số dư.", "Insufficient balance."),
        "65": (
            "Tài khoản đã vượt quá hạn mức giao dịch trong ngày.",
            "The account's daily transaction limit was exceeded.",
        ),
        "75": ("Ngân hàng thanh toán đang bảo trì.", "The paying bank is under maintenance."),
        "79": (
            "Nhập sai mật khẩu thanh toán quá số lần quy định.",
            "The payment password was wrong too many times.",
        ),
        "99": ("Lỗi khác.", "Other error."),
    }
)

TRANSACTION_STATUSES: Mapping[str, Meaning] = MappingProxyType(
    {
        "00": ("Giao dịch thành công.", "Transaction successful."),
        "01": ("Giao dịch chưa hoàn tất.", "Transaction not completed."),
        "02": ("Giao dịch bị lỗi.", "Transaction failed."),
        "04": (
            "Giao dịch đảo (khách hàng đã bị trừ tiền tại ngân hàng nhưng giao dịch chưa thành công ở VNPAY).",
            "Reversed transaction (debited at the bank, not completed at VNPAY).",
        ),
        "05": ("VNPAY đang xử lý giao dịch hoàn tiền.", "VNPAY is processing a refund."),
        "06": (
            "VNPAY đã gửi yêu cầu hoàn tiền sang ngân hàng.",
            "VNPAY has sent a refund request to the bank.",
        ),
        "07": ("Giao dịch bị nghi ngờ gian lận.", "Transaction suspected of fraud."),
        "09": ("Giao dịch hoàn trả bị từ chối.", "Refund refused."),
    }
)

UNKNOWN: Meaning = ("Mã không xác định.", "Unknown code.")


def response_meaning(code: str) -> Meaning:
    return RESPONSE_CODES.get(code, UNKNOWN)


def transaction_status_meaning(code: str) -> Meaning:
    return TRANSACTION_STATUSES.get(code, UNKNOWN)


class IpnReply(Enum):
    """The merchant's answer to an IPN call, as VNPAY expects it: ``{"RspCode": …, "Message": …}``."""

    CONFIRMED = ("00", "Confirm Success")
    ORDER_NOT_FOUND = ("01", "Order not found")
    ALREADY_CONFIRMED = ("02", "Order already confirmed")
    INVALID_AMOUNT = ("04", "Invalid amount")
    INVALID_SIGNATURE = ("97", "Invalid signature")
    UNKNOWN_ERROR = ("99", "Unknown error")

    @property
    def code(self) -> str:
        return self.value[0]

    def as_dict(self) -> dict[str, str]:
        return {"RspCode": self.value[0], "Message": self.value[1]}
