"""Every change to a dossier. Each function runs in one transaction, checks who may do it, and records one
append-only event through `_record` — the only place a dossier's status is written.

Actors: a citizen acts on their own dossiers; an official acts with a role they hold in the dossier's
agency (`accounts.permissions.can_act`). The state machine (`dossiers.states`) decides what is legal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

import structlog
from django.core.files.base import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mekong.accounts import permissions
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, Procedure, RequiredDocument
from mekong.core.errors import DomainError, FieldError, PermissionDenied
from mekong.dossiers import hooks
from mekong.dossiers.calendar import province_calendar
from mekong.dossiers.chain import event_hash, normalise
from mekong.dossiers.codes import format_dossier_code
from mekong.dossiers.models import (
    Channel,
    DailySequence,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierStatus,
    FileKind,
    IdempotencyKey,
    ResultDelivery,
)
from mekong.dossiers.states import (
    TRANSITIONS,
    Actor,
    ActorNotAllowed,
    Command,
    IllegalTransition,
    Status,
    transition,
)
from mekong.dossiers.validation import check_upload, form_errors
from mekong.dossiers.workdays import VIETNAM_TZ

log = structlog.get_logger(__name__)

COMMAND_LABELS = {
    Command.SUBMIT: _("nộp hồ sơ"),
    Command.RECEIVE: _("tiếp nhận hồ sơ"),
    Command.REFUSE: _("từ chối tiếp nhận hồ sơ"),
    Command.REQUEST_SUPPLEMENT: _("yêu cầu bổ sung giấy tờ"),
    Command.SUPPLEMENT: _("bổ sung giấy tờ"),
    Command.START_PROCESSING: _("bắt đầu xử lý hồ sơ"),
    Command.ASSIGN: _("phân công xử lý hồ sơ"),
    Command.REQUEST_PAYMENT: _("yêu cầu thực hiện nghĩa vụ tài chính"),
    Command.PAY: _("xác nhận thực hiện nghĩa vụ tài chính"),
    Command.WITHDRAW: _("rút hồ sơ"),
    Command.STOP: _("dừng xử lý hồ sơ"),
    Command.APPROVE: _("phê duyệt kết quả"),
    Command.SEND_BACK: _("trả lại hồ sơ để xử lý lại"),
    Command.RETURN_RESULT: _("trả kết quả"),
}
# Events that change no status but are part of the trail.
ATTACH_RESULT = "attach_result"
RESCHEDULE = "reschedule"
NOTE_LABELS = {ATTACH_RESULT: _("đính kèm kết quả giải quyết"), RESCHEDULE: _("hẹn lại ngày trả kết quả")}


# --- who is acting ---------------------------------------------------------------------------------------


def acting_as(user: User, dossier: Dossier, command: Command) -> Actor:
    """The role in which `user` may give `command` on `dossier`, or PermissionDenied."""
    allowed = TRANSITIONS[command].actors
    if Actor.CITIZEN in allowed and dossier.applicant_id is not None and dossier.applicant_id == user.pk:
        return Actor.CITIZEN
    if user.is_citizen:
        raise PermissionDenied(
            _("Bạn không có quyền {command} với hồ sơ này."), command=COMMAND_LABELS[command]
        )
    for actor in (Actor.RECEIVING_OFFICER, Actor.SPECIALIST, Actor.LEADER):
        if actor in allowed and permissions.can_act(user, dossier.agency_id, Role(actor.value)):
            return actor
    raise PermissionDenied(
        _("Bạn không có vai trò phù hợp tại {agency} để {command}."),
        agency=dossier.agency.name,
        command=COMMAND_LABELS[command],
    )


def _illegal(exc: IllegalTransition) -> DomainError:
    status_label = DossierStatus(exc.current).label if exc.current is not None else _("hồ sơ nháp")
    if isinstance(exc, ActorNotAllowed):
        return PermissionDenied(
            _("Vai trò của bạn không được {command}."), command=COMMAND_LABELS[exc.command]
        )
    return DomainError(
        _("Không thể {command} khi hồ sơ đang ở trạng thái “{state}”."),
        code="illegal_transition",
        status=409,
        command=COMMAND_LABELS[exc.command],
        state=status_label,
    )


# --- the one writer -------------------------------------------------------------------------------------


def _locked(dossier: Dossier) -> Dossier:
    # of=("self",): lock the dossier row only, not the agency and procedure rows joined in.
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure", "agency")
        .get(pk=dossier.pk)
    )


def _record(
    dossier: Dossier,
    command: str,
    *,
    actor: User | None,
    actor_role: Actor,
    to_status: Status | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
    update: Callable[[Dossier], None] | None = None,
    updated_fields: tuple[str, ...] | None = None,
) -> DossierEvent:
    """Append one event to a locked dossier and move its projection. Call inside transaction.atomic.
    `updated_fields`: every field `update` (or the caller) changed, when known — the UPDATE then writes
    those and the event's own (status, pause, chain head) instead of every column. A dossier not saved yet
    (`create_and_submit`) is inserted with its first event: on PostgreSQL in one INSERT, its id reserved
    first (the event's hash covers it); elsewhere inserted, then updated."""
    at = at or timezone.now()
    inserting = dossier._state.adding
    if inserting:
        if connection.vendor == "postgresql":
            dossier.pk = _reserve_dossier_id()
        else:
            dossier.save(force_insert=True)
            inserting = False
    event = DossierEvent(
        dossier=dossier,
        sequence=dossier.event_count + 1,
        command=command,
        from_status=dossier.status,
        to_status=int(to_status) if to_status is not None else dossier.status,
        actor=actor,
        actor_role=actor_role.value,
        note=note,
        data=normalise(data or {}),
        created_at=at,
        previous_hash=dossier.head_hash,
    )
    event.hash = event_hash(event.previous_hash, event.hashed_payload())
    if not inserting:
        event.save()
    dossier.status = event.to_status
    if command in (Command.REQUEST_SUPPLEMENT, Command.REQUEST_PAYMENT):
        dossier.paused_from = event.from_status  # where `supplement` / `pay` will resume
    elif command in (Command.SUPPLEMENT, Command.PAY):
        dossier.paused_from = None
    dossier.event_count = event.sequence
    dossier.head_hash = event.hash
    if update:
        update(dossier)
    if inserting:
        dossier.save(force_insert=True)
        event.save()
    elif updated_fields is None:
        dossier.save()
    else:
        dossier.save(update_fields=[*updated_fields, "status", "paused_from", "event_count", "head_hash"])
    hooks.run(dossier, event)
    return event


def _reserve_dossier_id() -> int:
    table = Dossier._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [connection.ops.quote_name(table)])
        return int(cursor.fetchone()[0])


