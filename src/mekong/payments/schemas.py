"""API shapes of payments. Labels follow the request's language (Vietnamese by default)."""

# No `from __future__ import annotations`: django-ninja resolves the schema annotations at import time.

from datetime import datetime

from ninja import Schema
from pydantic import Field

from mekong.dossiers.schemas import DocumentOut
from mekong.payments.models import Attention, Payment, PaymentChannel, PaymentEvent, PaymentStatus


class FeeLineOut(Schema):
    name: str
    kind: str = Field(description="le_phi (lệ phí) hoặc phi (phí).")
    unit_amount: int = Field(description="Mức thu, đồng.")
    quantity: int = Field(description="Số lượng (1 với khoản thu cố định).")
    subtotal: int = Field(description="Thành tiền, đồng.")


class FeesOut(Schema):
    total: int = Field(description="Tổng số tiền, đồng.")
    items: list[FeeLineOut]


class PaymentRequestIn(Schema):
    note: str = Field("", max_length=2000, description="Ghi chú gửi công dân.")


class PaymentStartIn(Schema):
    gateway: str | None = Field(
        None, max_length=30, description="Cổng thanh toán; mặc định cổng của hệ thống."
    )


class CounterPaymentIn(Schema):
    reference: str = Field("", max_length=50, description="Số biên lai giấy (nếu có).")
    note: str = Field("", max_length=2000)


class PaymentEventOut(Schema):
    sequence: int
    kind: str = Field(description="created, gateway_result, counter hoặc flagged.")
    from_status: str
    to_status: str
    source: str = Field(description="citizen, ipn, officer.")
    note: str
    created_at: datetime

    @staticmethod
    def resolve_from_status(obj: PaymentEvent) -> str:
        return obj.from_status or ""


class PaymentOut(Schema):
    txn_ref: str = Field(description="Mã giao dịch của hệ thống (vnp_TxnRef).")
    channel: PaymentChannel
    gateway: str
    amount: int = Field(description="Số tiền, đồng.")
    status: PaymentStatus
    status_label: str
    transaction_no: str = Field(
        description="Mã giao dịch tại cổng thanh toán (vnp_TransactionNo) hoặc số biên lai giấy."
    )
    response_code: str
    attention: Attention
    created_at: datetime
    expires_at: datetime | None
    paid_at: datetime | None
    history: list[PaymentEventOut]

    @staticmethod
    def resolve_status_label(obj: Payment) -> str:
        return str(PaymentStatus(obj.status).label)

    @staticmethod
    def resolve_history(obj: Payment) -> list[PaymentEvent]:
        return list(obj.events.all())


class PaymentsOut(Schema):
    dossier: str = Field(description="Mã hồ sơ.")
    status: int = Field(description="Trạng thái hồ sơ (6: chờ thực hiện nghĩa vụ tài chính).")
    amount_due: int | None = Field(description="Số tiền đang phải nộp; null khi hồ sơ không chờ nộp phí.")
    fees_due: list[FeeLineOut]
    payments: list[PaymentOut]
    receipts: list[DocumentOut] = Field(description="Biên lai thu phí, lệ phí điện tử.")


class PaymentStartOut(Schema):
    txn_ref: str
    gateway: str
    amount: int
    payment_url: str = Field(
        description="Địa chỉ trang thanh toán của cổng: chuyển trình duyệt của công dân tới đây."
    )
    expires_at: datetime
