"""The figures after commit (MEKONG_IOC_DEFERRED, the default with a broker): an event only marks its dossier
pending; `process_pending` (the Celery task, or inline without a broker) brings the facts and counters to
exactly what the in-transaction path and a full rebuild give."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from dossiers.factories import OneStopShop, submitted_dossier
from mekong.dossiers import actions
from mekong.dossiers.models import DossierEvent
from mekong.ioc import aggregates, selectors
from mekong.ioc.hooks import COUNTED_COMMANDS
from mekong.ioc.indicators import month_of
from mekong.ioc.models import AgencyDay, DossierFact, PendingFact, ProcedureDay

from .builders import processed, received, returned
from .conftest import vn

pytestmark = pytest.mark.django_db


def march_figures(viewer: Any) -> dict[str, Any]:
    return selectors.summary(viewer, None, month_of(date(2025, 3, 1)), now=date(2025, 4, 10))


def stored() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    return (
        set(DossierFact.objects.values_list()),
        aggregates.nonzero_rows(AgencyDay, ("day", "agency_id")),
        aggregates.nonzero_rows(ProcedureDay, ("day", "agency_id", "procedure_id")),
    )


def forget_figures_and_mark_every_dossier(shop: OneStopShop) -> None:
    """As if every dossier's events had been marked and no task had run yet."""
    DossierFact.objects.all().delete()
    AgencyDay.objects.all().delete()
    ProcedureDay.objects.all().delete()
    PendingFact.objects.bulk_create(
        [PendingFact(dossier_id=pk) for pk in shop.agency.dossiers.values_list("pk", flat=True)]
    )


@pytest.fixture
def deferred(settings: Any) -> None:
    settings.MEKONG_IOC_DEFERRED = True


def test_an_event_only_marks_its_dossier(deferred: None, shop: OneStopShop, viewer: Any) -> None:
    dossier = submitted_dossier(shop, at=vn(2025, 3, 3))
    with CaptureQueriesContext(connection) as queries:
        actions.receive(dossier, actor=shop.receiver, at=vn(2025, 3, 3, 10))
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    # The test's transaction never commits, so nothing has run after commit: the mark is all there is.
    # The submission's row and the reception's.
    assert list(PendingFact.objects.values_list("dossier_id", flat=True)) == [dossier.pk, dossier.pk]
    assert "ioc_pendingfact" in touched
    assert "ioc_agencyday" not in touched
    assert "ioc_dossierfact" not in touched
    assert not DossierFact.objects.exists()
    assert march_figures(viewer)["counts"]["received"] == 0


def test_processing_the_pending_gives_what_the_events_gave_in_their_transactions(
    settings: Any, shop: OneStopShop, viewer: Any, request: pytest.FixtureRequest
) -> None:
    settings.MEKONG_IOC_DEFERRED = True
    request.getfixturevalue("march")  # 11 dossiers, every kind of history (test_on_time_cases)
    counted = DossierEvent.objects.filter(command__in=COUNTED_COMMANDS).count()
    assert PendingFact.objects.count() == counted > 11  # a row per counted event
    assert not AgencyDay.objects.exists()

    assert aggregates.process_pending(batch=4) >= 11  # batches of 4 rows: a dossier may come twice

    assert not PendingFact.objects.exists()
    deferred_rows = stored()
    deferred_figures = march_figures(viewer)
    counts = deferred_figures["counts"]
    assert (counts["handled"], counts["on_time"], counts["late"]) == (9, 6, 3)  # as test_march_on_time_rate
    assert (counts["processed_days"], counts["processed"]) == (19, 4)  # 2.2, as test_rebuild_gives_…
    aggregates.rebuild()
    assert stored() == deferred_rows
    assert march_figures(viewer) == deferred_figures


def test_the_same_history_in_transaction_and_deferred_stores_the_same(
    settings: Any, shop: OneStopShop, viewer: Any, request: pytest.FixtureRequest
) -> None:
    settings.MEKONG_IOC_DEFERRED = False
    request.getfixturevalue("march")
    in_transaction = stored()
    forget_figures_and_mark_every_dossier(shop)
    aggregates.process_pending()
    assert stored() == in_transaction


def test_a_later_event_moves_only_its_dossier_and_repeating_changes_nothing(
    deferred: None, shop: OneStopShop, viewer: Any
) -> None:
    first = received(shop, vn(2025, 3, 3))
    second = received(shop, vn(2025, 3, 4))
    aggregates.process_pending()
    before = march_figures(viewer)["counts"]
    assert (before["received"], before["ended"]) == (2, 0)

    processed(shop, first, vn(2025, 3, 5, 10))  # start (not counted) and approve: one pending row
    assert list(PendingFact.objects.values_list("dossier_id", flat=True)) == [first.pk]
    assert aggregates.process_pending() == 1
    after = march_figures(viewer)["counts"]
    assert (after["received"], after["ended"], after["ended_on_time"], after["processed"]) == (2, 1, 1, 1)

    # Marked again without a new event (a lost task's rows picked up twice): the figures stay.
    rows = stored()
    PendingFact.objects.bulk_create([PendingFact(dossier_id=first.pk), PendingFact(dossier_id=second.pk)])
    assert aggregates.process_pending() == 2
    assert stored() == rows
    assert not PendingFact.objects.exists()
    assert aggregates.process_pending() == 0


def test_without_a_broker_the_refresh_runs_right_after_commit(
    deferred: None, settings: Any, shop: OneStopShop, viewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # as without REDIS_URL (CI sets one)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        received(shop, vn(2025, 3, 3))
    assert callbacks  # scheduled after commit, run inline (CELERY_TASK_ALWAYS_EAGER without REDIS_URL)
    assert not PendingFact.objects.exists()
    assert march_figures(viewer)["counts"]["received"] == 1


def test_a_rating_marks_its_dossier(deferred: None, shop: OneStopShop, viewer: Any) -> None:
    from mekong.feedback.actions import rate

    dossier = returned(
        shop, processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 4, 10)), vn(2025, 3, 5)
    )
    aggregates.process_pending()
    rate(dossier, actor=shop.citizen, score=2, comment="Chậm", at=vn(2025, 3, 6))
    assert list(PendingFact.objects.values_list("dossier_id", flat=True)) == [dossier.pk]
    aggregates.process_pending()
    figures = march_figures(viewer)["counts"]
    assert (figures["ratings"], figures["dissatisfied"]) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_workers_share_the_pending_without_counting_twice(shop: OneStopShop, viewer: Any) -> None:
    # Committed for real, so that three threads (three connections) see them. Made with the figures kept
    # in each transaction, which is what the workers must arrive at again.
    for day in range(3, 8):
        for hour in (8, 9, 10, 14):
            received(shop, vn(2025, 3, day, hour))
    expected = stored()
    forget_figures_and_mark_every_dossier(shop)
    done: list[int] = []
    failures: list[BaseException] = []
    start = threading.Barrier(3)

    def work() -> None:
        try:
            start.wait()
            done.append(aggregates.process_pending(batch=3))
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert sum(done) == 20
    assert not PendingFact.objects.exists()
    assert stored() == expected
    assert march_figures(viewer)["counts"]["received"] == 20
