"""Per-step deadlines of a dossier, for display on the officer's dossier page. Pure module, no Django.

A procedure's processing steps (receive 0.5 day → review 2 days → sign 0.5 day) share the procedure's time
limit. The first step counts from the receipt like the appointment itself (`WorkingCalendar.due_at`); each
later step continues from the previous step's deadline, adding its own office time (working days and
hours) or calendar days. With every step in working days this makes the last step end exactly where
counting the summed durations from the receipt would: 0.5 + 2 + 0.5 days received on a Monday ends on
Thursday at the close of office, like a 3-working-day procedure.

Time waiting for the citizen is not taken into account: these are indicative dates, the appointment
(`Dossier.due_at`) is what binds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from mekong.dossiers.workdays import LimitUnit, WorkingCalendar


class StepLike(Protocol):
    """What a step needs to have: `catalog.models.ProcessingStep` fits."""

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def duration_value(self) -> Decimal: ...

    @property
    def duration_unit(self) -> str: ...


@dataclass(frozen=True)
class StepDeadline:
    name: str
    role: str
    duration_value: Decimal
    duration_unit: str
    starts_at: datetime
    due_at: datetime


def _office_time(calendar: WorkingCalendar, value: Decimal, unit: LimitUnit) -> timedelta:
    length = calendar.office_day_length if unit is LimitUnit.WORKING_DAY else timedelta(hours=1)
    microseconds = (Decimal(length // timedelta(microseconds=1)) * value).to_integral_value(ROUND_HALF_UP)
    return timedelta(microseconds=int(microseconds))


def step_deadlines(
    received_at: datetime, steps: Iterable[StepLike], calendar: WorkingCalendar
) -> list[StepDeadline]:
    """Each step's start and deadline, in order, from `received_at` (aware). Empty for no steps."""
    deadlines: list[StepDeadline] = []
    previous: datetime | None = None
    for step in steps:
        value = Decimal(step.duration_value)
        unit = LimitUnit(step.duration_unit)
        if previous is None:
            starts_at = calendar.effective_receipt(received_at)
            due = calendar.due_at(received_at, value, unit)
        elif unit is LimitUnit.DAY:
            starts_at = previous
            due = calendar.due_at(previous, value, unit)
        else:
            starts_at = previous
            due = calendar.add_working_time(previous, _office_time(calendar, value, unit))
        deadlines.append(
            StepDeadline(
                name=step.name,
                role=step.role,
                duration_value=value,
                duration_unit=unit.value,
                starts_at=starts_at,
                due_at=due,
            )
        )
        previous = due
    return deadlines
