"""API shapes of dossiers. Labels follow the request's language (Vietnamese by default).

Output schemas read model instances (or the dataclasses of `selectors` and `lookup`) through resolvers, so
the same schema renders a response and the body stored for an idempotent replay.
"""

# No `from __future__ import annotations`: django-ninja resolves the schema annotations at import time.

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from mekong.accounts.api import ErrorOut, FieldErrorOut
from mekong.dossiers.actions import submission_errors
from mekong.dossiers.lookup import LookupResult
from mekong.dossiers.models import (
    Channel,
    Dossier,
    DossierFile,
    FileKind,
    IssuedDocument,
    IssuedDocumentKind,
    ResultDelivery,
)
from mekong.dossiers.selectors import DossierView, is_late, status_label

# One error shape for every endpoint: DomainError.as_dict() (shared with /api/v1/auth).
Error = ErrorOut

__all__ = ["Error", "ErrorOut", "FieldErrorOut"]


# --- input ----------------------------------------------------------------------------------------------


class DraftIn(Schema):
    procedure: str = Field(
        ..., max_length=40, description="Mã thủ tục hành chính.", examples=["1.001193.000.00.00.H28"]
    )
    agency: str = Field(..., max_length=20, description="Mã cơ quan tiếp nhận.", examples=["000.00.17.H28"])
    form_data: dict[str, Any] = Field(
        default_factory=dict, description="Nội dung tờ khai, theo biểu mẫu (JSON Schema) của thủ tục."
    )
    result_delivery: ResultDelivery = Field(ResultDelivery.ONLINE, description="Hình thức nhận kết quả.")


class DraftPatchIn(Schema):
    form_data: dict[str, Any] | None = Field(None, description="Thay toàn bộ nội dung tờ khai.")
    result_delivery: ResultDelivery | None = None


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000, description="Lý do (bắt buộc).")


class NoteIn(Schema):
    note: str = Field("", max_length=2000, description="Ghi chú (không bắt buộc).")


class RequiredNoteIn(Schema):
    note: str = Field("", max_length=2000, description="Nội dung cần xử lý lại (bắt buộc).")


class SupplementRequestIn(Schema):
    missing: list[str] = Field(
        ..., max_length=50, description="Các giấy tờ cần bổ sung.", examples=[["Bản sao giấy khai sinh"]]
    )
    note: str = Field("", max_length=2000)


class AssignIn(Schema):
    specialist: int = Field(..., description="Mã (id) tài khoản chuyên viên xử lý.")
    note: str = Field("", max_length=2000)


class BulkAction(StrEnum):
    RECEIVE = "receive"
    ASSIGN = "assign"
    START = "start"
    RETURN = "return"


class BulkIn(Schema):
    action: BulkAction
    codes: list[str] = Field(..., min_length=1, max_length=200, description="Mã hồ sơ, tối đa 200.")
    specialist: int | None = Field(None, description="Chuyên viên (bắt buộc với action=assign).")


class LookupIn(Schema):
    code: str = Field(..., min_length=1, max_length=60, examples=["000.00.17.H56-210531-0001"])
    secret: str = Field(
        ...,
        min_length=1,
        max_length=30,
        description="Số điện thoại hoặc số định danh cá nhân (12 chữ số) đã khai trong hồ sơ.",
    )


# --- output ---------------------------------------------------------------------------------------------


class RefOut(Schema):
    code: str
    name: str


class FileOut(Schema):
    id: int
    name: str
    kind: FileKind
    kind_label: str
    requirement_id: int | None
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime

    @staticmethod
    def resolve_name(obj: DossierFile) -> str:
        return obj.original_name

    @staticmethod
    def resolve_kind_label(obj: DossierFile) -> str:
        return str(FileKind(obj.kind).label)


class DossierFileOut(FileOut):
    download_url: str

    @staticmethod
    def resolve_download_url(obj: DossierFile) -> str:
        return reverse("api:dossier_file", kwargs={"code": obj.dossier.code, "file_id": obj.pk})


class DocumentOut(Schema):
    id: UUID
    kind: IssuedDocumentKind
    kind_label: str
    sha256: str
    issued_at: datetime
    download_url: str
    verify_url: str = Field(description="Trang xác minh văn bản (mã QR trên văn bản dẫn tới đây).")

    @staticmethod
    def resolve_kind_label(obj: IssuedDocument) -> str:
        return str(IssuedDocumentKind(obj.kind).label)

    @staticmethod
    def resolve_verify_url(obj: IssuedDocument) -> str:
        return reverse("dossiers:verify", kwargs={"document_id": obj.pk})

    @staticmethod
    def resolve_download_url(obj: IssuedDocument) -> str:
        return reverse("api:dossier_document", kwargs={"code": obj.dossier.code, "document_id": obj.pk})


