"""Fixtures for the geo tests. Expected values are read straight from the installed packages' files with
plain SQL and JSON here, independently of `mekong.geo.sources`, so the loaders are checked against the data."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pytest

from mekong.geo import loaders

HAU_GIANG = "Hậu Giang"
CAN_THO = "Cần Thơ"


@pytest.fixture(scope="session")
def package_db() -> Iterator[sqlite3.Connection]:
    with resources.as_file(resources.files("vietnamadminunits") / "data" / "dataset.db") as path:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        connection.row_factory = sqlite3.Row
        yield connection
        connection.close()


@pytest.fixture(scope="session")
def converter() -> dict[str, Any]:
    with resources.as_file(resources.files("vietnamadminunits") / "data" / "converter_2025.json") as path:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class ExpectedSuccession:
    successors: frozenset[str]  # 2025 ward codes
    primary: str


@pytest.fixture(scope="session")
def expected_commune_successions(
    package_db: sqlite3.Connection, converter: dict[str, Any]
) -> dict[str, ExpectedSuccession]:
    """Legacy Hậu Giang commune code → the 2025 communes converter_2025.json sends it to."""
    legacy = {
        f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}": row["wardCode"]
        for row in package_db.execute("SELECT * FROM admin_units_legacy WHERE provinceShort = ?", [HAU_GIANG])
    }
    new = {
        (row["provinceKey"], row["wardKey"]): row["wardCode"]
        for row in package_db.execute("SELECT provinceKey, wardKey, wardCode FROM admin_units")
    }
    successors: dict[str, set[str]] = {}
    defaults: dict[str, set[str]] = {}
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, legacy_keys in wards.items():
            for key in legacy_keys:
                if key in legacy:
                    successors.setdefault(legacy[key], set()).add(new[(province_key, ward_key)])
    for province_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for key, parts in divided.items():
            if key in legacy:
                for part in parts:
                    code = new[(province_key, part["newWardKey"])]
                    successors.setdefault(legacy[key], set()).add(code)
                    if part["isDefaultNewWard"]:
                        defaults.setdefault(legacy[key], set()).add(code)
    expected = {}
    for code in legacy.values():
        found = successors.get(code, set())
        primaries = defaults.get(code, set()) if len(found) > 1 else found
        expected[code] = ExpectedSuccession(
            frozenset(found), next(iter(primaries)) if len(primaries) == 1 else ""
        )
    return expected


@pytest.fixture
def hau_giang(db: None) -> loaders.LoadReport:
    """Cần Thơ (2025), legacy Hậu Giang and the successions between them: what most tests need, without
    loading the whole country."""
    report = loaders.load_units_2025(only_provinces={CAN_THO})
    report.merge(loaders.load_legacy_units(HAU_GIANG))
    report.merge(loaders.load_successions(HAU_GIANG))
    return report


@pytest.fixture
def hau_giang_with_hamlets(hau_giang: loaders.LoadReport) -> loaders.LoadReport:
    return hau_giang.merge(loaders.load_hamlets())
