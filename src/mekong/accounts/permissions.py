"""Object-level permission rules: who may read and act on what. The one place every app asks.

Rules (issue 2, item 6):

* Officials hold roles bound to an agency (`RoleAssignment`). An official reads and acts only within the
  agency of the role: receiving officers, specialists and leaders read their agency's records and act there
  with the role they hold.
* A **leader** also reads the records of every agency below theirs (children, grandchildren...), but acts
  only in their own agency.
* A **province admin** (or a Django superuser) administers the configuration of the whole tenant: reads
  everything, manages the catalogue, accounts and role assignments. Administration is not processing:
  acting on dossiers still needs the processing role in that agency.
* An **IOC viewer** sees aggregate figures of their agency and everything below it (at the provincial
  People's Committee: the whole province) but no personal details of dossiers.
* **Community digital technology teams** (`community` app) belong to a commune's People's Committee
  (the team's agency). A **community team member** acts for a team — records its support activities,
  files dossiers for citizens — when the account is linked to an active member of that team *and* holds
  the community member role in the team's agency (`can_act_for_team`); they read their own team's
  records only. Membership does not open the agency's dossiers. The **commune** (its processing
  officials) reads and manages the registry of its teams, a **leader** also reads the teams of the
  agencies below, and the **province** (province admin) reads and manages all (`can_read_team`,
  `can_manage_teams`). Figures about teams follow the IOC rule.
* A **citizen** sees only their own records (`can_read_owned`). Anonymous visitors see nothing.

Everything here only reads. The user's role assignments and the agency tree are loaded once and kept on
the user object, which lives for one request; `forget_cached_grants(user)` drops them after a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mekong.accounts.agency_tree import AgencyTree
from mekong.accounts.models import RoleAssignment, User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency
from mekong.core.errors import PermissionDenied

Actor: TypeAlias = AbstractBaseUser | AnonymousUser
"""Whoever makes the request: `request.user` (session) or the user of an API token."""
AgencyRef: TypeAlias = Agency | int
"""An agency or its primary key (records carry `agency_id`; no need to load the agency)."""

# Roles whose holders work on the agency's records and so read them.
PROCESSING_ROLES: frozenset[Role] = frozenset({Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.LEADER})
# Roles that act in an agency; `can_act` accepts only these.
ACTING_ROLES: frozenset[Role] = PROCESSING_ROLES | {Role.COMMUNITY_MEMBER}
# Roles whose reading extends to the agencies below.
SUPERVISING_ROLES: frozenset[Role] = frozenset({Role.LEADER})

DEFAULT_DENIAL: Promise = _("Bạn không có quyền thực hiện thao tác này.")

_GRANTS_ATTR = "_mekong_grants"
_TREE_ATTR = "_mekong_agency_tree"
_TEAMS_ATTR = "_mekong_member_teams"


@dataclass(frozen=True)
class Grants:
    """What one user holds, loaded in one query."""

    user_id: int | None
    is_superuser: bool
    roles: frozenset[tuple[str, int]]  # (role, agency id)

    @property
    def is_province_admin(self) -> bool:
        return self.is_superuser or any(role == Role.PROVINCE_ADMIN for role, _agency in self.roles)

    def agencies_with(self, roles: frozenset[Role] | set[Role]) -> frozenset[int]:
        return frozenset(agency_id for role, agency_id in self.roles if role in roles)


NO_GRANTS = Grants(user_id=None, is_superuser=False, roles=frozenset())


def _as_user(user: Actor | None) -> User | None:
    """The signed-in, active user, or None for anonymous and deactivated accounts."""
    if isinstance(user, User) and user.is_authenticated and user.is_active:
        return user
    return None


def _agency_id(agency: AgencyRef) -> int:
    return agency if isinstance(agency, int) else agency.pk


def grants_for(user: Actor | None) -> Grants:
    account = _as_user(user)
    if account is None:
        return NO_GRANTS
    cached = account.__dict__.get(_GRANTS_ATTR)
    if isinstance(cached, Grants):
        return cached
    roles = frozenset(
        (role, agency_id)
        for role, agency_id in RoleAssignment.objects.filter(user=account).values_list("role", "agency_id")
    )
    grants = Grants(user_id=account.pk, is_superuser=account.is_superuser, roles=roles)
    account.__dict__[_GRANTS_ATTR] = grants
    return grants


def _tree(user: Actor | None) -> AgencyTree:
    """The whole agency tree (about a hundred rows), loaded once per user object."""
    holder = user.__dict__ if isinstance(user, User) else {}
    cached = holder.get(_TREE_ATTR)
    if isinstance(cached, AgencyTree):
        return cached
    tree = AgencyTree.from_pairs(Agency.objects.values_list("pk", "parent_id"))
    holder[_TREE_ATTR] = tree
    return tree


def forget_cached_grants(user: Actor | None) -> None:
    """Drop what was loaded for `user` (call after changing their roles or the agency tree)."""
    if isinstance(user, User):
        user.__dict__.pop(_GRANTS_ATTR, None)
        user.__dict__.pop(_TREE_ATTR, None)
        user.__dict__.pop(_TEAMS_ATTR, None)


# --- Scopes as id sets (None means "every agency") ----------------------------------------------------


def readable_agency_ids(user: Actor | None) -> frozenset[int] | None:
    """Agencies whose records (dossiers with personal details) `user` may read; None = all of them."""
    grants = grants_for(user)
    if grants.is_province_admin:
        return None
    own = grants.agencies_with(PROCESSING_ROLES)
    supervised = grants.agencies_with(SUPERVISING_ROLES)
    if not supervised:
        return own
    return own | _tree(user).with_descendants(supervised)


def ioc_agency_ids(user: Actor | None) -> frozenset[int] | None:
    """Agencies whose aggregate figures `user` may see; None = all of them. Whoever reads the records
    may also see their figures."""
    grants = grants_for(user)
    if grants.is_province_admin:
        return None
    watched = grants.agencies_with({Role.IOC_VIEWER})
    readable = readable_agency_ids(user) or frozenset()
    if not watched:
        return readable
    return readable | _tree(user).with_descendants(watched)


def actionable_agency_ids(user: Actor | None, role: Role | None = None) -> frozenset[int]:
    roles = ACTING_ROLES if role is None else frozenset({_acting_role(role)})
    return grants_for(user).agencies_with(roles)


def _acting_role(role: Role | str) -> Role:
    parsed = Role(role)
    if parsed not in ACTING_ROLES:
        # A programming error, not a user's: administration and IOC viewing are not "acting".
        raise ValueError(f"{parsed} is not a role that acts on records; use can_manage_* or can_view_ioc")
    return parsed


def _agencies(ids: frozenset[int] | None) -> QuerySet[Agency]:
    if ids is None:
        return Agency.objects.all()
    if not ids:
        return Agency.objects.none()
    return Agency.objects.filter(pk__in=sorted(ids))


# --- Public API -------------------------------------------------------------------------------------------


def agencies_readable_by(user: Actor | None) -> QuerySet[Agency]:
    """Agencies whose records `user` may read: filter records with `agency__in=` this."""
    return _agencies(readable_agency_ids(user))


def agencies_actionable_by(user: Actor | None, role: Role | None = None) -> QuerySet[Agency]:
    """Agencies where `user` may act, with `role` or (None) with any acting role."""
    return _agencies(actionable_agency_ids(user, role))


def agencies_ioc_visible_by(user: Actor | None) -> QuerySet[Agency]:
    """Agencies whose aggregate figures `user` may see on the IOC dashboard."""
    return _agencies(ioc_agency_ids(user))


def can_read_agency(user: Actor | None, agency: AgencyRef) -> bool:
    """May `user` read the records (with personal details) of `agency`?"""
    ids = readable_agency_ids(user)
    return ids is None or _agency_id(agency) in ids


def can_act(user: Actor | None, agency: AgencyRef, role: Role) -> bool:
    """May `user` act in `agency` as `role` (receive, process, approve...)? Only the holder of that role in
    that very agency may; supervising leaders and administrators may not act for someone else's agency."""
    return (str(_acting_role(role)), _agency_id(agency)) in grants_for(user).roles


