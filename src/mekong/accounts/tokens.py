"""API token secrets. Pure module, no Django.

A secret is ``mkg_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is stored:
a leaked database does not leak usable tokens, and 256 bits need no slow hash. The first characters are
kept in clear so a person can tell their tokens apart in lists.
"""

from __future__ import annotations

import hashlib
import secrets

SECRET_PREFIX = "mkg_"
DISPLAY_PREFIX_LENGTH = 12


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def display_prefix(secret: str) -> str:
    return secret[:DISPLAY_PREFIX_LENGTH]


def looks_like_secret(value: str) -> bool:
    """Cheap check before touching the database: our secrets have a fixed shape."""
    return value.startswith(SECRET_PREFIX) and 20 <= len(value) <= 100
