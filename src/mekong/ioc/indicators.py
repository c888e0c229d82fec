"""The service index of Decision 766/QĐ-TTg: formulas only. Pure module, no Django.

The data access (`ioc.aggregates`, `ioc.selectors`) turns dossier events into per-day counters and sums
them over a period into `Counters`; this module turns those sums into rates, rates into points, and points
into the six groups. Caps, targets and sources are data (`ioc/data/indicators_766.json`), read by
`load_weights`.

Period rules (docs/decisions/0007-ioc-aggregates.md):

* a dossier belongs to a period when it was filed on or before its last day and had not ended before its
  first day (filed in the period, or carried over from before);
* it is on time when it ended in the period no later than its appointment, or is still open at the end of
  the period (measured at the end of that day, or today for the current period) and its appointment day has
  not passed; more than one supplement request makes it late; waiting for the citizen does not count;
* its handling time (2.2, shown but not scored) counts in the period it was processed in: calendar days from
  the day it was filed to the day it was processed.

An indicator whose cap is 0 is informational: shown with its figure, never scored (`IndicatorSpec.scored`).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import Any


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: PeriodKind = PeriodKind.CUSTOM

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its first day")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before, of the same kind (a custom range: the same number of days)."""
        if self.kind == PeriodKind.MONTH:
            return month_of(self.start - timedelta(days=1))
        if self.kind == PeriodKind.QUARTER:
            return quarter_of(self.start - timedelta(days=1))
        if self.kind == PeriodKind.YEAR:
            return year_of(self.start - timedelta(days=1))
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end, PeriodKind.CUSTOM)

    def measured_at(self, today: date) -> date:
        """The day open dossiers are judged on: the last day, or today while the period is running."""
        return min(self.end, today)

    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%m/%Y}"
        if self.kind == PeriodKind.QUARTER:
            return f"Q{(self.start.month - 1) // 3 + 1}/{self.start:%Y}"
        if self.kind == PeriodKind.YEAR:
            return f"{self.start:%Y}"
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


def month_of(day: date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last), PeriodKind.MONTH)


def quarter_of(day: date) -> Period:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    end = month_of(date(day.year, first_month + 2, 1)).end
    return Period(start, end, PeriodKind.QUARTER)


def year_of(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year, 12, 31), PeriodKind.YEAR)


def resolve_period(kind: str, anchor: date, start: date | None = None, end: date | None = None) -> Period:
    """The period of `kind` containing `anchor`, or the custom range `start`–`end`."""
    parsed = PeriodKind(kind)
    if parsed == PeriodKind.MONTH:
        return month_of(anchor)
    if parsed == PeriodKind.QUARTER:
        return quarter_of(anchor)
    if parsed == PeriodKind.YEAR:
        return year_of(anchor)
    if start is None or end is None:
        raise ValueError("a custom period needs its first and last day")
    return Period(start, end, PeriodKind.CUSTOM)


