"""The province's working calendar: the national one from `holidays` plus the days it edits (CalendarDay)."""

from __future__ import annotations

from mekong.dossiers.models import CalendarDay, CalendarDayKind
from mekong.dossiers.workdays import WorkingCalendar


def province_calendar() -> WorkingCalendar:
    days = list(CalendarDay.objects.values_list("date", "kind"))
    return WorkingCalendar(
        extra_days_off=[day for day, kind in days if kind == CalendarDayKind.DAY_OFF],
        extra_working_days=[day for day, kind in days if kind == CalendarDayKind.WORKING_DAY],
    )
