"""Demo accounts for a fresh installation: one per role, in agencies found by kind (never by code).

Passwords are generated on first creation and returned once; they are stored nowhere in the repository
(`load_demo` keeps them in var/, outside version control, so `make run` can print them again).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import structlog
from django.db import transaction
from django.utils.translation import gettext as _

from mekong.accounts.actions import create_official, register_citizen, sync_staff_permissions
from mekong.accounts.models import RoleAssignment, User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, AgencyKind

log = structlog.get_logger(__name__)

DEMO_CITIZEN_PERSONAL_ID = "093090001234"  # 093: Hậu Giang; 0: male born in the 1900s; 90: 1990
DEMO_CITIZEN_PHONE = "0939000123"
DEMO_CITIZEN_NAME = "Nguyễn Văn An"
DEMO_CITIZEN_EMAIL = "nguyen.van.an@example.com"  # notifications by email land in var/mail in the demo

# Easy to read aloud and to type: no 0/o, 1/l.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class DemoAccount:
    identifier: str  # what to type in the sign-in box
    full_name: str
    role_label: str
    agency: str  # agency name, or "" for the citizen
    password: str | None  # None: the account already existed and keeps its password


@dataclass(frozen=True)
class _Official:
    username: str
    full_name: str
    role: Role
    agency_slot: str


# Who to create, and in which slot of the tree (slots are resolved by agency kind below).
DEMO_OFFICIALS: tuple[_Official, ...] = (
    _Official("motcua.xa", "Trần Thị Bình", Role.RECEIVING_OFFICER, "commune"),
    _Official("chuyenvien.xa", "Lê Văn Cường", Role.SPECIALIST, "commune"),
    _Official("lanhdao.xa", "Phạm Minh Dũng", Role.LEADER, "commune"),
    _Official("lanhdao.huyen", "Võ Thị Hạnh", Role.LEADER, "district"),
    _Official("motcua.tinh", "Huỳnh Văn Khoa", Role.RECEIVING_OFFICER, "service_centre"),
    _Official("chuyenvien.tinh", "Đặng Thị Lan", Role.SPECIALIST, "service_centre"),
    _Official("ioc.tinh", "Bùi Quốc Minh", Role.IOC_VIEWER, "province"),
    _Official("quantri.tinh", "Ngô Thanh Nam", Role.PROVINCE_ADMIN, "province"),
    _Official("congdong.xa", "Lý Thị Oanh", Role.COMMUNITY_MEMBER, "commune"),
)


def generate_password() -> str:
    """Three groups of four, e.g. ``kq7m-2xhr-pa9d``: strong enough for a demo, passes the validators."""
    while True:
        password = "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
        if any(ch.isalpha() for ch in password):
            return password


def _first(agencies: list[Agency], kind: AgencyKind, *, prefer_root: bool = False) -> Agency | None:
    """The active agency of `kind` with the smallest code (a root first, if asked)."""
    matches = [a for a in agencies if a.kind == kind and a.is_active]
    matches.sort(key=lambda a: (prefer_root and a.parent_id is not None, a.code))
    return matches[0] if matches else None


def resolve_slots(agencies: Iterable[Agency]) -> dict[str, Agency | None]:
    """Pick one agency per slot by kind, falling back up the tree when a kind is missing."""
    pool = list(agencies)
    by_id = {a.pk: a for a in pool}
    province = _first(pool, AgencyKind.PROVINCE_PC, prefer_root=True) or next(
        (a for a in sorted(pool, key=lambda a: a.code) if a.parent_id is None), None
    )
    communes = sorted(
        (a for a in pool if a.kind == AgencyKind.COMMUNE_PC and a.is_active), key=lambda a: a.code
    )
    # A commune whose parent is a district PC shows the leader-reads-children rule in the demo.
    commune = next(
        (c for c in communes if c.parent_id in by_id and by_id[c.parent_id].kind == AgencyKind.DISTRICT_PC),
        communes[0] if communes else None,
    )
    district: Agency | None = None
    if (
        commune is not None
        and commune.parent_id in by_id
        and by_id[commune.parent_id].kind == AgencyKind.DISTRICT_PC
    ):
        district = by_id[commune.parent_id]
    district = district or _first(pool, AgencyKind.DISTRICT_PC)
    service_centre = _first(pool, AgencyKind.SERVICE_CENTRE)

    slots: dict[str, Agency | None] = {
        "province": province,
        "district": district or province,
        "commune": commune or district or province,
        "service_centre": service_centre or province,
    }
    for slot, wanted in (
        ("district", district),
        ("commune", commune),
        ("service_centre", service_centre),
    ):
        if wanted is None and slots[slot] is not None:
            log.warning("demo_agency_fallback", slot=slot, used=slots[slot].code)  # type: ignore[union-attr]
    return slots


@transaction.atomic
def create_demo_accounts(agencies: Iterable[Agency] | None = None) -> list[DemoAccount]:
    """Create (once) a citizen and one official per role. Safe to run again: existing accounts are left
    as they are and reported with password None. Without any agency only the citizen is created."""
    pool = list(agencies) if agencies is not None else list(Agency.objects.all())
    slots = resolve_slots(pool)
    accounts: list[DemoAccount] = []

    citizen = User.objects.filter(personal_id=DEMO_CITIZEN_PERSONAL_ID).first()
    citizen_password: str | None = None
    if citizen is None:
        citizen_password = generate_password()
        citizen = register_citizen(
            DEMO_CITIZEN_PERSONAL_ID, DEMO_CITIZEN_PHONE, DEMO_CITIZEN_NAME, citizen_password
        )
    if not citizen.email:
        citizen.email = DEMO_CITIZEN_EMAIL
        citizen.save(update_fields=["email"])
    accounts.append(
        DemoAccount(
            identifier=DEMO_CITIZEN_PERSONAL_ID,
            full_name=citizen.full_name,
            role_label=_("Công dân"),
            agency="",
            password=citizen_password,
        )
    )

    if not any(slots.values()):
        log.warning("demo_officials_skipped", reason="no agencies loaded")
        return accounts

    for official in DEMO_OFFICIALS:
        agency = slots[official.agency_slot]
        if agency is None:
            continue
        user = User.objects.filter(username__iexact=official.username).first()
        password: str | None = None
        if user is None:
            password = generate_password()
            user = create_official(official.username, official.full_name, password, [(official.role, agency)])
        else:
            # Permissions added by a newer version (the payments admin, say) reach existing accounts too.
            sync_staff_permissions(user)
            # Report where the existing account actually holds the role (the tree may have changed).
            held = (
                RoleAssignment.objects.filter(user=user, role=official.role).select_related("agency").first()
            )
            agency = held.agency if held is not None else agency
        accounts.append(
            DemoAccount(
                identifier=user.username,
                full_name=user.full_name,
                role_label=str(official.role.label),
                agency=agency.name,
                password=password,
            )
        )
    return accounts