def _command(
    dossier: Dossier,
    command: Command,
    actor: User,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    update: Callable[[Dossier], None] | None = None,
    actor_role: Actor | None = None,
    at: datetime | None = None,
) -> tuple[Dossier, DossierEvent]:
    with transaction.atomic():
        locked = _locked(dossier)
        role = actor_role or acting_as(actor, locked, command)
        paused_from = Status(locked.paused_from) if locked.paused_from is not None else None
        try:
            target = transition(locked.current_status, command, role, paused_from=paused_from)
        except IllegalTransition as exc:
            raise _illegal(exc) from exc
        event = _record(
            locked,
            command,
            actor=actor,
            actor_role=role,
            to_status=target,
            note=note,
            data=data,
            at=at,
            update=update,
        )
    log.info(
        "dossier_event", dossier=locked.code, command=str(command), to_status=int(target), actor=actor.pk
    )
    return locked, event


# --- drafts and submission --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    name: str
    personal_id: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


def create_draft(
    *,
    actor: User,
    procedure: Procedure,
    agency: Agency,
    applicant: Applicant | None = None,
    form_data: dict[str, Any] | None = None,
    result_delivery: str = ResultDelivery.ONLINE,
    channel: int = Channel.ONLINE,
    assisted: bool = False,
    receives: bool | None = None,
    save: bool = True,
) -> Dossier:
    """A draft of `actor`'s own (a citizen) or, for an official at the counter, of `applicant`. With
    `assisted`, someone (a community team member) prepares it for `applicant`: it has no owner account
    until `submit_on_behalf` files it, and only those `hooks.draft_access` admits may work on it.
    `receives`: whether `agency` receives `procedure`, when the caller has just read it; `save=False`: the
    draft is returned unsaved, for `create_and_submit` to insert once, already submitted."""
    if assisted and applicant is None:
        raise DomainError(
            _("Thiếu họ tên người nộp."), errors=[FieldError("applicant_name", _("Vui lòng nhập họ tên."))]
        )
    if not procedure.is_active:
        raise DomainError(_("Thủ tục này không còn áp dụng."), code="procedure_inactive")
    if not (receives if receives is not None else procedure.agencies.filter(pk=agency.pk).exists()):
        raise DomainError(
            _("{agency} không tiếp nhận thủ tục này."),
            errors=[FieldError("agency", _("Chọn cơ quan tiếp nhận thủ tục."))],
            agency=agency.name,
        )
    if result_delivery not in ResultDelivery.values:
        raise DomainError(
            _("Hình thức nhận kết quả không hợp lệ."),
            errors=[FieldError("result_delivery", _("Chọn một hình thức."))],
        )
    person = applicant or Applicant(
        name=actor.full_name or actor.username,
        personal_id=actor.personal_id or "",
        phone=actor.phone,
        email=actor.email,
    )
    if not person.name.strip():
        raise DomainError(
            _("Thiếu họ tên người nộp."), errors=[FieldError("applicant_name", _("Vui lòng nhập họ tên."))]
        )
    draft = Dossier(
        procedure=procedure,
        agency=agency,
        applicant=actor if actor.is_citizen and not assisted else None,
        applicant_name=person.name.strip(),
        applicant_personal_id=person.personal_id,
        applicant_phone=person.phone,
        applicant_email=person.email,
        applicant_address=person.address,
        form_data=form_data or {},
        result_delivery=result_delivery,
        channel=channel,
    )
    if save:
        draft.save(force_insert=True)
    return draft


