"""The citizen's pages: the inbox with its unread count in the header, read marks, and the choice of
channels."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from accounts.factories import CitizenFactory, OfficialFactory
from dossiers.factories import OneStopShop, submitted_dossier
from mekong.dossiers import actions as dossier_actions
from mekong.notify.models import InboxMessage, NotificationPreference
from portal.html_audit import assert_accessible

pytestmark = pytest.mark.django_db

INBOX = "/thong-bao/"
PREFERENCES = "/thong-bao/cai-dat/"


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def two_notifications(shop: OneStopShop) -> list[InboxMessage]:
    dossier = dossier_actions.receive(submitted_dossier(shop), actor=shop.receiver)
    dossier_actions.request_supplement(dossier, actor=shop.receiver, missing=["Ảnh chân dung 4x6"])
    return list(InboxMessage.objects.order_by("-created_at", "-id"))


def test_the_header_counts_unread_notifications(shop: OneStopShop) -> None:
    client = signed_in(shop.citizen)
    assert "Thông báo" in text(client.get(reverse("portal:home")))
    assert 'class="nav-count"' not in client.get(reverse("portal:home")).content.decode()

    two_notifications(shop)

    html = client.get(reverse("portal:home")).content.decode()
    assert re.search(r'href="/thong-bao/"[^>]*>Thông báo <span class="nav-count">2<span', html)
    assert "Thông báo" not in text(Client().get(reverse("portal:home")))  # signed out: no inbox
    assert "/thong-bao/" not in signed_in(OfficialFactory()).get(reverse("portal:home")).content.decode()


def test_the_inbox_lists_the_notifications_newest_first(shop: OneStopShop) -> None:
    newest, oldest = two_notifications(shop)

    response = signed_in(shop.citizen).get(INBOX)

    assert response.status_code == 200
    assert_accessible(response.content.decode())
    page = text(response)
    assert "Bạn có 2 thông báo chưa đọc." in page
    assert page.index(newest.notification.subject) < page.index(oldest.notification.subject)
    assert "- Ảnh chân dung 4x6" in page
    assert "Đánh dấu tất cả đã đọc" in page


def test_opening_a_notification_marks_it_read_and_leads_to_the_dossier(shop: OneStopShop) -> None:
    newest, oldest = two_notifications(shop)
    client = signed_in(shop.citizen)

    response = client.post(f"/thong-bao/{newest.pk}/da-doc/", {"xem": "1"})

    assert response.status_code == 302
    assert response["Location"] == newest.notification.link
    newest.refresh_from_db()
    assert newest.read_at is not None
    assert "Bạn có 1 thông báo chưa đọc." in text(client.get(INBOX))
    unread_only = text(client.get(INBOX, {"chua-doc": "1"}))
    assert oldest.notification.subject in unread_only
    assert newest.notification.subject not in unread_only

    back = client.post(f"/thong-bao/{oldest.pk}/da-doc/", {"trang": "1", "chua-doc": "1"})
    assert back["Location"] == "/thong-bao/?chua-doc=1"
    assert "Không có thông báo chưa đọc." in text(client.get(INBOX, {"chua-doc": "1"}))


def test_mark_all_read(shop: OneStopShop) -> None:
    two_notifications(shop)
    client = signed_in(shop.citizen)

    response = client.post("/thong-bao/da-doc-tat-ca/", follow=True)

    assert "Đã đánh dấu 2 thông báo là đã đọc." in text(response)
    assert not InboxMessage.objects.filter(read_at__isnull=True).exists()


def test_only_the_owner_reaches_a_notification(shop: OneStopShop) -> None:
    newest, _oldest = two_notifications(shop)

    assert signed_in(CitizenFactory()).post(f"/thong-bao/{newest.pk}/da-doc/").status_code == 404
    assert signed_in(shop.citizen).get(f"/thong-bao/{newest.pk}/da-doc/").status_code == 405
    anonymous = Client().get(INBOX)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    assert signed_in(OfficialFactory()).get(INBOX).status_code == 403
    newest.refresh_from_db()
    assert newest.read_at is None


def test_an_empty_inbox_says_what_will_come() -> None:
    page = text(signed_in(CitizenFactory()).get(INBOX))

    assert "Chưa có thông báo nào." in page


def test_choosing_channels_on_the_portal(shop: OneStopShop) -> None:
    client = signed_in(shop.citizen)
    form = client.get(PREFERENCES)
    assert form.status_code == 200
    html = form.content.decode()
    assert_accessible(html)
    assert re.search(r'<input type="checkbox" name="channels" value="inapp"[^>]*checked[^>]* disabled>', html)
    assert re.search(r'value="sms"[^>]*checked>', html)
    assert shop.citizen.phone in html

    response = client.post(PREFERENCES, {"channels": ["sms"], "language": "en"}, follow=True)

    assert "Đã lưu cách nhận thông báo." in text(response)
    preference = NotificationPreference.objects.get(user=shop.citizen)
    assert (preference.channels, preference.language) == (["sms"], "en")
    again = client.get(PREFERENCES).content.decode()
    assert not re.search(r'value="email"[^>]*checked', again)
    assert re.search(r'value="en"[^>]*checked', again)


def test_a_channel_the_account_cannot_receive_is_refused(settings: Any) -> None:
    citizen = CitizenFactory(email="")
    client = signed_in(citizen)
    assert re.search(r'value="email"[^>]* disabled>', client.get(PREFERENCES).content.decode())

    response = client.post(PREFERENCES, {"channels": ["email"], "language": "vi"})

    assert response.status_code == 400
    assert "Tài khoản chưa có địa chỉ để nhận thông báo qua kênh “Thư điện tử”." in text(response)
    assert not NotificationPreference.objects.filter(user=citizen).exists()
    bad_language = client.post(PREFERENCES, {"channels": [], "language": "fr"})
    assert bad_language.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_the_pages_in_english(shop: OneStopShop) -> None:
    two_notifications(shop)
    client = signed_in(shop.citizen)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    inbox = text(client.get(INBOX))
    preferences = text(client.get(PREFERENCES))

    assert "You have 2 unread notifications." in inbox
    assert "Mark all as read" in inbox
    assert "Notification inbox on the portal" in preferences
    assert "Language of the notifications" in preferences
