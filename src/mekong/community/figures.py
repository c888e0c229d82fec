"""Figures about community digital technology teams, for the operations centre (IOC) dashboard, the
community pages and their export. Plain read-only functions over a `Scope`:

    scope = figures.scope_for(request.user)                 # the agencies whose figures the user may see
    scope = figures.scope_for(request.user, commune=42)     # narrowed to one commune People's Committee
    figures.coverage(scope)                 # hamlets with an active team ÷ all hamlets (goal 100 %)
    figures.coverage_by_commune(scope)
    figures.team_sizes(scope)               # members per team, with totals
    figures.activity_counts(scope, since=…, until=…)   # (month, commune, kind) → count, one query
    figures.activities_by_kind / activities_by_commune / activities_by_month(counts)
    figures.assisted_share(scope, since=…, until=…)    # assisted dossiers ÷ online dossiers
    figures.assisted_by_month(scope, since=…, until=…)
    figures.summary(scope, since=…, until=…)           # all of the above, for a page or an export

Who sees what follows the IOC rule (`accounts.permissions.ioc_agency_ids`): the province everything, a
commune its own. A team counts as *active* on a day when it is not dissolved and has at least one active
member; a hamlet is *covered* when it has an active team. Teams and activities are counted by the team's
agency (the commune's People's Committee), hamlets by the commune they belong to, dossiers by the
agency that received them. Every function costs a fixed number of queries, whatever the size of the
province; the online dossiers come from the IOC's day counters (`ioc.models.AgencyDay`), not the dossiers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from mekong.accounts import permissions
from mekong.catalog.models import Agency, AgencyKind
from mekong.community.models import (
    Activity,
    ActivityKind,
    AssistedSubmission,
    Member,
    Team,
    active_on,
    team_active_on,
)
from mekong.community.selectors import hamlets_of_units, today
from mekong.core.errors import PermissionDenied
from mekong.dossiers.models import Channel
from mekong.dossiers.workdays import VIETNAM_TZ
from mekong.geo.models import AdministrativeUnit, UnitLevel
from mekong.ioc.models import AgencyDay

COVERAGE_GOAL = Fraction(1)
NO_FIGURES = _("Bạn không được xem số liệu của đơn vị này.")


@dataclass(frozen=True)
class Scope:
    """Agencies whose figures are counted; None = the whole province."""

    agency_ids: frozenset[int] | None = None

    def teams(self) -> QuerySet[Team]:
        teams = Team.objects.all()
        return teams if self.agency_ids is None else teams.filter(agency_id__in=sorted(self.agency_ids))

    def communes(self) -> QuerySet[Agency]:
        """Commune People's Committees (with a unit) in scope."""
        communes = Agency.objects.filter(kind=AgencyKind.COMMUNE_PC, unit__isnull=False).select_related(
            "unit"
        )
        return communes if self.agency_ids is None else communes.filter(pk__in=sorted(self.agency_ids))

    def hamlets(self) -> QuerySet[AdministrativeUnit]:
        if self.agency_ids is None:
            return AdministrativeUnit.objects.filter(level=UnitLevel.HAMLET)
        return hamlets_of_units(list(self.communes().values_list("unit_id", flat=True)))


def scope_for(user: permissions.Actor | None, *, commune: int | None = None) -> Scope:
    """What `user` may see (IOC rule), narrowed to the commune agency `commune` if given. Refuses when the
    user may see no figures at all, or not those of `commune`."""
    ids = permissions.ioc_agency_ids(user)
    if ids is not None and not ids:
        raise PermissionDenied(NO_FIGURES)
    if commune is None:
        return Scope(ids)
    if ids is not None and commune not in ids:
        raise PermissionDenied(NO_FIGURES)
    return Scope(frozenset({commune}))


def commune_label(agency: Agency) -> str:
    return agency.unit.name if agency.unit is not None else agency.name


# --- coverage ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    hamlets: int
    covered: int

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.covered, self.hamlets) if self.hamlets else None

    @property
    def percent(self) -> float | None:
        ratio = self.ratio
        return float(ratio * 100) if ratio is not None else None

    @property
    def uncovered(self) -> int:
        return self.hamlets - self.covered

    @property
    def goal_met(self) -> bool:
        return self.ratio is not None and self.ratio >= COVERAGE_GOAL


