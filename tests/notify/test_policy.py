"""The pure delivery rules: back-off, staleness, SMS text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.core.text import strip_accents
from mekong.notify.policy import BACKOFF_CAP_SECONDS, backoff_seconds, is_stale, sms_text

VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
vietnamese = st.text(
    alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " \t\n.,:0123456789", max_size=400
)


def test_backoff_doubles_from_thirty_seconds_up_to_half_an_hour() -> None:
    assert [backoff_seconds(n) for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1800, 1800]
    with pytest.raises(ValueError, match="attempts count from 1"):
        backoff_seconds(0)


@given(st.integers(min_value=1, max_value=10_000))
def test_backoff_never_shrinks_and_stays_under_the_cap(attempt: int) -> None:
    assert 0 < backoff_seconds(attempt) <= backoff_seconds(attempt + 1) <= BACKOFF_CAP_SECONDS


def test_staleness() -> None:
    event = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    limit = timedelta(hours=72)
    assert not is_stale(event, event + limit, limit)
    assert is_stale(event, event + limit + timedelta(seconds=1), limit)
    assert not is_stale(event, event - timedelta(days=1), limit)  # a clock behind the event


def test_sms_examples() -> None:
    assert sms_text("Hồ sơ  đã được\ntiếp nhận. “Đúng hẹn” ĐĂNG KÝ", unaccented=True, max_length=160) == (
        'Ho so da duoc tiep nhan. "Dung hen" DANG KY'
    )
    assert sms_text("Hồ sơ đã được tiếp nhận", unaccented=False, max_length=12) == "Hồ sơ đã..."
    with pytest.raises(ValueError, match="room for some text"):
        sms_text("x", unaccented=True, max_length=3)


@given(vietnamese, st.integers(min_value=4, max_value=480))
def test_an_unaccented_sms_is_one_ascii_line_within_the_limit(text: str, limit: int) -> None:
    sms = sms_text(text, unaccented=True, max_length=limit)
    assert sms.isascii()
    assert len(sms) <= limit
    assert "\n" not in sms
    assert "  " not in sms


@given(vietnamese)
def test_unaccenting_keeps_every_letter(text: str) -> None:
    # Within the limit nothing is cut: the same letters as core.text.strip_accents gives (which lowercases
    # Đ; the SMS keeps capitals, see test_sms_examples).
    sms = sms_text(text, unaccented=True, max_length=10_000)
    assert sms.casefold() == " ".join(strip_accents(text).split()).casefold()
