"""Delivery rules that need no Django: retry back-off, staleness, and SMS text. Pure module.

The SMS text is what a phone shows: one line, no accents when the gateway bills Unicode messages as
several segments (a GSM-7 segment holds 160 characters, a UCS-2 one only 70), cut to a maximum length.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from unidecode import unidecode

BACKOFF_BASE_SECONDS = 30
# Below the Redis broker's visibility timeout (1 hour), so a delayed retry is not redelivered early.
BACKOFF_CAP_SECONDS = 1800
ELLIPSIS = "..."


def backoff_seconds(attempt: int, *, base: int = BACKOFF_BASE_SECONDS, cap: int = BACKOFF_CAP_SECONDS) -> int:
    """Seconds to wait after the `attempt`-th failed attempt (1, 2, …): base, 2·base, 4·base… up to cap."""
    if attempt < 1:
        raise ValueError(f"attempts count from 1, got {attempt}")
    # The exponent is bounded first: 2**attempt for a large attempt would be a needlessly huge integer.
    return min(cap, base * 2 ** min(attempt - 1, 32))


def is_stale(event_at: datetime, now: datetime, max_age: timedelta) -> bool:
    """A message about an event older than `max_age` is no longer worth a text or an email (an appointment
    date a week late misleads more than it helps); the inbox keeps it."""
    return now - event_at > max_age


_SPACES = re.compile(r"\s+")


def sms_text(text: str, *, unaccented: bool, max_length: int) -> str:
    """One line of at most `max_length` characters; without accents (ASCII) when `unaccented`."""
    if max_length < len(ELLIPSIS) + 1:
        raise ValueError(f"an SMS needs room for some text, got max_length={max_length}")
    line = _SPACES.sub(" ", unidecode(text) if unaccented else text).strip()
    if len(line) <= max_length:
        return line
    return line[: max_length - len(ELLIPSIS)].rstrip() + ELLIPSIS
