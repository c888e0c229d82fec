"""Demo hamlets (ấp / khu vực) generated from the real legacy commune names. Pure Python, no Django.

Real hamlet lists are not published as open data, so the demo tenant gets a generated, deterministic set:
`HAMLETS_PER_COMMUNE` per legacy commune, named as hamlets are named in the Mekong delta — "Ấp Vị Đông 1"
in a xã or thị trấn, "Khu vực 1" in a phường — placed on a small ring around the commune's coordinates.
`scripts/generate_hamlets.py` writes them to `data/hamlets_hau_giang.csv`; `loaders.load_hamlets` reads it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from mekong.geo.sources import COMMUNE, UnitRecord, read_legacy_units, read_successions

HAMLETS_PER_COMMUNE = 8
HAMLETS_PATH = Path(__file__).resolve().parent / "data" / "hamlets_hau_giang.csv"
DEMO_PROVINCE = "Hậu Giang"
AP, KHU_VUC = "Ấp", "Khu vực"
HAMLET_KINDS = (AP, KHU_VUC)

# Offsets in millionths of a degree (≈ 0.55 km at radius 5000): integers keep the output byte-stable.
_RING = (
    (5000, 0),
    (3536, 3536),
    (0, 5000),
    (-3536, 3536),
    (-5000, 0),
    (-3536, -3536),
    (0, -5000),
    (3536, -3536),
)


@dataclass(frozen=True)
class HamletRow:
    code: str
    name: str
    short_name: str
    kind: str
    legacy_commune_code: str
    legacy_commune_name: str
    commune_code_2025: str
    lat: str
    lon: str


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(HamletRow))


def hamlet_kind(commune_kind: str) -> str:
    return KHU_VUC if commune_kind == "Phường" else AP


def _micro(value: float) -> int:
    return round(value * 1_000_000)


def _degrees(micro: int) -> str:
    sign = "-" if micro < 0 else ""
    whole, fraction = divmod(abs(micro), 1_000_000)
    return f"{sign}{whole}.{fraction:06d}"


def hamlets_for_commune(
    commune: UnitRecord, successor_code: str, count: int = HAMLETS_PER_COMMUNE
) -> list[HamletRow]:
    kind = hamlet_kind(commune.kind)
    rows = []
    for number in range(1, count + 1):
        short_name = f"{commune.short_name} {number}" if kind == AP else str(number)
        d_lat, d_lon = _RING[(number - 1) % len(_RING)]
        scale = 1 + (number - 1) // len(_RING)
        lat = lon = ""
        if commune.latitude is not None and commune.longitude is not None:
            lat = _degrees(_micro(commune.latitude) + d_lat * scale)
            lon = _degrees(_micro(commune.longitude) + d_lon * scale)
        rows.append(
            HamletRow(
                code=f"{commune.code}-{number:02d}",
                name=f"{kind} {short_name}",
                short_name=short_name,
                kind=kind,
                legacy_commune_code=commune.code,
                legacy_commune_name=commune.name,
                commune_code_2025=successor_code,
                lat=lat,
                lon=lon,
            )
        )
    return rows


def generate_hamlets(
    province_short_name: str = DEMO_PROVINCE, per_commune: int = HAMLETS_PER_COMMUNE
) -> list[HamletRow]:
    """Hamlets for every legacy commune of the province, attached to its primary 2025 successor."""
    primary = {
        record.predecessor_code: record.successor_code
        for record in read_successions(province_short_name).successions
        if record.is_primary
    }
    rows: list[HamletRow] = []
    for unit in read_legacy_units(province_short_name):
        if unit.level == COMMUNE and unit.code in primary:
            rows += hamlets_for_commune(unit, primary[unit.code], per_commune)
    return sorted(rows, key=lambda row: row.code)


def render_csv(rows: Iterable[HamletRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(astuple(row) for row in rows)
    return buffer.getvalue()


def read_csv(text: str) -> tuple[Sequence[str], list[dict[str, str]]]:
    """Header and rows of a hamlet file (row dicts keyed by column name)."""
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return reader.fieldnames or [], rows