def _active_team_exists(day: date) -> Exists:
    members = Member.objects.filter(active_on(day), team_id=OuterRef("pk"))
    teams = Team.objects.filter(team_active_on(day), Exists(members), hamlet_id=OuterRef("pk"))
    return Exists(teams)


def _hamlet_rows(scope: Scope, day: date) -> list[tuple[int, int | None, int | None, bool]]:
    return list(
        scope.hamlets()
        .annotate(covered=_active_team_exists(day))
        .values_list("pk", "former_parent_id", "parent_id", "covered")
    )


def coverage(scope: Scope, *, on: date | None = None) -> Coverage:
    """Hamlets with an active team ÷ all hamlets of the scope, on `on` (today)."""
    rows = _hamlet_rows(scope, on or today())
    return Coverage(hamlets=len(rows), covered=sum(1 for *_ids, covered in rows if covered))


@dataclass(frozen=True)
class CommuneCoverage:
    agency_id: int
    commune: str
    coverage: Coverage
    uncovered_hamlets: tuple[str, ...] = ()


def coverage_by_commune(scope: Scope, *, on: date | None = None) -> list[CommuneCoverage]:
    """Coverage of each commune in scope, lowest first (the communes to follow up)."""
    day = on or today()
    communes = list(scope.communes())
    by_unit = {agency.unit_id: agency for agency in communes}
    hamlets: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    names = dict(scope.hamlets().values_list("pk", "name"))
    for pk, former, current, covered in _hamlet_rows(scope, day):
        agency = by_unit.get(former) or by_unit.get(current)
        if agency is not None:
            hamlets[agency.pk].append((names[pk], covered))
    result = [
        CommuneCoverage(
            agency_id=agency.pk,
            commune=commune_label(agency),
            coverage=Coverage(len(hamlets[agency.pk]), sum(1 for _n, c in hamlets[agency.pk] if c)),
            uncovered_hamlets=tuple(sorted(name for name, covered in hamlets[agency.pk] if not covered)),
        )
        for agency in communes
        if hamlets[agency.pk]
    ]
    return sorted(result, key=lambda row: (row.coverage.ratio or 0, row.commune))


# --- members per team ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSize:
    team_id: int
    code: str
    name: str
    hamlet: str
    commune: str
    members: int


@dataclass(frozen=True)
class TeamSizes:
    teams: tuple[TeamSize, ...]

    @property
    def team_count(self) -> int:
        return len(self.teams)

    @property
    def member_count(self) -> int:
        return sum(team.members for team in self.teams)

    @property
    def average(self) -> float | None:
        return self.member_count / self.team_count if self.teams else None

    @property
    def smallest(self) -> int | None:
        return min((team.members for team in self.teams), default=None)

    @property
    def largest(self) -> int | None:
        return max((team.members for team in self.teams), default=None)

    @property
    def without_members(self) -> int:
        return sum(1 for team in self.teams if team.members == 0)

    def distribution(self) -> list[tuple[int, int]]:
        """(members, number of teams with that many), ascending."""
        counts: dict[int, int] = defaultdict(int)
        for team in self.teams:
            counts[team.members] += 1
        return sorted(counts.items())


def team_sizes(scope: Scope, *, on: date | None = None) -> TeamSizes:
    """Active members of every team not dissolved on `on` (today), by commune and code."""
    day = on or today()
    rows = (
        scope.teams()
        .filter(team_active_on(day))
        .annotate(size=Count("members", filter=active_on(day, "members__")))
        .values_list("pk", "code", "name", "hamlet__name", "agency__unit__name", "agency__name", "size")
        .order_by("agency__code", "code")
    )
    return TeamSizes(
        tuple(
            TeamSize(pk, code, name, hamlet, unit_name or agency_name, size)
            for pk, code, name, hamlet, unit_name, agency_name, size in rows
        )
    )


def team_totals(scope: Scope, *, on: date | None = None) -> tuple[int, int]:
    """(teams, active members) on `on` (today): the totals of `team_sizes` in one aggregate, for the IOC
    panel that refreshes every few seconds and shows no per-team row."""
    day = on or today()
    totals = (
        scope.teams()
        .filter(team_active_on(day))
        .aggregate(
            teams=Count("pk", distinct=True),
            members=Count("members", filter=active_on(day, "members__"), distinct=True),
        )
    )
    return int(totals["teams"]), int(totals["members"])


