"""/api/v1/dossiers: citizens file and follow dossiers, officers work them, anyone looks up a status.

Every operation needs a bearer token (`Authorization: Bearer <token>`) except `POST /lookup`. A dossier
the caller may not read answers 404, never 403, so the API does not reveal that it exists; a command the
caller may read but not give answers 403; a command the dossier's status does not allow answers 409.
Errors have one shape (`Error`): code, Vietnamese message, English message, and per-field errors.

POST operations that create something (`/drafts`, `/drafts/{id}/submit`, `/submit`) accept an
`Idempotency-Key` header: repeating the request with the same key and body returns the stored response
instead of doing it again; the same key with another body is refused (422).
"""

# No `from __future__ import annotations`: django-ninja resolves the annotations at import time.

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.params import HeaderEx, P
from pydantic import Field

from mekong.accounts import permissions
from mekong.accounts.auth import bearer_token
from mekong.accounts.models import ApiToken, User
from mekong.catalog.models import Agency, Procedure, RequiredDocument
from mekong.core.errors import DomainError, FieldError, NotFound, PermissionDenied
from mekong.core.lookups import CompiledGet
from mekong.dossiers import actions, selectors
from mekong.dossiers.lookup import LookupRateLimited, lookup_status
from mekong.dossiers.models import Dossier, DossierFile, DossierStatus, IdempotencyKey, IssuedDocument
from mekong.dossiers.schemas import (
    AssignIn,
    BulkAction,
    BulkIn,
    BulkOut,
    DocumentOut,
    DossierDetailOut,
    DossierFileOut,
    DossierOut,
    DraftIn,
    DraftOut,
    DraftPatchIn,
    DraftSummaryOut,
    Error,
    FileOut,
    LookupIn,
    LookupOut,
    NoteIn,
    QueueCountsOut,
    QueueItemOut,
    ReasonIn,
    RequiredNoteIn,
    SupplementRequestIn,
)
from mekong.dossiers.selectors import QueueFilter, QueueSort
from mekong.dossiers.validation import ALLOWED_TYPES, sniff_stream

router = Router(auth=bearer_token)

ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
UPLOAD_ERRORS: dict[int, Any] = {**ERRORS, 413: Error, 415: Error}
FILE_DOWNLOAD = {
    "responses": {
        200: {
            "description": "Nội dung tệp (PDF, JPEG hoặc PNG).",
            "content": {
                media_type: {"schema": {"type": "string", "format": "binary"}}
                for media_type in ("application/pdf", "image/jpeg", "image/png")
            },
        }
    }
}

DOSSIER_NOT_FOUND = _("Không tìm thấy hồ sơ “{dossier_code}”.")
DRAFT_NOT_FOUND = _("Không tìm thấy hồ sơ nháp số {id}.")
FILE_NOT_FOUND = _("Không tìm thấy tệp này trong hồ sơ.")
CITIZENS_ONLY = _("Chỉ tài khoản công dân được nộp hồ sơ trực tuyến.")
OFFICIALS_ONLY = _("Chức năng này chỉ dành cho cán bộ, công chức.")

IdempotencyKeyHeader = HeaderEx[
    str | None,
    P(
        alias="Idempotency-Key",
        max_length=100,
        description="Khóa chống gửi trùng (tối đa 100 ký tự): gửi lại cùng khóa và cùng nội dung sẽ nhận "
        "lại đúng kết quả lần trước, không tạo hồ sơ thứ hai.",
    ),
]


# --- who is asking ----------------------------------------------------------------------------------------


def api_user(request: HttpRequest) -> User:
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # bearer_token guards these operations; this only narrows the type
        raise DomainError(_("Cần đăng nhập: thiếu hoặc sai mã truy cập."), code="unauthorized", status=401)
    return token.user


def _citizen(request: HttpRequest) -> User:
    user = api_user(request)
    if not user.is_citizen:
        raise PermissionDenied(CITIZENS_ONLY)
    return user


def _official(request: HttpRequest) -> User:
    user = api_user(request)
    if not user.is_official:
        raise PermissionDenied(OFFICIALS_ONLY)
    return user


