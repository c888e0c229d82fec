"""Fixtures for accounts: a small agency tree and officials holding one role each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, AgencyKind

from .factories import AgencyFactory, OfficialFactory, RoleAssignmentFactory


@dataclass(frozen=True)
class Tree:
    """province PC ─┬─ district A ─┬─ commune A1
    │              └─ commune A2
    ├─ district B ─── commune B1
    ├─ service centre
    └─ department"""

    province: Agency
    district_a: Agency
    commune_a1: Agency
    commune_a2: Agency
    district_b: Agency
    commune_b1: Agency
    service_centre: Agency
    department: Agency

    @property
    def all(self) -> list[Agency]:
        return [
            self.province, self.district_a, self.commune_a1, self.commune_a2,
            self.district_b, self.commune_b1, self.service_centre, self.department,
        ]  # fmt: skip


@pytest.fixture
def tree(db: None) -> Tree:
    province = AgencyFactory(kind=AgencyKind.PROVINCE_PC, name="UBND tỉnh Thử Nghiệm")
    district_a = AgencyFactory(kind=AgencyKind.DISTRICT_PC, parent=province, name="UBND huyện A")
    district_b = AgencyFactory(kind=AgencyKind.DISTRICT_PC, parent=province, name="UBND huyện B")
    return Tree(
        province=province,
        district_a=district_a,
        commune_a1=AgencyFactory(kind=AgencyKind.COMMUNE_PC, parent=district_a, name="UBND xã A1"),
        commune_a2=AgencyFactory(kind=AgencyKind.COMMUNE_PC, parent=district_a, name="UBND xã A2"),
        district_b=district_b,
        commune_b1=AgencyFactory(kind=AgencyKind.COMMUNE_PC, parent=district_b, name="UBND xã B1"),
        service_centre=AgencyFactory(kind=AgencyKind.SERVICE_CENTRE, parent=province, name="Trung tâm PVHCC"),
        department=AgencyFactory(kind=AgencyKind.DEPARTMENT, parent=province, name="Sở Tư pháp"),
    )


OfficialMaker = Callable[[Role, Agency], User]


@pytest.fixture
def official_with(db: None) -> OfficialMaker:
    """An official holding exactly one role in one agency."""

    def make(role: Role, agency: Agency) -> User:
        user = OfficialFactory()
        RoleAssignmentFactory(user=user, role=role, agency=agency)
        return user

    return make
