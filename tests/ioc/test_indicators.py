"""The pure formulas of the index: points, periods, weights, scoring."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.ioc import indicators
from mekong.ioc.indicators import Counters, Period, PeriodKind, Rate, Weights, WeightsError
from mekong.ioc.selectors import WEIGHTS_FILE


def file_weights() -> Weights:
    return indicators.load_weights(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))


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


def test_average_handling_time_worked_example() -> None:
    # Processed after 3 days and after 10 days: (3 + 10) ÷ 2.
    assert indicators.average_handling_days(Counters(processed=2, processed_days=13)) == 6.5
    # Refused, withdrawn or open dossiers add to neither counter; nothing processed has no average.
    assert indicators.average_handling_days(Counters(received=5, ended=3, refused=2, withdrawn=1)) is None
    assert indicators.rates(Counters(processed=2, processed_days=13), indicators.CatalogFigures())[
        "2.2"
    ] == Rate(13, 2)


@given(st.lists(st.integers(0, 400), max_size=30), st.lists(st.integers(0, 400), max_size=30))
def test_average_handling_time_is_the_mean_of_the_days_and_adds_up_over_agencies(
    first: list[int], second: list[int]
) -> None:
    def counters(days: list[int]) -> Counters:
        return Counters(processed=len(days), processed_days=sum(days))

    both = first + second
    combined = indicators.average_handling_days(indicators.sum_counters([counters(first), counters(second)]))
    if not both:
        assert combined is None
        return
    assert combined == pytest.approx(sum(both) / len(both))
    assert min(both) - 1e-9 <= combined <= max(both) + 1e-9
    # The mean over two agencies lies between their own means.
    means = [sum(days) / len(days) for days in (first, second) if days]
    assert min(means) - 1e-9 <= combined <= max(means) + 1e-9


def test_2_2_is_shown_not_scored() -> None:
    weights = file_weights()
    spec = next(i for i in weights.indicators if i.code == "2.2")
    assert (spec.cap, spec.target, spec.scored, spec.source) == (0, None, False, "dossier_events")
    assert "không tính điểm" in spec.provenance
    assert all(i.scored for i in weights.indicators if i.code != "2.2")


@given(
    st.dictionaries(
        st.sampled_from(["1.3", "2.1", "2.2", "3.1", "3.2", "3.3", "4.1", "5.1", "5.2", "5.4", "6.1", "6.3"]),
        st.builds(Rate, st.integers(0, 1000), st.integers(0, 1000)),
    )
)
def test_an_informational_indicator_never_changes_the_points(by_code: dict[str, Rate]) -> None:
    weights = file_weights()
    without = Weights(
        weights.title, weights.provenance, weights.groups, tuple(i for i in weights.indicators if i.scored)
    )
    card, reference = indicators.score(weights, by_code), indicators.score(without, by_code)
    assert card.total == reference.total
    assert card.measured_cap == reference.measured_cap
    assert [g.points for g in card.groups] == [g.points for g in reference.groups]
    (shown,) = (i for g in card.groups for i in g.indicators if i.spec.code == "2.2")
    assert shown.points is None
    assert shown.measured == ("2.2" in by_code and by_code["2.2"].denominator > 0)


def test_a_target_may_be_missing_only_when_the_cap_is_zero() -> None:
    document = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    two_one = next(i for i in document["indicators"] if i["code"] == "2.1")
    two_one["target"] = None
    with pytest.raises(WeightsError, match=r"2\.1: a scored indicator needs a target"):
        indicators.load_weights(document)
    # Scoring 2.2 one day is a change of data: a cap, a target, and the group still adding up.
    document = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    two_one = next(i for i in document["indicators"] if i["code"] == "2.1")
    two_two = next(i for i in document["indicators"] if i["code"] == "2.2")
    two_one["cap"], two_two["cap"] = 18, 2
    with pytest.raises(WeightsError, match=r"2\.2: a scored indicator needs a target"):
        indicators.load_weights(document)
    two_two["target"] = 0.5
    scored = next(i for i in indicators.load_weights(document).indicators if i.code == "2.2")
    assert scored.scored