def readable_dossier(request: HttpRequest, code: str) -> Dossier:
    dossier = selectors.readable_dossier(api_user(request), code)
    if dossier is None:
        raise NotFound(DOSSIER_NOT_FOUND, dossier_code=code)
    return dossier


def _draft(request: HttpRequest, draft_id: int) -> Dossier:
    draft = selectors.my_draft(api_user(request), draft_id)
    if draft is None:
        raise NotFound(DRAFT_NOT_FOUND, id=draft_id)
    return draft


M = TypeVar("M", bound=Model)


def _one(rows: QuerySet[M]) -> M | None:
    """The row a unique lookup finds, or None, without the ORDER BY of `.first()`."""
    try:
        return rows.get()
    except ObjectDoesNotExist:
        return None


# Compiled once: these two look-ups run on every filing request (see `core.lookups`).
PROCEDURE_BY_CODE = CompiledGet(lambda code: Procedure.objects.filter(code=code), code=str)
AGENCY_BY_CODE = CompiledGet(lambda code: Agency.objects.filter(code=code), code=str)


def _procedure(code: str) -> Procedure:
    procedure = PROCEDURE_BY_CODE(code=code.strip())
    if procedure is None:
        message = _("Không có thủ tục hành chính mã “{procedure_code}”.")
        raise DomainError(
            message,
            errors=[FieldError("procedure", message, params={"procedure_code": code})],
            procedure_code=code,
        )
    return procedure


def _agency(code: str, field: str = "agency") -> Agency:
    agency = AGENCY_BY_CODE(code=code.strip().upper())
    if agency is None:
        message = _("Không có cơ quan mã “{agency_code}”.")
        raise DomainError(
            message, errors=[FieldError(field, message, params={"agency_code": code})], agency_code=code
        )
    return agency


def _specialist(user_id: int | None) -> User:
    specialist = User.objects.filter(pk=user_id, is_active=True).first() if user_id is not None else None
    if specialist is None:
        message = _("Chọn chuyên viên xử lý.")
        raise DomainError(message, errors=[FieldError("specialist", message)])
    return specialist


def _summary(dossier: Dossier) -> dict[str, Any]:
    """JSON-ready DossierOut, for responses that are stored (idempotency)."""
    return DossierOut.from_orm(dossier).model_dump(mode="json")


# --- idempotency ------------------------------------------------------------------------------------------

# A key row is written in the same transaction as the work it guards and carries the response when it
# commits, so others never see a key without its answer. A racing duplicate blocks on the unique (user, key)
# index (PostgreSQL) or on the write lock (SQLite) until the first commits, then replays its answer.
IN_PROGRESS = 0
KEY_REUSED = _(
    "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác. Hãy dùng khóa mới cho mỗi yêu cầu mới."
)
KEY_IN_PROGRESS = _("Yêu cầu với khóa Idempotency-Key này đang được xử lý. Vui lòng thử lại sau giây lát.")


def _fingerprint(request: HttpRequest, body: Any) -> str:
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": body},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _json(status: int, body: dict[str, Any]) -> JsonResponse:
    # Bodies are already rendered through their schema (model_dump), the same for a first answer and a
    # replay: sending them as they are keeps the two byte-for-byte alike.
    return JsonResponse(body, status=status)


def idempotent(
    request: HttpRequest, key: str | None, body: Any, run: Callable[[], tuple[int, dict[str, Any]]]
) -> JsonResponse:
    """Run `run` once per (user, key). Errors (DomainError) roll the key back with the work: nothing was
    done, so the same request may be retried with the same key."""
    if key is None or not key.strip():
        with transaction.atomic():  # one transaction either way: `run` may rely on it (savepoint=False)
            return _json(*run())
    key = key.strip()
    user = api_user(request)
    fingerprint = _fingerprint(request, body)
    # Insert first, with no savepoint: a new key (the usual case) costs one statement. A key already
    # stored, or being stored by a racing request, fails the unique (user, key) index as the transaction's
    # first statement; the transaction is then rolled back whole and the stored key read in a fresh one.
    inserted = False
    try:
        with transaction.atomic():
            actions.reserve_idempotency_key(user, key, fingerprint, in_progress=IN_PROGRESS)
            inserted = True
            status, response = run()
            actions.answer_idempotency_key(user, key, status, response)
        return _json(status, response)
    except IntegrityError:
        if inserted:  # the work itself broke a constraint: not ours to explain
            raise
    existing = IdempotencyKey.objects.filter(user=user, key=key).first()
    if existing is None or existing.response_status == IN_PROGRESS:
        raise DomainError(KEY_IN_PROGRESS, code="idempotency_key_in_progress", status=409)
    if existing.request_hash != fingerprint:
        raise DomainError(
            KEY_REUSED,
            code="idempotency_key_reused",
            status=422,
            errors=[FieldError("Idempotency-Key", KEY_REUSED)],
        )
    return _json(existing.response_status, existing.response_body)


