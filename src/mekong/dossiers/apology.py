"""Phiếu xin lỗi và hẹn lại ngày trả kết quả: drafted by the system before a dossier becomes late,
confirmed (or discarded) by the agency's receiving officer or leader, then sent to the citizen.

Drafting (`draft_apologies`, run periodically by `tasks.draft_apologies_task` / `mekong draft_apologies`):
every dossier being handled (2 Được tiếp nhận or 4 Đang xử lý — not waiting for the citizen, not finished)
whose appointment is at most `within_working_hours` of office time away (or already passed) gets one
DRAFT letter for that appointment. A dossier has at most one letter per appointment, whatever its status:
once an officer has sent or discarded the letter for an appointment, no new draft comes until the
appointment changes (a discarded draft means "no apology needed"). Running twice changes nothing.

Proposed new date (the officer may change it when confirming): the end of office hours of the n-th working
day after the later of the old appointment and now, where n is half the procedure's time limit in working
days, rounded up, at least 1 (`extension_working_days`; calendar days count 5/7 of a working day, hours
1/8).

Confirming (`confirm_apology`) moves the appointment through `actions.reschedule` (an event in the
dossier's trail), marks the letter SENT and issues its PDF on the dossier, all in one transaction. The
citizen is told through their notification channels (`mekong.notify`, on that `reschedule` event, whose
data names the letter); the letter itself is on the dossier page.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal

import structlog
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from mekong.accounts import permissions
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.core.errors import DomainError, FieldError, PermissionDenied
from mekong.dossiers import actions
from mekong.dossiers.calendar import province_calendar
from mekong.dossiers.models import (
    ApologyLetter,
    ApologyStatus,
    Dossier,
    DossierEvent,
    DossierStatus,
    IssuedDocument,
    IssuedDocumentKind,
)
from mekong.dossiers.states import Actor
from mekong.dossiers.workdays import VIETNAM_TZ, LimitUnit, WorkingCalendar

log = structlog.get_logger(__name__)

DEFAULT_REASON = _(
    "Hồ sơ cần thêm thời gian thẩm định, xác minh nên chưa thể trả kết quả đúng ngày hẹn. "
    "Cơ quan giải quyết thành thật xin lỗi ông/bà và hẹn lại ngày trả kết quả."
)
DEFAULT_WITHIN_WORKING_HOURS = 4
# Being handled by the agency: neither waiting for the citizen nor finished.
OPEN_STATUSES = (DossierStatus.RECEIVED, DossierStatus.PROCESSING)
HOURS_PER_WORKING_DAY = 8


# --- the rule for the proposed date (pure) ------------------------------------------------------------------


def extension_working_days(value: int | float | Decimal, unit: str) -> int:
    """Working days the proposed appointment adds: half the time limit in working days, rounded up, ≥ 1."""
    amount = Decimal(str(value))
    limit_unit = LimitUnit(unit)
    if limit_unit is LimitUnit.DAY:
        in_working_days = amount * 5 / 7
    elif limit_unit is LimitUnit.HOUR:
        in_working_days = amount / HOURS_PER_WORKING_DAY
    else:
        in_working_days = amount
    return max(1, math.ceil(in_working_days / 2))


def proposed_due_at(dossier: Dossier, now: datetime, calendar: WorkingCalendar) -> datetime:
    assert dossier.due_at is not None
    procedure = dossier.procedure
    days = extension_working_days(procedure.time_limit_value, procedure.time_limit_unit)
    return calendar.add_working_days(max(dossier.due_at, now), days)


# --- drafting ------------------------------------------------------------------------------------------------


def _letters_for_current_due() -> Exists:
    return Exists(ApologyLetter.objects.filter(dossier=OuterRef("pk"), previous_due_at=OuterRef("due_at")))


def draft_apologies(
    now: datetime | None = None, *, within_working_hours: int | float = DEFAULT_WITHIN_WORKING_HOURS
) -> list[ApologyLetter]:
    """Draft a letter for every open dossier due within `within_working_hours` of office time from `now`
    (or already late) that has none for its current appointment. Returns the new drafts."""
    now = now or timezone.now()
    calendar = province_calendar()
    window = timedelta(hours=within_working_hours)
    # No office time passes between the end of the window and the next office instant, so every due date
    # up to there is inside the window; the exact test is done per dossier below.
    window_end = calendar.add_working_time(now, window)
    horizon = calendar.effective_receipt(window_end + timedelta(microseconds=1))
    candidates = (
        Dossier.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False, due_at__lte=horizon)
        .exclude(_letters_for_current_due())
        .select_related("procedure")
        .order_by("due_at", "pk")
    )
    drafted: list[ApologyLetter] = []
    for dossier in candidates:
        assert dossier.due_at is not None
        if calendar.working_time_between(now, dossier.due_at) > window:
            continue
        letter = draft_apology(dossier, now=now, calendar=calendar)
        if letter is not None:
            drafted.append(letter)
    if drafted:
        log.info("apologies_drafted", count=len(drafted))
    return drafted


def draft_apology(
    dossier: Dossier,
    *,
    now: datetime | None = None,
    reason: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> ApologyLetter | None:
    """A DRAFT letter for the dossier's current appointment, or None when it is not open or already has
    a letter for that appointment."""
    now = now or timezone.now()
    calendar = calendar or province_calendar()
    with transaction.atomic():
        locked = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure")
            .filter(pk=dossier.pk, status__in=OPEN_STATUSES, due_at__isnull=False)
            .exclude(_letters_for_current_due())
            .first()
        )
        if locked is None:
            return None
        assert locked.due_at is not None
        with translation.override("vi"):
            text = (reason or "").strip() or str(DEFAULT_REASON)
        letter = ApologyLetter.objects.create(
            dossier=locked,
            status=ApologyStatus.DRAFT,
            reason=text,
            previous_due_at=locked.due_at,
            new_due_at=proposed_due_at(locked, now, calendar),
        )
        # drafted_at is auto_now_add; keep the clock the caller gave (the demo data drafts in the past).
        ApologyLetter.objects.filter(pk=letter.pk).update(drafted_at=now)
        letter.drafted_at = now
    log.info("apology_drafted", dossier=locked.code, letter=letter.pk)
    return letter


# --- confirming and discarding ----------------------------------------------------------------------------


def _officer_role(actor: User, dossier: Dossier) -> Actor:
    """The receiving officer or a leader of the dossier's agency may decide on its apology letter."""
    if permissions.can_act(actor, dossier.agency_id, Role.RECEIVING_OFFICER):
        return Actor.RECEIVING_OFFICER
    if permissions.can_act(actor, dossier.agency_id, Role.LEADER):
        return Actor.LEADER
    raise PermissionDenied(
        _("Chỉ cán bộ tiếp nhận hoặc lãnh đạo của {agency} được xác nhận phiếu xin lỗi của hồ sơ này."),
        agency=dossier.agency.name,
    )


