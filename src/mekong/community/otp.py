"""One-time codes sent by SMS: making them, keeping only a keyed hash, and showing the phone they went to.
Pure module, no Django (the key is passed in)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_DIGITS = 6


def new_code(digits: int = CODE_DIGITS) -> str:
    """A uniformly random code of `digits` decimal digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def new_salt() -> str:
    return secrets.token_hex(16)


def code_hash(code: str, salt: str, key: bytes) -> str:
    """HMAC-SHA256 of the code with a per-code salt: a stolen table does not give the codes back, and
    a million guesses offline need the key."""
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def matches(code: str, salt: str, stored_hash: str, key: bytes) -> bool:
    typed = "".join(code.split())
    return hmac.compare_digest(code_hash(typed, salt, key), stored_hash)


def mask_phone(phone: str) -> str:
    """0912345678 → 0912•••678: enough for the citizen to recognise their number, not to read it out."""
    if len(phone) < 7:
        return "•" * len(phone)
    return f"{phone[:4]}{'•' * (len(phone) - 7)}{phone[-3:]}"
