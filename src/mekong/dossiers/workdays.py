"""Vietnamese working-day calendar for dossier deadlines. Pure module, no Django.

Days
----
Which days are working days comes from the ``holidays`` package (country ``VN``): Saturdays and Sundays
off, the public holidays of the Labour Code (Tết Dương lịch, Tết Nguyên Đán, Giỗ Tổ Hùng Vương, 30/4, 1/5,
Quốc khánh, and from 2026 Ngày Văn hóa Việt Nam), the days off the government moves to make long breaks
("nghỉ bù"/"ngày nghỉ thay cho ngày ...") and the Saturdays worked in exchange ("làm bù", the package's
``weekend_workdays``). A province edits two sets on top of that: ``extra_days_off`` (a provincial holiday, a
storm) and ``extra_working_days`` (a swapped Saturday the package does not know yet); they override the
national calendar and a date cannot be in both.

Office hours
------------
Every working day has the same office sessions, by default 07:00–11:30 and 13:30–17:00 Asia/Ho_Chi_Minh.
Sessions are closed intervals: 17:00:00 exactly is still office time of that day. "Working time" is the
time inside the sessions of working days; a working day therefore lasts 8 working hours by default.

Deadline rules (``due_at``; Nghị định 61/2018/NĐ-CP practice, Bộ luật Dân sự 2015 Điều 147–148)
---------------------------------------------------------------------------------------------------
1. Effective receipt: a dossier received during office time is received at that instant. One received
   before the sessions of a working day, during the lunch break, after the last session or on a day off
   counts as received at the next instant of office time — the start of the next session, which is the
   start of the next working day when received after hours or on a day off. The day of the effective
   receipt is day 0 (D0).
2. ``working_day`` (ngày làm việc): counting starts the next working day; the appointment is the END of
   office hours of the n-th working day after D0. 0 days = end of office hours of D0. A fractional value
   (a processing step of 0.5 days) counts that fraction of the next office day's working time, so 0.5
   days received on Monday is Tuesday 11:00 with the default hours — always between the whole-day values.
3. ``day`` (ngày, calendar days): the last day is D0 + n calendar days; if it is not a working day the
   period ends at the end of office hours of the next working day (Civil Code art. 148). n must be whole.
4. ``hour`` (giờ làm việc): n working hours counted from the effective receipt instant (not from the next
   day); the result is the earliest instant at which that much office time has passed, so a period that
   ends exactly when a session closes ends at the close (11:30), not at the next opening.
5. Pauses (``due_after_pauses``): time waiting for the citizen does not count. The clock starts when the
   counting starts (end of D0 for day units, the effective receipt for hours); the deadline is the
   earliest office instant at which the working time outside the pauses equals the working time the
   dossier had without pauses. Overlapping pauses count once; pauses before the counting starts or after
   the deadline change nothing. A deadline can be later with pauses, never earlier.

All datetimes must be timezone-aware; results are in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

import holidays

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)

ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)

Pause = tuple[datetime, datetime]


class LimitUnit(StrEnum):
    """Units of a procedure's time limit; same values as ``catalog.models.TimeUnit``."""

    WORKING_DAY = "working_day"
    DAY = "day"
    HOUR = "hour"


@cache
def _national_calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")


@cache
def _national_days_off(year: int) -> frozenset[date]:
    """Every date of ``year`` the package says is not a working day (weekends not worked, holidays, days
    off moved by the government); built once per year with the package's own ``is_working_day``."""
    calendar = _national_calendar(year)
    day = date(year, 1, 1)
    days_off = set()
    while day.year == year:
        if not calendar.is_working_day(day):
            days_off.add(day)
        day += ONE_DAY
    return frozenset(days_off)


def national_holiday_name(day: date) -> str | None:
    """Vietnamese name of the national holiday or substituted day off on ``day``, if any."""
    name = _national_calendar(day.year).get(day)
    return str(name) if name is not None else None


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware: {moment!r}")
    return moment.astimezone(VIETNAM_TZ)


def _local_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return _require_aware(value).date()
    return value


def _as_decimal(value: int | float | Decimal) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a time limit is a number, not a bool")
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"a time limit must be a finite number ≥ 0: {value!r}")
    return amount