# --- public status lookup (registered first: its path must win over "/{code}") ----------------------------


@router.post(
    "/lookup",
    response={200: LookupOut, 400: Error, 404: Error, 422: Error, 429: Error},
    auth=None,
    summary="Tra cứu tình trạng hồ sơ (không cần đăng nhập)",
    description="Mã hồ sơ và số điện thoại hoặc số định danh cá nhân đã khai trong hồ sơ. Mã không có và "
    "thông tin không khớp cho cùng một câu trả lời 404. Giới hạn số lần tra cứu theo địa chỉ IP (429).",
)
def lookup(request: HttpRequest, payload: LookupIn) -> Any:
    try:
        return lookup_status(request, payload.code, payload.secret)
    except LookupRateLimited as limited:
        return JsonResponse(limited.as_dict(), status=429, headers={"Retry-After": str(limited.retry_after)})


# --- citizen: drafts and submission ------------------------------------------------------------------------


@router.post(
    "/drafts", response={201: DraftOut, **ERRORS}, summary="Tạo hồ sơ nháp", url_name="dossier_drafts"
)
def create_draft(
    request: HttpRequest, payload: DraftIn, idempotency_key: IdempotencyKeyHeader = None
) -> JsonResponse:
    citizen = _citizen(request)

    def run() -> tuple[int, dict[str, Any]]:
        draft = actions.create_draft(
            actor=citizen,
            procedure=_procedure(payload.procedure),
            agency=_agency(payload.agency),
            form_data=payload.form_data,
            result_delivery=payload.result_delivery,
        )
        return 201, DraftOut.from_orm(draft).model_dump(mode="json")

    return idempotent(request, idempotency_key, payload.model_dump(mode="json"), run)


@router.get("/drafts", response={200: list[DraftSummaryOut], 401: Error}, summary="Hồ sơ nháp của tôi")
@paginate(PageNumberPagination, page_size=20, max_page_size=100)
def list_drafts(request: HttpRequest) -> QuerySet[Dossier]:
    return selectors.my_drafts(api_user(request))


@router.get("/drafts/{draft_id}", response={200: DraftOut, **ERRORS}, summary="Xem hồ sơ nháp")
def get_draft(request: HttpRequest, draft_id: int) -> Dossier:
    return _draft(request, draft_id)


@router.patch("/drafts/{draft_id}", response={200: DraftOut, **ERRORS}, summary="Sửa hồ sơ nháp")
def update_draft(request: HttpRequest, draft_id: int, payload: DraftPatchIn) -> Dossier:
    draft = actions.update_draft(
        _draft(request, draft_id),
        actor=api_user(request),
        form_data=payload.form_data,
        result_delivery=payload.result_delivery,
    )
    return _draft(request, draft.pk)