# --- activities ---------------------------------------------------------------------------------------------


def default_period(until: date | None = None) -> tuple[date, date]:
    """The last twelve months, whole months: from the 1st of the month eleven months back to today."""
    end = until or today()
    month = end.month - 11
    year = end.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1), end


@dataclass(frozen=True)
class ActivityCount:
    month: date  # first day of the month
    agency_id: int
    commune: str
    kind: str
    count: int

    @property
    def kind_label(self) -> str:
        return str(ActivityKind(self.kind).label)


def activity_counts(scope: Scope, *, since: date, until: date) -> list[ActivityCount]:
    """Support activities per month, commune (the team's agency) and kind, dated since..until inclusive."""
    activities = Activity.objects.filter(date__gte=since, date__lte=until)
    if scope.agency_ids is not None:
        activities = activities.filter(team__agency_id__in=sorted(scope.agency_ids))
    rows = (
        activities.annotate(month=TruncMonth("date"))
        .values_list("month", "team__agency_id", "kind")
        .annotate(count=Count("id"))
        .order_by("month", "team__agency_id", "kind")
    )
    agencies = {
        agency.pk: commune_label(agency)
        for agency in Agency.objects.filter(
            pk__in={agency_id for _m, agency_id, _k, _c in rows}
        ).select_related("unit")
    }
    return [
        ActivityCount(_as_date(month), agency_id, agencies.get(agency_id, ""), kind, count)
        for month, agency_id, kind, count in rows
    ]


def activity_total(scope: Scope, *, since: date, until: date) -> int:
    """The number of support activities dated since..until: the sum of `activity_counts`, in one count."""
    activities = Activity.objects.filter(date__gte=since, date__lte=until)
    if scope.agency_ids is not None:
        activities = activities.filter(team__agency_id__in=sorted(scope.agency_ids))
    return activities.count()


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def activities_by_kind(counts: Iterable[ActivityCount]) -> list[tuple[str, str, int]]:
    """(kind, label, count) for every kind, in the order of `ActivityKind` (zeros included)."""
    totals: dict[str, int] = defaultdict(int)
    for row in counts:
        totals[row.kind] += row.count
    return [(kind.value, str(kind.label), totals[kind.value]) for kind in ActivityKind]


def activities_by_commune(counts: Iterable[ActivityCount]) -> list[tuple[int, str, int]]:
    """(agency id, commune, count), most active first."""
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for row in counts:
        totals[(row.agency_id, row.commune)] += row.count
    return sorted(((a, name, n) for (a, name), n in totals.items()), key=lambda r: (-r[2], r[1]))


def months_between(since: date, until: date) -> list[date]:
    months = []
    current = date(since.year, since.month, 1)
    while current <= until:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def activities_by_month(
    counts: Iterable[ActivityCount], *, since: date, until: date
) -> list[tuple[date, int]]:
    """(first day of month, count) for every month of the period (zeros included)."""
    totals: dict[date, int] = defaultdict(int)
    for row in counts:
        totals[row.month] += row.count
    return [(month, totals[month]) for month in months_between(since, until)]


# --- assisted submission --------------------------------------------------------------------------------------
#
# The share's denominator, online dossiers filed in the period, comes from the IOC's day counters
# (`ioc.models.AgencyDay.online`): a dossier filed online adds 1 to its receiving agency's row of the
# Vietnam-local day it was submitted, in the transaction of the submission (or right after it, with a broker),
# so a period is a sum over at most one row per agency and day, never a scan of the dossiers. That is the
# same set the dossiers would give: submitted (a code, a status and `submitted_at` are stamped together),
# channel online, by the dossier's agency, local date of `submitted_at` from `since` to `until` inclusive —
# `_moment(since) <= submitted_at < _moment(until + 1 day)`. The numerator is read from the assisted
# submissions (a small table), joined to their dossiers by key.


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VIETNAM_TZ)


def _online_by_month(scope: Scope, since: date, until: date) -> dict[date, int]:
    """Online dossiers filed since..until, per month (first day), from the IOC's counters: one query."""
    days = AgencyDay.objects.filter(day__gte=since, day__lte=until)
    if scope.agency_ids is not None:
        days = days.filter(agency_id__in=sorted(scope.agency_ids))
    rows = (
        days.annotate(month=TruncMonth("day"))
        .values_list("month")
        .annotate(online=Sum("online"))
        .order_by("month")
    )
    return {_as_date(month): int(online or 0) for month, online in rows}