def _require_draft_owner(dossier: Dossier, actor: User) -> None:
    if not dossier.is_draft:
        raise DomainError(_("Hồ sơ đã nộp, không sửa được bản nháp."), code="not_a_draft", status=409)
    if dossier.applicant_id is not None and dossier.applicant_id != actor.pk:
        raise PermissionDenied(_("Đây không phải hồ sơ của bạn."))
    if (
        dossier.applicant_id is None
        and not permissions.can_act(actor, dossier.agency_id, Role.RECEIVING_OFFICER)
        and not hooks.may_prepare_draft(dossier, actor)
    ):
        raise PermissionDenied(_("Đây không phải hồ sơ của bạn."))


def update_draft(
    dossier: Dossier,
    *,
    actor: User,
    form_data: dict[str, Any] | None = None,
    result_delivery: str | None = None,
) -> Dossier:
    with transaction.atomic():
        locked = _locked(dossier)
        _require_draft_owner(locked, actor)
        if form_data is not None:
            locked.form_data = form_data
        if result_delivery is not None:
            if result_delivery not in ResultDelivery.values:
                raise DomainError(_("Hình thức nhận kết quả không hợp lệ."))
            locked.result_delivery = result_delivery
        locked.save()
    return locked


def attach_file(
    dossier: Dossier,
    *,
    actor: User,
    stream: IO[bytes],
    name: str,
    requirement: RequiredDocument | None = None,
    kind: str = FileKind.COMPONENT,
    event: DossierEvent | None = None,
    field: str = "file",
) -> DossierFile:
    """Store one upload after checking its content. Components go on drafts; supplements and results are
    attached by `supplement` and `attach_result`. `field` names the input in error messages."""
    checked = check_upload(stream, name=name, field=field)
    if requirement is not None and requirement.procedure_id != dossier.procedure_id:
        raise DomainError(
            _("Thành phần hồ sơ không thuộc thủ tục này."),
            errors=[FieldError("requirement", _("Không hợp lệ."))],
        )
    if kind == FileKind.COMPONENT:
        _require_draft_owner(dossier, actor)
    stored = DossierFile(
        dossier=dossier,
        requirement=requirement,
        kind=kind,
        original_name=name[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        event=event,
    )
    stored.file.save(name, File(stream), save=False)
    stored.save()
    return stored


def remove_draft_file(dossier_file: DossierFile, *, actor: User) -> None:
    _require_draft_owner(dossier_file.dossier, actor)
    dossier_file.file.delete(save=False)
    dossier_file.delete()


def discard_draft(dossier: Dossier, *, actor: User) -> None:
    """Delete a draft and its files (a citizen who would not file it, say). Never a submitted dossier:
    those have an event trail and stay."""
    with transaction.atomic():
        locked = _locked(dossier)
        _require_draft_owner(locked, actor)
        for stored in list(locked.files.all()):
            stored.file.delete(save=False)
            stored.delete()
        locked.delete()
    log.info("dossier_draft_discarded", dossier=dossier.pk, actor=actor.pk)


def submission_errors(dossier: Dossier, documents_required: bool | None = None) -> list[FieldError]:
    """Everything that stops a draft from being submitted: form fields and missing mandatory documents.
    `documents_required=False`: the caller knows the procedure asks for none (no query for them)."""
    errors = form_errors(dossier.procedure.form_schema, dossier.form_data)
    if documents_required is False:
        return errors
    # Ordered by position alone: the default ordering would join the procedure and its field to sort.
    mandatory = list(
        dossier.procedure.documents.filter(mandatory=True).order_by("position").only("pk", "name")
    )
    if not mandatory:  # nothing to look for among the files
        return errors
    attached = (
        set(dossier.files.filter(kind=FileKind.COMPONENT).values_list("requirement_id", flat=True))
        if dossier.pk is not None
        else set()  # not saved yet (`create_and_submit`): no files
    )
    for requirement in mandatory:
        if requirement.pk not in attached:
            errors.append(
                FieldError(
                    f"documents.{requirement.pk}",
                    _("Thiếu giấy tờ bắt buộc: {name}."),
                    params={"name": requirement.name},
                )
            )
    return errors


def _next_code(agency: Agency, at: datetime) -> str:
    """The agency's next number of the day, in one statement: the upsert increments the row under its lock,
    held until the transaction ends, so numbers are unique and gap-free (a rolled-back submission rolls its
    number back too). Both PostgreSQL and SQLite (3.35+) take INSERT … ON CONFLICT … RETURNING."""
    day = at.astimezone(VIETNAM_TZ).date()
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, day, last_value) VALUES (%s, %s, 1) "  # noqa: S608 (our table)
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [agency.pk, day],
        )
        row = cursor.fetchone()
    assert row is not None, "INSERT … RETURNING returns the row"
    number = int(row[0])
    if number > 9999:
        raise DomainError(
            _("Cơ quan đã hết số hồ sơ trong ngày."), code="daily_sequence_exhausted", status=503
        )
    return format_dossier_code(agency.code, day, number)


