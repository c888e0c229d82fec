#!/usr/bin/env python3
"""Generate the demo agency tree (cơ quan) of Hậu Giang from real data, never from hand-typed unit lists.

Inputs: the hand-kept list of provincial bodies (`provincial_bodies_hau_giang.json`: UBND tỉnh, sở, ngành,
Trung tâm Phục vụ hành chính công, with their level-2 numbers and the province letter code) and the legacy
(pre-2025) district and commune units read from the `vietnamadminunits` package's SQLite file.

    .venv/bin/python scripts/generate_agencies.py            # rewrites src/mekong/catalog/data/agencies_hau_giang.json
    .venv/bin/python scripts/generate_agencies.py --output -  # print to stdout

Codes use the national four-part format LLL.CC.BB.Hnn: the province People's Committee is 000.00.00.Hnn,
departments and the service centre keep their level-2 number BB, district People's Committees get the next
free BB numbers in statistical-code order, commune People's Committees get CC numbers 01, 02, ... within
their district. The output is deterministic: running again gives the committed file byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Sequence
from contextlib import closing
from importlib import resources
from pathlib import Path
from typing import Any

from mekong.catalog.codes import agency_code

DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "mekong" / "catalog" / "data"
BODIES_PATH = DATA_DIR / "provincial_bodies_hau_giang.json"
OUTPUT_PATH = DATA_DIR / "agencies_hau_giang.json"

FORMAT = "mekong.agencies/1"
BODIES_FORMAT = "mekong.provincial-bodies/1"
LEGACY = "legacy"
PROVINCIAL_KINDS = {"province_pc", "department", "service_centre", "other"}
MAX_LEVEL_NUMBER = 99  # two digits in the code


class GenerationError(ValueError):
    """The inputs cannot give a consistent agency tree."""


def read_bodies(path: Path = BODIES_PATH) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def read_legacy_units(province_short_name: str) -> list[dict[str, Any]]:
    """One row per legacy commune of the province (with its district and province), ordered by code."""
    with (
        resources.as_file(resources.files("vietnamadminunits") / "data" / "dataset.db") as path,
        closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db,
    ):
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT province, provinceCode, district, districtCode, ward, wardCode FROM admin_units_legacy"
            " WHERE provinceShort = ? AND wardCode IS NOT NULL AND wardCode != ''"
            " ORDER BY districtCode, wardCode",
            [province_short_name],
        ).fetchall()
    if not rows:
        raise GenerationError(f"no legacy units for province {province_short_name!r}")
    return [dict(row) for row in rows]


def _agency(
    code: str, name: str, short_name: str, kind: str, parent: str | None, unit_code: str, address: str
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "short_name": short_name,
        "kind": kind,
        "parent": parent,
        "unit": {"edition": LEGACY, "code": unit_code},
        "address": address,
        "phone": "",
        "email": "",
    }


def build_agencies(bodies: dict[str, Any], units: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The agency document: provincial bodies first, then each district PC followed by its communes."""
    if bodies.get("format") != BODIES_FORMAT:
        raise GenerationError(f"bodies file must have format {BODIES_FORMAT!r}")
    letter = bodies["province_letter_code"]
    province_code = units[0]["provinceCode"]
    province_name = units[0]["province"]

    provincial = sorted(bodies["bodies"], key=lambda body: body["level2"])
    numbers = [body["level2"] for body in provincial]
    if len(set(numbers)) != len(numbers):
        raise GenerationError("two provincial bodies share a level-2 number")
    heads = [body for body in provincial if body["kind"] == "province_pc"]
    if len(heads) != 1 or heads[0]["level2"] != 0:
        raise GenerationError("exactly one province_pc, with level-2 number 0, is needed")
    for body in provincial:
        if body["kind"] not in PROVINCIAL_KINDS:
            raise GenerationError(f"kind {body['kind']!r} is not a provincial kind")

    head_code = agency_code(0, 0, letter)
    agencies = [
        _agency(
            agency_code(0, body["level2"], letter),
            body["name"],
            body["short_name"],
            body["kind"],
            None if body["kind"] == "province_pc" else head_code,
            province_code,
            body.get("address", ""),
        )
        for body in provincial
    ]

    districts: dict[str, list[dict[str, Any]]] = {}
    for row in units:
        districts.setdefault(row["districtCode"], []).append(row)
    next_level2 = max(numbers) + 1
    for offset, (district_code, communes) in enumerate(sorted(districts.items())):
        level2 = next_level2 + offset
        if level2 > MAX_LEVEL_NUMBER or len(communes) > MAX_LEVEL_NUMBER:
            raise GenerationError("more units than two-digit code parts can number")
        district_name = communes[0]["district"]
        district_agency = agency_code(0, level2, letter)
        agencies.append(
            _agency(
                district_agency,
                f"Ủy ban nhân dân {district_name}",
                f"UBND {district_name}",
                "district_pc",
                head_code,
                district_code,
                f"{district_name}, {province_name}",
            )
        )
        for level3, commune in enumerate(communes, start=1):
            agencies.append(
                _agency(
                    agency_code(level3, level2, letter),
                    f"Ủy ban nhân dân {commune['ward']}",
                    f"UBND {commune['ward']}",
                    "commune_pc",
                    district_agency,
                    commune["wardCode"],
                    f"{commune['ward']}, {district_name}, {province_name}",
                )
            )
    return {
        "format": FORMAT,
        "province_letter_code": letter,
        "provenance": bodies["provenance"],
        "agencies": agencies,
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def generate(bodies_path: Path = BODIES_PATH) -> str:
    bodies = read_bodies(bodies_path)
    return render(build_agencies(bodies, read_legacy_units(bodies["province_short_name"])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bodies", default=str(BODIES_PATH), help="provincial bodies file")
    parser.add_argument("--output", default=str(OUTPUT_PATH), help="JSON path, or - for stdout")
    args = parser.parse_args(argv)

    text = generate(Path(args.bodies))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        path = Path(args.output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        count = len(json.loads(text)["agencies"])
        print(f"{count} cơ quan → {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