def _scale(unit: timedelta, amount: Decimal) -> timedelta:
    microseconds = (Decimal(unit // timedelta(microseconds=1)) * amount).to_integral_value(ROUND_HALF_UP)
    return timedelta(microseconds=int(microseconds))


def merge_pauses(pauses: Iterable[Pause]) -> list[Pause]:
    """Sorted, non-overlapping pauses in local time; empty pauses are dropped, end < start is an error."""
    cleaned: list[Pause] = []
    for start, end in pauses:
        start, end = _require_aware(start), _require_aware(end)
        if end < start:
            raise ValueError(f"a pause cannot end before it starts: {start} > {end}")
        if end > start:
            cleaned.append((start, end))
    cleaned.sort()
    merged: list[Pause] = []
    for start, end in cleaned:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _outside_pauses(start: datetime, end: datetime, pauses: Sequence[Pause]) -> Iterator[Pause]:
    """The parts of [start, end] not covered by ``pauses`` (sorted, merged)."""
    cursor = start
    for pause_start, pause_end in pauses:
        if pause_end <= cursor:
            continue
        if pause_start >= end:
            break
        if pause_start > cursor:
            yield cursor, pause_start
        cursor = max(cursor, pause_end)
        if cursor >= end:
            return
    if cursor < end:
        yield cursor, end


@dataclass(frozen=True, init=False)
class WorkingCalendar:
    """The national working-day calendar plus a province's own days off and working days, and its office
    hours. Immutable and hashable; build a new one when the province edits its calendar."""

    extra_days_off: frozenset[date]
    extra_working_days: frozenset[date]
    office_hours: tuple[tuple[time, time], ...]

    def __init__(
        self,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        office_hours: Sequence[tuple[time, time]] = DEFAULT_OFFICE_HOURS,
    ) -> None:
        days_off = frozenset(extra_days_off)
        working_days = frozenset(extra_working_days)
        for day in days_off | working_days:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise TypeError(f"calendar days must be dates: {day!r}")
        if both := sorted(days_off & working_days):
            raise ValueError(f"a day cannot be both a day off and a working day: {both}")
        sessions = tuple((opens, closes) for opens, closes in office_hours)
        if not sessions:
            raise ValueError("office hours need at least one session")
        previous_close: time | None = None
        for opens, closes in sessions:
            if opens.tzinfo is not None or closes.tzinfo is not None:
                raise ValueError("office hours are local times without a timezone")
            if not opens < closes:
                raise ValueError(f"an office session must open before it closes: {opens}–{closes}")
            if previous_close is not None and opens <= previous_close:
                raise ValueError("office sessions must be in order and must not touch or overlap")
            previous_close = closes
        object.__setattr__(self, "extra_days_off", days_off)
        object.__setattr__(self, "extra_working_days", working_days)
        object.__setattr__(self, "office_hours", sessions)

    # Days ------------------------------------------------------------------------------------------

    def is_working_day(self, day: date | datetime) -> bool:
        day = _local_date(day)
        if day in self.extra_days_off:
            return False
        if day in self.extra_working_days:
            return True
        return day not in _national_days_off(day.year)

    def next_working_day(self, day: date | datetime) -> date:
        """The first working day strictly after ``day``."""
        day = _local_date(day) + ONE_DAY
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def working_day_on_or_after(self, day: date | datetime) -> date:
        day = _local_date(day)
        return day if self.is_working_day(day) else self.next_working_day(day)

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """Number of working days d with a < d ≤ b (the first day is not counted, as in the deadline
        rules); negative when b is before a. Datetimes count by their local date."""
        start, end = _local_date(a), _local_date(b)
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += ONE_DAY
        return count

    # Office time -----------------------------------------------------------------------------------

    @property
    def office_day_length(self) -> timedelta:
        return sum(
            (
                datetime.combine(date.min, closes) - datetime.combine(date.min, opens)
                for opens, closes in self.office_hours
            ),
            ZERO,
        )

    def sessions(self, day: date) -> list[Pause]:
        """The office sessions of ``day`` as aware datetimes (empty on a day off)."""
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, opens, VIETNAM_TZ), datetime.combine(day, closes, VIETNAM_TZ))
            for opens, closes in self.office_hours
        ]

    def office_day_end(self, day: date) -> datetime:
        return datetime.combine(day, self.office_hours[-1][1], VIETNAM_TZ)

    def is_office_time(self, moment: datetime) -> bool:
        local = _require_aware(moment)
        return any(opens <= local <= closes for opens, closes in self.sessions(local.date()))

    def effective_receipt(self, received_at: datetime) -> datetime:
        """The first instant of office time at or after ``received_at`` (rule 1 of the module doc)."""
        local = _require_aware(received_at)
        for opens, closes in self.sessions(local.date()):
            if local <= closes:
                return max(local, opens)
        return self.sessions(self.next_working_day(local.date()))[0][0]

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time between two instants; negative when b is before a."""
        return self._counted_time(a, b, ())

    def _counted_time(self, a: datetime, b: datetime, pauses: Sequence[Pause]) -> timedelta:
        start, end = _require_aware(a), _require_aware(b)
        if end < start:
            return -self._counted_time(end, start, pauses)
        total = ZERO
        day = start.date()
        while day <= end.date():
            for opens, closes in self.sessions(day):
                lower, upper = max(opens, start), min(closes, end)
                if lower < upper:
                    total += sum((e - s for s, e in _outside_pauses(lower, upper, pauses)), ZERO)
            day += ONE_DAY
        return total

    def _advance(self, start: datetime, budget: timedelta, pauses: Sequence[Pause] = ()) -> datetime:
        """The earliest office instant t ≥ ``start`` with ``budget`` of unpaused office time in [start, t]."""
        if budget < ZERO:
            raise ValueError("cannot count a negative amount of working time")
        cursor = self.effective_receipt(start)
        if budget == ZERO:
            return cursor
        remaining = budget
        day = cursor.date()
        while True:
            for opens, closes in self.sessions(day):
                if closes <= cursor:
                    continue
                for piece_start, piece_end in _outside_pauses(max(opens, cursor), closes, pauses):
                    length = piece_end - piece_start
                    if remaining <= length:
                        return piece_start + remaining
                    remaining -= length
            day += ONE_DAY

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        return self._advance(start, amount)

    def add_working_hours(self, start: datetime, hours: int | float | Decimal) -> datetime:
        """``hours`` of office time from ``start`` (rule 4): the earliest instant they have passed."""
        return self._advance(start, _scale(timedelta(hours=1), _as_decimal(hours)))

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """End of office hours of the n-th working day after the effective receipt day (rule 2)."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int: {n!r}")
        return self.due_at(start, n, LimitUnit.WORKING_DAY)

    # Deadlines -------------------------------------------------------------------------------------

    def _counting_start_and_due(
        self, received_at: datetime, value: int | float | Decimal, unit: str
    ) -> tuple[datetime, datetime]:
        amount = _as_decimal(value)
        unit = LimitUnit(unit)
        receipt = self.effective_receipt(received_at)
        if unit is LimitUnit.HOUR:
            return receipt, self._advance(receipt, _scale(timedelta(hours=1), amount))
        day_zero_end = self.office_day_end(receipt.date())
        if unit is LimitUnit.WORKING_DAY:
            return day_zero_end, self._advance(day_zero_end, _scale(self.office_day_length, amount))
        if amount != amount.to_integral_value():
            raise ValueError(f"a limit in calendar days must be a whole number: {value!r}")
        last_day = receipt.date() + timedelta(days=int(amount))
        return day_zero_end, self.office_day_end(self.working_day_on_or_after(last_day))

    def due_at(self, received_at: datetime, value: int | float | Decimal, unit: str) -> datetime:
        """The appointment for a time limit of ``value`` ``unit`` ("working_day", "day", "hour")."""
        return self._counting_start_and_due(received_at, value, unit)[1]

    def due_after_pauses(
        self, received_at: datetime, value: int | float | Decimal, unit: str, pauses: Iterable[Pause]
    ) -> datetime:
        """The appointment with the working time spent in ``pauses`` not counted (rule 5)."""
        counting_start, due = self._counting_start_and_due(received_at, value, unit)
        merged = merge_pauses(pauses)
        if not merged:
            return due
        budget = self.working_time_between(counting_start, due)
        return self._advance(counting_start, budget, merged)
