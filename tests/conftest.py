"""Suite-wide fixtures. Each domain package under tests/ has its own conftest.py and factories."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation


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


@pytest.fixture(autouse=True)
def _isolated_cache(settings: object) -> None:
    # On CI the cache is one real Redis shared by parallel workers: a key prefix per test keeps rate-limit
    # counters and cached grants of one test out of every other.
    settings.CACHES = {  # type: ignore[attr-defined]
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()  # type: ignore[attr-defined]
    }


@pytest.fixture(autouse=True)
def _ioc_in_transaction(settings: object) -> None:
    # With REDIS_URL (CI) the IOC's figures would follow events after commit, which a test's transaction
    # never reaches: tests see them in the event's transaction. tests/ioc/test_deferred.py covers the other.
    settings.MEKONG_IOC_DEFERRED = False  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: Path) -> None:
    # Uploaded and issued files go to a per-test folder, never into var/media of the developer's demo.
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
    }


@pytest.fixture(autouse=True)
def _sms_log_in_tmp(settings: object, tmp_path: Path) -> None:
    # The development SMS provider writes every text a test sends to a per-test file, not var/sms.log.
    settings.MEKONG_SMS_LOG = str(tmp_path / "sms.log")  # type: ignore[attr-defined]
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request through the test client activates the language it asked for (an English cookie, say) in
    # this thread, and Django leaves it active: the next test would then render in English.
    yield
    translation.deactivate()


@pytest.fixture
def client() -> Client:
    return Client()
