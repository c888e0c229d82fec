"""Lists over HTTP: a citizen's dossiers (/mine) and the officers' queue, with their cost in queries."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.factories import CitizenFactory
from mekong.dossiers import actions

from .api_support import Api, media_in_tmp
from .factories import one_stop_shop, submitted_dossier

__all__ = ["media_in_tmp"]

pytestmark = pytest.mark.django_db

# Token look-up, token use stamp, the official's grants, count, page — and nothing per row.
MAX_LIST_QUERIES = 5


def test_mine_lists_only_my_submitted_dossiers() -> None:
    shop = one_stop_shop()
    mine = [submitted_dossier(shop) for _ in range(3)]
    actions.create_draft(actor=shop.citizen, procedure=shop.procedure, agency=shop.agency)
    submitted_dossier(one_stop_shop())
    actions.receive(mine[0], actor=shop.receiver)

    response = Api(shop.citizen).get("/mine")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {item["code"] for item in body["items"]} == {d.code for d in mine}
    item = next(i for i in body["items"] if i["code"] == mine[0].code)
    assert item["status_label"] == "Được tiếp nhận"
    assert item["procedure"]["code"] == shop.procedure.code
    assert item["agency"]["name"] == shop.agency.name
    received = Api(shop.citizen).get("/mine", status=2).json()
    assert [i["code"] for i in received["items"]] == [mine[0].code]
    assert Api(shop.citizen).get("/mine", status=42).status_code == 422
    assert Api(CitizenFactory()).get("/mine").json() == {"items": [], "count": 0}
    assert Api().get("/mine").status_code == 401


def test_mine_is_paginated_and_cheap(django_assert_max_num_queries: Any) -> None:
    shop = one_stop_shop()
    for _ in range(25):
        submitted_dossier(shop)
    api = Api(shop.citizen)

    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        first = api.get("/mine")
    second = api.get("/mine", page=2)

    assert first.json()["count"] == 25
    assert len(first.json()["items"]) == 20
    assert len(second.json()["items"]) == 5


def test_queue_filters_and_search_over_http() -> None:
    shop = one_stop_shop()
    waiting = submitted_dossier(shop)
    received = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    api = Api(shop.receiver)

    new = api.get("/queue", filter="new")
    assert new.status_code == 200, new.content
    assert [item["code"] for item in new.json()["items"]] == [waiting.code]
    processing = api.get("/queue", filter="processing", agency=shop.agency.code.lower())
    assert [item["code"] for item in processing.json()["items"]] == [received.code]
    assert processing.json()["items"][0]["assigned_to"] is None
    assert processing.json()["items"][0]["is_late"] is False
    searched = api.get("/queue", q=received.code.lower())
    assert [item["code"] for item in searched.json()["items"]] == [received.code]
    assert api.get("/queue", filter="everything").status_code == 422

    counts = api.get("/queue/counts").json()
    assert counts == {"new": 1, "due_soon": counts["due_soon"], "late": 0, "waiting_for_citizen": 0,
                      "processing": 1, "processed": 0, "all": 2}  # fmt: skip
    # The counts follow the same search as the list.
    searched_counts = api.get("/queue/counts", q=str(received.code).lower()).json()
    assert (searched_counts["all"], searched_counts["processing"], searched_counts["new"]) == (1, 1, 0)


def test_queue_processed_filter_and_sort_over_http() -> None:
    shop = one_stop_shop()
    first = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    second = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    done = actions.approve(
        actions.start_processing(actions.receive(submitted_dossier(shop), actor=shop.receiver),
                                 actor=shop.specialist),
        actor=shop.leader,
    )  # fmt: skip
    api = Api(shop.receiver)

    processed = api.get("/queue", filter="processed")
    assert [item["code"] for item in processed.json()["items"]] == [done.code]
    assert api.get("/queue/counts").json()["processed"] == 1
    oldest_first = api.get("/queue", filter="processing", sort="submitted").json()["items"]
    newest_first = api.get("/queue", filter="processing", sort="-submitted").json()["items"]
    assert [item["code"] for item in oldest_first] == [first.code, second.code]
    assert [item["code"] for item in newest_first] == [second.code, first.code]
    assert api.get("/queue", sort="name").status_code == 422


def test_queue_refusals() -> None:
    shop = one_stop_shop()
    other = one_stop_shop()
    submitted_dossier(shop)

    citizen = Api(shop.citizen).get("/queue")
    assert citizen.status_code == 403
    assert citizen.json()["message"] == "Chức năng này chỉ dành cho cán bộ, công chức."
    foreign = Api(other.receiver).get("/queue", agency=shop.agency.code)
    assert foreign.status_code == 403
    unknown = Api(shop.receiver).get("/queue", agency="999.99.99.H28")
    assert unknown.status_code == 404
    assert Api(other.receiver).get("/queue").json()["count"] == 0
    assert Api().get("/queue").status_code == 401
    assert Api(shop.citizen).get("/queue/counts").status_code == 403


def test_queue_costs_the_same_for_many_rows(django_assert_max_num_queries: Any) -> None:
    shop = one_stop_shop()
    for _ in range(12):
        actions.assign(
            actions.receive(submitted_dossier(shop), actor=shop.receiver),
            actor=shop.receiver,
            specialist=shop.specialist,
        )
    api = Api(shop.receiver)

    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = api.get("/queue", filter="processing")
    with django_assert_max_num_queries(MAX_LIST_QUERIES + 1):  # + the province calendar
        due_soon = api.get("/queue", filter="due_soon")

    assert response.json()["count"] == 12
    assert {item["assigned_to"] for item in response.json()["items"]} == {str(shop.specialist)}
    assert due_soon.status_code == 200
