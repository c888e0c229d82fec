"""Factories for community teams. A team needs a hamlet governed by a commune People's Committee: the
`Place` helper builds one commune (agency + unit) with its hamlets."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date

import factory
from factory.django import DjangoModelFactory

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from catalog.factories import AgencyFactory
from geo.factories import HamletFactory, LegacyCommuneFactory
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, AgencyKind
from mekong.community.models import Activity, ActivityKind, Member, MemberRole, Team
from mekong.geo.models import AdministrativeUnit

_phones = itertools.count(1)


def next_phone() -> str:
    return f"098{next(_phones):07d}"


@dataclass
class Place:
    agency: Agency
    commune: AdministrativeUnit
    hamlets: list[AdministrativeUnit]


def place(*, parent: Agency | None = None, name: str = "Vị Đông", hamlets: int = 3) -> Place:
    commune = LegacyCommuneFactory(kind="Xã", short_name=name, name=f"Xã {name}")
    agency = AgencyFactory(
        kind=AgencyKind.COMMUNE_PC, parent=parent, unit=commune, name=f"Ủy ban nhân dân xã {name}"
    )
    units = [
        HamletFactory(
            former_parent=commune,
            parent=commune,
            kind="Ấp",
            short_name=f"{name} {n}",
            name=f"Ấp {name} {n}",
            code=f"{commune.code}-{n:02d}",
        )
        for n in range(1, hamlets + 1)
    ]
    return Place(agency=agency, commune=commune, hamlets=units)


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.LazyAttribute(lambda team: f"Tổ công nghệ số cộng đồng {team.hamlet.name}")
    hamlet = factory.SubFactory(HamletFactory)
    agency = factory.SubFactory(AgencyFactory)
    established_on = date(2024, 1, 1)


class MemberFactory(DjangoModelFactory[Member]):
    class Meta:
        model = Member

    team = factory.SubFactory(TeamFactory)
    full_name = factory.Sequence(lambda n: f"Thành viên {n}")
    role = MemberRole.MEMBER
    phone = factory.LazyFunction(next_phone)
    skills = "Cài đặt VNeID"
    active_from = date(2024, 1, 1)


class ActivityFactory(DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    client_id = factory.LazyFunction(uuid.uuid4)
    member = factory.SubFactory(MemberFactory)
    team = factory.LazyAttribute(lambda activity: activity.member.team)
    kind = ActivityKind.INSTALL_APP
    household = factory.Sequence(lambda n: f"Hộ ông Nguyễn Văn {n}")
    hamlet = factory.LazyAttribute(lambda activity: activity.team.hamlet)
    date = factory.LazyFunction(date.today)


def member_account(team: Team, *, role: MemberRole = MemberRole.MEMBER, user: User | None = None) -> User:
    """A signed-in member of `team`: an account with the community member role in the team's agency and
    an active member record linked to it."""
    user = user or OfficialFactory()
    RoleAssignmentFactory(user=user, role=Role.COMMUNITY_MEMBER, agency=team.agency)
    MemberFactory(team=team, user=user, role=role, full_name=user.full_name)
    return user


@dataclass
class Towns:
    """district ─┬─ commune A (teams A, A2)
                 └─ commune B (team B)
    with a signed-in member of team A (the leader) and of team B; each team has three more members."""

    province: Agency
    district: Agency
    a: Place
    b: Place
    team_a: Team
    team_a2: Team
    team_b: Team
    member_a: User
    member_b: User


def make_towns() -> Towns:
    province = AgencyFactory(kind=AgencyKind.PROVINCE_PC, name="UBND tỉnh Thử Nghiệm")
    district = AgencyFactory(kind=AgencyKind.DISTRICT_PC, parent=province, name="UBND huyện Thử Nghiệm")
    a = place(parent=district, name="Vị Đông")
    b = place(parent=district, name="Vị Bình")
    team_a = TeamFactory(hamlet=a.hamlets[0], agency=a.agency, code="A-1")
    team_a2 = TeamFactory(hamlet=a.hamlets[1], agency=a.agency, code="A-2")
    team_b = TeamFactory(hamlet=b.hamlets[0], agency=b.agency, code="B-1")
    for team in (team_a, team_a2, team_b):
        MemberFactory.create_batch(3, team=team)
    return Towns(
        province=province,
        district=district,
        a=a,
        b=b,
        team_a=team_a,
        team_a2=team_a2,
        team_b=team_b,
        member_a=member_account(team_a, role=MemberRole.LEADER),
        member_b=member_account(team_b),
    )
