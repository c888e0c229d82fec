from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mekong.geo import loaders
from mekong.geo.models import AdministrativeUnit, Edition

from .factories import CommuneFactory, LegacyCommuneFactory, ProvinceFactory, UnitSuccessionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/units"
UNIT_KEYS = {
    "id",
    "edition",
    "code",
    "level",
    "kind",
    "name",
    "short_name",
    "parent_id",
    "latitude",
    "longitude",
}


def _get(client: Client, url: str = URL, **params: Any) -> Any:
    return client.get(url, params)


def test_without_parent_lists_the_2025_provinces(client: Client) -> None:
    provinces = [
        ProvinceFactory(code="92", name="Thành phố Cần Thơ"),
        ProvinceFactory(code="01", name="Thành phố Hà Nội"),
    ]
    ProvinceFactory(edition=Edition.LEGACY, code="93")
    CommuneFactory(parent=provinces[0])
    response = _get(client)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["code"] for item in body["items"]] == ["01", "92"]
    assert set(body["items"][0]) == UNIT_KEYS
    assert body["items"][1] == {
        "id": provinces[0].pk,
        "edition": "2025",
        "code": "92",
        "level": "province",
        "kind": "Tỉnh",
        "name": "Thành phố Cần Thơ",
        "short_name": provinces[0].short_name,
        "parent_id": None,
        "latitude": 10.0,
        "longitude": 105.5,
    }


def test_edition_and_level_select_other_lists(client: Client) -> None:
    legacy = ProvinceFactory(edition=Edition.LEGACY, code="93")
    ProvinceFactory(code="92")
    communes = CommuneFactory.create_batch(3)
    assert [item["id"] for item in _get(client, edition="legacy").json()["items"]] == [legacy.pk]
    body = _get(client, level="commune").json()
    assert {item["id"] for item in body["items"]} == {commune.pk for commune in communes}


def test_children_of_a_parent_by_id_or_by_edition_and_code(
    hau_giang: loaders.LoadReport, client: Client
) -> None:
    can_tho = AdministrativeUnit.objects.get(edition=Edition.Y2025, code="92")
    by_id = _get(client, parent=can_tho.pk, limit=500).json()
    by_code = _get(client, parent="2025:92", limit=500).json()
    assert by_id == by_code
    assert by_id["count"] == len(by_id["items"]) == 103
    assert {item["parent_id"] for item in by_id["items"]} == {can_tho.pk}
    districts = _get(client, parent="legacy:93").json()
    assert districts["count"] == 8
    assert {item["level"] for item in districts["items"]} == {"district"}


def test_search_ignores_accents_and_case(hau_giang: loaders.LoadReport, client: Client) -> None:
    body = _get(client, parent="legacy:935", q="VI DONG").json()
    assert [item["name"] for item in body["items"]] == ["Xã Vị Đông"]
    assert _get(client, parent="legacy:935", q="vị   đông").json()["items"] == body["items"]
    assert _get(client, parent="legacy:935", q="khong co").json() == {"items": [], "count": 0}


def test_pagination(client: Client) -> None:
    parent = ProvinceFactory()
    CommuneFactory.create_batch(7, parent=parent)
    first = _get(client, parent=parent.pk, limit=5).json()
    second = _get(client, parent=parent.pk, limit=5, offset=5).json()
    assert (first["count"], len(first["items"]), len(second["items"])) == (7, 5, 2)
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(set(ids)) == 7


@pytest.mark.parametrize("parent", ["999999", "2025:00000", "legacy:92"])
def test_unknown_parent_is_404_in_both_languages(client: Client, parent: str) -> None:
    ProvinceFactory(code="92")
    response = _get(client, parent=parent)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["message"] == f"Không tìm thấy đơn vị hành chính “{parent}”."
    assert isinstance(body["message_en"], str)
    assert body["message_en"]
    assert [error["field"] for error in body["errors"]] == ["parent"]


@pytest.mark.parametrize(
    ("params"), [{"parent": "abc"}, {"parent": "2030:92"}, {"edition": "1999"}, {"level": "x"}]
)
def test_malformed_filters_are_422(client: Client, params: dict[str, str]) -> None:
    response = _get(client, **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"]
    assert all("message_en" in error for error in body["errors"])


def test_listing_takes_a_fixed_number_of_queries(client: Client, django_assert_max_num_queries: Any) -> None:
    parent = ProvinceFactory()
    CommuneFactory.create_batch(40, parent=parent)
    with django_assert_max_num_queries(3):  # parent, count, page
        body = _get(client, parent=parent.pk).json()
    assert body["count"] == 40
    with django_assert_max_num_queries(2):
        assert _get(client, level="commune").json()["count"] == 40


def test_detail_with_successors_and_predecessors(client: Client, django_assert_max_num_queries: Any) -> None:
    legacy = LegacyCommuneFactory(name="Xã Phú Tân")
    primary = UnitSuccessionFactory(predecessor=legacy, is_primary=True)
    other = UnitSuccessionFactory(predecessor=legacy, is_primary=False)
    UnitSuccessionFactory(predecessor=LegacyCommuneFactory(), successor=primary.successor, is_primary=False)

    with django_assert_max_num_queries(3):
        response = client.get(f"{URL}/{legacy.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Xã Phú Tân"
    assert body["edition"] == "legacy"
    assert [(s["unit"]["id"], s["is_primary"]) for s in body["successors"]] == [
        (primary.successor_id, True),
        (other.successor_id, False),
    ]
    assert body["successors"][0]["effective_date"] == "2025-07-01"
    assert body["predecessors"] == []

    new = client.get(f"{URL}/{primary.successor_id}").json()
    assert len(new["predecessors"]) == 2
    assert legacy.pk in {p["unit"]["id"] for p in new["predecessors"]}
    assert new["successors"] == []


def test_unknown_unit_is_404(client: Client) -> None:
    response = client.get(f"{URL}/424242")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["message"] == "Không tìm thấy đơn vị hành chính “424242”."


def test_units_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/units" in paths
    assert "/api/v1/units/{unit_id}" in paths
    assert not paths["/api/v1/units"]["get"].get("security")