class ProblemOut(Schema):
    field: str
    message: str
    message_en: str


class DraftSummaryOut(Schema):
    id: int
    procedure: RefOut
    agency: RefOut
    result_delivery: ResultDelivery
    created_at: datetime
    updated_at: datetime


class DraftOut(DraftSummaryOut):
    form_data: dict[str, Any]
    files: list[FileOut]
    problems: list[ProblemOut] = Field(description="Những gì còn thiếu để nộp được (trống: có thể nộp ngay).")

    @staticmethod
    def resolve_files(obj: Dossier) -> list[Any]:
        return list(obj.files.all())

    @staticmethod
    def resolve_problems(obj: Dossier) -> list[dict[str, Any]]:
        return [error.as_dict() for error in submission_errors(obj)]


class DossierOut(Schema):
    code: str = Field(examples=["000.00.17.H56-210531-0001"])
    status: int = Field(description="Trạng thái theo Cổng Dịch vụ công quốc gia (1–10).")
    status_label: str
    procedure: RefOut
    agency: RefOut
    applicant_name: str
    channel: Channel
    result_delivery: ResultDelivery
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None = Field(description="Ngày hẹn trả kết quả.")
    finished_at: datetime | None
    supplement_count: int
    is_late: bool

    # Also read from a `selectors.DossierView`, which passes the dossier's fields through.
    @staticmethod
    def resolve_status_label(obj: Dossier | DossierView) -> str:
        return status_label(obj.status)

    @staticmethod
    def resolve_is_late(obj: Dossier | DossierView) -> bool:
        return is_late(obj.dossier if isinstance(obj, DossierView) else obj)


class QueueItemOut(DossierOut):
    assigned_to: str | None = Field(description="Chuyên viên đang xử lý.")

    @staticmethod
    def resolve_assigned_to(obj: Dossier) -> str | None:
        return str(obj.assigned_to) if obj.assigned_to_id is not None else None


class ApplicantOut(Schema):
    name: str
    personal_id: str
    phone: str
    email: str
    address: str


class TimelineEntryOut(Schema):
    at: datetime
    action: str
    action_label: str
    status: int | None
    status_label: str
    actor_role: str
    actor_role_label: str
    note: str
    missing: list[str] = Field(description="Giấy tờ cần bổ sung (khi yêu cầu bổ sung).")


class DossierDetailOut(DossierOut):
    """Read from a `selectors.DossierView` (whose other attributes are the dossier's)."""

    applicant: ApplicantOut
    form_data: dict[str, Any]
    files: list[DossierFileOut]
    documents: list[DocumentOut]
    timeline: list[TimelineEntryOut]
    actions: list[str] = Field(description="Thao tác người dùng này thực hiện được ngay bây giờ.")

    @staticmethod
    def resolve_applicant(obj: DossierView) -> dict[str, str]:
        dossier = obj.dossier
        return {
            "name": dossier.applicant_name,
            "personal_id": dossier.applicant_personal_id,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
        }


def detail_body(view: DossierView) -> dict[str, Any]:
    """The detail response as JSON-ready data (also what an idempotent replay returns)."""
    return DossierDetailOut.from_orm(view).model_dump(mode="json")


class QueueCountsOut(Schema):
    new: int
    due_soon: int
    late: int
    waiting_for_citizen: int
    processing: int
    processed: int
    all: int


class BulkResultOut(Schema):
    code: str
    ok: bool
    status: int | None = Field(description="Trạng thái sau thao tác (khi thành công).")
    status_label: str | None
    error: ErrorOut | None


class BulkOut(Schema):
    succeeded: int
    failed: int
    results: list[BulkResultOut]


class LookupEventOut(Schema):
    at: datetime
    action_label: str
    status: int | None
    status_label: str
    actor_role_label: str


class LookupOut(Schema):
    code: str
    status: int
    status_label: str
    procedure: RefOut
    agency: RefOut
    applicant_name: str = Field(description="Họ tên đã che, ví dụ Ng*** V** An.")
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    timeline: list[LookupEventOut]

    @staticmethod
    def resolve_procedure(obj: LookupResult) -> dict[str, str]:
        return {"code": obj.procedure_code, "name": obj.procedure_name}

    @staticmethod
    def resolve_agency(obj: LookupResult) -> dict[str, str]:
        return {"code": obj.agency_code, "name": obj.agency_name}
