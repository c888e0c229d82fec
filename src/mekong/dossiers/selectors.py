"""Read-only queries on dossiers, shared by the API, the portal and the back office.

Nothing here writes. Every function that takes a user returns only what that user may read
(`accounts.permissions`): a citizen their own dossiers, an official the dossiers of the agencies they read.
Lists are single queries with their foreign keys joined, so a page of results costs the same however
long it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.db.models import Count, F, OrderBy, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mekong.accounts import permissions
from mekong.accounts.identifiers import normalize_phone
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency
from mekong.core.errors import PermissionDenied
from mekong.core.text import fold
from mekong.dossiers.actions import ATTACH_RESULT, COMMAND_LABELS, NOTE_LABELS, RESCHEDULE
from mekong.dossiers.calendar import province_calendar
from mekong.dossiers.codes import InvalidDossierCode, parse_dossier_code
from mekong.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierFile,
    DossierStatus,
    FileKind,
    IssuedDocument,
    IssuedDocumentKind,
)
from mekong.dossiers.states import WAITING_FOR_CITIZEN, Actor, Command, Status, allowed_commands
from mekong.dossiers.workdays import VIETNAM_TZ, WorkingCalendar

# --- labels ------------------------------------------------------------------------------------------------

ACTOR_ROLE_LABELS: dict[str, str | Promise] = {
    Actor.CITIZEN: _("Công dân"),
    Actor.RECEIVING_OFFICER: Role.RECEIVING_OFFICER.label,
    Actor.SPECIALIST: Role.SPECIALIST.label,
    Actor.LEADER: Role.LEADER.label,
    Actor.COMMUNITY_MEMBER: Role.COMMUNITY_MEMBER.label,
    Actor.SYSTEM: _("Hệ thống"),
}


def action_label(command: str) -> str:
    label = COMMAND_LABELS.get(command) or NOTE_LABELS.get(command)  # type: ignore[call-overload]
    return str(label) if label is not None else command


def status_label(status: int | None) -> str:
    return str(DossierStatus(status).label) if status is not None else str(_("Hồ sơ nháp"))


def actor_role_label(role: str) -> str:
    return str(ACTOR_ROLE_LABELS.get(role, role))


# --- codes ---------------------------------------------------------------------------------------------------


def canonical_code(code: str) -> str:
    """The stored form of a dossier code typed in any case and with stray spaces; text that is not a
    code comes back upper-cased (and so matches nothing)."""
    try:
        return str(parse_dossier_code(code))
    except InvalidDossierCode:
        return code.strip().upper()


# --- lateness ------------------------------------------------------------------------------------------------

# Statuses in which the agency's clock runs: lateness and "due soon" are judged on these.
IN_PROGRESS: frozenset[Status] = frozenset({Status.RECEIVED, Status.PROCESSING})


def is_late(dossier: Dossier, now: datetime | None = None) -> bool:
    """Ended after its appointment, or still with the agency past it. Time waiting for the citizen moves
    the appointment when they answer, so a dossier waiting for them is not late."""
    if dossier.due_at is None:
        return False
    if dossier.finished_at is not None:
        return dossier.finished_at > dossier.due_at
    if dossier.status in WAITING_FOR_CITIZEN:
        return False
    return (now or timezone.now()) > dossier.due_at


# --- a citizen's dossiers -----------------------------------------------------------------------------------


def my_dossiers(user: User, *, status: int | None = None) -> QuerySet[Dossier]:
    """The user's submitted dossiers, newest first."""
    dossiers = Dossier.objects.filter(applicant_id=user.pk, status__isnull=False)
    if status is not None:
        dossiers = dossiers.filter(status=status)
    return dossiers.select_related("procedure", "agency").order_by("-submitted_at", "-id")


def my_drafts(user: User) -> QuerySet[Dossier]:
    """The user's drafts, last edited first."""
    return (
        Dossier.objects.filter(applicant_id=user.pk, status__isnull=True)
        .select_related("procedure", "agency")
        .order_by("-updated_at", "-id")
    )


def my_draft(user: User, draft_id: int) -> Dossier | None:
    """One of the user's drafts with its files, or None (not theirs, not a draft, or no such id)."""
    return (
        my_drafts(user)
        .prefetch_related(Prefetch("files", queryset=DossierFile.objects.order_by("id")))
        .filter(pk=draft_id)
        .first()
    )


