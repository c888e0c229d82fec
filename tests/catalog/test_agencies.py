"""The demo agency tree: the generated file, its shape, and loading / exporting it."""

from __future__ import annotations

import copy
import importlib.util
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.catalog.agencies import (
    DEFAULT_PATH,
    AgencyRow,
    _Validator,
    export_agencies,
    load_agencies,
    load_agencies_document,
)
from mekong.catalog.codes import is_agency_code
from mekong.catalog.models import Agency
from mekong.core.errors import DomainError
from mekong.geo import loaders
from mekong.geo.models import AdministrativeUnit, Edition

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "generate_agencies.py"
HAU_GIANG = "Hậu Giang"
PROVINCE_PC = "000.00.00.H28"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_agencies", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _load_script()


@pytest.fixture(scope="module")
def committed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def package_rows() -> Iterator[list[sqlite3.Row]]:
    """Legacy Hậu Giang communes straight from the package file, independently of the generator."""
    with resources.as_file(resources.files("vietnamadminunits") / "data" / "dataset.db") as path:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        connection.row_factory = sqlite3.Row
        yield connection.execute(
            "SELECT * FROM admin_units_legacy WHERE provinceShort = ?", [HAU_GIANG]
        ).fetchall()
        connection.close()


@pytest.fixture
def legacy_units(db: None) -> loaders.LoadReport:
    return loaders.load_legacy_units(HAU_GIANG)


