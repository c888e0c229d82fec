"""Suite-wide fixtures. Each domain package under tests/ has its own conftest.py and factories."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    # Hashing strength is Django's concern; our tests only need passwords that check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: object) -> None:
    # Production serves hashed files from `collectstatic`; tests render templates without running it.
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def client() -> Client:
    return Client()
