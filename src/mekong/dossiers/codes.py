"""Dossier code (mã hồ sơ) in the national format ``<agency code>-<yymmdd>-<4-digit daily sequence>``,
e.g. ``000.00.17.H56-210531-0001``. Pure module, no Django.

The two-digit year means 20yy. Parsing forgives surrounding spaces and lower-case letters (people type
codes into the status lookup); formatting always gives the canonical form.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from mekong.catalog.codes import is_agency_code

MAX_SEQUENCE = 9999
DOSSIER_CODE = re.compile(r"^(?P<agency>[^-]+)-(?P<day>\d{6})-(?P<sequence>\d{4})$")


class InvalidDossierCode(ValueError):
    """A code that is not a dossier code; the message is Vietnamese and can be shown as is."""


class DossierCode(NamedTuple):
    agency_code: str
    day: date
    sequence: int

    def __str__(self) -> str:
        return format_dossier_code(self.agency_code, self.day, self.sequence)


def format_dossier_code(agency_code: str, day: date, sequence: int) -> str:
    if not is_agency_code(agency_code):
        raise ValueError(f"Mã cơ quan “{agency_code}” không đúng định dạng (ví dụ 000.00.17.H56).")
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"Ngày {day:%d/%m/%Y} nằm ngoài khoảng năm 2000–2099 của mã hồ sơ.")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"Số thứ tự hồ sơ trong ngày phải từ 1 đến {MAX_SEQUENCE}, nhận được {sequence!r}.")
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def parse_dossier_code(code: str) -> DossierCode:
    text = code.strip().upper()
    example = "ví dụ 000.00.17.H56-210531-0001"
    match = DOSSIER_CODE.fullmatch(text)
    if match is None:
        raise InvalidDossierCode(
            f"Mã hồ sơ “{code}” không đúng định dạng <mã cơ quan>-<năm tháng ngày>-<số thứ tự> ({example})."
        )
    if not is_agency_code(match["agency"]):
        raise InvalidDossierCode(
            f"Mã cơ quan “{match['agency']}” trong mã hồ sơ không đúng định dạng ({example})."
        )
    digits = match["day"]
    try:
        day = date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        raise InvalidDossierCode(
            f"Ngày “{digits}” trong mã hồ sơ không có thật (dạng năm tháng ngày: yymmdd)."
        ) from None
    sequence = int(match["sequence"])
    if sequence < 1:
        raise InvalidDossierCode(f"Số thứ tự trong mã hồ sơ phải từ 0001 đến {MAX_SEQUENCE}.")
    return DossierCode(match["agency"], day, sequence)
