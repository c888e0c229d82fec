"""Fixtures for the notification tests: a one-stop shop whose citizen has a phone and an email, the
development SMS log and the email outbox, and deliveries run inline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dossiers.factories import OneStopShop, one_stop_shop
from mekong.celery import app as celery_app
from mekong.notify.channels.contrib.sms.providers.dev import read_log

CITIZEN_EMAIL = "cong.dan@example.com"


@pytest.fixture(autouse=True)
def _tasks_inline() -> Iterator[None]:
    # Deliveries run inline when their transaction commits, as without REDIS_URL, whatever the machine:
    # these tests are about what is delivered. The real worker is exercised in test_worker_crash.py.
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def shop(db: None) -> OneStopShop:
    shop = one_stop_shop()
    shop.citizen.email = CITIZEN_EMAIL
    shop.citizen.save(update_fields=["email"])
    return shop


@pytest.fixture
def sms_log(settings: Any) -> Path:
    return Path(settings.MEKONG_SMS_LOG)


def texts(path: Path) -> list[dict[str, str]]:
    return read_log(path)
