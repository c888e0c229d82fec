"""The demo procedure catalogue of Hậu Giang (src/mekong/catalog/data/procedures_hau_giang.json) is
well-formed, consistent with the agency file and usable by the portal: checked on the file itself."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mekong.accounts.roles import Role
from mekong.catalog.agencies import DEFAULT_PATH as AGENCIES_PATH
from mekong.catalog.codes import is_procedure_code
from mekong.catalog.models import AgencyKind, FeeKind, OnlineLevel, ProcedureLevel, TimeUnit
from mekong.core.text import fold

CATALOG_PATH = Path(AGENCIES_PATH).with_name("procedures_hau_giang.json")
BIRTH_REGISTRATION = "1.001193.000.00.00.H28"


@pytest.fixture(scope="module")
def catalog() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def procedures(catalog: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = catalog["procedures"]
    return items


@pytest.fixture(scope="module")
def agencies() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(AGENCIES_PATH.read_text(encoding="utf-8"))["agencies"]
    return items


def test_file_has_the_catalogue_format_and_enough_procedures(catalog: dict[str, Any]) -> None:
    assert set(catalog) == {"format", "fields", "procedures"}
    assert catalog["format"] == "mekong.catalog/1"
    assert len(catalog["procedures"]) >= 25


def test_codes_are_unique_national_codes_of_hau_giang(procedures: list[dict[str, Any]]) -> None:
    codes = [procedure["code"] for procedure in procedures]
    assert len(codes) == len(set(codes))
    assert all(is_procedure_code(code) and code.endswith(".000.00.00.H28") for code in codes)
    # the national part (1.001193) is unique too: one procedure per national code
    assert len({code.split(".000.")[0] for code in codes}) == len(codes)


def test_fields_exist_and_several_are_used(catalog: dict[str, Any], procedures: list[dict[str, Any]]) -> None:
    field_codes = [field["code"] for field in catalog["fields"]]
    assert len(field_codes) == len(set(field_codes))
    assert all(field["name"].strip() for field in catalog["fields"])
    used = Counter(procedure["field"] for procedure in procedures)
    assert set(used) <= set(field_codes)
    assert len(used) >= 4
    assert used["ho-tich"] >= 5
    assert used["chung-thuc"] >= 2


def test_all_three_levels_are_present(procedures: list[dict[str, Any]]) -> None:
    levels = Counter(procedure["level"] for procedure in procedures)
    assert set(levels) == set(ProcedureLevel.values)
    assert all(count >= 3 for count in levels.values())


def test_choices_and_required_texts(procedures: list[dict[str, Any]]) -> None:
    for procedure in procedures:
        code = procedure["code"]
        assert procedure["online_level"] in OnlineLevel.values, code
        assert procedure["time_limit"]["unit"] in TimeUnit.values, code
        assert isinstance(procedure["time_limit"]["value"], int), code
        assert procedure["time_limit"]["value"] >= 1, code
        assert isinstance(procedure["requires_e_result"], bool), code
        for key in ("name", "implementing_agency", "legal_basis", "description", "result_name", "source"):
            assert procedure[key].strip(), (code, key)
        assert procedure["documents"], code
        for document in procedure["documents"]:
            assert document["name"].strip(), code
            assert isinstance(document["mandatory"], bool), code
            assert isinstance(document["copies"], int), code
            assert document["copies"] >= 0, code
        for fee in procedure["fees"]:
            assert fee["kind"] in FeeKind.values, code
            assert isinstance(fee["amount"], int), code
            assert fee["amount"] >= 0, code


def test_agencies_refer_to_the_agency_file(
    procedures: list[dict[str, Any]], agencies: list[dict[str, Any]]
) -> None:
    known_codes = {agency["code"] for agency in agencies}
    known_kinds = {agency["kind"] for agency in agencies}
    for procedure in procedures:
        code, selector = procedure["code"], procedure["agencies"]
        assert set(selector) <= {"kinds", "codes"}, code
        assert selector.get("kinds") or selector.get("codes"), code
        assert set(selector.get("kinds", [])) <= known_kinds & set(AgencyKind.values), code
        assert set(selector.get("codes", [])) <= known_codes, code


def test_every_form_schema_is_a_valid_object_schema(procedures: list[dict[str, Any]]) -> None:
    for procedure in procedures:
        code, schema = procedure["code"], procedure["form_schema"]
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object", code
        assert schema["title"].strip(), code
        assert set(schema["required"]) <= set(schema["properties"]), code
        assert all(prop.get("title") for prop in schema["properties"].values()), code


def test_identity_numbers_and_dates_are_checked_by_the_forms(procedures: list[dict[str, Any]]) -> None:
    birth = next(procedure for procedure in procedures if procedure["code"] == BIRTH_REGISTRATION)
    validator = Draft202012Validator(birth["form_schema"], format_checker=Draft202012Validator.FORMAT_CHECKER)
    good = {
        "ho_ten_nguoi_yeu_cau": "Nguyễn Văn An",
        "so_dinh_danh_nguoi_yeu_cau": "093090001234",
        "so_dien_thoai": "0912345678",
        "quan_he_voi_nguoi_duoc_khai_sinh": "Cha",
        "ho_ten": "Nguyễn Thị Bình",
        "ngay_sinh": "2025-03-01",
        "gioi_tinh": "Nữ",
        "noi_sinh": "Bệnh viện Đa khoa tỉnh Hậu Giang",
        "que_quan": "Hậu Giang",
    }
    assert not list(validator.iter_errors(good))
    bad = {**good, "so_dinh_danh_nguoi_yeu_cau": "12345", "ngay_sinh": "01/03/2025", "gioi_tinh": "X"}
    wrong = {error.path[0] for error in validator.iter_errors(bad)}
    assert wrong == {"so_dinh_danh_nguoi_yeu_cau", "ngay_sinh", "gioi_tinh"}
    missing = {key: value for key, value in good.items() if key != "ho_ten"}
    assert [error.validator for error in validator.iter_errors(missing)] == ["required"]


def test_every_quantity_field_names_an_integer_property(procedures: list[dict[str, Any]]) -> None:
    multiplied = 0
    for procedure in procedures:
        properties = procedure["form_schema"]["properties"]
        for fee in procedure["fees"]:
            if fee["quantity_field"]:
                multiplied += 1
                assert properties[fee["quantity_field"]]["type"] == "integer", (
                    procedure["code"],
                    fee["name"],
                )
    assert multiplied >= 3  # per-page and per-copy fees are modelled, not flattened


def test_steps_fit_in_the_time_limit(procedures: list[dict[str, Any]]) -> None:
    for procedure in procedures:
        code, limit = procedure["code"], procedure["time_limit"]
        assert procedure["steps"], code
        total = Decimal(0)
        for step in procedure["steps"]:
            duration = step["duration"]
            assert step["role"] in Role.values, code
            assert step["name"].strip(), code
            assert duration["unit"] in TimeUnit.values, code
            assert duration["value"] > 0, code
            if duration["unit"] == limit["unit"]:
                total += Decimal(str(duration["value"]))
        assert 0 < total <= limit["value"], (code, total, limit)


def test_birth_registration_is_found_by_folded_name(procedures: list[dict[str, Any]]) -> None:
    for query in ("dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "  Đăng   ký khai   SINH "):
        words = fold(query).split()
        found = [
            p["code"] for p in procedures if all(word in fold(f"{p['name']} {p['code']}") for word in words)
        ]
        assert BIRTH_REGISTRATION in found
    birth = next(p for p in procedures if fold(p["name"]) == "dang ky khai sinh")
    assert birth["code"] == BIRTH_REGISTRATION
    assert birth["level"] == "commune"
    assert birth["agencies"] == {"kinds": ["commune_pc"]}
    assert birth["time_limit"] == {"value": 1, "unit": "working_day"}
    assert [fee["amount"] for fee in birth["fees"] if fee["kind"] == "le_phi"] == [0]
    assert any("Tờ khai đăng ký khai sinh" in document["name"] for document in birth["documents"])


def test_certification_fees_are_the_published_national_rates(procedures: list[dict[str, Any]]) -> None:
    by_number = {p["code"].split(".000.")[0]: p for p in procedures}
    copy_fees = {fee["quantity_field"]: fee["amount"] for fee in by_number["2.000815"]["fees"]}
    assert copy_fees == {"so_trang_thu_nhat_thu_hai": 2000, "so_trang_tu_thu_ba": 1000}
    assert [fee["amount"] for fee in by_number["2.000884"]["fees"]] == [10000]
    assert [fee["amount"] for fee in by_number["2.000635"]["fees"]] == [8000]


def test_the_importer_accepts_the_file(catalog: dict[str, Any], agencies: list[dict[str, Any]]) -> None:
    from mekong.catalog.transfer.data import CatalogDocument
    from mekong.catalog.transfer.validation import CatalogContext, validate_catalog

    context = CatalogContext(
        agency_codes=frozenset(agency["code"] for agency in agencies),
        agency_kinds=frozenset(agency["kind"] for agency in agencies),
    )
    data = validate_catalog(CatalogDocument(content=catalog), context)
    assert len(data.procedures) == len(catalog["procedures"])
    assert {field.code for field in data.fields} == {field["code"] for field in catalog["fields"]}
