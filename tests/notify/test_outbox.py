"""A notification is written with the dossier event it tells about (the outbox), in the citizen's
language and on the channels they chose; the inbox copy at once, the others when the transaction commits.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from dossiers.factories import OneStopShop, submitted_dossier
from mekong.dossiers import actions, hooks
from mekong.dossiers.models import DossierEvent
from mekong.notify.models import Delivery, DeliveryStatus, InboxMessage, Notification, NotificationKind

from .conftest import texts

pytestmark = pytest.mark.django_db


def test_receiving_a_dossier_notifies_its_citizen_on_every_channel(
    shop: OneStopShop, sms_log: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dossier = submitted_dossier(shop)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dossier = actions.receive(dossier, actor=shop.receiver)

    notification = Notification.objects.get()
    event = DossierEvent.objects.get(dossier=dossier, command="receive")
    assert (notification.recipient, notification.event, notification.kind) == (
        shop.citizen,
        event,
        NotificationKind.RECEIVED,
    )
    assert notification.subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert dossier.due_at is not None
    due = dossier.due_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    assert f"Ngày hẹn trả kết quả: {due:%H:%M} ngày {due:%d/%m/%Y}." in notification.body
    assert notification.link == f"/ho-so/{dossier.code}/"

    deliveries = {d.channel: d for d in Delivery.objects.all()}
    assert set(deliveries) == {"inapp", "sms", "email"}
    assert all(d.status == DeliveryStatus.SENT for d in deliveries.values())
    assert deliveries["sms"].address == shop.citizen.phone
    assert deliveries["email"].address == shop.citizen.email
    assert len(callbacks) == 1  # one dispatch for the queued channels

    inbox = InboxMessage.objects.get()
    assert (inbox.recipient, inbox.notification, inbox.read_at) == (shop.citizen, notification, None)
    [sms] = texts(sms_log)
    assert sms["to"] == shop.citizen.phone
    assert sms["key"] == str(deliveries["sms"].key)
    assert sms["text"] == f"Ho so {dossier.code} da duoc tiep nhan, hen tra ket qua {due:%H:%M %d/%m/%Y}."
    [email] = mail.outbox
    assert email.to == [shop.citizen.email]
    assert email.subject == notification.subject
    assert email.extra_headers["Message-ID"] == f"<notification.{deliveries['email'].key}@mekong.localhost>"
    assert email.body.startswith(f"Kính gửi ông/bà {shop.citizen.full_name},")
    assert f"http://127.0.0.1:8000/ho-so/{dossier.code}/" in email.body


def test_nothing_leaves_before_the_transaction_commits(shop: OneStopShop, sms_log: Any) -> None:
    dossier = submitted_dossier(shop)
    # A test transaction never commits: the inbox has the message, the outside world has nothing yet.
    actions.receive(dossier, actor=shop.receiver)

    assert InboxMessage.objects.count() == 1
    assert set(Delivery.objects.values_list("channel", "status")) == {
        ("inapp", DeliveryStatus.SENT),
        ("sms", DeliveryStatus.PENDING),
        ("email", DeliveryStatus.PENDING),
    }
    assert texts(sms_log) == []
    assert mail.outbox == []


def test_an_event_rolled_back_leaves_no_notification(shop: OneStopShop) -> None:
    dossier = submitted_dossier(shop)

    def storage_down(dossier: object, event: object) -> None:
        raise RuntimeError("storage down")

    hooks.on_event("receive")(storage_down)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            actions.receive(dossier, actor=shop.receiver)
    finally:
        hooks._handlers["receive"].remove(storage_down)

    assert Notification.objects.count() == Delivery.objects.count() == InboxMessage.objects.count() == 0


def test_internal_steps_and_counter_dossiers_tell_nobody(shop: OneStopShop) -> None:
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    actions.start_processing(dossier, actor=shop.specialist)  # the agency's own work
    counter = actions.create_draft(
        actor=shop.receiver,
        procedure=shop.procedure,
        agency=shop.agency,
        applicant=actions.Applicant(name="Trần Thị Bình", phone="0912345678"),
        form_data={"ho_ten": "Trần Thị Bình", "so_ban": 1},
    )
    assert counter.applicant_id is None  # filed at the counter: no account to notify

    assert list(Notification.objects.values_list("kind", flat=True)) == [NotificationKind.RECEIVED]


def test_an_inactive_account_is_not_notified(shop: OneStopShop) -> None:
    dossier = submitted_dossier(shop)
    shop.citizen.is_active = False
    shop.citizen.save(update_fields=["is_active"])

    actions.receive(dossier, actor=shop.receiver)

    assert Notification.objects.count() == 0


def test_events_too_old_to_text_reach_only_the_inbox(shop: OneStopShop, settings: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    settings.MEKONG_NOTIFY_MAX_AGE_HOURS = 72
    dossier = submitted_dossier(shop, at=timezone.now() - timedelta(days=10))
    actions.receive(dossier, actor=shop.receiver, at=timezone.now() - timedelta(days=9))

    assert dict(Delivery.objects.values_list("channel", "status")) == {
        "inapp": DeliveryStatus.SENT,
        "sms": DeliveryStatus.EXPIRED,
        "email": DeliveryStatus.EXPIRED,
    }
    inbox = InboxMessage.objects.get()
    assert inbox.created_at == inbox.notification.event_at  # listed at the time of the event
