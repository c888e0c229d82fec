"""Citizens' feedback in the back office: listed for the agencies the official reads (unanswered first, by
due date) and answered through `feedback.actions.handle_feedback`; refusals in Vietnamese, nothing changed."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from backoffice.builders import HOUR, returned
from dossiers.factories import OneStopShop, one_stop_shop
from mekong.accounts.models import User
from mekong.dossiers.workdays import VIETNAM_TZ
from mekong.feedback import actions as feedback
from mekong.feedback.models import Rating
from portal.html_audit import assert_accessible

pytestmark = pytest.mark.django_db

LIST = reverse("backoffice:feedback")


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=VIETNAM_TZ)


def rated(shop: OneStopShop, returned_at: datetime, *, score: int, comment: str = "") -> Rating:
    """A dossier returned at `returned_at` and rated by its citizen the next morning."""
    dossier = returned(shop, returned_at)
    return feedback.rate(
        dossier, actor=shop.citizen, score=score, comment=comment, at=returned_at + 24 * HOUR
    )


def answer_url(rating: Rating) -> str:
    return reverse("backoffice:feedback_answer", args=[rating.pk])


def answer(rating: Rating, text: str) -> dict[str, str]:
    return {f"phan-anh-{rating.pk}-response": text}


def listing(client: Client, user: User) -> str:
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 200
    return response.content.decode()


def codes_in(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/can-bo/ho-so/([^/"]+)/">', html)


@pytest.fixture
def open_feedback(shop: OneStopShop) -> Rating:
    # Rated on 6 January: due 15 working days later, long before the clock's 11 March.
    return rated(shop, at(1, 5), score=2, comment="Chờ lâu, cán bộ không hướng dẫn rõ.")


def test_feedback_of_the_officials_agencies_unanswered_first_by_due_date(
    client: Client, shop: OneStopShop, frozen_queue_clock: datetime
) -> None:
    later = rated(shop, at(3, 9), score=3, comment="Nên nhắn tin khi có kết quả.")  # due after the clock
    overdue = rated(shop, at(1, 5), score=1, comment="Chờ lâu, cán bộ không hướng dẫn rõ.")
    answered = rated(shop, at(1, 2), score=2, comment="Phí cao.")  # the earliest due date, but answered
    feedback.handle_feedback(
        answered, actor=shop.leader, response="Phí theo Nghị quyết của HĐND tỉnh.", at=at(3, 2)
    )
    silent = rated(shop, at(1, 6), score=5)  # a rating without feedback: nothing to answer
    stranger = one_stop_shop()
    elsewhere = returned(stranger, at(1, 5))
    feedback.rate(elsewhere, actor=stranger.citizen, score=1, comment="Không ai nghe máy.", at=at(1, 6))

    html = listing(client, shop.receiver)

    assert codes_in(html) == [str(overdue.dossier.code), str(later.dossier.code), str(answered.dossier.code)]
    assert str(silent.dossier.code) not in html
    assert str(elsewhere.code) not in html
    assert "Không ai nghe máy." not in html
    # Each item: link to the back-office dossier page, score, comment, due date and whether it is late.
    overdue_item = html[html.index(f'id="phan-anh-{overdue.pk}"') : html.index(f'id="phan-anh-{later.pk}"')]
    assert f'href="{reverse("backoffice:dossier", args=[overdue.dossier.code])}"' in overdue_item
    assert "1/5 sao" in overdue_item
    assert "Chờ lâu, cán bộ không hướng dẫn rõ." in overdue_item
    assert overdue.feedback_due_at is not None
    due = overdue.feedback_due_at.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M")
    assert f'<dd class="due-late">{due} <span class="sub">quá hạn</span>' in overdue_item
    assert f'action="{answer_url(overdue)}"' in overdue_item
    later_item = html[html.index(f'id="phan-anh-{later.pk}"') : html.index(f'id="phan-anh-{answered.pk}"')]
    assert "3/5 sao" in later_item
    assert "quá hạn" not in later_item
    assert "Chưa trả lời" in later_item
    answered_item = html[html.index(f'id="phan-anh-{answered.pk}"') :]
    assert "Phí theo Nghị quyết của HĐND tỉnh." in answered_item
    assert "trả lời sau hạn" in answered_item
    assert f'action="{answer_url(answered)}"' not in html  # answered: no form any more
    assert_accessible(html)


def test_the_back_office_navigation_links_to_the_feedback(client: Client, official: User) -> None:
    client.force_login(official)

    html = client.get(reverse("backoffice:home")).content.decode()

    assert f'<a href="{LIST}">Phản ánh, kiến nghị</a>' in html


@pytest.mark.parametrize("role", ["receiver", "leader"])
def test_an_officer_answers_the_feedback(
    client: Client, shop: OneStopShop, open_feedback: Rating, role: str
) -> None:
    officer = getattr(shop, role)
    client.force_login(officer)

    response = client.post(
        answer_url(open_feedback), answer(open_feedback, "  Xin lỗi ông/bà, đã nhắc cán bộ.  ")
    )

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert (
        f"Đã trả lời phản ánh về hồ sơ {open_feedback.dossier.code!s}."
        in client.get(response["Location"]).content.decode()
    )
    open_feedback.refresh_from_db()
    assert (open_feedback.response, open_feedback.handled_by_id) == (
        "Xin lỗi ông/bà, đã nhắc cán bộ.",
        officer.pk,
    )
    assert open_feedback.handled_at is not None


def test_an_empty_answer_is_refused(client: Client, shop: OneStopShop, open_feedback: Rating) -> None:
    client.force_login(shop.receiver)

    response = client.post(answer_url(open_feedback), answer(open_feedback, "   "))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Vui lòng nhập nội dung trả lời." in html
    assert "Chưa có nội dung." in html  # next to the answer field
    open_feedback.refresh_from_db()
    assert (open_feedback.handled_at, open_feedback.response) == (None, "")


def test_an_answer_longer_than_the_form_allows_is_refused(
    client: Client, shop: OneStopShop, open_feedback: Rating
) -> None:
    client.force_login(shop.receiver)

    response = client.post(answer_url(open_feedback), answer(open_feedback, "x" * 4001))

    assert response.status_code == 400
    assert "x" * 4001 in response.content.decode()  # what the officer typed is kept
    open_feedback.refresh_from_db()
    assert open_feedback.handled_at is None


def test_feedback_answered_already_is_not_answered_again(
    client: Client, shop: OneStopShop, open_feedback: Rating
) -> None:
    feedback.handle_feedback(open_feedback, actor=shop.leader, response="Đã giải trình.", at=at(1, 20))
    client.force_login(shop.receiver)

    response = client.post(answer_url(open_feedback), answer(open_feedback, "Trả lời lần hai."))

    assert response.status_code == 409
    assert "Phản ánh này đã được xử lý." in response.content.decode()
    open_feedback.refresh_from_db()
    assert (open_feedback.response, open_feedback.handled_by_id) == ("Đã giải trình.", shop.leader.pk)


def test_a_specialist_reads_the_feedback_but_cannot_answer(
    client: Client, shop: OneStopShop, open_feedback: Rating
) -> None:
    html = listing(client, shop.specialist)
    assert "Chờ lâu, cán bộ không hướng dẫn rõ." in html
    assert f'action="{answer_url(open_feedback)}"' not in html
    assert "Chỉ cán bộ tiếp nhận hoặc lãnh đạo của cơ quan được trả lời phản ánh này." in html

    response = client.post(answer_url(open_feedback), answer(open_feedback, "Tôi trả lời thay."))

    assert response.status_code == 403
    assert "Chỉ cán bộ một cửa hoặc lãnh đạo của cơ quan được xử lý phản ánh." in response.content.decode()
    open_feedback.refresh_from_db()
    assert (open_feedback.handled_at, open_feedback.response) == (None, "")


def test_an_official_of_another_agency_gets_404(client: Client, open_feedback: Rating) -> None:
    client.force_login(one_stop_shop().receiver)

    response = client.post(answer_url(open_feedback), answer(open_feedback, "Không phải việc của tôi."))

    assert response.status_code == 404
    open_feedback.refresh_from_db()
    assert open_feedback.handled_at is None


def test_a_rating_without_feedback_cannot_be_answered(client: Client, shop: OneStopShop) -> None:
    silent = rated(shop, at(1, 5), score=4)
    client.force_login(shop.receiver)

    assert client.post(answer_url(silent), answer(silent, "Cảm ơn.")).status_code == 404
    silent.refresh_from_db()
    assert silent.handled_at is None


def test_citizens_are_refused(client: Client, shop: OneStopShop, open_feedback: Rating) -> None:
    client.force_login(shop.citizen)

    assert client.get(LIST).status_code == 403
    assert client.post(answer_url(open_feedback), answer(open_feedback, "Tự trả lời.")).status_code == 403
    open_feedback.refresh_from_db()
    assert open_feedback.handled_at is None


def test_listing_queries_do_not_grow_with_the_feedback(
    client: Client, shop: OneStopShop, django_assert_num_queries: Any
) -> None:
    def listed() -> list[str]:
        client.force_login(shop.receiver)
        client.get(LIST)  # warm: the session row
        with django_assert_num_queries(5):  # session, user, roles, the page's count, the rows with joins
            html = client.get(LIST).content.decode()
        return codes_in(html)

    rated(shop, at(1, 5), score=2, comment="Chờ lâu.")
    assert len(listed()) == 1
    for day in range(6, 12):
        rated(shop, at(1, day), score=day % 5 + 1, comment=f"Góp ý số {day}.")
    first = Rating.objects.order_by("pk").first()
    assert first is not None
    feedback.handle_feedback(first, actor=shop.leader, response="Đã tiếp thu.")
    assert len(listed()) == 7


def test_the_page_in_english(client: Client, shop: OneStopShop, open_feedback: Rating) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = listing(client, shop.receiver)

    assert "<h1>Feedback</h1>" in html
    assert "2/5 stars" in html
    assert "Send answer" in html
    assert "Phản ánh, kiến nghị" not in html
    assert "Chờ lâu, cán bộ không hướng dẫn rõ." in html  # the citizen's words stay as written