# --- Community digital technology teams -----------------------------------------------------------------


class TeamRef(Protocol):
    """A team (`community.models.Team`) or anything carrying its id and its agency's id."""

    pk: int
    agency_id: int


def member_team_ids(user: Actor | None) -> frozenset[int]:
    """Teams `user` acts for: active members linked to the account, in active teams of agencies where the
    account holds the community member role. Loaded once per user object."""
    account = _as_user(user)
    if account is None:
        return frozenset()
    cached = account.__dict__.get(_TEAMS_ATTR)
    if isinstance(cached, frozenset):
        return cached
    agencies = grants_for(account).agencies_with({Role.COMMUNITY_MEMBER})
    teams: frozenset[int] = frozenset()
    if agencies:
        # Imported here: the community app builds on accounts, not the other way round.
        from mekong.community.selectors import active_team_ids_of

        teams = active_team_ids_of(account.pk, agencies)
    account.__dict__[_TEAMS_ATTR] = teams
    return teams


def team_agency_ids(user: Actor | None) -> frozenset[int] | None:
    """Agencies whose teams (registry, activities, assisted dossiers) `user` reads as the commune or the
    province; None = all of them. Members' own teams come on top (`member_team_ids`)."""
    return readable_agency_ids(user)


def team_manager_agency_ids(user: Actor | None) -> frozenset[int] | None:
    """Agencies whose team registry `user` may change (import, edit members); None = all of them."""
    grants = grants_for(user)
    if grants.is_province_admin:
        return None
    return grants.agencies_with(PROCESSING_ROLES)


