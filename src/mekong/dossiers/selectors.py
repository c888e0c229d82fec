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

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mekong.accounts import permissions
from mekong.accounts.identifiers import is_personal_id, normalize_phone
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency
from mekong.core.errors import PermissionDenied
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
from mekong.dossiers.workdays import VIETNAM_TZ

# --- labels ------------------------------------------------------------------------------------------------

ACTOR_ROLE_LABELS: dict[str, str | Promise] = {
    Actor.CITIZEN: _("Công dân"),
    Actor.RECEIVING_OFFICER: Role.RECEIVING_OFFICER.label,
    Actor.SPECIALIST: Role.SPECIALIST.label,
    Actor.LEADER: Role.LEADER.label,
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


def status_changes(events: Iterable[DossierEvent]) -> list[DossierEvent]:
    """The events a member of the public follows: changes of status and new appointment dates."""
    return [e for e in events if e.from_status != e.to_status or e.command == RESCHEDULE]


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


class QueueFilter(StrEnum):
    NEW = "new"
    DUE_SOON = "due_soon"
    LATE = "late"
    WAITING_FOR_CITIZEN = "waiting_for_citizen"
    PROCESSING = "processing"
    ALL = "all"

    @property
    def label(self) -> str:
        return str(QUEUE_FILTER_LABELS[self])


QUEUE_FILTER_LABELS: dict[QueueFilter, Promise] = {
    QueueFilter.NEW: _("Mới, chờ tiếp nhận"),
    QueueFilter.DUE_SOON: _("Sắp đến hạn"),
    QueueFilter.LATE: _("Quá hạn"),
    QueueFilter.WAITING_FOR_CITIZEN: _("Chờ công dân bổ sung"),
    QueueFilter.PROCESSING: _("Đang giải quyết"),
    QueueFilter.ALL: _("Tất cả"),
}

# "Due soon": the appointment falls before the end of this many working days after today.
DUE_SOON_WORKING_DAYS = 2


def due_soon_horizon(now: datetime, working_days: int = DUE_SOON_WORKING_DAYS) -> datetime:
    """End of office hours of the `working_days`-th working day after today (0: end of today)."""
    calendar = province_calendar()
    day = now.astimezone(VIETNAM_TZ).date()
    for _step in range(working_days):
        day = calendar.next_working_day(day)
    return calendar.office_day_end(day)


def _filter_condition(queue_filter: QueueFilter, now: datetime, horizon: datetime | None) -> Q:
    in_progress = Q(status__in=[int(s) for s in IN_PROGRESS])
    if queue_filter is QueueFilter.NEW:
        return Q(status=Status.NEW)
    if queue_filter is QueueFilter.PROCESSING:
        return in_progress
    if queue_filter is QueueFilter.WAITING_FOR_CITIZEN:
        return Q(status__in=[int(s) for s in WAITING_FOR_CITIZEN])
    if queue_filter is QueueFilter.LATE:
        return in_progress & Q(due_at__lt=now)
    if queue_filter is QueueFilter.DUE_SOON:
        assert horizon is not None
        return in_progress & Q(due_at__gte=now, due_at__lte=horizon)
    return Q(status__isnull=False)


_ORDERING: dict[QueueFilter, tuple[Any, ...]] = {
    QueueFilter.NEW: ("submitted_at", "id"),
    QueueFilter.DUE_SOON: (F("due_at").asc(nulls_last=True), "submitted_at", "id"),
    QueueFilter.LATE: (F("due_at").asc(nulls_last=True), "submitted_at", "id"),
    QueueFilter.PROCESSING: (F("due_at").asc(nulls_last=True), "submitted_at", "id"),
    QueueFilter.WAITING_FOR_CITIZEN: ("submitted_at", "id"),
    QueueFilter.ALL: ("-submitted_at", "-id"),
}


def _search(text: str) -> Q:
    """Code (any case), applicant name or procedure name (contains), phone or personal ID (exact)."""
    condition = (
        Q(code__icontains=text.upper())
        | Q(applicant_name__icontains=text)
        | Q(procedure__name__icontains=text)
        | Q(procedure__code=text)
    )
    phone = normalize_phone(text)
    if phone is not None:
        condition |= Q(applicant_phone=phone)
    compact = text.replace(" ", "")
    if is_personal_id(compact):
        condition |= Q(applicant_personal_id=compact)
    return condition


def queue_scope(
    user: permissions.Actor | None, *, agency: Agency | int | None = None, role: Role | None = None
) -> QuerySet[Dossier]:
    """Submitted dossiers of the agencies `user` reads (or, with `role`, acts in with that role),
    narrowed to `agency` when given. PermissionDenied when `agency` is outside the user's scope."""
    agencies = (
        permissions.agencies_actionable_by(user, role)
        if role is not None
        else permissions.agencies_readable_by(user)
    )
    dossiers = Dossier.objects.filter(status__isnull=False)
    if agency is not None:
        agency_id = agency if isinstance(agency, int) else agency.pk
        if not agencies.filter(pk=agency_id).exists():
            raise PermissionDenied(_("Bạn không xem được hồ sơ của cơ quan này."))
        return dossiers.filter(agency_id=agency_id)
    return dossiers.filter(agency__in=agencies)


def queue(
    user: permissions.Actor | None,
    *,
    filter: QueueFilter | str = QueueFilter.ALL,
    agency: Agency | int | None = None,
    q: str = "",
    role: Role | None = None,
    assigned_to_me: bool = False,
    now: datetime | None = None,
) -> QuerySet[Dossier]:
    """An officer's work list, one query, joined with procedure, agency and assignee.

    Filters: ``new`` (1, waiting to be received, oldest first), ``processing`` (2 and 4), ``due_soon``
    (2 or 4 with the appointment between now and the end of the `DUE_SOON_WORKING_DAYS`-th working day),
    ``late`` (2 or 4 past the appointment), ``waiting_for_citizen`` (5 and 6), ``all``. Queues with a
    deadline are ordered by appointment. `q` searches codes, names, procedure, phone and personal ID.
    """
    queue_filter = QueueFilter(filter)
    now = now or timezone.now()
    horizon = due_soon_horizon(now) if queue_filter is QueueFilter.DUE_SOON else None
    dossiers = queue_scope(user, agency=agency, role=role).filter(
        _filter_condition(queue_filter, now, horizon)
    )
    if assigned_to_me:
        dossiers = dossiers.filter(assigned_to_id=getattr(user, "pk", None))
    text = q.strip()
    if text:
        dossiers = dossiers.filter(_search(text))
    return dossiers.select_related("procedure", "agency", "assigned_to").order_by(*_ORDERING[queue_filter])


def queue_counts(
    user: permissions.Actor | None,
    *,
    agency: Agency | int | None = None,
    role: Role | None = None,
    now: datetime | None = None,
) -> dict[QueueFilter, int]:
    """How many dossiers each filter holds (for the tabs of the back office), in one query."""
    now = now or timezone.now()
    horizon = due_soon_horizon(now)
    aggregates = {
        str(queue_filter): Count("id", filter=_filter_condition(queue_filter, now, horizon))
        for queue_filter in QueueFilter
    }
    totals = queue_scope(user, agency=agency, role=role).aggregate(**aggregates)
    return {queue_filter: int(totals[str(queue_filter)] or 0) for queue_filter in QueueFilter}