def submit(dossier: Dossier, *, actor: User, at: datetime | None = None) -> Dossier:
    """Validate the draft, give it its national code and make it 1 Mới đăng ký."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = _locked(dossier)
        _submit_locked(locked, actor=actor, at=at)
    log.info("dossier_submitted", dossier=locked.code, procedure=locked.procedure.code)
    return locked


def create_and_submit(
    *,
    actor: User,
    procedure: Procedure,
    agency: Agency,
    form_data: dict[str, Any] | None = None,
    result_delivery: str = ResultDelivery.ONLINE,
    at: datetime | None = None,
    savepoint: bool = True,
) -> Dossier:
    """`create_draft` then `submit`, as one outcome: a refused submission leaves no draft behind.
    `savepoint=False` for a caller whose own transaction ends with this call either way (the API's
    request): a refusal then rolls that transaction back whole, and the two savepoint statements go."""
    at = at or timezone.now()
    receives, documents_required = _filing_facts(procedure, agency)
    with transaction.atomic(savepoint=savepoint):
        draft = create_draft(
            actor=actor,
            procedure=procedure,
            agency=agency,
            form_data=form_data,
            result_delivery=result_delivery,
            receives=receives,
            save=False,
        )
        # Not saved yet: `_record` inserts it already submitted (no one else can see it, so no lock).
        _submit_locked(draft, actor=actor, at=at, documents_required=documents_required)
    log.info("dossier_submitted", dossier=draft.code, procedure=procedure.code)
    return draft


def _filing_facts(procedure: Procedure, agency: Agency) -> tuple[bool, bool]:
    """Whether `agency` receives `procedure`, and whether the procedure asks for mandatory documents: the
    two checks of a one-request submission in one statement (the busiest write of the API)."""
    links = connection.ops.quote_name(Procedure.agencies.through._meta.db_table)
    documents = connection.ops.quote_name(RequiredDocument._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {links} WHERE procedure_id = %s AND agency_id = %s), "  # noqa: S608
            f"EXISTS (SELECT 1 FROM {documents} WHERE procedure_id = %s AND mandatory)",
            [procedure.pk, agency.pk, procedure.pk],
        )
        receives, documents_required = cursor.fetchone()
    return bool(receives), bool(documents_required)


def submit_on_behalf(
    dossier: Dossier,
    *,
    actor: User,
    applicant: User,
    assistance: dict[str, Any],
    at: datetime | None = None,
) -> Dossier:
    """A community digital team member files the draft they prepared (`create_draft(assisted=True)`) for
    `applicant`, a citizen account, who consented. The caller (`community.actions`) has checked the
    member's team and the consent; `assistance` (team, member, how consent was given) is kept on the
    submission event. The dossier becomes the citizen's own — "Hồ sơ của tôi", notifications — and
    counts as filed online."""
    at = at or timezone.now()
    if not applicant.is_citizen or not applicant.is_active:
        raise DomainError(
            _("Hồ sơ chỉ nộp thay cho tài khoản công dân đang hoạt động."), code="not_a_citizen"
        )
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.applicant_id is not None:
            raise PermissionDenied(_("Đây không phải hồ sơ của bạn."))
        _submit_locked(
            locked,
            actor=actor,
            at=at,
            role=Actor.COMMUNITY_MEMBER,
            applicant=applicant,
            data={"assisted": assistance},
        )
    log.info("dossier_submitted", dossier=locked.code, procedure=locked.procedure.code, assisted=True)
    return locked


def _submit_locked(
    locked: Dossier,
    *,
    actor: User,
    at: datetime,
    role: Actor | None = None,
    applicant: User | None = None,
    data: dict[str, Any] | None = None,
    documents_required: bool | None = None,
) -> None:
    """The body of `submit`, on a dossier row this transaction holds. Call inside transaction.atomic.
    `role`, `applicant` and `data` are for `submit_on_behalf`; `documents_required` for `create_and_submit`."""
    _require_draft_owner(locked, actor)
    errors = submission_errors(locked, documents_required)
    if errors:
        raise DomainError(
            _("Hồ sơ chưa đầy đủ, vui lòng kiểm tra các mục được đánh dấu."),
            errors=errors,
            code="incomplete",
        )
    role = role or (Actor.CITIZEN if actor.is_citizen else Actor.RECEIVING_OFFICER)
    try:
        target = transition(None, Command.SUBMIT, role)
    except IllegalTransition as exc:
        raise _illegal(exc) from exc
    code = _next_code(locked.agency, at)

    def stamp(d: Dossier) -> None:
        d.code = code
        d.submitted_at = at
        if applicant is not None:
            d.applicant = applicant

    _record(
        locked,
        Command.SUBMIT,
        actor=actor,
        actor_role=role,
        to_status=target,
        at=at,
        update=stamp,
        updated_fields=("code", "submitted_at", "applicant"),
        data={**(data or {}), "code": code, "channel": locked.channel},
    )


# --- deadlines ---------------------------------------------------------------------------------------------


def _pauses(events: Sequence[DossierEvent]) -> list[tuple[datetime, datetime]]:
    """Intervals spent waiting for the citizen (supplement or payment), from the events."""
    pauses: list[tuple[datetime, datetime]] = []
    started: datetime | None = None
    for event in events:
        if event.command in (Command.REQUEST_SUPPLEMENT, Command.REQUEST_PAYMENT):
            started = event.created_at
        elif event.command in (Command.SUPPLEMENT, Command.PAY) and started is not None:
            pauses.append((started, event.created_at))
            started = None
    return pauses


def compute_due_at(dossier: Dossier) -> datetime | None:
    """The appointment: the procedure's time limit from reception, extended by the time spent waiting for
    the citizen. After an apology moved the appointment, that new date stands and only later waits extend it.
    """
    if dossier.received_at is None:
        return None
    procedure = dossier.procedure
    calendar = province_calendar()
    events = list(dossier.events.order_by("sequence").only("command", "created_at", "data"))
    pauses = _pauses(events)
    rescheduled = next((event for event in reversed(events) if event.command == RESCHEDULE), None)
    if rescheduled is None:
        return calendar.due_after_pauses(
            dossier.received_at, procedure.time_limit_value, procedure.time_limit_unit, pauses
        )
    since = rescheduled.created_at
    waited = sum(
        (calendar.working_time_between(max(start, since), end) for start, end in pauses if end > since),
        timedelta(),
    )
    new_due_at = datetime.fromisoformat(str(rescheduled.data["new_due_at"]))
    return calendar.add_working_time(new_due_at, waited) if waited else new_due_at


# --- one-stop-shop workflow --------------------------------------------------------------------------------


def receive(dossier: Dossier, *, actor: User, note: str = "", at: datetime | None = None) -> Dossier:
    at = at or timezone.now()

    def stamp(d: Dossier) -> None:
        d.received_at = at
        d.due_at = compute_due_at(d)

    locked, _event = _command(dossier, Command.RECEIVE, actor, note=note, update=stamp, at=at)
    return locked


def refuse(dossier: Dossier, *, actor: User, reason: str, at: datetime | None = None) -> Dossier:
    reason = _required_text(reason, "reason", _("Vui lòng nêu lý do từ chối."))
    locked, _event = _command(dossier, Command.REFUSE, actor, note=reason, update=_finish(at), at=at)
    return locked


def request_supplement(
    dossier: Dossier, *, actor: User, missing: Sequence[str], note: str = "", at: datetime | None = None
) -> Dossier:
    items = [item.strip() for item in missing if item and item.strip()]
    if not items:
        raise DomainError(
            _("Vui lòng liệt kê giấy tờ cần bổ sung."),
            errors=[FieldError("missing", _("Liệt kê ít nhất một giấy tờ."))],
        )

    def count(d: Dossier) -> None:
        d.supplement_count += 1

    locked, _event = _command(
        dossier, Command.REQUEST_SUPPLEMENT, actor, note=note, data={"missing": items}, update=count, at=at
    )
    return locked


def supplement(
    dossier: Dossier,
    *,
    actor: User,
    files: Iterable[tuple[RequiredDocument | None, IO[bytes], str]] = (),
    note: str = "",
    at: datetime | None = None,
) -> Dossier:
    """The citizen sends what was asked for (files and/or a note); the clock starts again."""
    files = list(files)
    if not files and not note.strip():
        raise DomainError(
            _("Vui lòng đính kèm giấy tờ bổ sung hoặc ghi chú."),
            errors=[FieldError("files", _("Chưa có giấy tờ bổ sung."))],
        )
    with transaction.atomic():
        locked, event = _command(dossier, Command.SUPPLEMENT, actor, note=note, at=at)
        for requirement, stream, name in files:
            attach_file(
                locked,
                actor=actor,
                stream=stream,
                name=name,
                requirement=requirement,
                kind=FileKind.SUPPLEMENT,
                event=event,
                field="files",
            )
        if locked.received_at is not None:
            locked.due_at = compute_due_at(locked)
            locked.save(update_fields=["due_at", "updated_at"])
    return locked


def assign(
    dossier: Dossier, *, actor: User, specialist: User, note: str = "", at: datetime | None = None
) -> Dossier:
    if not permissions.can_act(specialist, dossier.agency_id, Role.SPECIALIST):
        raise DomainError(
            _("{name} không phải chuyên viên xử lý của {agency}."),
            errors=[FieldError("specialist", _("Chọn chuyên viên của cơ quan."))],
            name=str(specialist),
            agency=dossier.agency.name,
        )

    def give(d: Dossier) -> None:
        d.assigned_to = specialist

    locked, _event = _command(
        dossier, Command.ASSIGN, actor, note=note, data={"specialist": specialist.pk}, update=give, at=at
    )
    return locked


def start_processing(dossier: Dossier, *, actor: User, at: datetime | None = None) -> Dossier:
    def take(d: Dossier) -> None:
        if d.assigned_to_id is None:
            d.assigned_to = actor

    locked, _event = _command(dossier, Command.START_PROCESSING, actor, update=take, at=at)
    return locked


def attach_result(
    dossier: Dossier, *, actor: User, stream: IO[bytes], name: str, note: str = "", at: datetime | None = None
) -> DossierFile:
    """The specialist attaches the result document while processing (status stays 4)."""
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.status != Status.PROCESSING:
            raise DomainError(
                _("Chỉ đính kèm kết quả khi hồ sơ đang xử lý."), code="illegal_transition", status=409
            )
        if not permissions.can_act(actor, locked.agency_id, Role.SPECIALIST):
            raise PermissionDenied(_("Chỉ chuyên viên xử lý được đính kèm kết quả."))
        event = _record(
            locked,
            ATTACH_RESULT,
            actor=actor,
            actor_role=Actor.SPECIALIST,
            to_status=None,
            note=note,
            at=at,
            data={"name": name},
        )
        return attach_file(locked, actor=actor, stream=stream, name=name, kind=FileKind.RESULT, event=event)


def approve(dossier: Dossier, *, actor: User, note: str = "", at: datetime | None = None) -> Dossier:
    if dossier.procedure.requires_e_result and not dossier.files.filter(kind=FileKind.RESULT).exists():
        raise DomainError(
            _("Thủ tục yêu cầu kết quả điện tử: chưa có kết quả đính kèm."), code="result_missing", status=409
        )
    locked, _event = _command(dossier, Command.APPROVE, actor, note=note, update=_finish(at), at=at)
    return locked


def send_back(dossier: Dossier, *, actor: User, note: str, at: datetime | None = None) -> Dossier:
    note = _required_text(note, "note", _("Vui lòng ghi rõ nội dung cần xử lý lại."))
    locked, _event = _command(dossier, Command.SEND_BACK, actor, note=note, at=at)
    return locked


def return_result(
    dossier: Dossier, *, actor: User | None = None, note: str = "", at: datetime | None = None
) -> Dossier:
    """At the counter by the receiving officer; online results are returned by the system (actor None)."""
    if actor is None:
        with transaction.atomic():
            locked = _locked(dossier)
            try:
                target = transition(locked.current_status, Command.RETURN_RESULT, Actor.SYSTEM)
            except IllegalTransition as exc:
                raise _illegal(exc) from exc
            _record(
                locked,
                Command.RETURN_RESULT,
                actor=None,
                actor_role=Actor.SYSTEM,
                to_status=target,
                note=note,
                at=at,
            )
        return locked
    locked, _event = _command(dossier, Command.RETURN_RESULT, actor, note=note, at=at)
    return locked


def request_payment(
    dossier: Dossier,
    *,
    actor: User,
    amount: int,
    fees: Sequence[dict[str, Any]] = (),
    note: str = "",
    at: datetime | None = None,
) -> Dossier:
    """Ask the citizen to pay the fees (6 Yêu cầu thực hiện nghĩa vụ tài chính); the clock stops until they
    pay. `amount` in VND; `fees` the lines it adds up (`payments.actions.request_payment` computes both from
    the procedure's fee items), kept on the event so the citizen and the receipt show what was asked."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise DomainError(
            _("Số tiền phải nộp không hợp lệ."),
            errors=[FieldError("amount", _("Nhập số tiền lớn hơn 0."))],
        )
    data: dict[str, Any] = {"amount": amount}
    if fees:
        data["fees"] = [dict(line) for line in fees]
    locked, _event = _command(dossier, Command.REQUEST_PAYMENT, actor, note=note, data=data, at=at)
    return locked


