"""Read-only queries behind the officer's queue: which dossiers are in which tab, their counts, the search.

Tabs (the one-stop shop's daily work):

* ``new`` — 1 Mới đăng ký, waiting to be received;
* ``due_soon`` — received or in processing, due from now to the end of office hours of the next working
  day (the province calendar), so a morning look shows what must leave today and tomorrow;
* ``late`` — received or in processing and past the appointment. Dossiers waiting for the citizen are in
  neither: their clock is stopped and their appointment moves when the citizen answers;
* ``waiting`` — 5 and 6, waiting for the citizen;
* ``processing`` — 2 and 4;
* ``processed`` — 9, ready to be returned;
* ``all`` — every submitted dossier (drafts are never shown).

Kept in the back office until `dossiers.selectors.queue` lands; the lead merges the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import Count, F, OrderBy, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mekong.core.text import fold
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import Status
from mekong.dossiers.workdays import LimitUnit, WorkingCalendar

IN_PROGRESS = (Status.RECEIVED, Status.PROCESSING)
WAITING = (Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED)
FINISHED_WITH_RESULT = (Status.PROCESSED, Status.RESULT_RETURNED)


class Tab(StrEnum):
    NEW = "new"
    DUE_SOON = "due_soon"
    LATE = "late"
    WAITING = "waiting"
    PROCESSING = "processing"
    PROCESSED = "processed"
    ALL = "all"

    @property
    def label(self) -> Promise:
        return TAB_LABELS[self]


TAB_LABELS: dict[Tab, Promise] = {
    Tab.NEW: _("Mới"),
    Tab.DUE_SOON: _("Sắp đến hạn"),
    Tab.LATE: _("Quá hạn"),
    Tab.WAITING: _("Chờ công dân"),
    Tab.PROCESSING: _("Đang xử lý"),
    Tab.PROCESSED: _("Đã xử lý"),
    Tab.ALL: _("Tất cả"),
}


class Sort(StrEnum):
    DUE = "due"
    DUE_DESC = "-due"
    SUBMITTED = "submitted"
    SUBMITTED_DESC = "-submitted"


# What officers look at first in each tab: the oldest new dossier, the most urgent deadline.
DEFAULT_SORT: dict[Tab, Sort] = {
    Tab.NEW: Sort.SUBMITTED,
    Tab.DUE_SOON: Sort.DUE,
    Tab.LATE: Sort.DUE,
    Tab.WAITING: Sort.SUBMITTED_DESC,
    Tab.PROCESSING: Sort.DUE,
    Tab.PROCESSED: Sort.SUBMITTED_DESC,
    Tab.ALL: Sort.SUBMITTED_DESC,
}


def current_time() -> datetime:
    """The queue's clock; tests replace it to draw the queue at a chosen instant."""
    return timezone.now()


@dataclass(frozen=True)
class Clock:
    """The instant the queue is drawn at and the end of the "due soon" window."""

    now: datetime
    due_soon_until: datetime

    @classmethod
    def at(cls, calendar: WorkingCalendar, now: datetime | None = None) -> Clock:
        now = now or current_time()
        return cls(now=now, due_soon_until=calendar.due_at(now, 1, LimitUnit.WORKING_DAY))


def tab_filter(tab: Tab, clock: Clock) -> Q:
    if tab is Tab.NEW:
        return Q(status=Status.NEW)
    if tab is Tab.DUE_SOON:
        return Q(status__in=IN_PROGRESS, due_at__gte=clock.now, due_at__lte=clock.due_soon_until)
    if tab is Tab.LATE:
        return Q(status__in=IN_PROGRESS, due_at__lt=clock.now)
    if tab is Tab.WAITING:
        return Q(status__in=WAITING)
    if tab is Tab.PROCESSING:
        return Q(status__in=IN_PROGRESS)
    if tab is Tab.PROCESSED:
        return Q(status=Status.PROCESSED)
    return Q()


def submitted_in(agency_id: int) -> QuerySet[Dossier]:
    return Dossier.objects.filter(agency_id=agency_id, status__isnull=False)


def search_filter(agency_id: int, query: str) -> Q:
    """Dossiers whose code contains `query`, whose applicant's ID number is `query`, or whose applicant's
    name contains it ignoring accents and case ("nguyen van an" finds "Nguyễn Văn An").

    Names are folded in Python over the agency's (pk, name) pairs — one narrow query — because neither
    SQLite nor PostgreSQL without `unaccent` folds Vietnamese. A folded name column on Dossier would move
    this into the database."""
    text = query.strip()
    if not text:
        return Q()
    needle = fold(text)
    matching_names = [
        pk for pk, name in submitted_in(agency_id).values_list("pk", "applicant_name") if needle in fold(name)
    ]
    return Q(code__icontains=text) | Q(applicant_personal_id=text) | Q(pk__in=matching_names)


def tab_counts(agency_id: int, clock: Clock, search: Q | None = None) -> dict[Tab, int]:
    """How many dossiers each tab holds (with the search applied), in one query."""
    totals = (
        submitted_in(agency_id)
        .filter(search or Q())
        .aggregate(**{tab.value: Count("pk", filter=tab_filter(tab, clock)) for tab in Tab})
    )
    return {tab: int(totals[tab.value] or 0) for tab in Tab}


def _ordering(sort: Sort) -> list[OrderBy]:
    if sort is Sort.DUE:
        return [F("due_at").asc(nulls_last=True), F("submitted_at").asc(), F("pk").asc()]
    if sort is Sort.DUE_DESC:
        return [F("due_at").desc(nulls_last=True), F("submitted_at").desc(), F("pk").desc()]
    if sort is Sort.SUBMITTED:
        return [F("submitted_at").asc(), F("pk").asc()]
    return [F("submitted_at").desc(), F("pk").desc()]


def queue(
    agency_id: int, tab: Tab, clock: Clock, *, search: Q | None = None, sort: Sort | None = None
) -> QuerySet[Dossier]:
    """The rows of one tab, with only what the queue table shows loaded (no query per row)."""
    return (
        submitted_in(agency_id)
        .filter(tab_filter(tab, clock))
        .filter(search or Q())
        .select_related("procedure", "assigned_to")
        .only(
            "code",
            "status",
            "applicant_name",
            "submitted_at",
            "received_at",
            "due_at",
            "finished_at",
            "agency_id",
            "procedure__code",
            "procedure__name",
            "assigned_to__full_name",
            "assigned_to__username",
        )
        .order_by(*_ordering(sort or DEFAULT_SORT[tab]))
    )


def deadline_state(dossier: Dossier, clock: Clock) -> str:
    """ "late", "due_soon" or "" — how the due date is coloured in the queue."""
    due = dossier.due_at
    if due is None:
        return ""
    if dossier.status in FINISHED_WITH_RESULT:
        return "late" if dossier.finished_at is not None and dossier.finished_at > due else ""
    if dossier.status not in IN_PROGRESS:
        return ""
    if due < clock.now:
        return "late"
    return "due_soon" if due <= clock.due_soon_until else ""
