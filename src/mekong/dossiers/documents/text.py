"""Vietnamese wording for issued documents: dates as administrative documents write them, masked names.
Pure module, no Django."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def nfc(text: str) -> str:
    """Precomposed form: the font maps ắ (U+1EAF) to one glyph, but not a + ̆ + ́ typed on some keyboards."""
    return unicodedata.normalize("NFC", text)


def local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime: {moment!r}")
    return moment.astimezone(VIETNAM_TZ)


def short_date(value: date | datetime) -> str:
    """dd/mm/yyyy, in Vietnam's time zone for a moment."""
    day = local(value).date() if isinstance(value, datetime) else value
    return f"{day:%d/%m/%Y}"


def date_time(moment: datetime) -> str:
    """“10 giờ 00 phút, ngày 09/03/2026”: how the national forms write a time of appointment."""
    at = local(moment)
    return f"{at:%H} giờ {at:%M} phút, ngày {short_date(at)}"


def place_and_date(place: str, value: date | datetime) -> str:
    """The line under the national motto: “Vị Thanh, ngày 09 tháng 3 năm 2026”.

    Days below 10 and the months January and February take a leading zero (Decree 30/2020/NĐ-CP,
    appendix I), so a date cannot be extended by hand.
    """
    day = local(value).date() if isinstance(value, datetime) else value
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    words = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    place = place.strip()
    return f"{place}, {words}" if place else words[0].upper() + words[1:]


def mask_name(name: str) -> str:
    """Family name in full, then only each other word's initial: “Nguyễn T. Á. T.”.

    Shown on the public verification page, where anyone holding the link can look.
    """
    words = nfc(name).split()
    if not words:
        return ""
    return " ".join([words[0], *(f"{word[0]}." for word in words[1:])])


def two_digits(count: int) -> str:
    """Counts of copies and sets are written with two digits on the forms: “01 bản”."""
    return f"{count:02d}"
