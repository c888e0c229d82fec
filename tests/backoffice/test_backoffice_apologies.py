"""Apology letters waiting for an officer: listed per agency, confirmed and sent, or discarded."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backoffice.builders import processing
from dossiers.factories import OneStopShop, one_stop_shop
from mekong.accounts.models import User
from mekong.dossiers.apology import draft_apology
from mekong.dossiers.models import ApologyLetter, ApologyStatus, Dossier, IssuedDocument, IssuedDocumentKind
from mekong.dossiers.workdays import WorkingCalendar
from portal.html_audit import assert_accessible

pytestmark = pytest.mark.django_db

LIST = reverse("backoffice:apologies")
CALENDAR = WorkingCalendar()


@pytest.fixture
def letter(shop: OneStopShop) -> ApologyLetter:
    # Confirming checks the new date against the real clock, so this dossier lives in the present.
    dossier = processing(shop, timezone.now() - timedelta(hours=3))
    drafted = draft_apology(dossier, now=timezone.now(), reason="Cần xác minh thêm tại địa phương.")
    assert drafted is not None
    return drafted


def listing(client: Client, user: User) -> str:
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 200
    return response.content.decode()


def confirm_url(letter: ApologyLetter) -> str:
    return reverse("backoffice:apology_confirm", args=[letter.pk])


def fields(letter: ApologyLetter, **values: str) -> dict[str, str]:
    return {f"phieu-{letter.pk}-{name}": value for name, value in values.items()}


def local_date(letter: ApologyLetter) -> str:
    return timezone.localtime(letter.new_due_at).date().isoformat()


def test_drafts_of_the_officials_agencies_are_listed(
    client: Client, shop: OneStopShop, letter: ApologyLetter
) -> None:
    other = one_stop_shop()
    stranger_letter = draft_apology(
        processing(other, timezone.now() - timedelta(hours=3)), now=timezone.now()
    )
    assert stranger_letter is not None

    html = listing(client, shop.receiver)

    assert str(letter.dossier.code) in html
    assert str(stranger_letter.dossier.code) not in html
    assert "Cần xác minh thêm tại địa phương." in html
    assert f'value="{local_date(letter)}"' in html
    assert "Xác nhận và gửi" in html
    assert "Không dùng" in html
    assert_accessible(html)


def test_confirm_sends_the_letter_and_moves_the_appointment(
    client: Client, shop: OneStopShop, letter: ApologyLetter
) -> None:
    client.force_login(shop.receiver)

    response = client.post(
        confirm_url(letter), fields(letter, reason="Chờ kết quả xác minh.", new_due_date=local_date(letter))
    )

    assert response.status_code == 302
    assert (
        f"Đã gửi phiếu xin lỗi cho hồ sơ {letter.dossier.code!s}."
        in client.get(response["Location"]).content.decode()
    )
    letter.refresh_from_db()
    assert (letter.status, letter.reason, letter.confirmed_by_id) == (
        ApologyStatus.SENT,
        "Chờ kết quả xác minh.",
        shop.receiver.pk,
    )
    dossier = Dossier.objects.get(pk=letter.dossier_id)
    assert dossier.due_at == letter.new_due_at
    assert dossier.events.last().command == "reschedule"  # type: ignore[union-attr]
    assert IssuedDocument.objects.filter(dossier=dossier, kind=IssuedDocumentKind.APOLOGY).exists()
    assert str(letter.dossier.code) not in listing(client, shop.receiver)


def test_confirm_with_another_date_ends_that_day(
    client: Client, shop: OneStopShop, letter: ApologyLetter
) -> None:
    later = CALENDAR.next_working_day(timezone.localtime(letter.new_due_at).date())
    client.force_login(shop.receiver)

    response = client.post(
        confirm_url(letter), fields(letter, reason=letter.reason, new_due_date=later.isoformat())
    )

    assert response.status_code == 302
    assert Dossier.objects.get(pk=letter.dossier_id).due_at == CALENDAR.office_day_end(later)


def test_a_date_before_the_old_appointment_is_refused(
    client: Client, shop: OneStopShop, letter: ApologyLetter
) -> None:
    client.force_login(shop.receiver)
    earlier = (timezone.localtime(letter.previous_due_at) - timedelta(days=1)).date()

    response = client.post(confirm_url(letter), fields(letter, reason="x", new_due_date=earlier.isoformat()))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa gửi được phiếu xin lỗi: vui lòng sửa các mục bên dưới." in html
    assert "Ngày hẹn mới phải sau ngày hẹn cũ" in html
    assert f'value="{earlier.isoformat()}"' in html  # what the officer typed is kept
    letter.refresh_from_db()
    assert letter.status == ApologyStatus.DRAFT


def test_discard(client: Client, shop: OneStopShop, letter: ApologyLetter) -> None:
    client.force_login(shop.leader)

    response = client.post(reverse("backoffice:apology_discard", args=[letter.pk]))

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == ApologyStatus.DISCARDED


def test_specialist_reads_but_cannot_decide(client: Client, shop: OneStopShop, letter: ApologyLetter) -> None:
    html = listing(client, shop.specialist)
    assert str(letter.dossier.code) in html
    assert not re.search(r'action="/can-bo/phieu-xin-loi/\d+/', html)

    response = client.post(confirm_url(letter), fields(letter, reason="x", new_due_date=local_date(letter)))

    assert response.status_code == 403
    assert "Chỉ cán bộ tiếp nhận hoặc lãnh đạo" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == ApologyStatus.DRAFT


def test_official_of_another_agency_gets_404(client: Client, letter: ApologyLetter) -> None:
    stranger = one_stop_shop().receiver
    client.force_login(stranger)

    assert (
        client.post(
            confirm_url(letter), fields(letter, reason="x", new_due_date=local_date(letter))
        ).status_code
        == 404
    )
    assert client.post(reverse("backoffice:apology_discard", args=[letter.pk])).status_code == 404
    letter.refresh_from_db()
    assert letter.status == ApologyStatus.DRAFT


def test_empty_list(client: Client, shop: OneStopShop) -> None:
    assert "Không có phiếu xin lỗi nào chờ xác nhận." in listing(client, shop.receiver)
