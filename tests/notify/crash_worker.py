"""The Celery application for the worker processes of `test_worker_crash.py`: the application's own app
(`mekong.celery`), plus test-only pause points, all inert unless the test's environment variables ask.

NOTIFY_TEST_PAUSES maps a delivery's key or id to where its worker should stop and wait to be killed:
  "before-send"  the email backend, after the delivery was claimed and before the message is written;
  "after-send"   the SMS provider, after the text is in the log and before the delivery is marked sent;
  "after-task"   after the task returned (the delivery is marked sent) and before the broker has its ack.
Reaching a pause point writes a file named after it in NOTIFY_TEST_BARRIER_DIR — the test waits for these
files, not for a fixed time — then blocks until the process is killed.

NOTIFY_TEST_VISIBILITY_TIMEOUT (seconds) lowers the Redis transport's visibility timeout, so messages a
killed worker took but never acknowledged come back within seconds rather than the default hour.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from celery.signals import task_postrun
from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

from mekong.celery import app
from mekong.notify.channels.contrib.sms.providers.base import SmsReceipt
from mekong.notify.channels.contrib.sms.providers.dev import LogFileSmsProvider

__all__ = ["PausingEmailBackend", "PausingSmsProvider", "app"]

PAUSES: dict[str, str] = json.loads(os.environ.get("NOTIFY_TEST_PAUSES") or "{}")
BARRIER_DIR = Path(os.environ.get("NOTIFY_TEST_BARRIER_DIR") or ".")
LONGEST_WAIT = 180  # seconds: a worker the test forgot does not outlive it for long


def reach(point: str) -> None:
    (BARRIER_DIR / point).write_text(str(os.getpid()))
    deadline = time.monotonic() + LONGEST_WAIT
    while time.monotonic() < deadline:
        time.sleep(0.05)
    raise RuntimeError(f"paused at {point} and never killed")


class PausingSmsProvider(LogFileSmsProvider):
    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        receipt = super().send(to=to, text=text, idempotency_key=idempotency_key)
        if PAUSES.get(idempotency_key) == "after-send":
            reach(f"after-send-{idempotency_key}")
        return receipt


class PausingEmailBackend(FileEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            key = message.extra_headers.get("X-Mekong-Delivery", "")
            if PAUSES.get(key) == "before-send":
                reach(f"before-send-{key}")
        return super().send_messages(email_messages)


@task_postrun.connect
def pause_after_task(task: Any = None, args: Sequence[Any] = (), **kwargs: Any) -> None:
    delivery = str(args[0]) if args else ""
    if task is not None and task.name == "mekong.notify.deliver" and PAUSES.get(delivery) == "after-task":
        reach(f"after-task-{delivery}")


if os.environ.get("NOTIFY_TEST_VISIBILITY_TIMEOUT"):
    app.conf.broker_transport_options = {
        "visibility_timeout": int(os.environ["NOTIFY_TEST_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
