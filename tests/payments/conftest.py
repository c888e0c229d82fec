"""Fixtures for the payment tests: the sandbox gateway switched on, with a known secret."""

from __future__ import annotations

from typing import Any

import pytest

SANDBOX_SECRET = "SANDBOXTESTSECRET0123456789ABCDEF"


@pytest.fixture(autouse=True)
def _sandbox_gateway(settings: Any) -> None:
    settings.MEKONG_PAYMENT_SANDBOX = True
    settings.MEKONG_SANDBOX_HASH_SECRET = SANDBOX_SECRET
    settings.MEKONG_PAYMENT_GATEWAY = ""