# --- one dossier ---------------------------------------------------------------------------------------------


def readable_dossier(user: permissions.Actor | None, code: str) -> Dossier | None:
    """The dossier with this code if `user` owns it or reads its agency; None otherwise, so that callers
    answer 404 and do not reveal that someone else's dossier exists."""
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "assigned_to")
        .filter(code=canonical_code(code))
        .first()
    )
    if dossier is None or not permissions.can_read_record(
        user, owner=dossier.applicant_id, agency=dossier.agency_id
    ):
        return None
    return dossier


@dataclass(frozen=True)
class TimelineEntry:
    """One event as people see it: when, what, the status after it, in which role, and the note."""

    at: datetime
    action: str
    action_label: str
    status: int | None
    status_label: str
    actor_role: str
    actor_role_label: str
    note: str
    missing: list[str] = field(default_factory=list)


# Steps inside the agency: their notes are between officers (a leader's remarks when sending back...).
INTERNAL_COMMANDS: frozenset[str] = frozenset(
    {Command.ASSIGN, Command.START_PROCESSING, Command.SEND_BACK, Command.APPROVE, ATTACH_RESULT}
)


def timeline(events: Iterable[DossierEvent], *, internal_notes: bool = True) -> list[TimelineEntry]:
    """Events in order, with labels in the active language. Never the name of the person who acted, nor
    the internal data of the event (only the list of missing documents, which the citizen needs). Without
    `internal_notes` (for the citizen) the notes officers wrote to each other are left out."""
    entries = []
    for event in events:
        note = event.note if internal_notes or event.command not in INTERNAL_COMMANDS else ""
        missing = event.data.get("missing") if isinstance(event.data, dict) else None
        entries.append(
            TimelineEntry(
                at=event.created_at,
                action=event.command,
                action_label=action_label(event.command),
                status=event.to_status,
                status_label=status_label(event.to_status),
                actor_role=event.actor_role,
                actor_role_label=actor_role_label(event.actor_role),
                note=note,
                missing=[str(item) for item in missing] if isinstance(missing, list) else [],
            )
        )
    return entries


def is_status_change(command: str, from_status: int | None, to_status: int | None) -> bool:
    """Does a member of the public follow this event? Changes of status and new appointment dates."""
    return from_status != to_status or command == RESCHEDULE


def status_changes(events: Iterable[DossierEvent]) -> list[DossierEvent]:
    """The events a member of the public follows: changes of status and new appointment dates."""
    return [e for e in events if is_status_change(e.command, e.from_status, e.to_status)]


@dataclass(frozen=True)
class DossierView:
    """A dossier as one user may see it: its visible files and documents, the timeline, and the commands
    this user may give now (to show only the buttons that will work)."""

    dossier: Dossier
    files: list[DossierFile]
    documents: list[IssuedDocument]
    timeline: list[TimelineEntry]
    actions: list[str]
    is_agency_reader: bool

    def __getattr__(self, name: str) -> Any:
        # Templates and API schemas read the dossier's own fields straight off the view.
        if name.startswith("_") or name == "dossier":
            raise AttributeError(name)
        return getattr(self.dossier, name)


RESULT_VISIBLE_TO_CITIZEN: frozenset[Status] = frozenset({Status.PROCESSED, Status.RESULT_RETURNED})


def _citizen_may_see_result(dossier: Dossier) -> bool:
    # A result attached while processing is a draft until the leader approves it.
    return dossier.status in RESULT_VISIBLE_TO_CITIZEN


def visible_files(
    user: permissions.Actor | None, dossier: Dossier, files: Iterable[DossierFile]
) -> list[DossierFile]:
    if permissions.can_read_agency(user, dossier.agency_id) or _citizen_may_see_result(dossier):
        return list(files)
    return [f for f in files if f.kind != FileKind.RESULT]


def visible_documents(
    user: permissions.Actor | None, dossier: Dossier, documents: Iterable[IssuedDocument]
) -> list[IssuedDocument]:
    if permissions.can_read_agency(user, dossier.agency_id) or _citizen_may_see_result(dossier):
        return list(documents)
    return [d for d in documents if d.kind != IssuedDocumentKind.RESULT]


