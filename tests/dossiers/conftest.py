"""Fixtures for the dossier tests."""

from __future__ import annotations

from datetime import date

import pytest

from mekong.dossiers.workdays import WorkingCalendar


@pytest.fixture(autouse=True, scope="session")
def _warm_national_calendar() -> None:
    # Building a year of the `holidays` calendar takes ~0.1 s once; do it up front so hypothesis's
    # per-example deadline measures the arithmetic, not the first look-up of a year.
    calendar = WorkingCalendar()
    for year in range(2019, 2035):
        calendar.is_working_day(date(year, 1, 1))
