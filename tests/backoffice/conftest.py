"""Fixtures for the back office: an official with two roles in a commune, a citizen, a one-stop shop with
dossiers, uploaded files kept out of the project's var/ directory, and a fixed clock for the queue."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from accounts.factories import CitizenFactory, OfficialFactory, RoleAssignmentFactory
from catalog.factories import AgencyFactory
from dossiers.factories import OneStopShop, one_stop_shop
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, AgencyKind
from mekong.dossiers import selectors
from mekong.dossiers.workdays import VIETNAM_TZ, WorkingCalendar

# A Wednesday morning in term time: no holiday within two weeks either side.
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=VIETNAM_TZ)


@pytest.fixture(autouse=True, scope="session")
def _warm_national_calendar() -> None:
    # The first look-up of a year builds the `holidays` calendar; keep that out of timed and counted code.
    calendar = WorkingCalendar()
    for year in range(2024, 2029):
        calendar.is_working_day(datetime(year, 1, 1, tzinfo=VIETNAM_TZ))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
    }


@pytest.fixture
def frozen_queue_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The queue is drawn at NOW (actions take `at=` themselves)."""
    monkeypatch.setattr(selectors, "current_time", lambda: NOW)
    return NOW


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


@pytest.fixture
def shop(db: None) -> OneStopShop:
    return one_stop_shop()