def actor_roles(user: permissions.Actor | None, dossier: Dossier) -> set[Actor]:
    """Every role in which `user` may act on `dossier`."""
    roles: set[Actor] = set()
    if permissions.can_read_owned(user, dossier.applicant_id):
        roles.add(Actor.CITIZEN)
    for actor in (Actor.RECEIVING_OFFICER, Actor.SPECIALIST, Actor.LEADER):
        if permissions.can_act(user, dossier.agency_id, Role(actor.value)):
            roles.add(actor)
    return roles


def available_actions(user: permissions.Actor | None, dossier: Dossier) -> list[str]:
    """Commands `user` may give `dossier` in its current status (plus attaching a result)."""
    if dossier.status is None:
        return []
    current = Status(dossier.status)
    roles = actor_roles(user, dossier)
    commands: set[str] = set()
    for actor in roles:
        commands.update(str(command) for command in allowed_commands(current, actor))
    if current == Status.PROCESSING and Actor.SPECIALIST in roles:
        commands.add(ATTACH_RESULT)
    return sorted(commands)


def dossier_view(user: permissions.Actor | None, code: str) -> DossierView | None:
    """Everything the detail page shows, in four queries; None when `user` may not read the dossier."""
    dossier = readable_dossier(user, code)
    if dossier is None:
        return None
    events = list(dossier.events.order_by("sequence"))
    files = list(dossier.files.order_by("id"))
    documents = list(dossier.documents.order_by("issued_at"))
    agency_reader = permissions.can_read_agency(user, dossier.agency_id)
    return DossierView(
        dossier=dossier,
        files=visible_files(user, dossier, files),
        documents=visible_documents(user, dossier, documents),
        timeline=timeline(events, internal_notes=agency_reader),
        actions=available_actions(user, dossier),
        is_agency_reader=agency_reader,
    )


def downloadable_file(user: permissions.Actor | None, code: str, file_id: int) -> DossierFile | None:
    """A file of the dossier that `user` may download, or None (also when it exists but is not theirs)."""
    dossier = readable_dossier(user, code)
    if dossier is None:
        return None
    found = DossierFile.objects.filter(dossier=dossier, pk=file_id).first()
    if found is None or not visible_files(user, dossier, [found]):
        return None
    found.dossier = dossier
    return found


def downloadable_document(
    user: permissions.Actor | None, code: str, document_id: UUID
) -> IssuedDocument | None:
    dossier = readable_dossier(user, code)
    if dossier is None:
        return None
    found = IssuedDocument.objects.filter(dossier=dossier, pk=document_id).first()
    if found is None or not visible_documents(user, dossier, [found]):
        return None
    found.dossier = dossier
    return found


# --- officer queues ---------------------------------------------------------------------------------------
#
# One queue for the back office and the API. Filters (the tabs of the back office):
#
# * ``new`` — 1, waiting to be received;
# * ``due_soon`` — 2 or 4 with the appointment from now to the end of office hours of the next working day
#   (province calendar), so a morning look shows what must leave today and tomorrow;
# * ``late`` — 2 or 4 past the appointment. Dossiers waiting for the citizen are in neither: their clock is
#   stopped and their appointment moves when the citizen answers;
# * ``waiting_for_citizen`` — 5 and 6; ``processing`` — 2 and 4; ``processed`` — 9, ready to be returned;
# * ``all`` — every submitted dossier (drafts never appear).


class QueueFilter(StrEnum):
    NEW = "new"
    DUE_SOON = "due_soon"
    LATE = "late"
    WAITING_FOR_CITIZEN = "waiting_for_citizen"
    PROCESSING = "processing"
    PROCESSED = "processed"
    ALL = "all"

    @property
    def label(self) -> Promise:
        """Lazy, so that choices built at import time still follow the active language."""
        return QUEUE_FILTER_LABELS[self]


QUEUE_FILTER_LABELS: dict[QueueFilter, Promise] = {
    QueueFilter.NEW: _("Mới"),
    QueueFilter.DUE_SOON: _("Sắp đến hạn"),
    QueueFilter.LATE: _("Quá hạn"),
    QueueFilter.WAITING_FOR_CITIZEN: _("Chờ công dân"),
    QueueFilter.PROCESSING: _("Đang xử lý"),
    QueueFilter.PROCESSED: _("Đã xử lý"),
    QueueFilter.ALL: _("Tất cả"),
}


