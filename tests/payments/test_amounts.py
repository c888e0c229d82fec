"""Amounts in figures and in Vietnamese words, as receipts write them (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.payments.amounts import MAX_AMOUNT, in_words, vnd

DIGITS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "lăm": 5, "sáu": 6, "bảy": 7,
          "tám": 8, "chín": 9}  # fmt: skip
SCALE_WORDS = {"nghìn": 1_000, "triệu": 1_000_000, "tỷ": 1_000_000_000}


def read_back(text: str) -> int:
    """An independent reader of the words, for the round trip: a group below a thousand is built word by
    word, a scale word (or two, as in “nghìn tỷ”) multiplies it into the total."""
    words = text.removesuffix(" đồng").lower().split()
    total = group = 0
    index = 0
    while index < len(words):
        word = words[index]
        if word == "trăm":
            group *= 100
        elif word == "mười":
            group += 10
        elif word == "mươi":  # the digit just read was the tens digit
            group += (group % 10) * 9
        elif word in SCALE_WORDS:
            scale = SCALE_WORDS[word]
            while index + 1 < len(words) and words[index + 1] in SCALE_WORDS:
                index += 1
                scale *= SCALE_WORDS[words[index]]
            total += group * scale
            group = 0
        elif word != "lẻ":
            group += DIGITS[word]
        index += 1
    return total + group


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (58_000, "Năm mươi tám nghìn đồng"),
        (105_000, "Một trăm lẻ năm nghìn đồng"),
        (1_005_000, "Một triệu không trăm lẻ năm nghìn đồng"),
        (1_000_050, "Một triệu không trăm năm mươi đồng"),
        (2_000_005, "Hai triệu không trăm lẻ năm đồng"),
        (1_250_000_000, "Một tỷ hai trăm năm mươi triệu đồng"),
    ],
)
def test_words_on_the_receipt(amount: int, words: str) -> None:
    assert in_words(amount) == words


def test_figures_use_dots_for_thousands() -> None:
    assert vnd(58_000) == "58.000 đồng"
    assert vnd(1_234_567) == "1.234.567 đồng"


@given(st.integers(min_value=0, max_value=10**12))
def test_words_read_back_to_the_same_amount(amount: int) -> None:
    words = in_words(amount)
    assert words[0].isupper()
    assert words.endswith(" đồng")
    assert read_back(words) == amount


@pytest.mark.parametrize("amount", [-1, MAX_AMOUNT + 1, True, 1.5])
def test_not_an_amount(amount: object) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        in_words(amount)  # type: ignore[arg-type]