@router.post(
    "/drafts/{draft_id}/files",
    response={201: FileOut, **UPLOAD_ERRORS},
    summary="Đính kèm giấy tờ vào hồ sơ nháp",
    description="Tệp PDF, JPEG hoặc PNG (nhận biết theo nội dung, không theo tên), dung lượng giới hạn "
    "(413 nếu quá lớn, 415 nếu sai định dạng). `requirement`: mã thành phần hồ sơ của thủ tục.",
)
def upload_draft_file(
    request: HttpRequest,
    draft_id: int,
    file: File[UploadedFile],
    requirement: Form[int | None] = None,
) -> Status[DossierFile]:
    draft = _draft(request, draft_id)
    required = None
    if requirement is not None:
        required = RequiredDocument.objects.filter(pk=requirement, procedure_id=draft.procedure_id).first()
        if required is None:
            message = _("Thành phần hồ sơ không thuộc thủ tục này.")
            raise DomainError(message, errors=[FieldError("requirement", message)])
    stored = actions.attach_file(
        draft, actor=api_user(request), stream=file, name=file.name or "tep", requirement=required
    )
    return Status(201, stored)


@router.delete(
    "/drafts/{draft_id}/files/{file_id}",
    response={204: None, **ERRORS},
    summary="Bỏ một tệp khỏi hồ sơ nháp",
)
def delete_draft_file(request: HttpRequest, draft_id: int, file_id: int) -> Status[None]:
    draft = _draft(request, draft_id)
    found = DossierFile.objects.filter(pk=file_id, dossier=draft).first()
    if found is None:
        raise NotFound(FILE_NOT_FOUND)
    found.dossier = draft
    actions.remove_draft_file(found, actor=api_user(request))
    return Status(204, None)


@router.post(
    "/drafts/{draft_id}/submit",
    response={200: DossierOut, **ERRORS},
    summary="Nộp hồ sơ nháp",
    description="Kiểm tra tờ khai và giấy tờ bắt buộc, cấp mã hồ sơ, chuyển trạng thái 1 Mới đăng ký. "
    "Thiếu gì thì trả 400 với từng mục cần bổ sung.",
)
def submit_draft(
    request: HttpRequest, draft_id: int, idempotency_key: IdempotencyKeyHeader = None
) -> JsonResponse:
    user = api_user(request)

    def run() -> tuple[int, dict[str, Any]]:
        dossier = actions.submit(_draft(request, draft_id), actor=user)
        return 200, _summary(dossier)

    return idempotent(request, idempotency_key, {}, run)


@router.post(
    "/submit",
    response={201: DossierOut, **ERRORS},
    summary="Tạo và nộp hồ sơ trong một yêu cầu",
    description="Dành cho thủ tục không bắt buộc giấy tờ đính kèm. Hồ sơ không hợp lệ thì không để lại "
    "gì (không có bản nháp).",
)
def submit_new(
    request: HttpRequest, payload: DraftIn, idempotency_key: IdempotencyKeyHeader = None
) -> JsonResponse:
    citizen = _citizen(request)

    def run() -> tuple[int, dict[str, Any]]:
        # One action, one outcome: a refused submission must not leave a draft behind.
        dossier = actions.create_and_submit(
            actor=citizen,
            procedure=_procedure(payload.procedure),
            agency=_agency(payload.agency),
            form_data=payload.form_data,
            result_delivery=payload.result_delivery,
            savepoint=False,  # `idempotent` runs this in its transaction, which a refusal rolls back
        )
        return 201, _summary(dossier)

    return idempotent(request, idempotency_key, payload.model_dump(mode="json"), run)


class MineFilters(Schema):
    status: DossierStatus | None = Field(None, description="Chỉ hồ sơ ở trạng thái này (1–10).")


@router.get("/mine", response={200: list[DossierOut], 401: Error, 422: Error}, summary="Hồ sơ của tôi")
@paginate(PageNumberPagination, page_size=20, max_page_size=100)
def list_mine(request: HttpRequest, filters: Query[MineFilters]) -> QuerySet[Dossier]:
    return selectors.my_dossiers(api_user(request), status=filters.status)


# --- officers: queues and bulk actions --------------------------------------------------------------------


QUEUE_AGENCY_HELP = "Mã cơ quan; mặc định mọi cơ quan bạn được xem."
QUEUE_SEARCH_HELP = (
    "Tìm theo mã hồ sơ, tên hoặc số định danh người nộp, tên hoặc mã thủ tục (không phân biệt dấu, hoa "
    "thường; mọi từ phải khớp), hoặc số điện thoại người nộp."
)
QUEUE_ASSIGNED_HELP = "Chỉ hồ sơ được phân công cho tôi."


