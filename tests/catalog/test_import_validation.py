"""The validator on JSON catalogues: every problem reported at its index path, nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.catalog.actions import import_catalog
from mekong.catalog.importer import read_catalog_bytes, read_catalog_file
from mekong.catalog.transfer import CatalogContext, parse_catalog_json, validate_catalog
from mekong.core.errors import DomainError

from .conftest import SAMPLE_PATH, AgencyTree, RowCounts

# What the sample refers to, without a database: validation itself never queries.
CONTEXT = CatalogContext(
    field_codes=frozenset(),
    agency_codes=frozenset({"000.00.00.H28", "000.00.03.H28", "000.01.03.H28", "000.02.03.H28"}),
    agency_kinds=frozenset({"province_pc", "district_pc", "commune_pc"}),
)


def _errors(document: dict[str, Any], context: CatalogContext = CONTEXT) -> list[tuple[str, str]]:
    with pytest.raises(DomainError) as caught:
        validate_catalog(parse_catalog_json(document), context)
    assert caught.value.code == "catalog_invalid"
    assert str(len(caught.value.errors)) in str(caught.value)
    return [(error.field, error.as_dict()["message"]) for error in caught.value.errors]


def test_the_sample_is_valid(sample: dict[str, Any]) -> None:
    data = validate_catalog(parse_catalog_json(sample), CONTEXT)
    assert [p.code for p in data.procedures] == [p["code"] for p in sample["procedures"]]
    assert data.procedures[0].agencies.kinds == ("commune_pc",)


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


P0, P1, P2 = ("procedures", 0), ("procedures", 1), ("procedures", 2)

# (mutation, field path reported, a phrase of the Vietnamese message)
SINGLE_ERRORS = {
    "code format": (_set((*P0, "code"), "1.1193.H28"), "procedures[0].code", "không đúng dạng mã quốc gia"),
    "name empty": (_set((*P0, "name"), "   "), "procedures[0].name", "Không được để trống"),
    "name missing": (_delete((*P1, "name")), "procedures[1].name", "Không được để trống"),
    "name too long": (_set((*P0, "name"), "x" * 501), "procedures[0].name", "Dài quá 500 ký tự"),
    "name not text": (_set((*P0, "name"), 12), "procedures[0].name", "Phải là chuỗi ký tự"),
    "unknown field": (_set((*P2, "field"), "xay-dung"), "procedures[2].field", "Lĩnh vực «xay-dung» chưa"),
    "level enum": (_set((*P1, "level"), "ward"), "procedures[1].level", "«ward» không hợp lệ"),
    "online level enum": (_set((*P1, "online_level"), "4"), "procedures[1].online_level", "«4» không hợp lệ"),
    "time unit enum": (
        _set((*P0, "time_limit", "unit"), "week"),
        "procedures[0].time_limit.unit",
        "«week» không hợp lệ",
    ),
    "time limit zero": (
        _set((*P0, "time_limit", "value"), 0),
        "procedures[0].time_limit.value",
        "số nguyên dương",
    ),
    "time limit fraction": (
        _set((*P0, "time_limit", "value"), 1.5),
        "procedures[0].time_limit.value",
        "số nguyên dương",
    ),
    "time limit missing": (_delete((*P0, "time_limit")), "procedures[0].time_limit", "Không được để trống"),
    "amount with decimals": (
        _set((*P1, "fees", 0, "amount"), 8000.5),
        "procedures[1].fees[0].amount",
        "số nguyên đồng",
    ),
    "amount negative": (_set((*P2, "fees", 0, "amount"), -1), "procedures[2].fees[0].amount", "không âm"),
    "amount as text": (
        _set((*P2, "fees", 0, "amount"), "100.000"),
        "procedures[2].fees[0].amount",
        "số nguyên",
    ),
    "amount boolean": (_set((*P2, "fees", 0, "amount"), True), "procedures[2].fees[0].amount", "số nguyên"),
    "fee kind": (_set((*P2, "fees", 0, "kind"), "thue"), "procedures[2].fees[0].kind", "«thue» không hợp lệ"),
    "role enum": (
        _set((*P0, "steps", 1, "role"), "boss"),
        "procedures[0].steps[1].role",
        "«boss» không hợp lệ",
    ),
    "step duration negative": (
        _set((*P0, "steps", 0, "duration", "value"), -2),
        "procedures[0].steps[0].duration.value",
        "số dương",
    ),
    "step duration too precise": (
        _set((*P0, "steps", 0, "duration", "value"), 0.125),
        "procedures[0].steps[0].duration.value",
        "hai chữ số thập phân",
    ),
    "document name empty": (
        _set((*P0, "documents", 1, "name"), ""),
        "procedures[0].documents[1].name",
        "Không được để trống",
    ),
    "document copies negative": (
        _set((*P0, "documents", 1, "copies"), -1),
        "procedures[0].documents[1].copies",
        "số nguyên từ 0",
    ),
    "mandatory not boolean": (
        _set((*P0, "documents", 1, "mandatory"), "yes"),
        "procedures[0].documents[1].mandatory",
        "true/false",
    ),
    "unknown key": (_set((*P0, "fee"), []), "procedures[0].fee", "Khóa «fee» không được hỗ trợ"),
    "bad json schema": (
        _set((*P1, "form_schema", "properties", "so_ban", "type"), "number-ish"),
        "procedures[1].form_schema",
        "không phải JSON Schema",
    ),
    "schema not an object form": (
        _set((*P2, "form_schema"), {"type": "string"}),
        "procedures[2].form_schema",
        '"type": "object"',
    ),
    "quantity field not integer": (
        _set((*P0, "fees", 1, "quantity_field"), "ho_ten_tre"),
        "procedures[0].fees[1].quantity_field",
        "kiểu số nguyên",
    ),
    "quantity field unknown": (
        _set((*P0, "fees", 1, "quantity_field"), "so_ban"),
        "procedures[0].fees[1].quantity_field",
        "kiểu số nguyên",
    ),
    "agency kind unknown": (
        _set((*P0, "agencies"), {"kinds": ["hamlet_pc"]}),
        "procedures[0].agencies.kinds[0]",
        "Loại cơ quan «hamlet_pc» không hợp lệ",
    ),
    "agency kind without agencies": (
        _set((*P0, "agencies"), {"kinds": ["department"]}),
        "procedures[0].agencies.kinds[0]",
        "Chưa có cơ quan nào",
    ),
    "agency code unknown": (
        _set((*P2, "agencies"), {"codes": ["000.00.09.H28"]}),
        "procedures[2].agencies.codes[0]",
        "Không có cơ quan đang hoạt động",
    ),
    "agency code malformed": (
        _set((*P2, "agencies"), {"codes": ["H28-03"]}),
        "procedures[2].agencies.codes[0]",
        "không đúng dạng",
    ),
    "field code malformed": (
        lambda document: document["fields"].append({"code": "xây dựng", "name": "Xây dựng"}),
        "fields[2].code",
        "chữ không dấu",
    ),
    "fees not a list": (_set((*P1, "fees"), {"amount": 1}), "procedures[1].fees", "danh sách"),
    "procedure not an object": (_set(("procedures", 1), "2.000635"), "procedures[1]", "đối tượng"),
}


@pytest.mark.parametrize("case", SINGLE_ERRORS.keys())
def test_each_kind_of_problem_is_reported_where_it_is(sample: dict[str, Any], case: str) -> None:
    mutate, field, phrase = SINGLE_ERRORS[case]
    mutate(sample)

    errors = _errors(sample)

    assert [field for field, _ in errors] == [field], errors
    assert phrase in errors[0][1]


def test_duplicate_codes_name_the_first_occurrence(sample: dict[str, Any]) -> None:
    sample["procedures"][2]["code"] = sample["procedures"][0]["code"]
    sample["fields"].append({"code": "ho-tich", "name": "Hộ tịch"})

    errors = _errors(sample)

    assert errors == [
        ("fields[2].code", "Mã lĩnh vực «ho-tich» bị trùng (đã có ở fields[1].code)."),
        (
            "procedures[2].code",
            "Mã thủ tục «1.001193.000.00.00.H28» bị trùng (đã có ở procedures[0].code).",
        ),
    ]


def test_wrong_format_marker_stops_at_one_clear_error(sample: dict[str, Any]) -> None:
    sample["format"] = "mekong.catalog/2"
    sample["procedures"][0]["level"] = "ward"  # not reported: the rest of another format means nothing

    assert _errors(sample) == [
        (
            "format",
            'Không phải tệp danh mục thủ tục của Mekong: cần "format": "mekong.catalog/1", '
            "đang là mekong.catalog/2.",
        )
    ]


def test_a_top_level_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        validate_catalog(parse_catalog_json("[1, 2]"), CONTEXT)
    assert len(caught.value.errors) == 1
    assert "đối tượng" in caught.value.errors[0].as_dict()["message"]


def test_syntax_errors_give_the_line() -> None:
    text = '{\n  "format": "mekong.catalog/1",\n  "procedures": [\n    {"code": 1,}\n  ]\n}\n'
    with pytest.raises(DomainError) as caught:
        parse_catalog_json(text)
    assert caught.value.code == "catalog_unreadable"
    (error,) = caught.value.errors
    assert (error.field, error.row) == ("json", 4)


def test_text_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        parse_catalog_json('{"format": "Hộ tịch"}'.encode("utf-16"))
    assert caught.value.code == "catalog_unreadable"


def test_unknown_file_types_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        read_catalog_bytes(b"code;name", filename="danh_muc.csv", context=CONTEXT)
    assert caught.value.code == "catalog_unsupported"


def test_missing_file_is_a_clear_error(tmp_path: Any) -> None:
    with pytest.raises(DomainError) as caught:
        read_catalog_file(tmp_path / "khong-co.json", context=CONTEXT)
    assert caught.value.code == "catalog_unreadable"
    assert "khong-co.json" in str(caught.value)


def test_many_bad_rows_are_all_reported_and_nothing_is_imported(
    agency_tree: AgencyTree, sample: dict[str, Any], count_rows: Callable[[], RowCounts]
) -> None:
    import_catalog(read_catalog_file(SAMPLE_PATH))
    before = count_rows()
    # A new, valid procedure and a corrected field name: must not be written since other rows are bad.
    added = json.loads(json.dumps(sample["procedures"][1]))
    added["code"] = "1.000656.000.00.00.H28"
    added["name"] = "Đăng ký khai tử"
    sample["procedures"].append(added)
    sample["fields"][1]["name"] = "Hộ tịch (đổi tên)"
    sample["procedures"][0]["fees"][0]["amount"] = 1500.5
    sample["procedures"][1]["level"] = "ward"
    sample["procedures"][1]["steps"][0]["role"] = "boss"
    sample["procedures"][2]["documents"][1]["name"] = ""
    sample["procedures"][2]["field"] = "xay-dung"

    with pytest.raises(DomainError) as caught:
        import_catalog(read_catalog_bytes(json.dumps(sample).encode(), filename="danh_muc.json"))

    assert [error.field for error in caught.value.errors] == [
        "procedures[0].fees[0].amount",
        "procedures[1].level",
        "procedures[1].steps[0].role",
        "procedures[2].field",
        "procedures[2].documents[1].name",
    ]
    assert all(error.row is None for error in caught.value.errors)
    assert all(error.as_dict()["message"] for error in caught.value.errors)
    assert count_rows() == before


def test_bad_file_into_an_empty_catalogue_writes_nothing(
    agency_tree: AgencyTree, sample: dict[str, Any], count_rows: Callable[[], RowCounts]
) -> None:
    before = count_rows()
    sample["procedures"][2]["agencies"] = {"codes": ["000.00.09.H28"]}

    with pytest.raises(DomainError):
        import_catalog(read_catalog_bytes(json.dumps(sample).encode(), filename="danh_muc.json"))

    assert count_rows() == before
    assert before["procedures"] == 0


def test_the_database_context_knows_agencies_and_fields(agency_tree: AgencyTree) -> None:
    context = CatalogContext.from_database()
    assert agency_tree.district.code in context.agency_codes
    assert context.agency_kinds == {"province_pc", "district_pc", "commune_pc"}


@given(amount=st.integers(min_value=0, max_value=10**12))
def test_any_whole_non_negative_amount_is_accepted(amount: int) -> None:
    document = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
    document["procedures"][2]["fees"][0]["amount"] = amount
    data = validate_catalog(parse_catalog_json(document), CONTEXT)
    assert data.procedures[2].fees[0].amount == amount


@given(
    amount=st.one_of(
        st.integers(max_value=-1),
        st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not float(x).is_integer()),
        st.text(max_size=8),
    )
)
def test_negative_fractional_or_text_amounts_are_refused(amount: Any) -> None:
    document = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
    document["procedures"][2]["fees"][0]["amount"] = amount
    with pytest.raises(DomainError) as caught:
        validate_catalog(parse_catalog_json(document), CONTEXT)
    assert [error.field for error in caught.value.errors] == ["procedures[2].fees[0].amount"]
