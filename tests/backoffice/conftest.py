"""Fixtures for the back office: an official with two roles in a commune, a citizen."""

from __future__ import annotations

import pytest

from accounts.factories import CitizenFactory, OfficialFactory, RoleAssignmentFactory
from catalog.factories import AgencyFactory
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, AgencyKind


@pytest.fixture
def province_pc(db: None) -> Agency:
    return AgencyFactory.create(
        code="000.00.00.H29", name="Ủy ban nhân dân tỉnh Hậu Giang", kind=AgencyKind.PROVINCE_PC
    )


@pytest.fixture
def commune_pc(province_pc: Agency) -> Agency:
    return AgencyFactory.create(
        code="000.01.31.H29",
        name="Ủy ban nhân dân xã Vị Đông",
        kind=AgencyKind.COMMUNE_PC,
        parent=province_pc,
    )


@pytest.fixture
def official(commune_pc: Agency) -> User:
    user = OfficialFactory.create(full_name="Nguyễn Thị Lan")
    RoleAssignmentFactory.create(user=user, agency=commune_pc, role=Role.RECEIVING_OFFICER)
    RoleAssignmentFactory.create(user=user, agency=commune_pc, role=Role.SPECIALIST)
    return user


@pytest.fixture
def citizen(db: None) -> User:
    return CitizenFactory.create(full_name="Trần Văn Minh")
