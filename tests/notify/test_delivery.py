"""Delivering a notification on a channel: claimed before sending, recorded after, retried with back-off,
given up, expired — and never sent twice, whoever asks twice."""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from dossiers.factories import OneStopShop, submitted_dossier
from mekong.dossiers import actions as dossier_actions
from mekong.notify import actions
from mekong.notify.models import Delivery, DeliveryStatus, Notification
from mekong.notify.tasks import deliver_task, send_due_task

from .conftest import texts
from .doubles import SlowGateway, WorkerKilled

DOUBLES = "notify.doubles."


@pytest.fixture
def received(shop: OneStopShop) -> Notification:
    """A notification whose SMS and email are queued but not yet sent (the test transaction is open)."""
    dossier_actions.receive(submitted_dossier(shop), actor=shop.receiver)
    return Notification.objects.get()


def sms_of(notification: Notification) -> Delivery:
    return notification.deliveries.get(channel="sms")


def fresh(delivery: Delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


@pytest.mark.django_db
def test_delivering_twice_sends_once(received: Notification, sms_log: Path) -> None:
    sms = sms_of(received)

    assert actions.deliver(sms.pk) == actions.Outcome(DeliveryStatus.SENT)
    assert actions.deliver(sms.pk) == actions.Outcome(DeliveryStatus.SENT)  # a redelivered task

    assert [line["key"] for line in texts(sms_log)] == [str(sms.key)]
    sms = fresh(sms)
    assert (sms.status, sms.attempts, sms.claim_token, sms.lease_until) == (
        DeliveryStatus.SENT,
        1,
        None,
        None,
    )
    assert sms.sent_at is not None
    assert sms.provider_reference == f"dev-sms:{sms.key}"


@pytest.mark.django_db
def test_a_gateway_failure_is_retried_with_growing_waits(
    received: Notification, settings: Any, sms_log: Path
) -> None:
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "GatewayDown"
    sms = sms_of(received)
    now = timezone.now()

    outcome = actions.deliver(sms.pk, now=now)

    assert outcome == actions.Outcome(DeliveryStatus.PENDING, retry_in=30)
    sms = fresh(sms)
    assert (sms.status, sms.attempts) == (DeliveryStatus.PENDING, 1)
    assert sms.last_error == "SmsError: 503 Service Unavailable"
    assert sms.next_attempt_at == now + timedelta(seconds=30)
    # Asked again too early (a duplicate task, the sweeper): nothing is attempted.
    early = actions.deliver(sms.pk, now=now + timedelta(seconds=5))
    assert early == actions.Outcome(DeliveryStatus.PENDING, retry_in=25)
    assert fresh(sms).attempts == 1

    later = actions.deliver(sms.pk, now=sms.next_attempt_at + timedelta(seconds=1))
    assert later == actions.Outcome(DeliveryStatus.PENDING, retry_in=60)
    assert fresh(sms).attempts == 2

    settings.MEKONG_SMS_PROVIDER = "mekong.notify.channels.contrib.sms.providers.dev.LogFileSmsProvider"
    recovered = fresh(sms).next_attempt_at + timedelta(seconds=1)  # type: ignore[operator]
    assert actions.deliver(sms.pk, now=recovered) == actions.Outcome(DeliveryStatus.SENT)
    sms = fresh(sms)
    assert (sms.status, sms.attempts, sms.last_error) == (DeliveryStatus.SENT, 3, "")
    assert len(texts(sms_log)) == 1


@pytest.mark.django_db
def test_after_the_last_attempt_the_delivery_is_given_up(received: Notification, settings: Any) -> None:
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "GatewayDown"
    settings.MEKONG_NOTIFY_MAX_ATTEMPTS = 3
    sms = sms_of(received)
    now = timezone.now()
    for _ in range(3):
        outcome = actions.deliver(sms.pk, now=now)
        now += timedelta(hours=2)

    assert outcome == actions.Outcome(DeliveryStatus.FAILED)
    assert (fresh(sms).status, fresh(sms).attempts) == (DeliveryStatus.FAILED, 3)
    assert actions.deliver(sms.pk, now=now) == actions.Outcome(DeliveryStatus.FAILED)
    assert fresh(sms).attempts == 3


@pytest.mark.django_db
def test_a_number_the_gateway_refuses_fails_at_once(received: Notification, settings: Any) -> None:
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "GatewayRefuses"
    sms = sms_of(received)

    assert actions.deliver(sms.pk) == actions.Outcome(DeliveryStatus.FAILED)
    sms = fresh(sms)
    assert (sms.status, sms.attempts) == (DeliveryStatus.FAILED, 1)
    assert sms.last_error == f"SmsRejected: invalid number {sms.address}"


@pytest.mark.django_db
def test_an_administrator_can_try_a_failed_delivery_again(
    received: Notification, settings: Any, sms_log: Path, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "GatewayRefuses"
    sms = sms_of(received)
    actions.deliver(sms.pk)
    settings.MEKONG_SMS_PROVIDER = "mekong.notify.channels.contrib.sms.providers.dev.LogFileSmsProvider"

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.retry_failed([sms.pk]) == 1

    assert (fresh(sms).status, fresh(sms).attempts) == (DeliveryStatus.SENT, 1)
    assert len(texts(sms_log)) == 1


@pytest.mark.django_db
def test_a_worker_that_died_after_sending_is_not_repeated(
    received: Notification, settings: Any, sms_log: Path
) -> None:
    settings.MEKONG_NOTIFY_LEASE_SECONDS = 300
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "DiesAfterSending"
    sms = sms_of(received)
    now = timezone.now()
    with pytest.raises(WorkerKilled):
        actions.deliver(sms.pk, now=now)
    assert (fresh(sms).status, fresh(sms).attempts) == (DeliveryStatus.SENDING, 1)

    # The broker gives the task to another worker: the row is held until the dead worker's lease ends.
    held = actions.deliver(sms.pk, now=now + timedelta(seconds=10))
    assert held.status == DeliveryStatus.SENDING
    assert held.retry_in == pytest.approx(291, abs=1)
    assert fresh(sms).attempts == 1

    settings.MEKONG_SMS_PROVIDER = "mekong.notify.channels.contrib.sms.providers.dev.LogFileSmsProvider"
    assert actions.deliver(sms.pk, now=now + timedelta(seconds=301)) == actions.Outcome(DeliveryStatus.SENT)
    assert [line["key"] for line in texts(sms_log)] == [str(sms.key)]  # the gateway knew the key
    assert (fresh(sms).status, fresh(sms).attempts) == (DeliveryStatus.SENT, 2)


@pytest.mark.django_db
def test_a_worker_that_died_before_sending_is_sent_by_the_next(
    received: Notification, settings: Any, sms_log: Path
) -> None:
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "DiesBeforeSending"
    sms = sms_of(received)
    now = timezone.now()
    with pytest.raises(WorkerKilled):
        actions.deliver(sms.pk, now=now)

    settings.MEKONG_SMS_PROVIDER = "mekong.notify.channels.contrib.sms.providers.dev.LogFileSmsProvider"
    later = now + timedelta(seconds=settings.MEKONG_NOTIFY_LEASE_SECONDS + 1)
    assert actions.deliver(sms.pk, now=later) == actions.Outcome(DeliveryStatus.SENT)
    assert len(texts(sms_log)) == 1


@pytest.mark.django_db
def test_a_late_worker_does_not_overwrite_the_one_that_took_over(
    received: Notification, settings: Any
) -> None:
    # Worker 1 claims, stalls past its lease; worker 2 claims and sends; worker 1's record is refused.
    sms = sms_of(received)
    now = timezone.now()
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "DiesBeforeSending"
    with pytest.raises(WorkerKilled):
        actions.deliver(sms.pk, now=now)
    stale_token = fresh(sms).claim_token
    assert stale_token is not None
    settings.MEKONG_SMS_PROVIDER = "mekong.notify.channels.contrib.sms.providers.dev.LogFileSmsProvider"
    actions.deliver(sms.pk, now=now + timedelta(seconds=settings.MEKONG_NOTIFY_LEASE_SECONDS + 1))

    assert actions._record(sms.pk, stale_token, status=DeliveryStatus.FAILED, last_error="late") is False
    assert fresh(sms).status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_a_backlog_too_old_is_not_sent(received: Notification, settings: Any, sms_log: Path) -> None:
    sms = sms_of(received)
    settings.MEKONG_NOTIFY_MAX_AGE_HOURS = 1

    assert actions.deliver(sms.pk, now=timezone.now() + timedelta(hours=2)) == actions.Outcome(
        DeliveryStatus.EXPIRED
    )
    assert texts(sms_log) == []


@pytest.mark.django_db
def test_unknown_deliveries_and_channels(received: Notification) -> None:
    assert actions.deliver(987654) == actions.Outcome("missing")
    email = received.deliveries.get(channel="email")
    Delivery.objects.filter(pk=email.pk).update(channel="fax")  # a channel removed from the registry since

    assert actions.deliver(email.pk) == actions.Outcome(DeliveryStatus.FAILED)
    assert fresh(email).last_error == "unknown channel fax"


@pytest.mark.django_db
def test_email_goes_through_the_configured_backend(received: Notification) -> None:
    email = received.deliveries.get(channel="email")

    assert actions.deliver(email.pk) == actions.Outcome(DeliveryStatus.SENT)

    [message] = mail.outbox
    assert message.to == [email.address]
    assert message.extra_headers["Message-ID"] == fresh(email).provider_reference
    assert message.body == received.email_body
    assert "Cổng dịch vụ công Hậu Giang" in message.body
    assert message.from_email == "Cổng dịch vụ công Mekong <no-reply@localhost>"


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed on return: nothing listens there any more


@pytest.mark.django_db
def test_an_unreachable_smtp_server_is_retried(
    received: Notification, settings: Any, closed_port: int
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 5
    email = received.deliveries.get(channel="email")

    outcome = actions.deliver(email.pk)

    assert outcome == actions.Outcome(DeliveryStatus.PENDING, retry_in=30)
    assert fresh(email).last_error.startswith("DeliveryError: ConnectionRefusedError")


@pytest.mark.django_db
def test_an_address_the_smtp_server_refuses_fails(received: Notification, settings: Any) -> None:
    settings.EMAIL_BACKEND = DOUBLES + "RecipientRefused"
    email = received.deliveries.get(channel="email")

    assert actions.deliver(email.pk) == actions.Outcome(DeliveryStatus.FAILED)
    assert fresh(email).last_error.startswith("PermanentDeliveryError: recipient refused")


@pytest.mark.django_db
def test_the_sweeper_sends_what_is_due_and_leaves_fresh_work_to_its_task(
    received: Notification, settings: Any, sms_log: Path
) -> None:
    sms, email = sms_of(received), received.deliveries.get(channel="email")
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "GatewayDown"
    actions.deliver(sms.pk, now=timezone.now() - timedelta(hours=1))  # failed an hour ago: due again
    settings.MEKONG_SMS_PROVIDER = "mekong.notify.channels.contrib.sms.providers.dev.LogFileSmsProvider"

    assert actions.due_deliveries() == [sms.pk]  # the email was queued just now: its own task will come
    assert send_due_task.apply().get() == 1
    assert fresh(sms).status == DeliveryStatus.SENT
    assert len(texts(sms_log)) == 1
    # A delivery whose task never came (the broker was down at commit) is picked up after a while.
    assert actions.due_deliveries(timezone.now() + actions.DISPATCH_GRACE + timedelta(seconds=1)) == [
        email.pk
    ]


@pytest.mark.django_db
def test_the_sweeper_takes_over_from_a_dead_worker(received: Notification, settings: Any) -> None:
    sms = sms_of(received)
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "DiesBeforeSending"
    an_hour_ago = timezone.now() - timedelta(hours=1)
    with pytest.raises(WorkerKilled):
        actions.deliver(sms.pk, now=an_hour_ago)
    settings.MEKONG_SMS_PROVIDER = "mekong.notify.channels.contrib.sms.providers.dev.LogFileSmsProvider"

    assert actions.due_deliveries() == [sms.pk]  # its lease ran out long ago
    assert actions.send_due() == 1
    assert (fresh(sms).status, fresh(sms).attempts) == (DeliveryStatus.SENT, 2)


@pytest.mark.django_db
def test_the_task_reports_the_outcome(received: Notification) -> None:
    sms = sms_of(received)

    assert deliver_task.apply((sms.pk,)).get() == DeliveryStatus.SENT
    assert deliver_task.apply((sms.pk,)).get() == DeliveryStatus.SENT
    assert fresh(sms).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_delivery_send_it_once(settings: Any) -> None:
    from dossiers.factories import one_stop_shop

    shop = one_stop_shop()
    # The first attempt (inline, when the receipt commits) fails; then four workers — the retry task,
    # the sweeper, a redelivered copy… — reach the due retry at the same moment.
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "GatewayDown"
    dossier_actions.receive(submitted_dossier(shop), actor=shop.receiver)
    sms = fresh(sms_of(Notification.objects.get()))
    assert (sms.status, sms.attempts) == (DeliveryStatus.PENDING, 1)
    assert sms.next_attempt_at is not None
    due = sms.next_attempt_at + timedelta(seconds=1)
    settings.MEKONG_SMS_PROVIDER = DOUBLES + "SlowGateway"
    SlowGateway.calls = 0
    start = threading.Barrier(4)

    def worker(_: int) -> str:
        try:
            start.wait()
            return str(actions.deliver(sms.pk, now=due).status)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(worker, range(4)))

    assert SlowGateway.calls == 1
    assert outcomes.count(DeliveryStatus.SENT) == 1
    assert outcomes.count(DeliveryStatus.SENDING) == 3  # found it claimed: they will look again later
    assert (fresh(sms).status, fresh(sms).attempts) == (DeliveryStatus.SENT, 2)
