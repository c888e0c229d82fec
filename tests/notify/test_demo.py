"""The demo's citizens find their dossiers' notifications in their inbox; events too old are not texted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers.test_demo_dossiers import tenant
from mekong.accounts.demo import DEMO_CITIZEN_EMAIL, DEMO_CITIZEN_PERSONAL_ID
from mekong.accounts.models import User
from mekong.dossiers.demo import generate_demo_dossiers
from mekong.notify.models import Delivery, DeliveryStatus, InboxMessage, Notification

__all__ = ["tenant"]


@pytest.mark.django_db
def test_demo_citizens_have_notifications(tenant: None) -> None:
    now = timezone.now()
    generate_demo_dossiers(20, now=now)

    citizen = User.objects.get(personal_id=DEMO_CITIZEN_PERSONAL_ID)
    assert citizen.email == DEMO_CITIZEN_EMAIL
    received = citizen.dossiers.filter(received_at__isnull=False).count()
    assert received
    assert InboxMessage.objects.filter(recipient=citizen, read_at__isnull=True).count() >= received
    assert Notification.objects.exclude(recipient=citizen).exists()  # the other online applicants too
    # Every notification is in its citizen's inbox; texts and emails only for the last three days' events.
    assert InboxMessage.objects.count() == Notification.objects.count()
    recent = now - timedelta(hours=72)
    outside = Delivery.objects.exclude(channel="inapp")
    assert outside.filter(notification__event_at__lt=recent).exists()
    assert set(outside.filter(notification__event_at__lt=recent).values_list("status", flat=True)) == {
        DeliveryStatus.EXPIRED
    }
    assert set(outside.filter(notification__event_at__gte=recent).values_list("status", flat=True)) <= {
        DeliveryStatus.PENDING  # queued for when the batch commits (never, in this test's transaction)
    }
