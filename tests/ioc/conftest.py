"""Fixtures for the IOC tests: a one-stop shop with an IOC viewer on its agency."""

from __future__ import annotations

from datetime import datetime

import pytest

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from dossiers.factories import OneStopShop, one_stop_shop
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.dossiers.workdays import VIETNAM_TZ


def vn(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in Vietnam time."""
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TZ)


@pytest.fixture
def shop(db: None) -> OneStopShop:
    # Three working days, as many commune procedures.
    return one_stop_shop(time_limit_value=3)


@pytest.fixture
def viewer(shop: OneStopShop) -> User:
    user = OfficialFactory(username="ioc.thu")
    RoleAssignmentFactory(user=user, role=Role.IOC_VIEWER, agency=shop.agency)
    return user
