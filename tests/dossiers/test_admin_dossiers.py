"""Dossiers admin: dossiers, their events, apology letters and issued documents are read-only (state
changes only through the actions); the province's calendar days are editable and take effect at once."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from mekong.dossiers import actions
from mekong.dossiers.apology import draft_apologies
from mekong.dossiers.calendar import province_calendar
from mekong.dossiers.models import ApologyLetter, CalendarDay, CalendarDayKind, Dossier
from mekong.dossiers.states import Status
from mekong.dossiers.workdays import VIETNAM_TZ

from .factories import OneStopShop, one_stop_shop, submitted_dossier

pytestmark = pytest.mark.django_db

MONDAY_9AM = datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM_TZ)


@pytest.fixture
def admin_client(client: Client) -> Client:
    user = get_user_model().objects.create_superuser("quantri-hoso", "quantri@example.vn", "mat-khau-thu")
    client.force_login(user)
    return client


@pytest.fixture
def shop() -> OneStopShop:
    return one_stop_shop(time_limit_value=3)


@pytest.fixture
def dossier(shop: OneStopShop) -> Dossier:
    dossier = submitted_dossier(shop, at=MONDAY_9AM)
    return actions.receive(dossier, actor=shop.receiver, note="Đủ giấy tờ", at=MONDAY_9AM.replace(hour=10))


def test_dossier_page_shows_status_and_events_read_only(admin_client: Client, dossier: Dossier) -> None:
    response = admin_client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert str(dossier.code) in content
    assert "Được tiếp nhận" in content
    assert "Đủ giấy tờ" in content  # the receive event's note, in the inline
    assert 'name="status"' not in content  # shown as text, not a form field
    assert "nhật ký xử lý" in content.lower()
    assert response.context["has_change_permission"] is False
    assert response.context["has_delete_permission"] is False


def test_the_admin_cannot_change_a_dossiers_status(admin_client: Client, dossier: Dossier) -> None:
    url = reverse("admin:dossiers_dossier_change", args=[dossier.pk])
    response = admin_client.post(url, {"status": Status.RESULT_RETURNED, "applicant_name": "Người khác"})
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.applicant_name != "Người khác"
    assert dossier.event_count == 2


def test_dossiers_cannot_be_added_or_deleted_in_the_admin(admin_client: Client, dossier: Dossier) -> None:
    assert admin_client.get(reverse("admin:dossiers_dossier_add")).status_code == 403
    delete = admin_client.post(reverse("admin:dossiers_dossier_delete", args=[dossier.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    changelist = admin_client.get(reverse("admin:dossiers_dossier_changelist"))
    assert "delete_selected" not in changelist.content.decode()


def test_dossier_list_filters_by_status_in_few_queries(
    admin_client: Client, shop: OneStopShop, dossier: Dossier, django_assert_max_num_queries: object
) -> None:
    for _ in range(5):
        submitted_dossier(shop, at=MONDAY_9AM)
    url = reverse("admin:dossiers_dossier_changelist")
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = admin_client.get(url, {"status__exact": Status.NEW})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 5
    assert dossier not in response.context["cl"].result_list
    assert admin_client.get(url, {"q": str(dossier.code)}).context["cl"].result_list[0] == dossier


def test_apology_letters_are_listed_read_only(admin_client: Client, dossier: Dossier) -> None:
    (letter,) = draft_apologies(datetime(2026, 3, 12, 15, 0, tzinfo=VIETNAM_TZ))
    listing = admin_client.get(reverse("admin:dossiers_apologyletter_changelist"))
    assert listing.status_code == 200
    assert str(dossier.code) in listing.content.decode()
    url = reverse("admin:dossiers_apologyletter_change", args=[letter.pk])
    assert admin_client.post(url, {"status": "sent"}).status_code == 403
    letter.refresh_from_db()
    assert letter.status == "draft"
    assert admin_client.get(reverse("admin:dossiers_apologyletter_add")).status_code == 403
    assert ApologyLetter.objects.count() == 1


def test_issued_documents_are_read_only(admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:dossiers_issueddocument_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:dossiers_issueddocument_add")).status_code == 403


def test_calendar_day_added_in_the_admin_changes_the_province_calendar(admin_client: Client) -> None:
    storm = date(2026, 3, 10)  # a Tuesday
    assert province_calendar().is_working_day(storm)
    response = admin_client.post(
        reverse("admin:dossiers_calendarday_add"),
        {"date": "2026-03-10", "kind": CalendarDayKind.DAY_OFF, "note": "Nghỉ tránh bão"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert not province_calendar().is_working_day(storm)

    day = CalendarDay.objects.get(date=storm)
    listing = admin_client.get(reverse("admin:dossiers_calendarday_changelist"))
    assert "Thứ Ba" in listing.content.decode()
    assert "Nghỉ tránh bão" in listing.content.decode()

    # Turning it into a working day again by deleting it.
    admin_client.post(reverse("admin:dossiers_calendarday_delete", args=[day.pk]), {"post": "yes"})
    assert province_calendar().is_working_day(storm)


def test_a_swapped_saturday_edited_in_the_admin_becomes_a_working_day(admin_client: Client) -> None:
    saturday = date(2026, 3, 14)
    day = CalendarDay.objects.create(date=saturday, kind=CalendarDayKind.WORKING_DAY, note="Làm bù")
    assert province_calendar().is_working_day(saturday)
    response = admin_client.post(
        reverse("admin:dossiers_calendarday_change", args=[day.pk]),
        {"date": "2026-03-21", "kind": CalendarDayKind.WORKING_DAY, "note": "Làm bù (dời)"},
    )
    assert response.status_code == 302
    assert not province_calendar().is_working_day(saturday)
    assert province_calendar().is_working_day(date(2026, 3, 21))


def test_calendar_day_that_changes_nothing_is_refused(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:dossiers_calendarday_add"),
        {"date": "2026-03-14", "kind": CalendarDayKind.DAY_OFF, "note": "Thứ Bảy"},
    )
    assert response.status_code == 200
    assert "đã là ngày nghỉ theo lịch nhà nước" in response.content.decode()
    assert not CalendarDay.objects.exists()
