"""The IOC's figures after commit (decision 0009) through a real Celery worker process and the local Redis,
not eager mode and not `process_pending` called by the test: dossier events commit, each marks its dossier
pending and queues `mekong.ioc.refresh_pending`; the worker refreshes the facts and counters. What it stores
must be what a full rebuild stores.

Needs REDIS_URL (CI's PostgreSQL + Redis pass sets it); a transactional test, so the worker sees the data.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from dossiers.factories import OneStopShop, submitted_dossier
from mekong.celery import app as celery_app
from mekong.dossiers import actions
from mekong.ioc import aggregates
from mekong.ioc.models import AgencyDay, DossierFact, PendingFact, ProcedureDay
from workers import Worker, redis_queue, sessions_gone, wait_for, worker_environment

from .builders import processed, received, returned, supplement_round
from .conftest import vn

__all__ = ["redis_queue"]  # a fixture, used by name

pytestmark = pytest.mark.django_db(transaction=True)


def stored() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    return (
        set(DossierFact.objects.values_list()),
        aggregates.nonzero_rows(AgencyDay, ("day", "agency_id")),
        aggregates.nonzero_rows(ProcedureDay, ("day", "agency_id", "procedure_id")),
    )


def settled(facts: int) -> bool:
    """Every mark taken and refreshed (the worker deletes the marks in the transaction that refreshes)."""
    return not PendingFact.objects.exists() and DossierFact.objects.count() == facts


def test_a_celery_worker_keeps_the_figures_after_commit(
    redis_queue: str, tmp_path: Path, settings: Any, shop: OneStopShop
) -> None:
    assert not celery_app.conf.task_always_eager, "with REDIS_URL the task must go through the broker"
    settings.MEKONG_IOC_DEFERRED = True
    settings.MEKONG_IOC_QUEUE = redis_queue
    settings.MEKONG_IOC_DELAY_SECONDS = 0.2
    # The worker must see the key that says a task is already queued: the same cache prefix as this test.
    env = worker_environment(tmp_path, MEKONG_CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"])
    worker = Worker("ioc", redis_queue, env, tmp_path / "worker.log", app="mekong.celery", concurrency=2)
    try:
        first = received(shop, vn(2025, 3, 3))
        second = received(shop, vn(2025, 3, 4))
        third = submitted_dossier(shop, at=vn(2025, 3, 5))  # refused at reception below
        processed(shop, first, vn(2025, 3, 5))
        assert PendingFact.objects.exists() or DossierFact.objects.exists()  # marked, or already refreshed
        wait_for(lambda: settled(3), "the worker to refresh the three dossiers", [worker])
        before = stored()
        assert {row[0] for row in before[0]} == {first.pk, second.pk, third.pk}

        # Later events: a task is queued again once the last one has started.
        returned(shop, first, vn(2025, 3, 6))
        supplement_round(shop, second, vn(2025, 3, 5), vn(2025, 3, 10))
        actions.refuse(third, actor=shop.receiver, reason="Hồ sơ không đúng thẩm quyền.", at=vn(2025, 3, 6))
        wait_for(
            lambda: settled(3) and stored() != before, "the worker to refresh the later events", [worker]
        )
    finally:
        worker.kill()
        sessions_gone()

    log = worker.log.read_text(errors="replace")
    assert re.search(r"Task mekong\.ioc\.refresh_pending\[[^]]+\] succeeded", log), log[-2000:]
    kept = stored()
    facts = {row[0]: row for row in kept[0]}
    # The refusal ended the third dossier (3 Không được tiếp nhận) on 6 March; the first was processed (9).
    end_status = [field.name for field in DossierFact._meta.concrete_fields].index("end_status")
    assert (facts[first.pk][end_status], facts[third.pk][end_status]) == (9, 3)

    aggregates.rebuild()

    assert stored() == kept