class QueueSort(StrEnum):
    DUE = "due"
    DUE_DESC = "-due"
    SUBMITTED = "submitted"
    SUBMITTED_DESC = "-submitted"


# What officers look at first in each queue: the oldest new dossier, the most urgent appointment.
DEFAULT_SORT: dict[QueueFilter, QueueSort] = {
    QueueFilter.NEW: QueueSort.SUBMITTED,
    QueueFilter.DUE_SOON: QueueSort.DUE,
    QueueFilter.LATE: QueueSort.DUE,
    QueueFilter.WAITING_FOR_CITIZEN: QueueSort.SUBMITTED_DESC,
    QueueFilter.PROCESSING: QueueSort.DUE,
    QueueFilter.PROCESSED: QueueSort.SUBMITTED_DESC,
    QueueFilter.ALL: QueueSort.SUBMITTED_DESC,
}

# "Due soon": the appointment falls before the end of this many working days after today.
DUE_SOON_WORKING_DAYS = 1

FINISHED_WITH_RESULT: frozenset[Status] = frozenset({Status.PROCESSED, Status.RESULT_RETURNED})


def current_time() -> datetime:
    """The queues' clock; tests replace it to draw a queue at a chosen instant."""
    return timezone.now()


def due_soon_horizon(
    now: datetime, working_days: int = DUE_SOON_WORKING_DAYS, *, calendar: WorkingCalendar | None = None
) -> datetime:
    """End of office hours of the `working_days`-th working day after today (0: end of today). Reads the
    province calendar (one query) unless `calendar` is given."""
    calendar = calendar or province_calendar()
    day = now.astimezone(VIETNAM_TZ).date()
    for _step in range(working_days):
        day = calendar.next_working_day(day)
    return calendar.office_day_end(day)


def deadline_state(dossier: Dossier, now: datetime, due_soon_until: datetime) -> str:
    """ "late", "due_soon" or "" — how a queue colours the appointment. Only 2 and 4 can be due soon or
    running late; 9 and 10 stay marked late when they ended after the appointment."""
    due = dossier.due_at
    if due is None:
        return ""
    if dossier.status in FINISHED_WITH_RESULT:
        return "late" if dossier.finished_at is not None and dossier.finished_at > due else ""
    if dossier.status not in IN_PROGRESS:
        return ""
    if due < now:
        return "late"
    return "due_soon" if due <= due_soon_until else ""


def _filter_condition(queue_filter: QueueFilter, now: datetime, due_soon_until: datetime | None) -> Q:
    in_progress = Q(status__in=[int(s) for s in IN_PROGRESS])
    if queue_filter is QueueFilter.NEW:
        return Q(status=Status.NEW)
    if queue_filter is QueueFilter.PROCESSING:
        return in_progress
    if queue_filter is QueueFilter.WAITING_FOR_CITIZEN:
        return Q(status__in=[int(s) for s in WAITING_FOR_CITIZEN])
    if queue_filter is QueueFilter.PROCESSED:
        return Q(status=Status.PROCESSED)
    if queue_filter is QueueFilter.LATE:
        return in_progress & Q(due_at__lt=now)
    if queue_filter is QueueFilter.DUE_SOON:
        assert due_soon_until is not None
        return in_progress & Q(due_at__gte=now, due_at__lte=due_soon_until)
    return Q()


def _ordering(sort: QueueSort) -> list[OrderBy]:
    if sort is QueueSort.DUE:
        return [F("due_at").asc(nulls_last=True), F("submitted_at").asc(), F("pk").asc()]
    if sort is QueueSort.DUE_DESC:
        return [F("due_at").desc(nulls_last=True), F("submitted_at").desc(), F("pk").desc()]
    if sort is QueueSort.SUBMITTED:
        return [F("submitted_at").asc(), F("pk").asc()]
    return [F("submitted_at").desc(), F("pk").desc()]