def pay(
    dossier: Dossier,
    *,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Dossier:
    """The fees are paid: confirmed by the citizen's payment, the officer at the counter, or the system
    (actor None: the payment gateway). The clock starts again. `data` records the payment (its reference,
    channel, gateway transaction number and amount: `payments.actions` passes them)."""
    with transaction.atomic():
        if actor is None:
            locked = _locked(dossier)
            paused_from = Status(locked.paused_from) if locked.paused_from is not None else None
            try:
                target = transition(locked.current_status, Command.PAY, Actor.SYSTEM, paused_from=paused_from)
            except IllegalTransition as exc:
                raise _illegal(exc) from exc
            _record(
                locked,
                Command.PAY,
                actor=None,
                actor_role=Actor.SYSTEM,
                to_status=target,
                note=note,
                data=data,
                at=at,
            )
        else:
            locked, _event = _command(dossier, Command.PAY, actor, note=note, data=data, at=at)
        if locked.received_at is not None:
            locked.due_at = compute_due_at(locked)
            locked.save(update_fields=["due_at", "updated_at"])
    return locked


def withdraw(dossier: Dossier, *, actor: User, reason: str, at: datetime | None = None) -> Dossier:
    reason = _required_text(reason, "reason", _("Vui lòng nêu lý do rút hồ sơ."))
    locked, _event = _command(dossier, Command.WITHDRAW, actor, note=reason, update=_finish(at), at=at)
    return locked


def stop(dossier: Dossier, *, actor: User, reason: str, at: datetime | None = None) -> Dossier:
    reason = _required_text(reason, "reason", _("Vui lòng nêu lý do dừng xử lý."))
    locked, _event = _command(dossier, Command.STOP, actor, note=reason, update=_finish(at), at=at)
    return locked


def reschedule(
    dossier: Dossier,
    *,
    actor: User | None,
    new_due_at: datetime,
    reason: str,
    data: dict[str, Any] | None = None,
    actor_role: Actor | None = None,
    at: datetime | None = None,
) -> Dossier:
    """Move the appointment (after an apology letter). Recorded as an event; status unchanged.
    `actor_role` records the role the caller checked (a leader confirming an apology); by default the
    receiving officer, or the system when `actor` is None."""
    with transaction.atomic():
        locked = _locked(dossier)
        if locked.current_status is None or locked.current_status in {
            Status.NOT_RECEIVED,
            Status.WITHDRAWN,
            Status.STOPPED,
            Status.RESULT_RETURNED,
        }:
            raise DomainError(
                _("Không hẹn lại được hồ sơ đã kết thúc."), code="illegal_transition", status=409
            )
        previous = locked.due_at

        def move(d: Dossier) -> None:
            d.due_at = new_due_at

        role = actor_role or (Actor.SYSTEM if actor is None else Actor.RECEIVING_OFFICER)
        _record(
            locked,
            RESCHEDULE,
            actor=actor,
            actor_role=role,
            to_status=None,
            note=reason,
            update=move,
            at=at,
            data={**(data or {}), "previous_due_at": previous, "new_due_at": new_due_at},
        )
    return locked


# --- helpers ------------------------------------------------------------------------------------------------


def _finish(at: datetime | None) -> Callable[[Dossier], None]:
    def mark(d: Dossier) -> None:
        d.finished_at = at or timezone.now()

    return mark


def _required_text(value: str, field: str, message: Any) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, errors=[FieldError(field, message)])
    return value