def _assisted_submissions(scope: Scope, since: date, until: date) -> QuerySet[AssistedSubmission]:
    filed = AssistedSubmission.objects.filter(
        submitted_at__isnull=False,
        dossier__channel=Channel.ONLINE,
        dossier__submitted_at__gte=_moment(since),
        dossier__submitted_at__lt=_moment(until + timedelta(days=1)),
    )
    if scope.agency_ids is not None:
        filed = filed.filter(dossier__agency_id__in=sorted(scope.agency_ids))
    return filed


@dataclass(frozen=True)
class AssistedShare:
    online: int
    assisted: int

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.assisted, self.online) if self.online else None

    @property
    def percent(self) -> float | None:
        ratio = self.ratio
        return float(ratio * 100) if ratio is not None else None


def assisted_share(scope: Scope, *, since: date, until: date) -> AssistedShare:
    """Online dossiers submitted since..until (by the receiving agency, from the IOC's counters) and how
    many a team filed. Two queries, whatever the number of dossiers."""
    online = sum(_online_by_month(scope, since, until).values())
    return AssistedShare(online=online, assisted=assisted_count(scope, since=since, until=until))


def assisted_count(scope: Scope, *, since: date, until: date) -> int:
    """Online dossiers a team filed since..until (by the receiving agency): read from the assisted
    submissions, a small table, so it costs the same at a million dossiers (the IOC dashboard asks on every
    refresh and takes the online total from its own counters)."""
    return _assisted_submissions(scope, since, until).count()


def assisted_by_month(scope: Scope, *, since: date, until: date) -> list[tuple[date, AssistedShare]]:
    """`assisted_share` for each month of the period (the first and last partial), zeros included. Two
    queries, whatever the number of dossiers."""
    online = _online_by_month(scope, since, until)
    rows = (
        _assisted_submissions(scope, since, until)
        .annotate(month=TruncMonth("dossier__submitted_at", tzinfo=VIETNAM_TZ))
        .values_list("month")
        .annotate(assisted=Count("pk"))
        .order_by("month")
    )
    assisted = {_as_date(month): count for month, count in rows}
    return [
        (month, AssistedShare(online.get(month, 0), assisted.get(month, 0)))
        for month in months_between(since, until)
    ]


def _period_share(by_month: Iterable[tuple[date, AssistedShare]]) -> AssistedShare:
    """The period's share from its months (they cut the period without overlap or gap)."""
    months = list(by_month)
    return AssistedShare(
        online=sum(share.online for _m, share in months), assisted=sum(share.assisted for _m, share in months)
    )


# --- everything at once -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    since: date
    until: date
    on: date
    coverage: Coverage
    coverage_by_commune: list[CommuneCoverage]
    team_sizes: TeamSizes
    activity_counts: list[ActivityCount]
    assisted: AssistedShare
    assisted_by_month: list[tuple[date, AssistedShare]] = field(default_factory=list)

    @property
    def by_kind(self) -> list[tuple[str, str, int]]:
        return activities_by_kind(self.activity_counts)

    @property
    def by_commune(self) -> list[tuple[int, str, int]]:
        return activities_by_commune(self.activity_counts)

    @property
    def by_month(self) -> list[tuple[date, int]]:
        return activities_by_month(self.activity_counts, since=self.since, until=self.until)

    @property
    def activity_total(self) -> int:
        return sum(row.count for row in self.activity_counts)


def summary(scope: Scope, *, since: date | None = None, until: date | None = None) -> Summary:
    default_since, default_until = default_period(until)
    since = since or default_since
    until = until or default_until
    day = today()
    by_month = assisted_by_month(scope, since=since, until=until)
    return Summary(
        since=since,
        until=until,
        on=day,
        coverage=coverage(scope, on=day),
        coverage_by_commune=coverage_by_commune(scope, on=day),
        team_sizes=team_sizes(scope, on=day),
        activity_counts=activity_counts(scope, since=since, until=until),
        assisted=_period_share(by_month),
        assisted_by_month=by_month,
    )
