"""API shapes of the public procedure catalogue. Labels follow the request's language (vi by default)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from mekong.accounts.roles import Role
from mekong.catalog.models import (
    FeeItem,
    FeeKind,
    OnlineLevel,
    Procedure,
    ProcedureLevel,
    ProcessingStep,
    RequiredDocument,
    TimeUnit,
)


def _duration_label(value: Decimal | int, unit: str) -> str:
    # Vietnamese writes decimals with a comma: "0,5 ngày làm việc".
    text = format(Decimal(value).normalize(), "f").replace(".", ",")
    return f"{text} {TimeUnit(unit).label}"


class FieldOut(Schema):
    code: str = Field(examples=["ho-tich"])
    name: str = Field(examples=["Hộ tịch"])


class FieldSummaryOut(FieldOut):
    procedure_count: int = Field(description="Số thủ tục đang áp dụng trong lĩnh vực (theo cấp nếu có lọc).")


class DurationOut(Schema):
    value: float = Field(description="Thời hạn; bước xử lý có thể lẻ (0,5 ngày).")
    unit: TimeUnit
    label: str = Field(examples=["5 ngày làm việc"])


class TimeLimitOut(Schema):
    value: int
    unit: TimeUnit
    label: str = Field(examples=["3 ngày làm việc"])


class AgencyOut(Schema):
    code: str = Field(examples=["000.00.03.H28"])
    name: str


class DocumentOut(Schema):
    name: str
    mandatory: bool
    copies: int
    template_name: str
    template_url: str | None = Field(description="Mẫu đơn, tờ khai tải về (nếu có).")
    note: str

    @staticmethod
    def resolve_template_url(obj: RequiredDocument) -> str | None:
        return obj.template.url if obj.template else None


class FeeOut(Schema):
    kind: FeeKind
    kind_label: str
    name: str
    amount: int = Field(description="Mức thu, đồng (VND).")
    quantity_field: str | None = Field(
        description="Trường của biểu mẫu nhân với mức thu (ví dụ số bản); null là mức cố định."
    )
    note: str

    @staticmethod
    def resolve_kind_label(obj: FeeItem) -> str:
        return str(FeeKind(obj.kind).label)

    @staticmethod
    def resolve_quantity_field(obj: FeeItem) -> str | None:
        return obj.quantity_field or None


class StepOut(Schema):
    name: str
    role: Role
    role_label: str
    duration: DurationOut

    @staticmethod
    def resolve_role_label(obj: ProcessingStep) -> str:
        return str(Role(obj.role).label)

    @staticmethod
    def resolve_duration(obj: ProcessingStep) -> dict[str, Any]:
        return {
            "value": float(obj.duration_value),
            "unit": obj.duration_unit,
            "label": _duration_label(obj.duration_value, obj.duration_unit),
        }


class ProcedureListOut(Schema):
    code: str = Field(examples=["1.001193.000.00.00.H28"])
    name: str = Field(examples=["Đăng ký khai sinh"])
    field: FieldOut
    level: ProcedureLevel
    level_label: str
    online_level: OnlineLevel
    online_level_label: str
    time_limit: TimeLimitOut
    total_fixed_fee: int = Field(description="Tổng các khoản phí, lệ phí cố định, đồng (VND).")
    requires_e_result: bool
    fees: list[FeeOut] = Field(description="Phí, lệ phí.")
    documents: list[DocumentOut] = Field(description="Thành phần hồ sơ.")

    @staticmethod
    def resolve_level_label(obj: Procedure) -> str:
        return str(ProcedureLevel(obj.level).label)

    @staticmethod
    def resolve_online_level_label(obj: Procedure) -> str:
        return str(OnlineLevel(obj.online_level).label)

    @staticmethod
    def resolve_fees(obj: Procedure) -> list[Any]:
        return list(obj.fee_items.all())

    @staticmethod
    def resolve_documents(obj: Procedure) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_time_limit(obj: Procedure) -> dict[str, Any]:
        return {
            "value": obj.time_limit_value,
            "unit": obj.time_limit_unit,
            "label": _duration_label(obj.time_limit_value, obj.time_limit_unit),
        }


class ProcedureDetailOut(ProcedureListOut):
    implementing_agency: str
    agencies: list[AgencyOut] = Field(description="Cơ quan tiếp nhận hồ sơ.")
    legal_basis: str
    description: str
    result_name: str
    steps: list[StepOut] = Field(description="Quy trình xử lý.")
    form_schema: dict[str, Any] = Field(description="Biểu mẫu điện tử (JSON Schema 2020-12).")
    source: str = Field(description="Nguồn số liệu.")

    @staticmethod
    def resolve_agencies(obj: Procedure) -> list[Any]:
        return list(obj.agencies.all())

    @staticmethod
    def resolve_steps(obj: Procedure) -> list[Any]:
        return list(obj.steps.all())
