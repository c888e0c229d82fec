"""Ratings in the demo data: made through `feedback.actions` over returned demo dossiers, answered on time or
late by an officer allowed to, never in the future; deterministic and idempotent; the IOC's satisfaction
indicators (6.1, 6.3) then have figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from accounts.factories import OfficialFactory
from backoffice.builders import HOUR, returned
from dossiers.factories import one_stop_shop
from dossiers.test_demo_dossiers import NOW, tenant
from mekong.accounts.demo import DEMO_CITIZEN_PERSONAL_ID
from mekong.accounts.models import RoleAssignment
from mekong.dossiers.demo import generate_demo_dossiers
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import Status
from mekong.feedback import demo
from mekong.feedback.actions import HANDLING_ROLES
from mekong.feedback.demo import RatingReport, rate_demo_dossiers
from mekong.feedback.models import Rating
from mekong.ioc import selectors as ioc
from mekong.ioc.indicators import year_of

__all__ = ["tenant"]

FIELDS = ("dossier_id", "score", "comment", "created_at", "feedback_due_at", "handled_at", "handled_by_id")


def snapshot() -> list[tuple[Any, ...]]:
    return list(Rating.objects.order_by("dossier_id").values_list(*FIELDS))


def indicator(figures: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for g in figures["groups"] for i in g["indicators"] if i["code"] == code)


@pytest.mark.django_db
def test_the_demo_has_ratings_and_answered_feedback(tenant: None) -> None:
    report = generate_demo_dossiers(120, now=NOW).ratings

    ratings = list(Rating.objects.select_related("dossier", "dossier__applicant"))
    assert report.ratings == len(ratings) >= 10
    with_feedback = [r for r in ratings if r.comment]
    assert report.feedback == len(with_feedback) >= 3
    assert len({r.score for r in ratings}) >= 3  # a spread of scores, mostly satisfied
    assert 3 < sum(r.score for r in ratings) / len(ratings) < 5
    for rating in ratings:
        dossier = rating.dossier
        assert dossier.status == Status.RESULT_RETURNED
        assert dossier.applicant is not None
        assert rating.created_by_id == dossier.applicant_id  # the citizen who filed it rated it
        assert dossier.applicant.personal_id != DEMO_CITIZEN_PERSONAL_ID  # theirs are left to rate
        assert dossier.finished_at is not None
        assert dossier.finished_at <= rating.created_at < NOW
        assert (rating.feedback_due_at is not None) == bool(rating.comment)
        if rating.handled_at is not None:
            assert rating.created_at < rating.handled_at < NOW
            assert rating.response
            assert RoleAssignment.objects.filter(
                user_id=rating.handled_by_id, agency_id=dossier.agency_id, role__in=list(HANDLING_ROLES)
            ).exists()
    answered = [r for r in with_feedback if r.handled_at is not None]
    on_time = [
        r for r in answered if r.feedback_due_at and r.handled_at and r.handled_at <= r.feedback_due_at
    ]
    assert report.answered_on_time == len(on_time) >= 1
    assert report.answered_late == len(answered) - len(on_time) >= 1
    assert report.unanswered == len(with_feedback) - len(answered)

    # The operations centre measures 6.1 (feedback handled on time) and 6.3 (satisfaction) on the demo.
    figures = ioc.summary(OfficialFactory(is_superuser=True), None, year_of(NOW.date()), now=NOW.date())
    handled_on_time = indicator(figures, "6.1")
    assert handled_on_time["measured"] is True
    assert 0 < handled_on_time["numerator"] <= handled_on_time["denominator"]
    assert indicator(figures, "6.3")["measured"] is True
    assert figures["counts"]["ratings"] > 0

    # Loading the demo again rates nothing more and changes nothing.
    before = snapshot()
    again = generate_demo_dossiers(120, now=NOW)
    assert again.created == 0
    assert again.ratings == RatingReport(0, 0, 0, 0, 0)
    assert snapshot() == before


@pytest.fixture
def every_one_rated_with_feedback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "RATED_SHARE", 1.0)
    monkeypatch.setattr(demo, "FEEDBACK_SHARE", dict.fromkeys(range(1, 6), 1.0))


@pytest.mark.django_db
def test_feedback_is_never_answered_after_now(every_one_rated_with_feedback: None) -> None:
    shop = one_stop_shop()
    start = datetime(2026, 3, 2, 9, tzinfo=NOW.tzinfo)
    dossiers = [returned(shop, start + day * timedelta(days=1)) for day in range(4)]
    now = dossiers[-1].finished_at + 2 * HOUR  # type: ignore[operator]

    report = rate_demo_dossiers(Dossier.objects.all(), seed=7, now=now)

    # Fifteen working days to answer: none of these can have been answered by now.
    assert report == RatingReport(ratings=4, feedback=4, answered_on_time=0, answered_late=0, unanswered=4)
    assert not Rating.objects.filter(handled_at__isnull=False).exists()
    assert all(r.created_at < now for r in Rating.objects.all())


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_ratings_and_a_second_run_none(
    every_one_rated_with_feedback: None,
) -> None:
    shop = one_stop_shop()
    for week in range(8):
        returned(shop, datetime(2025, 9, 1, 9, tzinfo=NOW.tzinfo) + timedelta(weeks=week))

    with transaction.atomic():
        first = rate_demo_dossiers(Dossier.objects.all(), seed=2026, now=NOW)
        made = snapshot()
        transaction.set_rollback(True)
    assert not Rating.objects.exists()

    second = rate_demo_dossiers(Dossier.objects.all(), seed=2026, now=NOW)

    assert first == second
    assert first.ratings == 8
    assert first.answered_on_time + first.answered_late > 0  # old enough to have been answered
    assert snapshot() == made
    assert rate_demo_dossiers(Dossier.objects.all(), seed=2026, now=NOW) == RatingReport(0, 0, 0, 0, 0)
    assert snapshot() == made
