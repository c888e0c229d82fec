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
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from dossiers.factories import one_stop_shop, submitted_dossier
from mekong.celery import app as celery_app
from mekong.dossiers import actions
from mekong.notify.channels.contrib.email import message_id
from mekong.notify.channels.contrib.sms.providers.dev import read_log
from mekong.notify.models import Delivery, DeliveryStatus, InboxMessage, Notification
from workers import Worker, redis_queue, sessions_gone, wait_for, worker_environment

__all__ = ["redis_queue"]  # a fixture, used by name

pytestmark = pytest.mark.django_db(transaction=True)

LEASE_SECONDS = 3
CRASH_APP = "notify.crash_worker"


@pytest.fixture
def _tasks_inline() -> None:
    """Overrides the package's fixture: here deliveries really go through Redis to worker processes."""


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

    env = worker_environment(
        tmp_path,
        MEKONG_SMS_PROVIDER="notify.crash_worker.PausingSmsProvider",
        MEKONG_SMS_LOG=str(sms_log),
        EMAIL_BACKEND="notify.crash_worker.PausingEmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        MEKONG_NOTIFY_LEASE_SECONDS=str(LEASE_SECONDS),
    )
    pauses = {str(email_1.key): "before-send", str(sms_1.key): "after-send", str(sms_2.pk): "after-task"}
    points = [f"before-send-{email_1.key}", f"after-send-{sms_1.key}", f"after-task-{sms_2.pk}"]
    workers: list[Worker] = []
    try:
        first_worker = Worker(
            "killed",
            redis_queue,
            {**env, "NOTIFY_TEST_PAUSES": json.dumps(pauses), "NOTIFY_TEST_BARRIER_DIR": str(barrier)},
            tmp_path / "worker-killed.log",
            app=CRASH_APP,
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
            app=CRASH_APP,
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
