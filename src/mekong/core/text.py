"""Text helpers for Vietnamese. Pure Python, no Django.

`fold` makes the search key that lets "dang ky khai sinh" and "ĐĂNG KÝ KHAI SINH" both find
"Đăng ký khai sinh": Unicode-normalised, diacritics removed (đ → d), lower case, single spaces.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_D_MAP = str.maketrans({"đ": "d", "Đ": "d"})


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold(text: str) -> str:
    """Accent-, case- and whitespace-insensitive key for matching Vietnamese text."""
    return _SPACES.sub(" ", strip_accents(text).casefold()).strip()


def slug_key(text: str) -> str:
    """Letters and digits only, as the unit packages key their names ("Xã Vị Đông" → "xavidong")."""
    return re.sub(r"[^0-9a-z]", "", fold(text))