def last_months(today: date, count: int) -> list[Period]:
    """The `count` calendar months ending with today's, oldest first."""
    periods = [month_of(today)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


# --- counters -----------------------------------------------------------------------------------------


@dataclass
class Counters:
    """Sums over a period for a set of agencies. `carried` are the dossiers still open at the start of the
    period; `ontrack_at_end` those open at its end whose appointment has not passed."""

    received: int = 0
    carried: int = 0
    ended: int = 0
    ended_on_time: int = 0
    ontrack_at_end: int = 0
    refused: int = 0
    withdrawn: int = 0
    stopped: int = 0
    processed: int = 0
    processed_days: int = 0  # calendar days from filing to processing, summed over `processed`
    e_result: int = 0
    online: int = 0
    online_counted: int = 0
    digitised: int = 0
    reused: int = 0
    fee_bearing: int = 0
    paid_online: int = 0
    payments_online: int = 0
    payments_counter: int = 0
    amount_online: int = 0
    amount_counter: int = 0
    ratings: int = 0
    rating_sum: int = 0
    dissatisfied: int = 0
    feedback_due: int = 0
    feedback_on_time: int = 0

    def __add__(self, other: Counters) -> Counters:
        theirs = other.__dict__
        return Counters(**{name: value + theirs[name] for name, value in self.__dict__.items()})

    @property
    def handled(self) -> int:
        """Dossiers received or handled in the period: the on-time rate's denominator."""
        return self.received + self.carried

    @property
    def on_time(self) -> int:
        return self.ended_on_time + self.ontrack_at_end

    @property
    def open_at_end(self) -> int:
        return self.handled - self.ended

    @property
    def late(self) -> int:
        return self.handled - self.on_time

    def as_dict(self) -> dict[str, int]:
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class CatalogFigures:
    """What the procedure catalogue says for the agencies in scope (indicators 1.3, 3.1, 3.2)."""

    procedures: int = 0
    complete: int = 0
    online: int = 0
    online_with_dossier: int = 0


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def rate_of(numerator: int, denominator: int) -> Rate:
    return Rate(max(0, numerator), max(0, denominator))


def on_time_rate(counters: Counters) -> Rate:
    """2.1: on time or still within the deadline ÷ all received or handled in the period."""
    return rate_of(counters.on_time, counters.handled)


def handling_time(counters: Counters) -> Rate:
    """2.2 as a ratio: days from filing to processing, summed ÷ dossiers processed in the period. Its value is
    an average in days, not a share."""
    return rate_of(counters.processed_days, counters.processed)


def average_handling_days(counters: Counters) -> float | None:
    """2.2: the average calendar days from filing to processing of the dossiers processed in the period;
    None when none was processed. Refused, withdrawn, stopped and open dossiers do not count."""
    return handling_time(counters).value


def satisfaction_rate(counters: Counters) -> Rate | None:
    """6.3: 100 % − (late rate + share of rated dossiers rated 1–2 stars), as a rate over 10,000."""
    on_time = on_time_rate(counters).value
    if on_time is None or not counters.ratings:
        return None
    value = max(0.0, on_time - counters.dissatisfied / counters.ratings)
    return Rate(round(value * 10_000), 10_000)


def rates(counters: Counters, catalog_figures: CatalogFigures) -> dict[str, Rate | None]:
    """Every indicator the platform's data supports, by code; None where there is no data source. The
    informational 2.2 is a ratio too (`handling_time`), whose value is in days."""
    return {
        "1.3": rate_of(catalog_figures.complete, catalog_figures.procedures),
        "2.1": on_time_rate(counters),
        "2.2": handling_time(counters),
        "3.1": rate_of(catalog_figures.online, catalog_figures.procedures),
        "3.2": rate_of(catalog_figures.online_with_dossier, catalog_figures.online),
        "3.3": rate_of(counters.online_counted, counters.received),
        "4.1": rate_of(counters.paid_online, counters.fee_bearing),
        "5.1": rate_of(counters.e_result, counters.processed),
        "5.2": rate_of(counters.digitised, counters.received),
        "5.4": rate_of(counters.reused, counters.received),
        "6.1": rate_of(counters.feedback_on_time, counters.feedback_due),
        "6.3": satisfaction_rate(counters),
    }


# --- weights and points --------------------------------------------------------------------------------


class WeightsError(ValueError):
    pass


SOURCES = frozenset({"dossier_events", "dossier_files", "catalog", "payments", "ratings", "none"})


@dataclass(frozen=True)
class GroupSpec:
    code: str
    name: str
    name_en: str
    points: float


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    group: str
    name: str
    name_en: str
    cap: float
    target: float | None  # None only for an informational indicator
    source: str
    provenance: str

    @property
    def scored(self) -> bool:
        """False for an informational indicator (cap 0): shown with its figure, never given points."""
        return self.cap > 0


@dataclass(frozen=True)
class Weights:
    title: str
    provenance: str
    groups: tuple[GroupSpec, ...]
    indicators: tuple[IndicatorSpec, ...]


def load_weights(document: Mapping[str, Any]) -> Weights:
    """Check and read the weights document; every group's indicators add up to the group's points. An
    indicator with cap 0 is informational and may have no target (null)."""
    if document.get("format") != "mekong.ioc.indicators/1":
        raise WeightsError("unknown format")
    groups = tuple(
        GroupSpec(str(g["code"]), str(g["name"]), str(g["name_en"]), float(g["points"]))
        for g in document["groups"]
    )
    indicators = tuple(
        IndicatorSpec(
            code=str(i["code"]),
            group=str(i["group"]),
            name=str(i["name"]),
            name_en=str(i["name_en"]),
            cap=float(i["cap"]),
            target=None if i.get("target") is None else float(i["target"]),
            source=str(i["source"]),
            provenance=str(i["provenance"]),
        )
        for i in document["indicators"]
    )
    group_codes = {g.code for g in groups}
    for indicator in indicators:
        if indicator.group not in group_codes:
            raise WeightsError(f"{indicator.code}: unknown group {indicator.group}")
        if indicator.cap < 0:
            raise WeightsError(f"{indicator.code}: negative cap")
        if indicator.target is None:
            if indicator.scored:
                raise WeightsError(f"{indicator.code}: a scored indicator needs a target")
        elif not 0 < indicator.target <= 1:
            raise WeightsError(f"{indicator.code}: the target is a rate in (0, 1]")
        if indicator.source not in SOURCES:
            raise WeightsError(f"{indicator.code}: unknown source {indicator.source}")
    for group in groups:
        total = sum(i.cap for i in indicators if i.group == group.code)
        if abs(total - group.points) > 1e-9:
            raise WeightsError(f"group {group.code}: indicators add up to {total}, not {group.points}")
    return Weights(str(document["title"]), str(document["provenance"]), groups, indicators)


def points(rate: float, cap: float, target: float) -> float:
    """cap when the rate reaches the target, else rate × cap ÷ target."""
    if rate >= target:
        return cap
    return max(0.0, rate) * cap / target


@dataclass(frozen=True)
class IndicatorScore:
    spec: IndicatorSpec
    rate: Rate | None

    @property
    def measured(self) -> bool:
        return self.rate is not None and self.rate.value is not None

    @property
    def points(self) -> float | None:
        """None when not measured, and always for an informational indicator."""
        if self.rate is None or self.rate.value is None or not self.spec.scored:
            return None
        assert self.spec.target is not None  # load_weights: a scored indicator has one
        return round(points(self.rate.value, self.spec.cap, self.spec.target), 2)


@dataclass(frozen=True)
class GroupScore:
    spec: GroupSpec
    indicators: tuple[IndicatorScore, ...]

    @property
    def points(self) -> float:
        return round(sum(i.points or 0.0 for i in self.indicators), 2)

    @property
    def measured_cap(self) -> float:
        return sum(i.spec.cap for i in self.indicators if i.measured and i.spec.scored)


@dataclass(frozen=True)
class Scorecard:
    groups: tuple[GroupScore, ...] = field(default_factory=tuple)

    @property
    def total(self) -> float:
        """Points out of 100; indicators without data earn nothing."""
        return round(sum(g.points for g in self.groups), 2)

    @property
    def measured_cap(self) -> float:
        """The points the measured indicators could earn: the total's honest ceiling."""
        return sum(g.measured_cap for g in self.groups)


def score(weights: Weights, by_code: Mapping[str, Rate | None]) -> Scorecard:
    groups = []
    for group in weights.groups:
        members = tuple(
            IndicatorScore(spec, by_code.get(spec.code) if spec.source != "none" else None)
            for spec in weights.indicators
            if spec.group == group.code
        )
        groups.append(GroupScore(group, members))
    return Scorecard(tuple(groups))


def delta(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return round(current - previous, 2)


def sum_counters(items: Sequence[Counters]) -> Counters:
    total = Counters()
    for item in items:
        total = total + item
    return total
