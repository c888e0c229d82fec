"""Read administrative units from the `vietnamadminunits` package. Pure Python, no Django.

The package ships an SQLite file (`data/dataset.db`) with the 2025 two-level units (table `admin_units`)
and the pre-2025 three-level units (table `admin_units_legacy`), and `data/converter_2025.json` with the
legacy → 2025 mapping keyed by the package's normalised keys ("tinhhaugiang_huyenchauthanh_xaphuhuu").
Keys are resolved to statistical codes through the key columns of the same database, never re-derived.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

PACKAGE = "vietnamadminunits"

# Values of mekong.geo.models.UnitLevel / Edition (kept here as plain strings: no Django import).
PROVINCE, DISTRICT, COMMUNE = "province", "district", "commune"
LEGACY, Y2025 = "legacy", "2025"


class UnknownProvince(LookupError):
    """No province with that short name in the requested edition."""


@dataclass(frozen=True)
class UnitRecord:
    code: str
    level: str
    kind: str
    name: str
    short_name: str
    parent_code: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class SuccessionRecord:
    """Legacy unit `predecessor_code` became (wholly or partly) 2025 unit `successor_code`."""

    predecessor_code: str
    successor_code: str
    is_primary: bool


@dataclass(frozen=True)
class Candidate:
    """One 2025 unit a legacy unit went into. `is_default` is the package's isDefaultNewWard flag
    (None when the legacy unit went wholly into this one)."""

    successor_code: str
    is_default: bool | None


@contextmanager
def _package_file(name: str) -> Iterator[Path]:
    with resources.as_file(resources.files(PACKAGE) / "data" / name) as path:
        yield path


def _query(sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
    with (
        _package_file("dataset.db") as path,
        closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db,
    ):
        db.row_factory = sqlite3.Row
        return db.execute(sql, params).fetchall()


@cache
def converter_2025() -> dict[str, Any]:
    with _package_file("converter_2025.json") as path:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def kind_of(name: str, short_name: str) -> str:
    """The kind is what the full name adds before the short name ("Tỉnh Hậu Giang" → "Tỉnh")."""
    if short_name and name.endswith(short_name) and len(name) > len(short_name):
        return name[: -len(short_name)].strip()
    return name.split(" ", 1)[0]


def choose_primary(candidates: Sequence[Candidate]) -> str:
    """The successor a record moves to by default: the only one, else the package's default, else the
    first unit the legacy one went into wholly, else the first listed. Deterministic for any input."""
    if not candidates:
        raise ValueError("no successor candidates")
    for wanted in (True, None):
        for candidate in candidates:
            if candidate.is_default is wanted:
                return candidate.successor_code
    return candidates[0].successor_code


def successions_from_candidates(
    predecessor_code: str, candidates: Sequence[Candidate]
) -> list[SuccessionRecord]:
    """One record per distinct successor, exactly one of them primary, in first-seen order."""
    primary = choose_primary(candidates)
    seen: dict[str, None] = {}
    for candidate in candidates:
        seen.setdefault(candidate.successor_code)
    return [SuccessionRecord(predecessor_code, code, code == primary) for code in seen]


def province_short_names_2025() -> list[str]:
    return [row[0] for row in _query("SELECT DISTINCT provinceShort FROM admin_units ORDER BY provinceCode")]


def read_units_2025(only_provinces: Collection[str] | None = None) -> list[UnitRecord]:
    """Provinces then communes of the 2025 edition, optionally only for the given province short names."""
    rows = _query("SELECT * FROM admin_units ORDER BY provinceCode, wardCode")
    if only_provinces is not None:
        unknown = set(only_provinces) - {row["provinceShort"] for row in rows}
        if unknown:
            raise UnknownProvince(", ".join(sorted(unknown)))
        rows = [row for row in rows if row["provinceShort"] in only_provinces]
    provinces: dict[str, UnitRecord] = {}
    communes: list[UnitRecord] = []
    for row in rows:
        provinces.setdefault(
            row["provinceCode"],
            UnitRecord(
                code=row["provinceCode"],
                level=PROVINCE,
                kind=kind_of(row["province"], row["provinceShort"]),
                name=row["province"],
                short_name=row["provinceShort"],
                parent_code=None,
                latitude=row["provinceLat"],
                longitude=row["provinceLon"],
            ),
        )
        communes.append(_commune(row, parent_code=row["provinceCode"]))
    return [*provinces.values(), *communes]


def _commune(row: sqlite3.Row, *, parent_code: str) -> UnitRecord:
    """A ward row of either table (both name the commune columns alike)."""
    return UnitRecord(
        code=row["wardCode"],
        level=COMMUNE,
        kind=row["wardType"] or kind_of(row["ward"], row["wardShort"]),
        name=row["ward"],
        short_name=row["wardShort"],
        parent_code=parent_code,
        latitude=row["wardLat"],
        longitude=row["wardLon"],
    )


def _legacy_rows(province_short_name: str) -> list[sqlite3.Row]:
    rows = _query(
        "SELECT * FROM admin_units_legacy WHERE provinceShort = ? ORDER BY districtCode, wardCode",
        [province_short_name],
    )
    if not rows:
        raise UnknownProvince(province_short_name)
    return rows


def read_legacy_units(province_short_name: str) -> list[UnitRecord]:
    """The province, its district-level units and its communes before 1 July 2025, parents first."""
    rows = _legacy_rows(province_short_name)
    first = rows[0]
    province = UnitRecord(
        code=first["provinceCode"],
        level=PROVINCE,
        kind=kind_of(first["province"], first["provinceShort"]),
        name=first["province"],
        short_name=first["provinceShort"],
        parent_code=None,
        latitude=first["provinceLat"],
        longitude=first["provinceLon"],
    )
    districts: dict[str, UnitRecord] = {}
    communes: list[UnitRecord] = []
    for row in rows:
        districts.setdefault(
            row["districtCode"],
            UnitRecord(
                code=row["districtCode"],
                level=DISTRICT,
                kind=row["districtType"] or kind_of(row["district"], row["districtShort"]),
                name=row["district"],
                short_name=row["districtShort"],
                parent_code=province.code,
                latitude=row["districtLat"],
                longitude=row["districtLon"],
            ),
        )
        if not row["wardCode"]:  # a few island districts have no communes
            continue
        communes.append(_commune(row, parent_code=row["districtCode"]))
    return [province, *districts.values(), *communes]


@dataclass(frozen=True)
class LegacyMapping:
    """Successions of one legacy province. `unmapped` lists legacy commune codes the converter misses."""

    successions: list[SuccessionRecord]
    unmapped: list[str]


def read_successions(province_short_name: str) -> LegacyMapping:
    """Legacy → 2025 successions for a legacy province: the province, its districts (which were abolished:
    they go to the 2025 province) and every commune, with exactly one primary successor each."""
    legacy = _legacy_rows(province_short_name)
    province_key = legacy[0]["provinceKey"]
    province_code = legacy[0]["provinceCode"]
    converter = converter_2025()

    new_province_codes = {
        row["provinceKey"]: row["provinceCode"]
        for row in _query("SELECT DISTINCT provinceKey, provinceCode FROM admin_units")
    }
    new_ward_codes = {
        (row["provinceKey"], row["wardKey"]): row["wardCode"]
        for row in _query("SELECT provinceKey, wardKey, wardCode FROM admin_units")
    }
    legacy_ward_codes = {
        f"{row['provinceKey']}_{row['districtKey']}_{row['wardKey']}": row["wardCode"]
        for row in legacy
        if row["wardCode"]
    }

    province_candidates = [
        Candidate(new_province_codes[new_key], None)
        for new_key, legacy_keys in converter["DICT_PROVINCE"].items()
        if province_key in legacy_keys
    ]

    ward_candidates: dict[str, list[Candidate]] = {}
    for new_province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward_key, legacy_keys in wards.items():
            for legacy_key in legacy_keys:
                if legacy_key in legacy_ward_codes:
                    code = new_ward_codes[(new_province_key, new_ward_key)]
                    ward_candidates.setdefault(legacy_ward_codes[legacy_key], []).append(
                        Candidate(code, None)
                    )
    for new_province_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for legacy_key, parts in divided.items():
            if legacy_key not in legacy_ward_codes:
                continue
            for part in parts:
                code = new_ward_codes[(new_province_key, part["newWardKey"])]
                candidate = Candidate(code, bool(part.get("isDefaultNewWard")))
                ward_candidates.setdefault(legacy_ward_codes[legacy_key], []).append(candidate)

    successions: list[SuccessionRecord] = []
    if province_candidates:
        successions += successions_from_candidates(province_code, province_candidates)
        for district_code in dict.fromkeys(row["districtCode"] for row in legacy):
            successions += successions_from_candidates(district_code, province_candidates)
    for commune_code in sorted(ward_candidates):
        successions += successions_from_candidates(commune_code, ward_candidates[commune_code])
    unmapped = sorted(set(legacy_ward_codes.values()) - set(ward_candidates))
    if not province_candidates:
        unmapped.insert(0, province_code)
    return LegacyMapping(successions=successions, unmapped=unmapped)
