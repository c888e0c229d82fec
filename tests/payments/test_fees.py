"""Fee computation from fee items and form data (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.payments.fees import MAX_QUANTITY, FeeError, FeeLine, compute_fees, quantity

FIXED = FeeLine("Lệ phí đăng ký", "le_phi", 50_000)
PER_COPY = FeeLine("Phí cấp bản sao", "phi", 8_000, "so_ban")


def test_fixed_and_per_copy_items_add_up() -> None:
    breakdown = compute_fees([FIXED, PER_COPY], {"so_ban": 3})
    assert [(item.quantity, item.subtotal) for item in breakdown.items] == [(1, 50_000), (3, 24_000)]
    assert breakdown.total == 74_000
    assert breakdown.as_list()[1] == {
        "name": "Phí cấp bản sao",
        "kind": "phi",
        "unit_amount": 8_000,
        "quantity": 3,
        "subtotal": 24_000,
    }


@pytest.mark.parametrize("form", [{}, {"so_ban": None}, {"so_ban": ""}, {"so_ban": 0}])
def test_a_count_left_out_charges_nothing_for_that_item(form: dict[str, Any]) -> None:
    breakdown = compute_fees([FIXED, PER_COPY], form)
    assert breakdown.total == 50_000
    assert breakdown.items[1].quantity == 0  # still listed, so the citizen sees it is free


@pytest.mark.parametrize(("value", "count"), [("4", 4), (" 12 ", 12), (2.0, 2), (MAX_QUANTITY, MAX_QUANTITY)])
def test_counts_written_as_text_or_whole_floats(value: Any, count: int) -> None:
    assert quantity({"so_ban": value}, "so_ban") == count


def test_a_nested_field_is_named_with_dots() -> None:
    assert quantity({"ban_sao": {"so_ban": 5}}, "ban_sao.so_ban") == 5
    assert quantity({"ban_sao": "x"}, "ban_sao.so_ban") == 0


@pytest.mark.parametrize("value", [-1, 1.5, "hai", True, [2], {"n": 1}, MAX_QUANTITY + 1])
def test_what_is_not_a_count_is_refused_naming_the_field(value: Any) -> None:
    with pytest.raises(FeeError) as refused:
        compute_fees([PER_COPY], {"so_ban": value})
    assert refused.value.field == "so_ban"


lines = st.lists(
    st.builds(
        FeeLine,
        name=st.text(min_size=1, max_size=20),
        kind=st.sampled_from(["le_phi", "phi"]),
        amount=st.integers(min_value=0, max_value=10_000_000),
        quantity_field=st.sampled_from(["", "so_ban", "so_trang"]),
    ),
    max_size=8,
)
counts = st.fixed_dictionaries({"so_ban": st.integers(0, 500), "so_trang": st.integers(0, 500)})


@given(lines=lines, form=counts)
def test_the_total_is_each_amount_times_its_count(lines: list[FeeLine], form: dict[str, int]) -> None:
    breakdown = compute_fees(lines, form)
    assert len(breakdown.items) == len(lines)
    expected = sum(line.amount * (form[line.quantity_field] if line.quantity_field else 1) for line in lines)
    assert breakdown.total == expected == sum(item.subtotal for item in breakdown.items)
    # Fixed items are always charged in full, whatever the form says.
    fixed = [item for item, line in zip(breakdown.items, lines, strict=True) if not line.quantity_field]
    assert all(item.quantity == 1 and item.subtotal == item.unit_amount for item in fixed)


@given(lines=lines, form=counts, more=st.integers(1, 50))
def test_asking_for_more_copies_never_costs_less(
    lines: list[FeeLine], form: dict[str, int], more: int
) -> None:
    bigger = {**form, "so_ban": form["so_ban"] + more}
    assert compute_fees(lines, bigger).total >= compute_fees(lines, form).total
