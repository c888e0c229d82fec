"""Public procedure API: list with search and filters, detail, fields, 404, OpenAPI; bounded queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mekong.catalog.actions import import_catalog
from mekong.catalog.importer import read_catalog_file
from mekong.catalog.models import FeeKind, ProcedureLevel

from .conftest import BIRTH_CODE, BUSINESS_CODE, COPY_CODE, SAMPLE_PATH, AgencyTree
from .factories import (
    FeeItemFactory,
    FullProcedureFactory,
    ProcedureFactory,
    ProcedureFieldFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/procedures"


@pytest.fixture
def imported(agency_tree: AgencyTree) -> None:
    import_catalog(read_catalog_file(SAMPLE_PATH))


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh", "  khai   SINH "]
)
def test_search_finds_birth_registration_whatever_the_accents_and_case(
    client: Client, imported: None, query: str
) -> None:
    response = client.get(LIST_URL, {"q": query})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    # The acceptance criterion: fee, time limit and required documents right in the search result.
    assert [(fee["name"], fee["amount"]) for fee in item.pop("fees")] == [
        ("Lệ phí đăng ký khai sinh đúng hạn", 0),
        ("Phí cấp bản sao Giấy khai sinh", 8000),
    ]
    assert [document["name"] for document in item.pop("documents")] == [
        "Tờ khai đăng ký khai sinh theo mẫu",
        "Giấy chứng sinh hoặc văn bản thay thế giấy chứng sinh",
        "Văn bản ủy quyền",
    ]
    assert item == {
        "code": BIRTH_CODE,
        "name": "Đăng ký khai sinh",
        "field": {"code": "ho-tich", "name": "Hộ tịch"},
        "level": "commune",
        "level_label": "Cấp xã",
        "online_level": "full",
        "online_level_label": "Toàn trình",
        "time_limit": {"value": 1, "unit": "working_day", "label": "1 ngày làm việc"},
        # The per-copy fee depends on the form (8.000 đ × copies): not part of the fixed total.
        "total_fixed_fee": 0,
        "requires_e_result": True,
    }


def test_list_filters_by_field_and_level(client: Client, imported: None) -> None:
    by_field = client.get(LIST_URL, {"field": "ho-tich"}).json()
    by_level = client.get(LIST_URL, {"level": "district"}).json()
    both = client.get(LIST_URL, {"field": "ho-tich", "level": "district"}).json()
    searched = client.get(LIST_URL, {"q": "ban sao", "field": "ho-tich"}).json()

    assert [item["code"] for item in by_field["items"]] == [COPY_CODE, BIRTH_CODE]  # by name within the field
    assert [item["code"] for item in by_level["items"]] == [BUSINESS_CODE]
    assert both == {"items": [], "count": 0}
    assert [item["code"] for item in searched["items"]] == [COPY_CODE]


def test_list_total_fee_sums_fixed_items(client: Client, imported: None) -> None:
    item = client.get(LIST_URL, {"q": "ho kinh doanh"}).json()["items"][0]
    assert item["total_fixed_fee"] == 100_000


def test_unknown_level_is_a_422_in_the_shared_error_shape(client: Client) -> None:
    response = client.get(LIST_URL, {"level": "ward"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["field"] == "level"


def test_list_is_paginated(client: Client) -> None:
    field = ProcedureFieldFactory()
    ProcedureFactory.create_batch(25, field=field)

    first = client.get(LIST_URL).json()
    second = client.get(LIST_URL, {"page": 2}).json()
    small = client.get(LIST_URL, {"page_size": 5, "page": 3}).json()

    assert (first["count"], len(first["items"]), len(second["items"])) == (25, 20, 5)
    assert {i["code"] for i in first["items"]}.isdisjoint(i["code"] for i in second["items"])
    assert len(small["items"]) == 5


def test_list_queries_do_not_grow_with_the_number_of_procedures(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    for index in range(12):
        procedure = FullProcedureFactory(field=ProcedureFieldFactory(code=f"linh-vuc-api-{index % 3}"))
        FeeItemFactory(procedure=procedure, amount=1000, position=5)

    # count + page + fee items + documents
    with django_assert_max_num_queries(4):
        response = client.get(LIST_URL, {"q": "thu tuc"})

    body = response.json()
    assert body["count"] == 12
    assert {item["total_fixed_fee"] for item in body["items"]} == {51_000}
    assert {len(item["documents"]) for item in body["items"]} == {2}


def test_detail_has_everything_a_citizen_needs(
    client: Client, imported: None, agency_tree: AgencyTree
) -> None:
    response = client.get(f"{LIST_URL}/{BIRTH_CODE}")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == BIRTH_CODE
    assert body["implementing_agency"] == "Ủy ban nhân dân cấp xã"
    assert body["legal_basis"].startswith("Luật Hộ tịch năm 2014")
    assert body["result_name"] == "Giấy khai sinh (bản chính)"
    assert body["time_limit"]["label"] == "1 ngày làm việc"
    assert body["source"] == "Cổng Dịch vụ công quốc gia, thủ tục 1.001193"
    assert body["fees"] == [
        {
            "kind": FeeKind.CHARGE,
            "kind_label": "Lệ phí",
            "name": "Lệ phí đăng ký khai sinh đúng hạn",
            "amount": 0,
            "quantity_field": None,
            "note": "Miễn lệ phí.",
        },
        {
            "kind": FeeKind.FEE,
            "kind_label": "Phí",
            "name": "Phí cấp bản sao Giấy khai sinh",
            "amount": 8000,
            "quantity_field": "so_ban_sao",
            "note": "8.000 đồng/bản.",
        },
    ]
    assert [(d["name"], d["mandatory"], d["copies"]) for d in body["documents"]] == [
        ("Tờ khai đăng ký khai sinh theo mẫu", True, 1),
        ("Giấy chứng sinh hoặc văn bản thay thế giấy chứng sinh", True, 1),
        ("Văn bản ủy quyền", False, 1),
    ]
    assert body["documents"][0]["template_name"] == "Tờ khai đăng ký khai sinh (Thông tư 04/2024/TT-BTP)"
    assert body["documents"][0]["template_url"] is None
    assert [(s["role"], s["role_label"], s["duration"]) for s in body["steps"]] == [
        (
            "receiving_officer",
            "Cán bộ tiếp nhận (một cửa)",
            {"value": 2.0, "unit": "hour", "label": "2 giờ làm việc"},
        ),
        (
            "specialist",
            "Chuyên viên xử lý",
            {"value": 0.5, "unit": "working_day", "label": "0,5 ngày làm việc"},
        ),
        ("leader", "Lãnh đạo phê duyệt", {"value": 2.0, "unit": "hour", "label": "2 giờ làm việc"}),
    ]
    assert body["agencies"] == [{"code": c.code, "name": c.name} for c in agency_tree.communes]
    assert body["form_schema"]["required"] == ["ho_ten_tre", "ngay_sinh", "gioi_tinh"]


def test_detail_labels_follow_the_request_language(client: Client, imported: None) -> None:
    # Without an English catalogue the labels stay Vietnamese; the shape is the same either way.
    body = client.get(f"{LIST_URL}/{BIRTH_CODE}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["level"] == ProcedureLevel.COMMUNE
    assert isinstance(body["level_label"], str)
    assert body["level_label"]


def test_detail_queries_are_bounded(client: Client, django_assert_max_num_queries: Any) -> None:
    procedure = FullProcedureFactory()

    # procedure + documents + steps + fee items + agencies
    with django_assert_max_num_queries(5):
        response = client.get(f"{LIST_URL}/{procedure.code}")
    assert response.status_code == 200
    assert len(response.json()["steps"]) == 3


def test_unknown_or_retired_code_is_a_404(client: Client) -> None:
    retired = ProcedureFactory(is_active=False)

    for code in ("1.999999.000.00.00.H28", retired.code):
        response = client.get(f"{LIST_URL}/{code}")
        assert response.status_code == 404
        body = response.json()
        assert body["code"] == "not_found"
        assert code in body["message"]


def test_fields_are_listed_with_counts_and_not_taken_for_a_code(
    client: Client, imported: None, django_assert_max_num_queries: Any
) -> None:
    ProcedureFactory(field=ProcedureFieldFactory(code="ho-tich"), is_active=False)  # not counted

    with django_assert_max_num_queries(1):
        response = client.get(f"{LIST_URL}/fields")

    assert response.status_code == 200
    assert response.json() == [
        {"code": "ho-tich", "name": "Hộ tịch", "procedure_count": 2},
        {"code": "ho-kinh-doanh", "name": "Thành lập và hoạt động của hộ kinh doanh", "procedure_count": 1},
    ]
    by_level = client.get(f"{LIST_URL}/fields", {"level": "district"}).json()
    assert {f["code"]: f["procedure_count"] for f in by_level} == {"ho-tich": 0, "ho-kinh-doanh": 1}


def test_openapi_documents_the_procedure_endpoints(client: Client) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {"/api/v1/procedures", "/api/v1/procedures/fields", "/api/v1/procedures/{code}"} <= set(paths)
    listing = paths["/api/v1/procedures"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"q", "field", "level", "page", "page_size"}
    assert "security" not in paths["/api/v1/procedures/{code}"]["get"]
