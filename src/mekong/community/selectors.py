"""Read-only queries on community teams. Every function that takes a user returns only what that user may
read (`accounts.permissions`): a member their own team's records, the commune its teams, the province all.
Lists are single queries with their foreign keys joined."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from mekong.accounts import permissions
from mekong.accounts.models import User
from mekong.catalog.models import Agency, AgencyKind
from mekong.community.models import (
    Activity,
    AssistedSubmission,
    Member,
    Team,
    active_on,
    team_active_on,
)
from mekong.geo.models import AdministrativeUnit, UnitLevel


def today() -> date:
    """Today in the province (TIME_ZONE is Vietnam's)."""
    return timezone.localdate()


# --- membership -----------------------------------------------------------------------------------------


def active_team_ids_of(user_id: int, agency_ids: Collection[int]) -> frozenset[int]:
    """Active teams of `agency_ids` in which the account `user_id` is an active member (for
    `permissions.member_team_ids`)."""
    day = today()
    return frozenset(
        Member.objects.filter(
            active_on(day), team_active_on(day, "team__"), user_id=user_id, team__agency_id__in=agency_ids
        ).values_list("team_id", flat=True)
    )


def membership(user: permissions.Actor | None, team: Team) -> Member | None:
    """The active member record through which `user` acts for `team`, or None."""
    if not isinstance(user, User) or not permissions.can_act_for_team(user, team):
        return None
    return Member.objects.filter(active_on(today()), team=team, user_id=user.pk).first()


def my_teams(user: permissions.Actor | None) -> list[Team]:
    """The teams `user` acts for, with their hamlet and agency."""
    ids = permissions.member_team_ids(user)
    if not ids:
        return []
    return list(Team.objects.filter(pk__in=sorted(ids)).select_related("hamlet", "agency", "agency__unit"))


def _covers_communes(ids: frozenset[int] | None) -> bool:
    """Whether a scope (None: everything) includes a commune People's Committee, the agencies teams have.
    An official of a department or the service centre reads records, but no team's."""
    if ids is None:
        return True
    return bool(ids) and Agency.objects.filter(pk__in=sorted(ids), kind=AgencyKind.COMMUNE_PC).exists()


def reads_teams(user: permissions.Actor | None) -> bool:
    """Reads teams as the commune or the province (members read their own team: `my_teams`)."""
    return _covers_communes(permissions.team_agency_ids(user))


def manages_teams(user: permissions.Actor | None) -> bool:
    return _covers_communes(permissions.team_manager_agency_ids(user))


def sees_team_figures(user: permissions.Actor | None) -> bool:
    return _covers_communes(permissions.ioc_agency_ids(user))


def has_community_pages(user: permissions.Actor | None) -> bool:
    """Whether the community pages have anything for `user`: a member of a team, or an official who reads
    teams or their figures."""
    return bool(permissions.member_team_ids(user)) or reads_teams(user) or sees_team_figures(user)


# --- scopes -----------------------------------------------------------------------------------------------


def _team_filter(user: permissions.Actor | None, prefix: str = "") -> Q | None:
    """Q selecting the teams `user` reads (with `prefix` for a relation); None = every team."""
    agencies = permissions.team_agency_ids(user)
    if agencies is None:
        return None
    return Q(**{f"{prefix}agency_id__in": sorted(agencies)}) | Q(
        **{f"{prefix}pk__in": sorted(permissions.member_team_ids(user))}
    )


def readable_teams(user: permissions.Actor | None) -> QuerySet[Team]:
    teams = Team.objects.select_related("hamlet", "agency", "agency__unit")
    scope = _team_filter(user)
    return teams if scope is None else teams.filter(scope)


def teams_with_counts(user: permissions.Actor | None, *, agency_id: int | None = None) -> QuerySet[Team]:
    """Readable teams with their number of active members (`active_members`), by code."""
    day = today()
    teams = readable_teams(user)
    if agency_id is not None:
        teams = teams.filter(agency_id=agency_id)
    return teams.annotate(
        active_members=Count("members", filter=active_on(day, "members__"), distinct=True)
    ).order_by("agency__code", "code")


def readable_team(user: permissions.Actor | None, team_id: int) -> Team | None:
    """One team with its members (current first), or None when `user` may not read it."""
    team = (
        Team.objects.select_related("hamlet", "agency", "agency__unit")
        .prefetch_related(Prefetch("members", queryset=Member.objects.order_by("role", "full_name")))
        .filter(pk=team_id)
        .first()
    )
    if team is None or not permissions.can_read_team(user, team):
        return None
    return team


def readable_activities(user: permissions.Actor | None) -> QuerySet[Activity]:
    activities = Activity.objects.select_related("team", "member", "hamlet")
    scope = _team_filter(user, "team__")
    return activities if scope is None else activities.filter(scope)


def readable_assisted(user: permissions.Actor | None) -> QuerySet[AssistedSubmission]:
    rows = AssistedSubmission.objects.select_related(
        "team", "member", "procedure", "dossier", "dossier__agency"
    )
    scope = _team_filter(user, "team__")
    return rows if scope is None else rows.filter(scope)


def managed_agencies(user: permissions.Actor | None) -> QuerySet[Agency]:
    """Commune agencies whose team registry `user` may change."""
    communes = Agency.objects.filter(kind=AgencyKind.COMMUNE_PC, is_active=True).select_related("unit")
    ids = permissions.team_manager_agency_ids(user)
    return communes if ids is None else communes.filter(pk__in=sorted(ids))


def readable_communes(user: permissions.Actor | None) -> QuerySet[Agency]:
    """Commune agencies whose teams `user` reads as the commune or the province (for filters)."""
    communes = Agency.objects.filter(kind=AgencyKind.COMMUNE_PC).select_related("unit").order_by("name")
    ids = permissions.team_agency_ids(user)
    return communes if ids is None else communes.filter(pk__in=sorted(ids))


def figure_communes(user: permissions.Actor | None) -> QuerySet[Agency]:
    """Commune agencies whose figures `user` may see (IOC rule), for the figures' filter."""
    communes = Agency.objects.filter(kind=AgencyKind.COMMUNE_PC).select_related("unit").order_by("name")
    ids = permissions.ioc_agency_ids(user)
    return communes if ids is None else communes.filter(pk__in=sorted(ids))


# --- places -------------------------------------------------------------------------------------------------


def hamlets_of_units(unit_ids: Collection[int]) -> QuerySet[AdministrativeUnit]:
    """Hamlets of these communes, by the commune they belonged to before 2025 or the one they belong to now
    (agencies are bound to one or the other)."""
    ids = sorted(unit_ids)
    return AdministrativeUnit.objects.filter(level=UnitLevel.HAMLET).filter(
        Q(former_parent_id__in=ids) | Q(parent_id__in=ids)
    )


def commune_hamlets(agency: Agency) -> QuerySet[AdministrativeUnit]:
    """The hamlets of the commune `agency` governs, by name."""
    if agency.unit_id is None:
        return AdministrativeUnit.objects.none()
    return hamlets_of_units([agency.unit_id]).order_by("code")


def commune_agency_of(hamlet: AdministrativeUnit) -> Agency | None:
    """The active commune People's Committee governing `hamlet` (legacy commune first, then 2025)."""
    for unit_id in (hamlet.former_parent_id, hamlet.parent_id):
        if unit_id is None:
            continue
        agency = (
            Agency.objects.filter(kind=AgencyKind.COMMUNE_PC, is_active=True, unit_id=unit_id)
            .order_by("code")
            .first()
        )
        if agency is not None:
            return agency
    return None


def team_assisted(user: permissions.Actor | None, assisted_id: int) -> AssistedSubmission | None:
    """An assisted submission of a team `user` acts for, or None (whether it exists or not)."""
    assisted = (
        AssistedSubmission.objects.select_related(
            "team", "team__hamlet", "member", "procedure", "dossier", "dossier__agency"
        )
        .filter(pk=assisted_id)
        .first()
    )
    if assisted is None or not permissions.can_act_for_team(user, assisted.team):
        return None
    return assisted
