"""Notifications in the admin: read-only, with an action to send failed deliveries again."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from dossiers.factories import OneStopShop, submitted_dossier
from mekong.dossiers import actions as dossier_actions
from mekong.notify import actions
from mekong.notify.models import Delivery, DeliveryStatus, Notification

from .conftest import texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    user = get_user_model().objects.create_superuser("quantri-thongbao", "quantri@example.vn", "mat-khau-thu")
    client.force_login(user)
    return client


def test_notifications_and_deliveries_are_shown_not_edited(admin_client: Client, shop: OneStopShop) -> None:
    dossier_actions.receive(submitted_dossier(shop), actor=shop.receiver)
    notification = Notification.objects.get()

    listing = admin_client.get("/admin/notify/notification/")
    detail = admin_client.get(f"/admin/notify/notification/{notification.pk}/change/")
    deliveries = admin_client.get("/admin/notify/delivery/", {"status__exact": "pending"})

    assert listing.status_code == detail.status_code == deliveries.status_code == 200
    assert notification.subject in listing.content.decode()
    assert notification.sms_text in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()
    assert shop.citizen.phone in deliveries.content.decode()
    assert admin_client.get("/admin/notify/notification/add/").status_code == 403


def test_failed_deliveries_can_be_sent_again(
    admin_client: Client,
    shop: OneStopShop,
    settings: Any,
    sms_log: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dossier_actions.receive(submitted_dossier(shop), actor=shop.receiver)
    sms = Delivery.objects.get(channel="sms")
    settings.MEKONG_SMS_PROVIDER = "notify.doubles.GatewayRefuses"
    actions.deliver(sms.pk)
    settings.MEKONG_SMS_PROVIDER = "mekong.notify.channels.contrib.sms.providers.dev.LogFileSmsProvider"

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/notify/delivery/",
            {"action": "retry_failed", "_selected_action": [sms.pk]},
            follow=True,
        )

    assert "Đã xếp hàng gửi lại 1 thông báo." in response.content.decode()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (DeliveryStatus.SENT, 1)
    assert len(texts(sms_log)) == 1