def can_act_for_team(user: Actor | None, team: TeamRef) -> bool:
    """May `user` act for `team` — record its support activities, file a dossier for a citizen?"""
    return team.pk in member_team_ids(user)


def can_read_team(user: Actor | None, team: TeamRef) -> bool:
    """May `user` read `team`'s records: its own members, its commune, its province."""
    if can_act_for_team(user, team):
        return True
    ids = team_agency_ids(user)
    return ids is None or team.agency_id in ids


def can_manage_teams(user: Actor | None, agency: AgencyRef) -> bool:
    """May `user` change the registry (teams, members) of the teams of `agency`?"""
    ids = team_manager_agency_ids(user)
    return ids is None or _agency_id(agency) in ids


def can_view_ioc(user: Actor | None, agency: AgencyRef) -> bool:
    """May `user` see aggregate figures (counts, lateness, satisfaction) of `agency`? Not personal details:
    those need `can_read_agency`."""
    ids = ioc_agency_ids(user)
    return ids is None or _agency_id(agency) in ids


def is_province_admin(user: Actor | None) -> bool:
    return grants_for(user).is_province_admin


def can_manage_catalog(user: Actor | None) -> bool:
    """Edit agencies, procedures and administrative units (tenant configuration)."""
    return is_province_admin(user)


def can_manage_accounts(user: Actor | None) -> bool:
    """Create officials and assign or revoke their roles."""
    return is_province_admin(user)


def can_read_owned(user: Actor | None, owner: User | int | None) -> bool:
    """Is this record `user`'s own (a citizen's dossier, a payment)?"""
    account = _as_user(user)
    if account is None or owner is None:
        return False
    owner_id = owner if isinstance(owner, int) else owner.pk
    return owner_id is not None and owner_id == account.pk


def can_read_record(user: Actor | None, *, owner: User | int | None, agency: AgencyRef | None) -> bool:
    """A record owned by a person and handled by an agency: its owner or a reader of the agency."""
    return can_read_owned(user, owner) or (agency is not None and can_read_agency(user, agency))


def require(allowed: bool, message: str | Promise = DEFAULT_DENIAL) -> None:
    """Refuse with 403 unless `allowed`: `require(can_act(request.user, agency, Role.SPECIALIST))`."""
    if not allowed:
        raise PermissionDenied(message)
