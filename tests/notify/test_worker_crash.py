"""Acceptance (issue 4): a notification is delivered exactly once even when the worker is killed in the
middle of the task — with real Celery worker processes and the local Redis, not eager mode.

Two dossier events make two notifications; each goes to the citizen's inbox (in the event's transaction)
and by SMS and email (queued to Redis when the transaction commits). The first worker is stopped at three
different points, then the whole worker (every process) is killed with SIGKILL:
  * the first email after its delivery was claimed and before it was written,
  * the first SMS after the provider took it and before the delivery was marked sent — the hard case,
  * the second SMS after it was marked sent and before the broker got the task's acknowledgement.
A second worker then receives the unacknowledged tasks again from Redis and finishes the work: every
message exists exactly once (one line per key in the SMS log, one email per Message-ID, one inbox item
per notification) and every delivery is "sent".

Needs REDIS_URL (CI sets it). On PostgreSQL and on file-backed SQLite alike, the test's data is committed
(a transactional test) so the worker processes, given the test database's URL, can read it.
"""

from __future__ import annotations

import email
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from dossiers.factories import one_stop_shop, submitted_dossier
from mekong.celery import app as celery_app
from mekong.dossiers import actions
from mekong.notify.channels.contrib.email import message_id
from mekong.notify.channels.contrib.sms.providers.dev import read_log
from mekong.notify.models import Delivery, DeliveryStatus, InboxMessage, Notification

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = os.environ.get("REDIS_URL", "")
TESTS_DIR = Path(__file__).resolve().parents[1]
LEASE_SECONDS = 3
WAIT_SECONDS = 120
WORKER_APPLICATION = "mekong-test-crash-worker"  # names the workers' PostgreSQL sessions


@pytest.fixture
def _tasks_inline() -> None:
    """Overrides the package's fixture: here deliveries really go through Redis to worker processes."""


def database_url() -> str:
    """The URL of the test database, for the worker processes."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(config["NAME"])
        if name.startswith(("file:memorydb", ":memory:")):
            pytest.fail("a worker process needs a file-backed SQLite test database (see tests/conftest.py)")
        return f"sqlite:///{Path(name).resolve()}"
    if connection.vendor == "postgresql":
        user = quote(str(config.get("USER") or ""), safe="")
        password = quote(str(config.get("PASSWORD") or ""), safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host, port = config.get("HOST") or "127.0.0.1", config.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{config['NAME']}?application_name={WORKER_APPLICATION}"
    pytest.fail(f"no worker database URL for {connection.vendor}")


class Worker:
    """A `celery worker` in its own process group, so killing it kills the pool's processes too."""

    def __init__(self, name: str, queue: str, env: dict[str, str], log: Path) -> None:
        self.log = log
        command = [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "notify.crash_worker",
            "worker",
            "--queues",
            queue,
            "--pool",
            "prefork",
            "--concurrency",
            "4",
            "--hostname",
            f"{name}-{uuid.uuid4().hex[:8]}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ]
        self.output = log.open("wb")
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=TESTS_DIR,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.output.close()

    def tail(self) -> str:
        if not self.output.closed:
            self.output.flush()
        return self.log.read_text(errors="replace")[-4000:]


def wait_for(condition: Callable[[], bool], what: str, workers: list[Worker]) -> None:
    """Poll the database and files until `condition` holds; fail early if one of `workers` dies."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        for worker in workers:
            if worker.process.poll() is not None:
                pytest.fail(
                    f"the worker exited ({worker.process.returncode}) waiting for {what}:\n{worker.tail()}"
                )
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n" + "\n---\n".join(worker.tail() for worker in workers))


def statuses(*deliveries: Delivery) -> list[str]:
    found = dict(Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).values_list("pk", "status"))
    return [found[d.pk] for d in deliveries]


def message_ids(mail_dir: Path) -> Counter[str]:
    """Message-IDs of the emails the file backend wrote (a file per connection, messages separated by a
    line of dashes)."""
    found: Counter[str] = Counter()
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []:
        for text in path.read_text().split("\n" + "-" * 79 + "\n"):
            if text.strip():
                found[" ".join(str(email.message_from_string(text)["Message-ID"]).split())] += 1
    return found


def sessions_gone(timeout: float = 30) -> None:
    """Wait until the killed workers' database sessions have ended, so the test database can be flushed
    and dropped (PostgreSQL ends a session when it notices its client is gone)."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = %s",
                [WORKER_APPLICATION],
            )
            if cursor.fetchone() == (0,):
                return
        time.sleep(0.1)
    pytest.fail("the killed workers' database sessions are still open")