class QueueCountFilters(Schema):
    agency: str | None = Field(None, description=QUEUE_AGENCY_HELP)
    q: str = Field("", max_length=100, description=QUEUE_SEARCH_HELP)
    assigned_to_me: bool = Field(False, description=QUEUE_ASSIGNED_HELP)


class QueueFilters(QueueCountFilters):
    filter: QueueFilter = Field(
        QueueFilter.ALL,
        description="new: mới, chờ tiếp nhận (1); due_soon: sắp đến hạn — 2 hoặc 4, hẹn trả trước cuối giờ "
        "làm việc của ngày làm việc kế tiếp; late: quá hạn (2 hoặc 4); waiting_for_citizen: chờ công dân "
        "(5, 6); processing: đang xử lý (2, 4); processed: đã xử lý xong, chờ trả (9); all: tất cả.",
    )
    sort: QueueSort | None = Field(
        None,
        description="due / -due: theo hạn trả tăng / giảm; submitted / -submitted: theo ngày nộp. Mặc định: "
        "hạn trả gần nhất trước cho due_soon, late, processing; cũ nhất trước cho new; mới nhất trước "
        "cho các danh sách khác.",
    )


@router.get(
    "/queue",
    response={200: list[QueueItemOut], 401: Error, 403: Error, 404: Error, 422: Error},
    summary="Danh sách hồ sơ cần xử lý (cán bộ)",
)
@paginate(PageNumberPagination, page_size=20, max_page_size=100)
def officer_queue(request: HttpRequest, filters: Query[QueueFilters]) -> QuerySet[Dossier]:
    official = _official(request)
    return selectors.queue(
        official,
        filter=filters.filter,
        agency=_queue_agency(filters.agency),
        q=filters.q,
        assigned_to_me=filters.assigned_to_me,
        sort=filters.sort,
    )


