"""Idempotency-Key: a repeated request gets the stored answer and never creates a second dossier, also when
the two copies race (threads, each with its own database connection)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from accounts.factories import CitizenFactory
from catalog.factories import ProcedureFactory
from mekong.dossiers import actions
from mekong.dossiers.models import Dossier, DossierEvent, IdempotencyKey

from .api_support import Api, media_in_tmp
from .factories import OneStopShop, one_stop_shop, pdf, valid_form

__all__ = ["media_in_tmp"]


def no_document_shop() -> tuple[OneStopShop, dict[str, Any]]:
    """A shop and the body of a one-shot submission of a procedure without mandatory documents."""
    shop = one_stop_shop()
    procedure = ProcedureFactory()
    procedure.agencies.add(shop.agency)
    body = {"procedure": procedure.code, "agency": shop.agency.code, "form_data": valid_form()}
    return shop, body


@pytest.mark.django_db
def test_same_key_same_body_replays_the_stored_response() -> None:
    shop, body = no_document_shop()
    api = Api(shop.citizen)

    first = api.post("/submit", body, key="nop-1")
    second = api.post("/submit", body, key="nop-1")

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Dossier.objects.count() == 1
    assert DossierEvent.objects.count() == 1
    stored = IdempotencyKey.objects.get()
    assert (stored.user, stored.key, stored.response_status) == (shop.citizen, "nop-1", 201)


@pytest.mark.django_db
def test_same_key_other_body_is_refused_in_both_languages() -> None:
    shop, body = no_document_shop()
    api = Api(shop.citizen)
    api.post("/submit", body, key="nop-1")

    changed = api.post("/submit", {**body, "result_delivery": "postal"}, key="nop-1")

    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in changed.json()["message"]
    assert "Idempotency-Key" in changed.json()["message_en"]
    assert Dossier.objects.count() == 1
    # The same key on another endpoint is another request too.
    assert api.post("/drafts", body, key="nop-1").status_code == 422


@pytest.mark.django_db
def test_keys_belong_to_one_user() -> None:
    shop, body = no_document_shop()
    neighbour = CitizenFactory()
    assert Api(shop.citizen).post("/submit", body, key="k").status_code == 201
    assert Api(neighbour).post("/submit", body, key="k").status_code == 201
    assert Dossier.objects.filter(applicant=neighbour).count() == 1
    assert Dossier.objects.count() == 2


@pytest.mark.django_db
def test_without_a_key_each_request_counts() -> None:
    shop, body = no_document_shop()
    api = Api(shop.citizen)
    api.post("/submit", body)
    api.post("/submit", body)
    assert Dossier.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_request_stores_nothing_and_may_be_retried() -> None:
    shop, body = no_document_shop()
    api = Api(shop.citizen)
    bad = {**body, "form_data": {}}

    assert api.post("/submit", bad, key="k").status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert api.post("/submit", bad, key="k").status_code == 400
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_draft_creation_and_draft_submission_are_idempotent() -> None:
    shop = one_stop_shop()
    api = Api(shop.citizen)
    body = {"procedure": shop.procedure.code, "agency": shop.agency.code, "form_data": valid_form()}

    first = api.post("/drafts", body, key="draft-1")
    again = api.post("/drafts", body, key="draft-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Dossier.objects.count() == 1

    draft = Dossier.objects.get()
    actions.attach_file(draft, actor=shop.citizen, stream=pdf(), name="a.pdf", requirement=shop.requirement)
    submitted = api.post(f"/drafts/{draft.pk}/submit", key="submit-1")
    replayed = api.post(f"/drafts/{draft.pk}/submit", key="submit-1")
    assert submitted.status_code == replayed.status_code == 200
    assert submitted.json()["code"] == replayed.json()["code"]
    assert DossierEvent.objects.filter(command="submit").count() == 1


@pytest.mark.django_db
def test_overlong_key_is_a_validation_error() -> None:
    shop, body = no_document_shop()
    response = Api(shop.citizen).post("/submit", body, key="x" * 101)
    assert response.status_code == 422
    assert not Dossier.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_racing_duplicates_create_one_dossier(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two copies of one request arrive together. Whichever gets in first holds its transaction open a
    moment (a slow submission); the other must wait for it and replay its answer (or be told 409), never
    submit a second dossier. PostgreSQL blocks the second on the unique (user, key) index, SQLite on its
    single writer lock: the same code path answers both."""
    shop, body = no_document_shop()
    apis = [Api(shop.citizen), Api(shop.citizen)]
    original_submit = actions.submit

    def slow_submit(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        return original_submit(*args, **kwargs)

    monkeypatch.setattr(actions, "submit", slow_submit)
    barrier = threading.Barrier(len(apis))
    responses: list[Any] = [None] * len(apis)
    failures: list[BaseException] = []

    def send(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            responses[index] = apis[index].post("/submit", body, key="race")
        except BaseException as error:  # surfaced by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(apis))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    statuses = sorted(response.status_code for response in responses)
    assert statuses in ([201, 201], [201, 409]), [r.content for r in responses]
    created = [r.json() for r in responses if r.status_code == 201]
    assert all(answer == created[0] for answer in created)
    assert Dossier.objects.count() == 1
    assert Dossier.objects.get().code == created[0]["code"]
    assert IdempotencyKey.objects.count() == 1
