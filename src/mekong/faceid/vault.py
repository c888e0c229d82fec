"""Face vectors encrypted at rest, and the keyed hashes of the factors a lookup gives.

Vectors are sealed with Fernet (AES-128-CBC with HMAC-SHA256) under MEKONG_FACEID_KEYS; a MultiFernet
decrypts with any listed key and encrypts with the first, so a key can be rotated by adding a new one in
front and re-sealing (`mekong faceid_reseal`). Factor hashes use Django's salted HMAC with SECRET_KEY, so
the face tables hold no birth dates or phone digits in clear.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _box() -> MultiFernet:
    return _fernet(tuple(settings.MEKONG_FACEID_KEYS))


def seal(vector: np.ndarray) -> bytes:
    return _box().encrypt(np.asarray(vector, dtype="<f4").tobytes())


def unseal(token: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(_box().decrypt(bytes(token)), dtype="<f4").copy()


def reseal(token: bytes | memoryview) -> bytes:
    """The same vector under the newest key."""
    return _box().rotate(bytes(token))


def _factor_key(kind: str, value: str) -> str:
    return salted_hmac(f"mekong.faceid.factor.{kind}", value).hexdigest()[:32]


def birth_date_key(value: date) -> str:
    return _factor_key("birth_date", value.isoformat())


def phone_key(last_four_digits: str) -> str:
    return _factor_key("phone", last_four_digits)