def _by_code(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {agency["code"]: agency for agency in document["agencies"]}


def _parts(code: str) -> tuple[int, int, int, str]:
    level4, level3, level2, letter = code.split(".")
    return int(level4), int(level3), int(level2), letter


# -- the generated file ------------------------------------------------------------------------------------


def test_generator_output_equals_the_committed_file(generator: ModuleType) -> None:
    assert generator.generate() == DEFAULT_PATH.read_text(encoding="utf-8")


def test_generator_refuses_bodies_sharing_a_level2_number(generator: ModuleType) -> None:
    bodies = generator.read_bodies()
    bodies["bodies"][2]["level2"] = bodies["bodies"][1]["level2"]
    with pytest.raises(generator.GenerationError):
        generator.build_agencies(bodies, generator.read_legacy_units(HAU_GIANG))


def test_codes_are_national_format_unique_and_of_the_province(committed: dict[str, Any]) -> None:
    codes = [agency["code"] for agency in committed["agencies"]]
    assert committed["format"] == "mekong.agencies/1"
    assert committed["province_letter_code"] == "H28"
    assert "unconfirmed" in committed["provenance"]
    assert all(is_agency_code(code) and code.endswith(".H28") for code in codes)
    assert len(codes) == len(set(codes))


def test_tree_shape(committed: dict[str, Any]) -> None:
    agencies = _by_code(committed)
    kinds = Counter(agency["kind"] for agency in agencies.values())
    assert kinds["province_pc"] == 1
    assert kinds["service_centre"] == 1
    assert kinds["department"] >= 15
    assert (kinds["district_pc"], kinds["commune_pc"]) == (8, 75)

    province = agencies[PROVINCE_PC]
    assert (province["kind"], province["parent"]) == ("province_pc", None)
    for agency in agencies.values():
        if agency["kind"] in {"department", "service_centre", "district_pc"}:
            assert agency["parent"] == PROVINCE_PC, agency
            assert _parts(agency["code"])[:2] == (0, 0)
        elif agency["kind"] == "commune_pc":
            parent = agencies[agency["parent"]]
            assert parent["kind"] == "district_pc", agency
            # a commune PC's code carries its district's level-2 number
            assert _parts(agency["code"])[2] == _parts(parent["code"])[2]

    # departments first, districts after: their level-2 numbers never collide
    provincial = {
        _parts(a["code"])[2] for a in agencies.values() if a["kind"] in {"department", "service_centre"}
    }
    districts = [_parts(a["code"])[2] for a in agencies.values() if a["kind"] == "district_pc"]
    assert len(set(districts)) == 8
    assert not provincial & set(districts)
    assert min(districts) > max(provincial)


def test_commune_numbers_run_from_one_within_each_district(committed: dict[str, Any]) -> None:
    numbers: dict[str, list[int]] = {}
    for agency in committed["agencies"]:
        if agency["kind"] == "commune_pc":
            numbers.setdefault(agency["parent"], []).append(_parts(agency["code"])[1])
    assert len(numbers) == 8
    for values in numbers.values():
        assert sorted(values) == list(range(1, len(values) + 1))


def test_units_come_from_the_package_data(committed: dict[str, Any], package_rows: list[sqlite3.Row]) -> None:
    agencies = _by_code(committed)
    district_of = {row["wardCode"]: row["districtCode"] for row in package_rows}
    ward_names = {row["wardCode"]: row["ward"] for row in package_rows}
    district_names = {row["districtCode"]: row["district"] for row in package_rows}
    communes = [a for a in agencies.values() if a["kind"] == "commune_pc"]
    districts = [a for a in agencies.values() if a["kind"] == "district_pc"]

    assert {a["unit"]["code"] for a in communes} == set(district_of)
    assert {a["unit"]["code"] for a in districts} == set(district_names)
    for agency in communes:
        unit = agency["unit"]["code"]
        assert agency["unit"]["edition"] == "legacy"
        assert agencies[agency["parent"]]["unit"]["code"] == district_of[unit]
        assert agency["name"] == f"Ủy ban nhân dân {ward_names[unit]}"
        assert agency["short_name"] == f"UBND {ward_names[unit]}"
    for agency in districts:
        assert agency["short_name"] == f"UBND {district_names[agency['unit']['code']]}"
    province_code = package_rows[0]["provinceCode"]
    provincial = [a for a in agencies.values() if a["kind"] not in {"district_pc", "commune_pc"}]
    assert {a["unit"]["code"] for a in provincial} == {province_code} == {"93"}
    assert _by_code(committed)["000.01.17.H28"]["short_name"] == "UBND Phường I"


# -- loading -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_creates_the_whole_tree(legacy_units: loaders.LoadReport, committed: dict[str, Any]) -> None:
    assert load_agencies() == len(committed["agencies"]) == 100
    assert Agency.objects.count() == 100
    for agency in Agency.objects.filter(kind="commune_pc").select_related("parent__unit", "unit__parent"):
        assert agency.parent is not None
        assert agency.parent.kind == "district_pc"
        # the agency tree follows the unit tree
        assert agency.unit is not None
        assert agency.unit.parent == agency.parent.unit
        assert agency.unit.edition == Edition.LEGACY
    province = Agency.objects.get(code=PROVINCE_PC)
    assert province.children.filter(kind="district_pc").count() == 8
    assert Agency.objects.get(code="000.00.16.H28").kind == "service_centre"
    assert Agency.objects.filter(search_key__contains="phuong i").exists()


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_updates_in_place(
    legacy_units: loaders.LoadReport, committed: dict[str, Any]
) -> None:
    load_agencies()
    before = list(Agency.objects.order_by("code").values())
    assert load_agencies() == 100
    assert list(Agency.objects.order_by("code").values()) == before

    changed = copy.deepcopy(committed)
    changed["agencies"][1]["name"] = "Sở Nội vụ (đổi tên)"
    changed["agencies"][1]["phone"] = "0293 3870 000"
    load_agencies_document(changed)
    assert Agency.objects.count() == 100
    agency = Agency.objects.get(code=changed["agencies"][1]["code"])
    assert (agency.name, agency.phone, agency.pk) == (
        "Sở Nội vụ (đổi tên)",
        "0293 3870 000",
        next(row["id"] for row in before if row["code"] == agency.code),
    )


@pytest.mark.django_db
def test_load_from_a_path(
    legacy_units: loaders.LoadReport, committed: dict[str, Any], tmp_path: Path
) -> None:
    small = {**committed, "agencies": committed["agencies"][:3]}
    path = tmp_path / "agencies.json"
    path.write_text(json.dumps(small, ensure_ascii=False), encoding="utf-8")
    assert load_agencies(path) == 3
    assert set(Agency.objects.values_list("code", flat=True)) == {a["code"] for a in small["agencies"]}


def _row(code: str, **changes: Any) -> dict[str, Any]:
    row = {
        "code": code,
        "name": f"Cơ quan {code}",
        "short_name": "",
        "kind": "department",
        "parent": PROVINCE_PC,
        "unit": {"edition": "legacy", "code": "93"},
        "address": "",
        "phone": "",
        "email": "",
    }
    row.update(changes)
    return row


def _document(rows: list[Any]) -> dict[str, Any]:
    head = _row(PROVINCE_PC, kind="province_pc", parent=None, name="Ủy ban nhân dân tỉnh Hậu Giang")
    return {
        "format": "mekong.agencies/1",
        "province_letter_code": "H28",
        "provenance": "",
        "agencies": [head, *rows],
    }


@pytest.mark.django_db
def test_every_bad_row_is_reported_and_nothing_is_written(legacy_units: loaders.LoadReport) -> None:
    document = _document(
        [
            _row("000.00.01.H28"),  # row 2: fine
            _row("00.00.02.H28"),  # row 3: code format
            _row("000.00.01.H28"),  # row 4: duplicate of row 2
            _row("000.00.04.H28", parent="000.00.99.H28"),  # row 5: parent nowhere
            _row("000.00.05.H28", unit={"edition": "legacy", "code": "99999"}),  # row 6: unit not loaded
            _row("000.00.06.H28", kind="ministry"),  # row 7: kind
            _row("000.00.07.H28", name="  "),  # row 8: name empty
            _row("000.00.08.H28", colour="red"),  # row 9: unknown key
            _row("000.00.09.H28", email="not-an-email"),  # row 10: e-mail
            _row("000.00.10.H14"),  # row 11: another province's code
            _row("000.00.11.H28", parent="000.00.12.H28"),  # rows 12-13: a parent cycle
            _row("000.00.12.H28", parent="000.00.11.H28"),
            _row("000.00.13.H28", unit={"edition": "1999", "code": "93"}),  # row 14: edition
            "not an object",  # row 15
            _row("000.00.15.H28", parent="000.00.15.H28"),  # row 16: its own parent
        ]
    )
    with pytest.raises(DomainError) as caught:
        load_agencies_document(document)
    found = {(error.row, error.field) for error in caught.value.errors}
    assert found == {
        (3, "code"),
        (4, "code"),
        (5, "parent"),
        (6, "unit"),
        (7, "kind"),
        (8, "name"),
        (9, "colour"),
        (10, "email"),
        (11, "code"),
        (12, "parent"),
        (13, "parent"),
        (14, "unit"),
        (15, "agencies"),
        (16, "parent"),
    }
    assert caught.value.code == "agencies_invalid"
    assert str(len(found)) in caught.value.as_dict()["message"]
    assert all(item["message"] and "row" in item for item in caught.value.as_dict()["errors"])
    assert Agency.objects.count() == 0


@pytest.mark.django_db
def test_a_failed_load_leaves_earlier_data_untouched(legacy_units: loaders.LoadReport) -> None:
    load_agencies_document(_document([_row("000.00.01.H28", name="Sở Nội vụ")]))
    bad = _document([_row("000.00.01.H28", name="Đổi tên"), _row("000.00.02.H28", kind="?")])
    with pytest.raises(DomainError):
        load_agencies_document(bad)
    assert list(Agency.objects.order_by("code").values_list("code", "name")) == [
        (PROVINCE_PC, "Ủy ban nhân dân tỉnh Hậu Giang"),
        ("000.00.01.H28", "Sở Nội vụ"),
    ]


@pytest.mark.django_db
def test_parent_may_already_be_in_the_database(legacy_units: loaders.LoadReport) -> None:
    load_agencies_document(_document([]))
    only_child = {**_document([]), "agencies": [_row("000.00.03.H28")]}
    assert load_agencies_document(only_child) == 1
    assert Agency.objects.get(code="000.00.03.H28").parent == Agency.objects.get(code=PROVINCE_PC)


@pytest.mark.django_db
def test_children_listed_before_their_parent_still_load(legacy_units: loaders.LoadReport) -> None:
    document = _document([_row("000.01.20.H28", kind="commune_pc", parent="000.00.20.H28"),
                          _row("000.00.20.H28", kind="district_pc")])  # fmt: skip
    assert load_agencies_document(document) == 3
    assert Agency.objects.get(code="000.01.20.H28").parent.code == "000.00.20.H28"  # type: ignore[union-attr]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "document",
    [[], {"format": "mekong.catalog/1", "agencies": []}, {"format": "mekong.agencies/1", "agencies": {}}],
)
def test_wrong_document_shapes_are_refused(document: Any) -> None:
    with pytest.raises(DomainError) as caught:
        load_agencies_document(document)
    assert caught.value.errors
    assert all(error.row is None for error in caught.value.errors)


