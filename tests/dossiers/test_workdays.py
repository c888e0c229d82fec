"""Working-day calendar: worked examples on real Vietnamese holidays (each premise checked against the
`holidays` package first) and hypothesis properties of the deadline arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mekong.dossiers.workdays import (
    VIETNAM_TZ,
    LimitUnit,
    WorkingCalendar,
    merge_pauses,
    national_holiday_name,
)

CALENDAR = WorkingCalendar()
CLOSE = time(17, 0)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TZ)


def national(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year)


# Worked examples -----------------------------------------------------------------------------------


def test_tet_2025() -> None:
    # The package: 27/1 (Mon) to 31/1 (Fri) and Sat 1/2 are Tết; with the weekends the break runs
    # Sat 25/1 – Sun 2/2/2025.
    vn = national(2025)
    assert all(date(2025, 1, day) in vn for day in range(27, 32))
    assert vn.is_working_day(date(2025, 1, 24))
    assert vn.is_working_day(date(2025, 2, 3))
    # Received Thu 23/1 10:00, 3 working days: day 1 = Fri 24/1, then the break,
    # day 2 = Mon 3/2, day 3 = Tue 4/2 → appointment Tue 4/2/2025 17:00.
    assert CALENDAR.add_working_days(at(2025, 1, 23, 10), 3) == at(2025, 2, 4, 17)
    # Working days strictly after Fri 24/1 up to Tue 4/2: Mon 3/2 and Tue 4/2.
    assert CALENDAR.working_days_between(date(2025, 1, 24), date(2025, 2, 4)) == 2
    assert national_holiday_name(date(2025, 1, 29)) == "Tết Nguyên Đán"


def test_tet_2026() -> None:
    # The package: Mon 16/2 (Giao thừa) to Fri 20/2/2026 off → break Sat 14/2 – Sun 22/2.
    vn = national(2026)
    assert all(date(2026, 2, day) in vn for day in range(16, 21))
    assert vn.is_working_day(date(2026, 2, 13))
    assert vn.is_working_day(date(2026, 2, 23))
    # Received Fri 13/2 16:00, 1 working day: counting starts the next working day, Mon 23/2.
    assert CALENDAR.add_working_days(at(2026, 2, 13, 16), 1) == at(2026, 2, 23, 17)
    # Received on Sat 14/2 (day off): counts as received Mon 23/2 07:00, so day 0 is 23/2,
    # day 1 = Tue 24/2, day 2 = Wed 25/2.
    assert CALENDAR.effective_receipt(at(2026, 2, 14, 9)) == at(2026, 2, 23, 7)
    assert CALENDAR.add_working_days(at(2026, 2, 14, 9), 2) == at(2026, 2, 25, 17)


def test_30_april_2025_with_saturday_worked_in_exchange() -> None:
    # The package: Sat 26/4/2025 is worked ("làm bù") in exchange for Fri 2/5 off; 30/4 and 1/5 are
    # holidays, so the break is Wed 30/4 – Sun 4/5.
    vn = national(2025)
    assert date(2025, 4, 26) in vn.weekend_workdays
    assert date(2025, 5, 2) in vn
    assert {date(2025, 4, 30), date(2025, 5, 1)} <= set(vn)
    assert CALENDAR.is_working_day(date(2025, 4, 26))
    assert not CALENDAR.is_working_day(date(2025, 5, 2))
    received = at(2025, 4, 25, 9)  # Fri
    expected = {
        0: at(2025, 4, 25, 17),  # same day
        1: at(2025, 4, 26, 17),  # Sat 26/4 is a working day
        2: at(2025, 4, 28, 17),  # Mon
        3: at(2025, 4, 29, 17),  # Tue
        4: at(2025, 5, 5, 17),  # 30/4, 1/5, 2/5 off, 3–4/5 weekend → Mon 5/5
    }
    for n, due in expected.items():
        assert CALENDAR.add_working_days(received, n) == due


def test_calendar_days_ending_on_a_holiday_move_to_the_next_working_day() -> None:
    # Received Mon 28/4/2025 10:00, 3 calendar days: the last day is Thu 1/5 (holiday); 2/5 off,
    # 3–4/5 weekend → the period ends at the end of Mon 5/5 (Civil Code art. 148).
    assert CALENDAR.due_at(at(2025, 4, 28, 10), 3, "day") == at(2025, 5, 5, 17)
    # 1 calendar day from Mon 28/4 is Tue 29/4, a working day.
    assert CALENDAR.due_at(at(2025, 4, 28, 10), 1, "day") == at(2025, 4, 29, 17)


def test_working_hours_across_the_holiday() -> None:
    # Received Tue 29/4/2025 15:00, 4 working hours: 15:00–17:00 is 2 h, 30/4–4/5 are off,
    # the remaining 2 h run from Mon 5/5 07:00 → 09:00.
    assert CALENDAR.due_at(at(2025, 4, 29, 15), 4, "hour") == at(2025, 5, 5, 9)
    # Received during the lunch break 12:00: hours count from 13:30; 3.5 h → 17:00 the same day.
    assert CALENDAR.due_at(at(2025, 4, 29, 12), 3.5, "hour") == at(2025, 4, 29, 17)
    # 4.5 h from 07:00 ends exactly when the morning closes: 11:30, not 13:30.
    assert CALENDAR.add_working_hours(at(2025, 4, 29, 7), Decimal("4.5")) == at(2025, 4, 29, 11, 30)


def test_national_day_2025_and_2026() -> None:
    # 2025: the package has Mon 1/9 and Tue 2/9 off. Received Fri 29/8 14:00, 1 working day → Wed 3/9.
    vn25 = national(2025)
    assert {date(2025, 9, 1), date(2025, 9, 2)} <= set(vn25)
    assert CALENDAR.add_working_days(at(2025, 8, 29, 14), 1) == at(2025, 9, 3, 17)
    # 2026: Mon 31/8 off in exchange for Sat 22/8 worked, then Tue 1/9 and Wed 2/9.
    vn26 = national(2026)
    assert date(2026, 8, 22) in vn26.weekend_workdays
    assert {date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)} <= set(vn26)
    # Received Fri 21/8/2026 10:00, 1 working day → Sat 22/8 17:00; 2 days → Mon 24/8.
    assert CALENDAR.add_working_days(at(2026, 8, 21, 10), 1) == at(2026, 8, 22, 17)
    assert CALENDAR.add_working_days(at(2026, 8, 21, 10), 2) == at(2026, 8, 24, 17)
    # Received Fri 28/8/2026 10:00, 1 working day: 29/8–2/9 off → Thu 3/9.
    assert CALENDAR.add_working_days(at(2026, 8, 28, 10), 1) == at(2026, 9, 3, 17)


def test_received_after_hours_counts_from_the_next_working_day() -> None:
    # Mon 3/3/2025 is an ordinary working day. At 17:00 exactly the office is still open: day 0 is Monday.
    assert CALENDAR.add_working_days(at(2025, 3, 3, 17), 1) == at(2025, 3, 4, 17)
    # At 17:01 the dossier counts as received Tue 07:00; day 1 is Wednesday.
    assert CALENDAR.effective_receipt(at(2025, 3, 3, 17, 1)) == at(2025, 3, 4, 7)
    assert CALENDAR.add_working_days(at(2025, 3, 3, 17, 1), 1) == at(2025, 3, 5, 17)
    # Before opening it is the same day: 06:00 Monday, 0 days → Monday 17:00.
    assert CALENDAR.add_working_days(at(2025, 3, 3, 6), 0) == at(2025, 3, 3, 17)
    # Half a working day received on Monday is Tuesday 11:00 (07:00 + 4 h of the 8-hour day).
    assert CALENDAR.due_at(at(2025, 3, 3, 9), Decimal("0.5"), "working_day") == at(2025, 3, 4, 11)


def test_province_days_off_and_working_days() -> None:
    # Hypothetical provincial calendar: Mon 10/3/2025 off (a storm), Sat 8/3/2025 worked.
    province = WorkingCalendar(extra_days_off={date(2025, 3, 10)}, extra_working_days={date(2025, 3, 8)})
    received = at(2025, 3, 7, 9)  # Fri
    # Nationally: 1 day → Mon 10/3. In the province: Sat 8/3 is worked, so 1 day → Sat 8/3;
    # 2 days skip Sun 9/3 and Mon 10/3 → Tue 11/3.
    assert CALENDAR.add_working_days(received, 1) == at(2025, 3, 10, 17)
    assert province.add_working_days(received, 1) == at(2025, 3, 8, 17)
    assert province.add_working_days(received, 2) == at(2025, 3, 11, 17)


def test_pauses_for_the_citizen_do_not_count() -> None:
    # Received Mon 3/3/2025 09:00, 3 working days → Thu 6/3 17:00. Waiting for a supplement from
    # Tue 07:00 to Wed 17:00 takes two whole working days → Mon 10/3 17:00.
    received = at(2025, 3, 3, 9)
    assert CALENDAR.due_at(received, 3, "working_day") == at(2025, 3, 6, 17)
    pause = (at(2025, 3, 4, 7), at(2025, 3, 5, 17))
    assert CALENDAR.due_after_pauses(received, 3, "working_day", [pause]) == at(2025, 3, 10, 17)
    # A pause Tue 08:00–12:00 holds 3 h 30 of office time (08:00–11:30; the lunch break does not count),
    # so the deadline moves 3 h 30 past Thu 17:00: Fri 7/3 07:00 + 3 h 30 = 10:30.
    short = (at(2025, 3, 4, 8), at(2025, 3, 4, 12))
    assert CALENDAR.due_after_pauses(received, 3, "working_day", [short]) == at(2025, 3, 7, 10, 30)
    # The same pause twice, or overlapping pieces of it, count once.
    pieces = [short, (at(2025, 3, 4, 9), at(2025, 3, 4, 10)), short]
    assert CALENDAR.due_after_pauses(received, 3, "working_day", pieces) == at(2025, 3, 7, 10, 30)
    # A pause on day 0 (before counting starts) or after the deadline changes nothing.
    same_day = (at(2025, 3, 3, 10), at(2025, 3, 3, 16))
    later = (at(2025, 3, 7, 7), at(2025, 3, 7, 17))
    assert CALENDAR.due_after_pauses(received, 3, "working_day", [same_day, later]) == at(2025, 3, 6, 17)


def test_custom_office_hours() -> None:
    calendar = WorkingCalendar(office_hours=[(time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))])
    assert calendar.office_day_length == timedelta(hours=8)
    assert calendar.effective_receipt(at(2025, 3, 3, 7)) == at(2025, 3, 3, 7, 30)
    assert calendar.effective_receipt(at(2025, 3, 3, 12)) == at(2025, 3, 3, 13)
    assert calendar.add_working_hours(at(2025, 3, 3, 7, 30), 5) == at(2025, 3, 3, 14)


def test_working_time_counts_only_office_time() -> None:
    # Mon 3/3/2025 06:00 → Tue 4/3 12:00: Monday's 8 h plus Tuesday morning's 4 h 30.
    assert CALENDAR.working_time_between(at(2025, 3, 3, 6), at(2025, 3, 4, 12)) == timedelta(hours=12.5)
    assert CALENDAR.working_time_between(at(2025, 3, 4, 12), at(2025, 3, 3, 6)) == -timedelta(hours=12.5)
    # Friday evening to Monday morning before opening: nothing.
    assert CALENDAR.working_time_between(at(2025, 3, 7, 17), at(2025, 3, 10, 7)) == timedelta(0)


# Refusals ------------------------------------------------------------------------------------------


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.add_working_days(datetime(2025, 3, 3, 9), 1)
    with pytest.raises(ValueError, match="≥ 0"):
        CALENDAR.add_working_days(at(2025, 3, 3, 9), -1)
    with pytest.raises(TypeError):
        CALENDAR.add_working_days(at(2025, 3, 3, 9), 1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="week"):
        CALENDAR.due_at(at(2025, 3, 3, 9), 1, "week")
    with pytest.raises(ValueError, match="whole number"):
        CALENDAR.due_at(at(2025, 3, 3, 9), Decimal("1.5"), "day")
    with pytest.raises(ValueError, match="end before"):
        CALENDAR.due_after_pauses(at(2025, 3, 3, 9), 1, "day", [(at(2025, 3, 4), at(2025, 3, 3))])


def test_bad_calendars_are_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar(extra_days_off={date(2025, 3, 8)}, extra_working_days={date(2025, 3, 8)})
    with pytest.raises(ValueError, match="at least one"):
        WorkingCalendar(office_hours=[])
    with pytest.raises(ValueError, match="open before"):
        WorkingCalendar(office_hours=[(time(11), time(7))])
    with pytest.raises(ValueError, match="overlap"):
        WorkingCalendar(office_hours=[(time(7), time(12)), (time(11), time(17))])
    with pytest.raises(TypeError):
        WorkingCalendar(extra_days_off={at(2025, 3, 8)})


def test_calendar_is_immutable_and_hashable() -> None:
    calendar = WorkingCalendar(extra_days_off=[date(2025, 3, 10)])
    with pytest.raises(AttributeError):
        calendar.extra_days_off = frozenset()  # type: ignore[misc]
    assert calendar == WorkingCalendar(extra_days_off={date(2025, 3, 10)})
    assert hash(calendar) == hash(WorkingCalendar(extra_days_off=(date(2025, 3, 10),)))


# Properties ----------------------------------------------------------------------------------------

FIRST_DAY, LAST_DAY = date(2020, 1, 1), date(2031, 12, 31)
days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
# Office-hours boundaries are where off-by-one mistakes live, so they are drawn often.
boundary_times = st.sampled_from(
    [time(0), time(7), time(11, 30), time(12), time(13, 30), time(17), time(17, 0, 1)]
)
moments = st.one_of(
    st.datetimes(
        min_value=datetime(2020, 1, 1),  # hypothesis wants naive bounds
        max_value=datetime(2031, 12, 31),
        timezones=st.just(VIETNAM_TZ),
    ),
    st.builds(lambda d, t: datetime.combine(d, t, VIETNAM_TZ), days, boundary_times),
)
counts = st.integers(min_value=0, max_value=60)
units = st.sampled_from(list(LimitUnit))


@st.composite
def limits(draw: st.DrawFn) -> tuple[Decimal, LimitUnit]:
    unit = draw(units)
    if unit is LimitUnit.DAY:
        return Decimal(draw(st.integers(0, 60))), unit
    quarters = draw(st.integers(0, 240))
    return Decimal(quarters) / 4, unit


@given(moments, counts, counts)
def test_adding_n_then_m_days_is_adding_n_plus_m(start: datetime, n: int, m: int) -> None:
    assert CALENDAR.add_working_days(CALENDAR.add_working_days(start, n), m) == CALENDAR.add_working_days(
        start, n + m
    )


@given(moments, counts)
def test_appointment_is_the_end_of_a_working_day(start: datetime, n: int) -> None:
    due = CALENDAR.add_working_days(start, n)
    assert due.tzinfo == VIETNAM_TZ
    assert CALENDAR.is_working_day(due.date())
    assert due.timetz().replace(tzinfo=None) == CLOSE
    assert due >= start


@given(moments, counts, counts)
def test_more_days_never_give_an_earlier_appointment(start: datetime, n: int, m: int) -> None:
    low, high = sorted((n, m))
    assert CALENDAR.add_working_days(start, low) <= CALENDAR.add_working_days(start, high)
    if low < high:
        assert CALENDAR.add_working_days(start, low) < CALENDAR.add_working_days(start, high)


@given(moments, moments, counts)
def test_later_receipt_never_gives_an_earlier_appointment(a: datetime, b: datetime, n: int) -> None:
    first, second = sorted((a, b))
    assert CALENDAR.add_working_days(first, n) <= CALENDAR.add_working_days(second, n)


@given(moments, counts)
def test_working_days_between_start_and_appointment(start: datetime, n: int) -> None:
    # n when the dossier is received on its own day (a working day, by closing time), one more when
    # it is received after hours or on a day off and so counts from the next working day.
    received_same_day = CALENDAR.is_working_day(start.date()) and start.time() <= CLOSE
    expected = n if received_same_day else n + 1
    assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, n)) == expected


@given(days, days, days)
def test_working_days_between_adds_up(a: date, b: date, c: date) -> None:
    assert CALENDAR.working_days_between(a, b) + CALENDAR.working_days_between(b, c) == (
        CALENDAR.working_days_between(a, c)
    )
    assert CALENDAR.working_days_between(a, b) == -CALENDAR.working_days_between(b, a)


@cache
def national_two_years(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=range(year, year + 2))


@settings(deadline=None)  # the first look-up of a year builds that year's package calendar
@given(days)
def test_next_working_day_agrees_with_the_package(day: date) -> None:
    vn = national_two_years(day.year)
    assert CALENDAR.next_working_day(day) == vn.get_nth_working_day(day, 1)
    assert CALENDAR.is_working_day(day) == vn.is_working_day(day)


@given(moments, st.integers(0, 200))
def test_working_hours_are_office_time(start: datetime, quarter_hours: int) -> None:
    hours = Decimal(quarter_hours) / 4
    due = CALENDAR.add_working_hours(start, hours)
    assert CALENDAR.is_office_time(due)
    assert CALENDAR.working_time_between(start, due) == timedelta(hours=float(hours))
    if hours > 0:
        # Earliest: a minute earlier, less than the whole amount has passed.
        assert CALENDAR.working_time_between(start, due - timedelta(minutes=1)) < timedelta(
            hours=float(hours)
        )


@given(moments, limits())
def test_fractional_working_days_lie_between_whole_days(
    start: datetime, limit: tuple[Decimal, LimitUnit]
) -> None:
    value, _ = limit
    due = CALENDAR.due_at(start, value, "working_day")
    whole = int(value)
    assert CALENDAR.add_working_days(start, whole) <= due <= CALENDAR.add_working_days(start, whole + 1)


@given(moments, limits())
def test_other_timezones_give_the_same_deadline(start: datetime, limit: tuple[Decimal, LimitUnit]) -> None:
    value, unit = limit
    assert CALENDAR.due_at(start.astimezone(UTC), value, unit) == CALENDAR.due_at(start, value, unit)


@given(moments, st.integers(0, 60))
def test_calendar_days_end_on_the_first_working_day_from_the_last_day(start: datetime, n: int) -> None:
    due = CALENDAR.due_at(start, n, "day")
    last_day = CALENDAR.effective_receipt(start).date() + timedelta(days=n)
    assert due.time() == CLOSE
    assert due.date() >= last_day
    assert CALENDAR.is_working_day(due.date())
    assert CALENDAR.working_days_between(last_day - timedelta(days=1), due.date() - timedelta(days=1)) == 0


@given(moments, limits(), st.dates(min_value=FIRST_DAY, max_value=date(2032, 6, 30)))
def test_an_extra_day_off_never_gives_an_earlier_deadline(
    start: datetime, limit: tuple[Decimal, LimitUnit], day_off: date
) -> None:
    value, unit = limit
    province = WorkingCalendar(extra_days_off={day_off})
    assert province.due_at(start, value, unit) >= CALENDAR.due_at(start, value, unit)


@given(moments, limits(), st.dates(min_value=FIRST_DAY, max_value=date(2032, 6, 30)))
def test_an_extra_working_day_never_gives_a_later_deadline(
    start: datetime, limit: tuple[Decimal, LimitUnit], working_day: date
) -> None:
    value, unit = limit
    province = WorkingCalendar(extra_working_days={working_day})
    assert province.due_at(start, value, unit) <= CALENDAR.due_at(start, value, unit)


@given(moments, st.integers(1, 60), st.integers(0, 59))
def test_an_extra_day_off_inside_the_period_moves_it_one_working_day(
    start: datetime, n: int, raw: int
) -> None:
    base = CALENDAR.add_working_days(start, n)
    # Working day i (1 ≤ i ≤ n) of the period becomes a provincial day off.
    day_off = CALENDAR.add_working_days(start, 1 + raw % n).date()
    province = WorkingCalendar(extra_days_off={day_off})
    moved = province.add_working_days(start, n)
    assert moved == province.office_day_end(province.next_working_day(base.date()))
    assert province.working_days_between(base, moved) == 1


pause_lengths = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20))


@given(moments, limits(), st.lists(st.tuples(moments, pause_lengths), max_size=4))
def test_pauses_never_give_an_earlier_deadline(
    start: datetime, limit: tuple[Decimal, LimitUnit], raw_pauses: list[tuple[datetime, timedelta]]
) -> None:
    value, unit = limit
    pauses = [(pause_start, pause_start + length) for pause_start, length in raw_pauses]
    base = CALENDAR.due_at(start, value, unit)
    with_pauses = CALENDAR.due_after_pauses(start, value, unit, pauses)
    assert with_pauses >= base
    # More pauses, never earlier.
    assert CALENDAR.due_after_pauses(start, value, unit, pauses[:-1]) <= with_pauses
    # The extension is at most the office time spent in the pauses.
    paused = sum((CALENDAR.working_time_between(s, e) for s, e in merge_pauses(pauses)), timedelta(0))
    assert CALENDAR.working_time_between(base, with_pauses) <= paused


@given(moments, limits())
def test_no_pauses_or_pauses_outside_office_time_change_nothing(
    start: datetime, limit: tuple[Decimal, LimitUnit]
) -> None:
    value, unit = limit
    base = CALENDAR.due_at(start, value, unit)
    assert CALENDAR.due_after_pauses(start, value, unit, []) == base
    evenings = [
        (at(d.year, d.month, d.day, 17), at(d.year, d.month, d.day, 23))
        for d in (start + timedelta(days=i) for i in range(30))
    ]
    assert CALENDAR.due_after_pauses(start, value, unit, evenings) == base


@given(moments, st.integers(1, 40), st.integers(0, 39), st.integers(1, 10))
def test_a_pause_of_whole_working_days_adds_that_many_days(start: datetime, n: int, raw: int, k: int) -> None:
    first = raw % n
    # Pause from the end of working day `first` to the end of working day `first + k` (after day 0).
    pause = (CALENDAR.add_working_days(start, first), CALENDAR.add_working_days(start, first + k))
    assert CALENDAR.due_after_pauses(start, n, "working_day", [pause]) == CALENDAR.add_working_days(
        start, n + k
    )