@router.get(
    "/queue/counts",
    response={200: QueueCountsOut, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="Số hồ sơ theo từng bộ lọc (cán bộ), với cùng phạm vi và tìm kiếm như danh sách",
)
def officer_queue_counts(request: HttpRequest, filters: Query[QueueCountFilters]) -> dict[str, int]:
    official = _official(request)
    counts = selectors.queue_counts(
        official, agency=_queue_agency(filters.agency), q=filters.q, assigned_to_me=filters.assigned_to_me
    )
    return {str(queue_filter): count for queue_filter, count in counts.items()}


def _queue_agency(code: str | None) -> Agency | None:
    if not code:
        return None
    agency = AGENCY_BY_CODE(code=code.strip().upper())
    if agency is None:
        raise NotFound(_("Không có cơ quan mã “{agency_code}”."), agency_code=code)
    return agency


def _bulk_command(action: BulkAction, specialist: User | None) -> Callable[[Dossier, User], Dossier]:
    if action is BulkAction.RECEIVE:
        return lambda dossier, actor: actions.receive(dossier, actor=actor)
    if action is BulkAction.START:
        return lambda dossier, actor: actions.start_processing(dossier, actor=actor)
    if action is BulkAction.RETURN:
        return lambda dossier, actor: actions.return_result(dossier, actor=actor)
    assert specialist is not None
    return lambda dossier, actor: actions.assign(dossier, actor=actor, specialist=specialist)


@router.post(
    "/bulk",
    response={200: BulkOut, **ERRORS},
    summary="Thao tác hàng loạt (cán bộ)",
    description="Tiếp nhận (receive), phân công (assign, cần `specialist`), bắt đầu xử lý (start) hoặc trả "
    "kết quả (return) cho nhiều hồ sơ. Mỗi hồ sơ trong một giao dịch riêng: hồ sơ lỗi không làm hỏng các "
    "hồ sơ khác; kết quả báo từng mã (ok hoặc lỗi).",
)
def bulk(request: HttpRequest, payload: BulkIn) -> dict[str, Any]:
    official = _official(request)
    specialist = _specialist(payload.specialist) if payload.action is BulkAction.ASSIGN else None
    command = _bulk_command(payload.action, specialist)
    codes = list(dict.fromkeys(selectors.canonical_code(code) for code in payload.codes))
    found = {
        dossier.code: dossier
        for dossier in Dossier.objects.select_related("procedure", "agency").filter(code__in=codes)
    }
    results = []
    for code in codes:
        dossier = found.get(code)
        try:
            if dossier is None or not permissions.can_read_record(
                official, owner=dossier.applicant_id, agency=dossier.agency_id
            ):
                raise NotFound(DOSSIER_NOT_FOUND, dossier_code=code)
            with transaction.atomic():
                done = command(dossier, official)
        except DomainError as error:
            results.append(
                {"code": code, "ok": False, "status": None, "status_label": None, "error": error.as_dict()}
            )
        else:
            results.append(
                {
                    "code": code,
                    "ok": True,
                    "status": done.status,
                    "status_label": selectors.status_label(done.status),
                    "error": None,
                }
            )
    succeeded = sum(1 for result in results if result["ok"])
    return {"succeeded": succeeded, "failed": len(results) - succeeded, "results": results}


# --- one dossier (generic "/{code}" paths last) ---------------------------------------------------------


@router.get(
    "/{code}",
    response={200: DossierDetailOut, **ERRORS},
    summary="Chi tiết hồ sơ và quá trình xử lý",
    description="Cho chủ hồ sơ và cán bộ được xem hồ sơ của cơ quan; người khác nhận 404.",
)
def get_dossier(request: HttpRequest, code: str) -> selectors.DossierView:
    view = selectors.dossier_view(api_user(request), code)
    if view is None:
        raise NotFound(DOSSIER_NOT_FOUND, dossier_code=code)
    return view


@router.get(
    "/{code}/files/{file_id}",
    response={401: Error, 404: Error},
    summary="Tải tệp đính kèm của hồ sơ",
    url_name="dossier_file",
    openapi_extra=FILE_DOWNLOAD,
)
def download_file(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    found = selectors.downloadable_file(api_user(request), code, file_id)
    if found is None:
        raise NotFound(FILE_NOT_FOUND)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )


@router.get(
    "/{code}/documents/{document_id}",
    response={401: Error, 404: Error},
    summary="Tải văn bản đã phát hành (giấy tiếp nhận, kết quả...)",
    url_name="dossier_document",
    openapi_extra=FILE_DOWNLOAD,
)
def download_document(request: HttpRequest, code: str, document_id: UUID) -> FileResponse:
    found = selectors.downloadable_document(api_user(request), code, document_id)
    if found is None:
        raise NotFound(FILE_NOT_FOUND)
    stream = found.file.open("rb")
    content_type = sniff_stream(stream)
    extension = ALLOWED_TYPES.get(content_type, "")
    name = f"{found.kind}-{found.dossier.code}{extension}"
    return FileResponse(stream, as_attachment=True, filename=name, content_type=content_type)


@router.post(
    "/{code}/supplement",
    response={200: DossierOut, **UPLOAD_ERRORS},
    summary="Bổ sung giấy tờ (công dân)",
    description="Tệp bổ sung (multipart, trường `files`, có thể nhiều tệp) và/hoặc ghi chú.",
)
def supplement(
    request: HttpRequest,
    code: str,
    files: File[list[UploadedFile] | None] = None,
    note: Form[str] = "",
) -> Dossier:
    dossier = readable_dossier(request, code)
    uploads = [(None, upload, upload.name or "tep") for upload in files or []]
    return actions.supplement(dossier, actor=api_user(request), files=uploads, note=note)


@router.post("/{code}/withdraw", response={200: DossierOut, **ERRORS}, summary="Rút hồ sơ (công dân)")
def withdraw(request: HttpRequest, code: str, payload: ReasonIn | None = None) -> Dossier:
    return actions.withdraw(
        readable_dossier(request, code), actor=api_user(request), reason=payload.reason if payload else ""
    )


@router.post("/{code}/receive", response={200: DossierOut, **ERRORS}, summary="Tiếp nhận hồ sơ")
def receive(request: HttpRequest, code: str, payload: NoteIn | None = None) -> Dossier:
    return actions.receive(
        readable_dossier(request, code), actor=api_user(request), note=payload.note if payload else ""
    )


@router.post("/{code}/refuse", response={200: DossierOut, **ERRORS}, summary="Từ chối tiếp nhận hồ sơ")
def refuse(request: HttpRequest, code: str, payload: ReasonIn | None = None) -> Dossier:
    return actions.refuse(
        readable_dossier(request, code), actor=api_user(request), reason=payload.reason if payload else ""
    )


@router.post(
    "/{code}/request-supplement", response={200: DossierOut, **ERRORS}, summary="Yêu cầu bổ sung giấy tờ"
)
def request_supplement(request: HttpRequest, code: str, payload: SupplementRequestIn) -> Dossier:
    return actions.request_supplement(
        readable_dossier(request, code), actor=api_user(request), missing=payload.missing, note=payload.note
    )


@router.post("/{code}/assign", response={200: DossierOut, **ERRORS}, summary="Phân công chuyên viên xử lý")
def assign(request: HttpRequest, code: str, payload: AssignIn) -> Dossier:
    dossier = readable_dossier(request, code)
    specialist = _specialist(payload.specialist)
    return actions.assign(dossier, actor=api_user(request), specialist=specialist, note=payload.note)


@router.post("/{code}/start", response={200: DossierOut, **ERRORS}, summary="Bắt đầu xử lý hồ sơ")
def start(request: HttpRequest, code: str) -> Dossier:
    return actions.start_processing(readable_dossier(request, code), actor=api_user(request))


@router.post(
    "/{code}/result",
    response={201: DossierFileOut, **UPLOAD_ERRORS},
    summary="Đính kèm kết quả giải quyết (chuyên viên)",
)
def attach_result(
    request: HttpRequest, code: str, file: File[UploadedFile], note: Form[str] = ""
) -> Status[DossierFile]:
    dossier = readable_dossier(request, code)
    stored = actions.attach_result(
        dossier, actor=api_user(request), stream=file, name=file.name or "ket-qua", note=note
    )
    return Status(201, stored)


@router.post(
    "/{code}/result/generate",
    response={201: DocumentOut, **ERRORS},
    summary="Tạo kết quả điện tử từ mẫu (chuyên viên)",
    description="Kết xuất kết quả giải quyết thành PDF có mã QR xác minh và đính kèm vào hồ sơ.",
)
def generate_result(request: HttpRequest, code: str, payload: NoteIn | None = None) -> Status[IssuedDocument]:
    from mekong.dossiers.documents import generate_result as render_result

    document = render_result(
        readable_dossier(request, code), actor=api_user(request), note=payload.note if payload else ""
    )
    return Status(201, document)


@router.post("/{code}/approve", response={200: DossierOut, **ERRORS}, summary="Phê duyệt kết quả (lãnh đạo)")
def approve(request: HttpRequest, code: str, payload: NoteIn | None = None) -> Dossier:
    return actions.approve(
        readable_dossier(request, code), actor=api_user(request), note=payload.note if payload else ""
    )


@router.post(
    "/{code}/send-back", response={200: DossierOut, **ERRORS}, summary="Trả lại để xử lý lại (lãnh đạo)"
)
def send_back(request: HttpRequest, code: str, payload: RequiredNoteIn | None = None) -> Dossier:
    return actions.send_back(
        readable_dossier(request, code), actor=api_user(request), note=payload.note if payload else ""
    )


@router.post(
    "/{code}/return", response={200: DossierOut, **ERRORS}, summary="Trả kết quả tại Bộ phận một cửa"
)
def return_result(request: HttpRequest, code: str, payload: NoteIn | None = None) -> Dossier:
    return actions.return_result(
        readable_dossier(request, code), actor=api_user(request), note=payload.note if payload else ""
    )


@router.post("/{code}/stop", response={200: DossierOut, **ERRORS}, summary="Dừng xử lý hồ sơ")
def stop(request: HttpRequest, code: str, payload: ReasonIn | None = None) -> Dossier:
    return actions.stop(
        readable_dossier(request, code), actor=api_user(request), reason=payload.reason if payload else ""
    )