@pytest.fixture
def redis_queue() -> Iterator[str]:
    if not REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL (CI does) to run real Celery workers against it")
    import redis

    name = f"test-notify-{uuid.uuid4().hex}"
    yield name
    # The queue and kombu's records of its bindings.
    redis.Redis.from_url(REDIS_URL).delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")


def test_a_notification_is_delivered_once_when_the_worker_is_killed_mid_task(
    redis_queue: str, tmp_path: Path, settings: Any
) -> None:
    assert not celery_app.conf.task_always_eager, "with REDIS_URL the tasks must go through the broker"
    settings.MEKONG_NOTIFY_QUEUE = redis_queue
    sms_log, mail_dir, barrier = tmp_path / "sms.log", tmp_path / "mail", tmp_path / "barrier"
    barrier.mkdir()

    shop = one_stop_shop()
    shop.citizen.email = "cong.dan@example.com"
    shop.citizen.save(update_fields=["email"])
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    actions.request_supplement(dossier, actor=shop.receiver, missing=["Bản sao giấy khai sinh"])
    first, second = Notification.objects.order_by("pk")
    sms_1, email_1 = first.deliveries.get(channel="sms"), first.deliveries.get(channel="email")
    sms_2, email_2 = second.deliveries.get(channel="sms"), second.deliveries.get(channel="email")
    assert statuses(sms_1, email_1, sms_2, email_2) == [DeliveryStatus.PENDING] * 4  # queued, not sent

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS_DIR), os.environ.get("PYTHONPATH")])),
        "MEKONG_VAR_DIR": str(tmp_path / "var"),
        "MEKONG_ALLOW_DEV_SECRET": "1",
        "MEKONG_SMS_PROVIDER": "notify.crash_worker.PausingSmsProvider",
        "MEKONG_SMS_LOG": str(sms_log),
        "EMAIL_BACKEND": "notify.crash_worker.PausingEmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEKONG_NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
        "LOG_FORMAT": "console",
    }
    pauses = {str(email_1.key): "before-send", str(sms_1.key): "after-send", str(sms_2.pk): "after-task"}
    points = [f"before-send-{email_1.key}", f"after-send-{sms_1.key}", f"after-task-{sms_2.pk}"]
    workers: list[Worker] = []
    try:
        first_worker = Worker(
            "killed",
            redis_queue,
            {**env, "NOTIFY_TEST_PAUSES": json.dumps(pauses), "NOTIFY_TEST_BARRIER_DIR": str(barrier)},
            tmp_path / "worker-killed.log",
        )
        workers.append(first_worker)
        wait_for(
            lambda: (
                all((barrier / point).exists() for point in points)
                and statuses(email_2) == [DeliveryStatus.SENT]
            ),
            "the first worker to reach its three pause points and send the second email",
            workers,
        )
        first_worker.kill()

        # Killed mid-way: the first SMS went out but is not recorded, the first email is claimed but unsent.
        assert statuses(sms_1, email_1, sms_2, email_2) == [
            DeliveryStatus.SENDING,
            DeliveryStatus.SENDING,
            DeliveryStatus.SENT,
            DeliveryStatus.SENT,
        ]
        assert sorted(line["key"] for line in read_log(sms_log)) == sorted([str(sms_1.key), str(sms_2.key)])
        assert message_ids(mail_dir) == Counter({message_id(str(email_2.key)): 1})

        second_worker = Worker(
            "recovering",
            redis_queue,
            {**env, "NOTIFY_TEST_VISIBILITY_TIMEOUT": "5"},
            tmp_path / "worker-recovering.log",
        )
        workers.append(second_worker)
        wait_for(
            lambda: statuses(sms_1, email_1, sms_2, email_2) == [DeliveryStatus.SENT] * 4,
            "the second worker to finish every delivery",
            [second_worker],
        )
    finally:
        for worker in workers:
            worker.kill()
        sessions_gone()

    # Exactly once, on every channel.
    assert Counter(line["key"] for line in read_log(sms_log)) == Counter(
        {str(sms_1.key): 1, str(sms_2.key): 1}
    )
    assert message_ids(mail_dir) == Counter(
        {message_id(str(email_1.key)): 1, message_id(str(email_2.key)): 1}
    )
    assert Counter(InboxMessage.objects.values_list("notification_id", flat=True)) == Counter(
        {first.pk: 1, second.pk: 1}
    )
    attempts = dict(Delivery.objects.values_list("pk", "attempts"))
    # The killed attempts count: the interrupted SMS and email were claimed twice, the others once.
    assert [attempts[d.pk] for d in (sms_1, email_1, sms_2, email_2)] == [2, 2, 1, 1]
