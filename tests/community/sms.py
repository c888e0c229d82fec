"""Reading what the development SMS provider was given in a test (each test has its own log file)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mekong.notify.channels.contrib.sms.providers.dev import read_log


def sms_texts(settings: Any) -> list[dict[str, str]]:
    """Every text sent in this test: at, key, to, text."""
    return read_log(Path(settings.MEKONG_SMS_LOG))


def last_code(settings: Any, phone: str) -> str:
    """The six-digit code in the last text sent to `phone`."""
    texts = [message["text"] for message in sms_texts(settings) if message["to"] == phone]
    assert texts, f"no text was sent to {phone}"
    found = re.search(r"\b(\d{6})\b", texts[-1])
    assert found, texts[-1]
    return found.group(1)