@pytest.mark.django_db
def test_an_unreadable_file_is_a_domain_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        load_agencies(path)
    assert caught.value.code == "agencies_unreadable"


@pytest.mark.django_db
def test_units_are_required_before_agencies() -> None:
    with pytest.raises(DomainError) as caught:
        load_agencies()
    assert {error.field for error in caught.value.errors} == {"unit"}
    assert len(caught.value.errors) == 100
    assert AdministrativeUnit.objects.count() == Agency.objects.count() == 0


# -- export ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_round_trip(legacy_units: loaders.LoadReport, committed: dict[str, Any]) -> None:
    load_agencies()
    exported = export_agencies(provenance=committed["provenance"])
    assert {key: exported[key] for key in ("format", "province_letter_code", "provenance")} == {
        key: committed[key] for key in ("format", "province_letter_code", "provenance")
    }
    assert _by_code(exported) == _by_code(committed)
    seen: set[str] = set()
    for agency in exported["agencies"]:  # parents first, so the export loads as it is
        assert agency["parent"] is None or agency["parent"] in seen
        seen.add(agency["code"])

    before = list(Agency.objects.order_by("code").values())
    assert load_agencies_document(json.loads(json.dumps(exported))) == 100
    assert list(Agency.objects.order_by("code").values()) == before


# -- ordering (pure) ---------------------------------------------------------------------------------------


@st.composite
def _forests(draw: st.DrawFn) -> list[AgencyRow]:
    size = draw(st.integers(min_value=1, max_value=30))
    parents = [None] + [draw(st.one_of(st.none(), st.integers(0, index - 1))) for index in range(1, size)]
    rows = [
        AgencyRow(row=index + 1, code=f"000.00.{index:02d}.H28", name="x", kind="other",
                  parent=None if parent is None else f"000.00.{parent:02d}.H28")
        for index, parent in enumerate(parents)
    ]  # fmt: skip
    return draw(st.permutations(rows))


@given(_forests())
def test_parents_first_orders_any_forest(rows: list[AgencyRow]) -> None:
    validator = _Validator()
    ordered = validator.parents_first(rows)
    assert not validator.errors
    assert sorted(row.code for row in ordered) == sorted(row.code for row in rows)
    position = {row.code: index for index, row in enumerate(ordered)}
    assert all(row.parent is None or position[row.parent] < position[row.code] for row in ordered)
