"""Per-step deadlines (pure arithmetic over the working calendar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from mekong.backoffice.steps import step_deadlines
from mekong.dossiers.workdays import VIETNAM_TZ, WorkingCalendar

CALENDAR = WorkingCalendar()
MONDAY_9AM = datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM_TZ)


@dataclass(frozen=True)
class Step:
    name: str
    role: str
    duration_value: Decimal
    duration_unit: str = "working_day"


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VIETNAM_TZ)


def test_receive_review_sign_ends_with_the_procedure_deadline() -> None:
    steps = [
        Step("Tiếp nhận", "receiving_officer", Decimal("0.5")),
        Step("Thẩm định", "specialist", Decimal("2")),
        Step("Ký duyệt", "leader", Decimal("0.5")),
    ]

    deadlines = step_deadlines(MONDAY_9AM, steps, CALENDAR)

    assert [(d.name, d.starts_at, d.due_at) for d in deadlines] == [
        ("Tiếp nhận", at(9, 9), at(10, 11)),  # half a day counted from the end of Monday
        ("Thẩm định", at(10, 11), at(12, 11)),
        ("Ký duyệt", at(12, 11), at(12, 17)),
    ]
    assert deadlines[-1].due_at == CALENDAR.due_at(MONDAY_9AM, 3, "working_day")


def test_steps_skip_weekends_and_holidays() -> None:
    # Received Wednesday 29/4/2026: 30/4 and 1/5 are holidays, then the weekend.
    received = at(29, 9, month=4)
    deadlines = step_deadlines(
        received, [Step("A", "specialist", Decimal("1")), Step("B", "leader", Decimal("1"))], CALENDAR
    )

    assert [d.due_at for d in deadlines] == [at(4, 17, month=5), at(5, 17, month=5)]


def test_a_province_day_off_moves_the_steps() -> None:
    calendar = WorkingCalendar(extra_days_off=[date(2026, 3, 10)])
    deadlines = step_deadlines(MONDAY_9AM, [Step("A", "specialist", Decimal("1"))], calendar)
    assert deadlines[0].due_at == at(11, 17)


def test_hours_and_calendar_days_mix() -> None:
    steps = [
        Step("Kiểm tra", "receiving_officer", Decimal("4"), "hour"),
        Step("Niêm yết", "specialist", Decimal("7"), "day"),
        Step("Ký", "leader", Decimal("2"), "hour"),
    ]

    deadlines = step_deadlines(MONDAY_9AM, steps, CALENDAR)

    # 9:00–11:30 and 13:30–15:00 make four office hours.
    assert deadlines[0].due_at == at(9, 15)
    # Seven calendar days from Monday: Monday 16/3 at the close of office.
    assert deadlines[1].due_at == at(16, 17)
    # Two office hours from the close of Monday: Tuesday 9:00.
    assert deadlines[2].due_at == at(17, 9)


def test_received_after_hours_starts_next_morning() -> None:
    friday_evening = at(13, 19)
    deadlines = step_deadlines(friday_evening, [Step("A", "specialist", Decimal("2"), "hour")], CALENDAR)
    assert deadlines[0].starts_at == at(16, 7)
    assert deadlines[0].due_at == at(16, 9)


def test_no_steps_no_deadlines() -> None:
    assert step_deadlines(MONDAY_9AM, [], CALENDAR) == []


quarter_days = st.integers(min_value=0, max_value=40).map(lambda n: Decimal(n) / 4)
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(VIETNAM_TZ)
).map(lambda moment: moment.replace(second=0, microsecond=0))


@settings(max_examples=150, deadline=None)
@given(received=moments, durations=st.lists(quarter_days, min_size=1, max_size=6))
def test_working_day_steps_end_where_their_total_ends(received: datetime, durations: list[Decimal]) -> None:
    steps = [Step(f"B{index}", "specialist", value) for index, value in enumerate(durations)]

    deadlines = step_deadlines(received, steps, CALENDAR)

    assert deadlines[-1].due_at == CALENDAR.due_at(received, sum(durations), "working_day")
    for previous, following in pairwise(deadlines):
        assert following.starts_at == previous.due_at
        assert following.due_at >= previous.due_at
    for deadline, value in zip(deadlines, durations, strict=True):
        # Each step gets exactly its own share of office time.
        if deadline is not deadlines[0]:
            assert CALENDAR.working_time_between(deadline.starts_at, deadline.due_at) == timedelta(
                hours=8
            ) * float(value)