def _locked_letter(letter: ApologyLetter) -> ApologyLetter:
    return (
        ApologyLetter.objects.select_for_update(of=("self",))
        .select_related("dossier__agency", "dossier__procedure")
        .get(pk=letter.pk)
    )


def _require_draft(letter: ApologyLetter) -> None:
    if letter.status != ApologyStatus.DRAFT:
        raise DomainError(
            _("Phiếu xin lỗi này đã được gửi hoặc đã hủy, không thay đổi được nữa."),
            code="apology_not_draft",
            status=409,
        )


def _local_text(moment: datetime) -> str:
    return f"{moment.astimezone(VIETNAM_TZ):%H:%M ngày %d/%m/%Y}"


def _as_due(value: datetime | date, calendar: WorkingCalendar) -> datetime:
    """A date means the end of office hours of that day."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise DomainError(
                _("Ngày hẹn mới không hợp lệ."),
                errors=[FieldError("new_due_at", _("Thiếu múi giờ."))],
                code="invalid_new_due_at",
            )
        return value
    return calendar.office_day_end(value)


def _new_due_errors(
    new_due: datetime, *, old_due: datetime, now: datetime, calendar: WorkingCalendar
) -> list[FieldError]:
    errors: list[FieldError] = []
    if new_due <= old_due:
        errors.append(
            FieldError(
                "new_due_at",
                _("Ngày hẹn mới phải sau ngày hẹn cũ ({old})."),
                params={"old": _local_text(old_due)},
            )
        )
    elif new_due <= now:
        errors.append(FieldError("new_due_at", _("Ngày hẹn mới phải sau thời điểm hiện tại.")))
    if not calendar.is_working_day(new_due):
        errors.append(
            FieldError(
                "new_due_at",
                _("Ngày hẹn mới ({day}) không phải là ngày làm việc."),
                params={"day": f"{new_due.astimezone(VIETNAM_TZ):%d/%m/%Y}"},
            )
        )
    return errors


def confirm_apology(
    letter: ApologyLetter,
    *,
    actor: User,
    reason: str | None = None,
    new_due_at: datetime | date | None = None,
    at: datetime | None = None,
) -> ApologyLetter:
    """The officer confirms the draft (optionally with another reason or date): the appointment moves (a
    `reschedule` event), the letter is SENT and its PDF is issued on the dossier. All or nothing."""
    at = at or timezone.now()
    calendar = province_calendar()
    with transaction.atomic():
        locked = _locked_letter(letter)
        dossier = locked.dossier
        role = _officer_role(actor, dossier)
        _require_draft(locked)
        if dossier.status not in OPEN_STATUSES:
            raise DomainError(
                _("Hồ sơ không còn đang được giải quyết, không cần gửi phiếu xin lỗi."),
                code="apology_not_needed",
                status=409,
            )
        if dossier.due_at != locked.previous_due_at:
            raise DomainError(
                _("Ngày hẹn của hồ sơ đã thay đổi sau khi lập dự thảo; phiếu này không còn phù hợp."),
                code="apology_stale",
                status=409,
            )
        text = (locked.reason if reason is None else reason).strip()
        new_due = locked.new_due_at if new_due_at is None else _as_due(new_due_at, calendar)
        errors = _new_due_errors(new_due, old_due=locked.previous_due_at, now=at, calendar=calendar)
        if not text:
            errors.insert(0, FieldError("reason", _("Vui lòng nêu lý do chậm trả kết quả.")))
        if errors:
            raise DomainError(
                _("Chưa gửi được phiếu xin lỗi: vui lòng sửa các mục bên dưới."),
                errors=errors,
                code="invalid_apology",
            )

        rescheduled = actions.reschedule(
            dossier,
            actor=actor,
            new_due_at=new_due,
            reason=text,
            data={"apology": locked.pk},
            actor_role=role,
            at=at,
        )
        event = DossierEvent.objects.get(dossier=rescheduled, sequence=rescheduled.event_count)
        locked.status = ApologyStatus.SENT
        locked.reason = text
        locked.new_due_at = new_due
        locked.confirmed_by = actor
        locked.sent_at = at
        locked.save()
        locked.document = _issue_document(rescheduled, event, actor)
        locked.save(update_fields=["document"])
    log.info("apology_sent", dossier=rescheduled.code, letter=locked.pk, actor=actor.pk)
    return locked


def _issue_document(dossier: Dossier, event: DossierEvent, actor: User) -> IssuedDocument:
    # Imported here: the documents module renders PDFs and registers hooks on the dossier workflow.
    from mekong.dossiers.documents import issue_document

    return issue_document(dossier, IssuedDocumentKind.APOLOGY, event=event, issued_by=actor)


def discard_apology(letter: ApologyLetter, *, actor: User) -> ApologyLetter:
    """The officer decides no apology is needed for this appointment (no new draft until it changes)."""
    with transaction.atomic():
        locked = _locked_letter(letter)
        _officer_role(actor, locked.dossier)
        _require_draft(locked)
        locked.status = ApologyStatus.DISCARDED
        locked.confirmed_by = actor  # who decided, whichever way
        locked.save(update_fields=["status", "confirmed_by"])
    log.info("apology_discarded", dossier=locked.dossier.code, letter=locked.pk, actor=actor.pk)
    return locked
