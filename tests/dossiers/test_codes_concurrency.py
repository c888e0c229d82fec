"""Dossier codes stay unique and gap-free when many citizens submit at the same moment.

Runs with real concurrent connections (threads, each with its own database connection) and committed
transactions. On PostgreSQL the DailySequence row lock serialises the allocation; on SQLite the writers
queue on the database lock (IMMEDIATE transactions with a busy timeout).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from django.db import connection, connections

from mekong.dossiers import actions, hooks
from mekong.dossiers.models import DailySequence, Dossier
from mekong.dossiers.workdays import VIETNAM_TZ

from .factories import one_stop_shop, pdf, valid_form

SUBMITTERS = 12
AT = datetime(2026, 5, 4, 9, 30, tzinfo=VIETNAM_TZ)


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_unique_gap_free_codes() -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.fail("the concurrency test needs a file-backed SQLite test database (see tests/conftest.py)")
    shop = one_stop_shop()
    drafts = []
    for _ in range(SUBMITTERS):
        draft = actions.create_draft(
            actor=shop.citizen, procedure=shop.procedure, agency=shop.agency, form_data=valid_form()
        )
        actions.attach_file(
            draft, actor=shop.citizen, stream=pdf(), name="to-khai.pdf", requirement=shop.requirement
        )
        drafts.append(draft)
    start = threading.Barrier(SUBMITTERS)

    def submit(draft: Dossier) -> str:
        try:
            start.wait()  # everyone asks for a number at once
            return str(actions.submit(draft, actor=shop.citizen, at=AT).code)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=SUBMITTERS) as pool:
        codes = sorted(pool.map(submit, drafts))

    expected = [f"{shop.agency.code}-260504-{n:04d}" for n in range(1, SUBMITTERS + 1)]
    assert codes == expected
    assert DailySequence.objects.get(agency=shop.agency).last_value == SUBMITTERS
    assert sorted(Dossier.objects.exclude(code=None).values_list("code", flat=True)) == expected


@pytest.mark.django_db(transaction=True)
def test_a_submission_that_fails_after_numbering_gives_its_number_back() -> None:
    shop = one_stop_shop()
    drafts = []
    for _ in range(2):
        draft = actions.create_draft(
            actor=shop.citizen, procedure=shop.procedure, agency=shop.agency, form_data=valid_form()
        )
        actions.attach_file(
            draft, actor=shop.citizen, stream=pdf(), name="to-khai.pdf", requirement=shop.requirement
        )
        drafts.append(draft)

    def explode(dossier: Dossier, event: object) -> None:
        raise RuntimeError("storage down while issuing the receipt")

    hooks.on_event("submit")(explode)
    try:
        with pytest.raises(RuntimeError):
            actions.submit(drafts[0], actor=shop.citizen, at=AT)
    finally:
        hooks._handlers["submit"].remove(explode)

    drafts[0].refresh_from_db()
    assert drafts[0].code is None
    assert drafts[0].status is None
    assert actions.submit(drafts[1], actor=shop.citizen, at=AT).code == f"{shop.agency.code}-260504-0001"