# --- Idempotency-Key (the API's `idempotent`) --------------------------------------------------------------
# Plain statements: the model's ORM save cost more than the round trip on the API's busiest write path. The
# model stays the way to read them.


def _write_idempotency_key(sql: str, params: list[Any]) -> None:
    table = connection.ops.quote_name(IdempotencyKey._meta.db_table)
    as_json = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table, json=as_json), params)


def reserve_idempotency_key(user: User, key: str, fingerprint: str, *, in_progress: int) -> None:
    """First statement of a keyed request's transaction: a key already stored, or being stored by a racing
    request, fails the unique (user, key) index here (IntegrityError), before any work."""
    _write_idempotency_key(
        "INSERT INTO {table} (user_id, key, request_hash, response_status, response_body, created_at) "
        "VALUES (%s, %s, %s, %s, {json}, %s)",
        [user.pk, key, fingerprint, in_progress, "{}", timezone.now()],
    )


def answer_idempotency_key(user: User, key: str, status: int, response: dict[str, Any]) -> None:
    """Last statement of the keyed request's transaction: the answer a repeat of the request will get."""
    _write_idempotency_key(
        "UPDATE {table} SET response_status = %s, response_body = {json} WHERE user_id = %s AND key = %s",
        [status, json.dumps(response), user.pk, key],
    )
