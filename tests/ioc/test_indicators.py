"""The pure formulas of the index: points, periods, weights, scoring."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.ioc import indicators
from mekong.ioc.indicators import Counters, Period, PeriodKind, Rate, WeightsError
from mekong.ioc.selectors import WEIGHTS_FILE


@given(rate=st.floats(0, 1), cap=st.floats(0, 30), target=st.floats(0.01, 1))
def test_points_never_exceed_the_cap_and_reach_it_at_the_target(
    rate: float, cap: float, target: float
) -> None:
    earned = indicators.points(rate, cap, target)
    assert 0 <= earned <= cap + 1e-9
    if rate >= target:
        assert earned == cap
    else:
        assert earned == pytest.approx(rate * cap / target)


def test_points_worked_examples() -> None:
    assert indicators.points(0.4, 4, 0.5) == pytest.approx(3.2)  # 40 % online against a 50 % target
    assert indicators.points(0.6, 4, 0.5) == 4
    assert indicators.points(0.0, 6, 0.8) == 0


def test_periods_and_their_previous() -> None:
    assert indicators.month_of(date(2025, 3, 31)) == Period(
        date(2025, 3, 1), date(2025, 3, 31), PeriodKind.MONTH
    )
    assert indicators.month_of(date(2025, 3, 5)).previous().start == date(2025, 2, 1)
    assert indicators.month_of(date(2024, 3, 5)).previous().end == date(2024, 2, 29)  # leap year
    quarter = indicators.quarter_of(date(2025, 5, 20))
    assert (quarter.start, quarter.end) == (date(2025, 4, 1), date(2025, 6, 30))
    assert quarter.previous().start == date(2025, 1, 1)
    assert indicators.year_of(date(2025, 1, 1)).previous() == indicators.year_of(date(2024, 6, 1))
    custom = Period(date(2025, 3, 10), date(2025, 3, 16))
    assert custom.previous() == Period(date(2025, 3, 3), date(2025, 3, 9))
    assert custom.measured_at(date(2025, 3, 12)) == date(2025, 3, 12)
    with pytest.raises(ValueError, match="ends"):
        Period(date(2025, 3, 10), date(2025, 3, 9))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_a_month_contains_its_day_and_follows_its_previous(day: date) -> None:
    month = indicators.month_of(day)
    assert month.start <= day <= month.end
    assert (month.start - month.previous().end).days == 1


def test_on_time_rate_counts_carried_and_open_dossiers() -> None:
    counters = Counters(received=8, carried=1, ended=6, ended_on_time=4, ontrack_at_end=2)
    assert indicators.on_time_rate(counters) == Rate(6, 9)
    assert counters.late == 3
    assert counters.open_at_end == 3


def test_satisfaction_is_on_time_rate_less_the_dissatisfied_share() -> None:
    counters = Counters(received=10, ended=10, ended_on_time=9, ratings=4, dissatisfied=1)
    rate = indicators.satisfaction_rate(counters)
    assert rate is not None
    assert rate.value == pytest.approx(0.9 - 0.25)
    assert indicators.satisfaction_rate(Counters(received=1)) is None  # nobody rated


def test_the_weights_file_adds_up_and_scores() -> None:
    weights = indicators.load_weights(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))
    assert sum(g.points for g in weights.groups) == 100
    assert all(i.provenance for i in weights.indicators)
    perfect = {code: Rate(1, 1) for code in (i.code for i in weights.indicators)}
    card = indicators.score(weights, perfect)
    # Every indicator with a data source earns its cap; those without ("none") earn nothing.
    assert card.total == pytest.approx(sum(i.cap for i in weights.indicators if i.source != "none"))
    assert card.measured_cap == card.total


def test_weights_that_do_not_add_up_are_refused() -> None:
    document = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    document["indicators"][0]["cap"] = 7
    with pytest.raises(WeightsError, match="group 1"):
        indicators.load_weights(document)
    document = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    document["indicators"][0]["target"] = 0
    with pytest.raises(WeightsError, match="target"):
        indicators.load_weights(document)