def search_condition(q: str) -> Q:
    """Dossiers matching what an officer typed, accent- and case-insensitively and in the database: every
    word of `q` (folded) is in the dossier's `search_key` (code, applicant's name, personal ID) or in its
    procedure's (name, code) — "nguyen van an" finds "Nguyễn Văn An"; or `q` is the applicant's phone
    number, written in any of the usual ways. Empty `q`: every dossier."""
    words = fold(q).split()
    if not words:
        return Q()
    condition = Q()
    for word in words:
        condition &= Q(search_key__contains=word) | Q(procedure__search_key__contains=word)
    phone = normalize_phone(q)
    if phone is not None:
        condition |= Q(applicant_phone=phone)
    return condition


def queue_scope(
    user: permissions.Actor | None, *, agency: Agency | int | None = None, role: Role | None = None
) -> QuerySet[Dossier]:
    """Submitted dossiers of the agencies `user` reads (or, with `role`, acts in with that role),
    narrowed to `agency` when given. PermissionDenied when `agency` is outside the user's scope.
    Decided on the user's cached grants: no query of its own."""
    dossiers = Dossier.objects.filter(status__isnull=False)
    if agency is not None:
        agency_id = agency if isinstance(agency, int) else agency.pk
        allowed = (
            permissions.can_act(user, agency_id, role)
            if role is not None
            else permissions.can_read_agency(user, agency_id)
        )
        if not allowed:
            raise PermissionDenied(_("Bạn không xem được hồ sơ của cơ quan này."))
        return dossiers.filter(agency_id=agency_id)
    agency_ids = (
        permissions.actionable_agency_ids(user, role)
        if role is not None
        else permissions.readable_agency_ids(user)
    )
    return dossiers if agency_ids is None else dossiers.filter(agency_id__in=sorted(agency_ids))


def _narrowed(
    user: permissions.Actor | None,
    *,
    agency: Agency | int | None,
    q: str,
    role: Role | None,
    assigned_to_me: bool,
) -> QuerySet[Dossier]:
    """The scope with what the list and its counts share: the assignee and the search."""
    dossiers = queue_scope(user, agency=agency, role=role)
    if assigned_to_me:
        dossiers = dossiers.filter(assigned_to_id=getattr(user, "pk", None))
    return dossiers.filter(search_condition(q))


def queue(
    user: permissions.Actor | None,
    *,
    filter: QueueFilter | str = QueueFilter.ALL,
    agency: Agency | int | None = None,
    q: str = "",
    role: Role | None = None,
    assigned_to_me: bool = False,
    sort: QueueSort | str | None = None,
    now: datetime | None = None,
    due_soon_until: datetime | None = None,
) -> QuerySet[Dossier]:
    """An officer's work list (see the filters above), one query, joined with procedure, agency and
    assignee. `q` searches as `search_condition` says. `sort` defaults to what the filter needs first
    (`DEFAULT_SORT`). `due_soon_until` saves the calendar query when the caller already has it."""
    queue_filter = QueueFilter(filter)
    now = now or current_time()
    if queue_filter is QueueFilter.DUE_SOON and due_soon_until is None:
        due_soon_until = due_soon_horizon(now)
    order = QueueSort(sort) if sort else DEFAULT_SORT[queue_filter]
    return (
        _narrowed(user, agency=agency, q=q, role=role, assigned_to_me=assigned_to_me)
        .filter(_filter_condition(queue_filter, now, due_soon_until))
        .select_related("procedure", "agency", "assigned_to")
        .defer("form_data")  # the one wide column; no queue shows it
        .order_by(*_ordering(order))
    )


def queue_counts(
    user: permissions.Actor | None,
    *,
    agency: Agency | int | None = None,
    q: str = "",
    role: Role | None = None,
    assigned_to_me: bool = False,
    now: datetime | None = None,
    due_soon_until: datetime | None = None,
) -> dict[QueueFilter, int]:
    """How many dossiers each filter holds, with the same scope and search as `queue`, in one query
    (plus the province calendar unless `due_soon_until` is given)."""
    now = now or current_time()
    if due_soon_until is None:
        due_soon_until = due_soon_horizon(now)
    aggregates = {
        str(queue_filter): Count("pk", filter=_filter_condition(queue_filter, now, due_soon_until))
        for queue_filter in QueueFilter
    }
    totals = _narrowed(user, agency=agency, q=q, role=role, assigned_to_me=assigned_to_me).aggregate(
        **aggregates
    )
    return {queue_filter: int(totals[str(queue_filter)] or 0) for queue_filter in QueueFilter}
