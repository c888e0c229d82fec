"""How people identify themselves: the 12-digit personal identification number and a mobile phone number.

Pure module, no Django: the registration action, the sign-in backend and the rate limiter share these rules.
"""

from __future__ import annotations

import re

PERSONAL_ID = re.compile(r"^\d{12}$")
# Vietnamese mobile numbers: 10 digits in national form, prefixes 03, 05, 07, 08, 09.
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


def is_personal_id(value: str) -> bool:
    return bool(PERSONAL_ID.fullmatch(value))


def normalize_phone(value: str) -> str | None:
    """The national 10-digit form ("0912345678") of a mobile number written as "+84 912 345 678",
    "84912345678", "0912.345.678"...; None when it is not a Vietnamese mobile number."""
    compact = _PHONE_SEPARATORS.sub("", value.strip())
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("84") and len(compact) == 11:
        compact = "0" + compact[2:]
    return compact if _MOBILE.fullmatch(compact) else None


def normalize_identifier(value: str) -> str:
    """What a person typed in the sign-in box, in the form it is stored: phone numbers in national
    form, anything else trimmed and lower-cased (usernames are matched case-insensitively)."""
    stripped = value.strip()
    phone = normalize_phone(stripped)
    if phone is not None:
        return phone
    return stripped.casefold()


def is_reserved_username(value: str) -> bool:
    """Official usernames must not be mistaken for a citizen's personal ID or phone at sign-in."""
    compact = _PHONE_SEPARATORS.sub("", value.strip()).removeprefix("+")
    return compact.isdigit()
