"""Fixtures for the community tests: the real Hậu Giang units, hamlets and agencies (what communes' files
name), and a small two-commune setup with a team in each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.agencies import load_agencies
from mekong.catalog.models import Agency, AgencyKind
from mekong.celery import app as celery_app
from mekong.geo import loaders
from mekong.geo.hamlets import HAMLETS_PATH

from .factories import Towns, make_towns


@pytest.fixture
def hau_giang(db: None) -> None:
    """Cần Thơ's 2025 units, Hậu Giang's legacy units, their successions, the demo hamlets and agencies."""
    loaders.load_units_2025({"Cần Thơ"})
    loaders.load_legacy_units()
    loaders.load_successions()
    loaders.load_hamlets(HAMLETS_PATH)
    load_agencies()


def commune_agency(name: str) -> Agency:
    """The agency of a legacy Hậu Giang commune, by the commune's name ("Xã Vị Đông")."""
    return Agency.objects.get(kind=AgencyKind.COMMUNE_PC, unit__name=name, unit__edition="legacy")


@pytest.fixture
def commune_officer(hau_giang: None) -> User:
    """A specialist of UBND xã Vị Đông: manages that commune's teams."""
    official = OfficialFactory()
    RoleAssignmentFactory(user=official, role=Role.SPECIALIST, agency=commune_agency("Xã Vị Đông"))
    return official


@pytest.fixture
def towns(db: None) -> Towns:
    return make_towns()


@pytest.fixture(autouse=True)
def _tasks_inline() -> Iterator[None]:
    # Notification deliveries run inline when their transaction commits, as without REDIS_URL, whatever
    # the machine: these tests are about what reaches the citizen.
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before
