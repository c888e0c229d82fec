from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from mekong.portal.formatting import FeeLine, group_thousands, plain_decimal, summarize_fees
from mekong.portal.templatetags.portal_tags import format_duration, vnd


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from([".", ",", " "]))
def test_group_thousands_keeps_the_digits_in_groups_of_three(amount: int, separator: str) -> None:
    text = group_thousands(amount, separator)
    assert text.replace(separator, "") == str(amount)
    groups = text.lstrip("-").split(separator)
    assert 1 <= len(groups[0]) <= 3
    assert all(len(group) == 3 for group in groups[1:])


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(0, "0"), (999, "999"), (8000, "8.000"), (1_250_000, "1.250.000"), (-5000, "-5.000")],
)
def test_group_thousands_examples(amount: int, expected: str) -> None:
    assert group_thousands(amount, ".") == expected


@given(st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False))
def test_plain_decimal_is_the_same_number_without_noise(value: Decimal) -> None:
    text = plain_decimal(value)
    assert Decimal(text) == value
    assert "E" not in text
    assert not (("." in text) and text.endswith("0"))


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=10**9), st.booleans()), max_size=8))
def test_fee_summary_splits_fixed_and_per_unit(items: list[tuple[int, bool]]) -> None:
    summary = summarize_fees(FeeLine(amount=amount, per_unit=per_unit) for amount, per_unit in items)
    assert summary.fixed == sum(amount for amount, per_unit in items if not per_unit)
    assert summary.per_unit == sum(amount for amount, per_unit in items if per_unit)
    assert summary.free == all(amount == 0 for amount, _ in items)


def test_money_and_durations_follow_the_language() -> None:
    with translation.override("vi"):
        assert vnd(8000) == "8.000 đ"
        assert format_duration(Decimal("0.50"), "working_day") == "0,5 ngày làm việc"
        assert format_duration(3, "day") == "3 ngày"
        assert format_duration(Decimal("4.00"), "hour") == "4 giờ làm việc"
    with translation.override("en"):
        assert vnd(1_250_000) == "1,250,000 VND"
        assert format_duration(1, "working_day") == "1 working day"
        assert format_duration(Decimal("0.5"), "working_day") == "0.5 working days"
        assert format_duration(2, "day") == "2 days"
        assert format_duration(8, "hour") == "8 working hours"
