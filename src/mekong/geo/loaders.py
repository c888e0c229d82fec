"""Load administrative units, successions and demo hamlets into the database.

Every loader is idempotent (units are matched on edition + code, successions on the pair; running again
creates nothing and changes nothing), runs in one transaction and works in bulk. Source data comes from
`mekong.geo.sources` (the `vietnamadminunits` package) and `data/hamlets_hau_giang.csv`.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mekong.core.errors import DomainError, FieldError
from mekong.core.text import fold
from mekong.geo import hamlets, sources
from mekong.geo.models import AdministrativeUnit, Edition, UnitLevel, UnitSuccession

log = structlog.get_logger(__name__)

REORGANISATION_DATE = datetime.date(2025, 7, 1)
DEMO_LEGACY_PROVINCE = hamlets.DEMO_PROVINCE
SUCCESSION = "succession"
_BATCH = 500

_UNIT_FIELDS = (
    "level",
    "kind",
    "name",
    "short_name",
    "parent_id",
    "former_parent_id",
    "latitude",
    "longitude",
)
_LABELS = {
    UnitLevel.PROVINCE.value: _("tỉnh, thành phố"),
    UnitLevel.DISTRICT.value: _("huyện, thị xã, thành phố thuộc tỉnh"),
    UnitLevel.COMMUNE.value: _("xã, phường, thị trấn, đặc khu"),
    UnitLevel.HAMLET.value: _("ấp, khu vực"),
    SUCCESSION: _("quan hệ sắp xếp"),
}
_EDITION_LABELS = {Edition.Y2025.value: _("2025"), Edition.LEGACY.value: _("trước 01/07/2025")}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted


@dataclass
class LoadReport:
    """What a load did, per (edition, level); successions are counted under (legacy, "succession")."""

    counts: dict[tuple[str, str], Counts] = field(default_factory=dict)

    def get(self, edition: str, level: str) -> Counts:
        return self.counts.setdefault((str(edition), str(level)), Counts())

    def merge(self, other: LoadReport) -> LoadReport:
        for (edition, level), counts in other.counts.items():
            self.get(edition, level).add(counts)
        return self

    @property
    def created(self) -> int:
        return sum(counts.created for counts in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(counts.updated for counts in self.counts.values())

    @property
    def changed(self) -> bool:
        return any(counts.created or counts.updated or counts.deleted for counts in self.counts.values())

    def lines(self) -> list[str]:
        result = []
        for (edition, level), counts in self.counts.items():
            label = f"{_LABELS.get(level, level)} ({_EDITION_LABELS.get(edition, edition)})"
            line = f"{label}: {counts.total} — mới {counts.created}, cập nhật {counts.updated}, giữ nguyên {counts.unchanged}"
            if counts.deleted:
                line += f", xoá {counts.deleted}"
            result.append(line)
        return result

    def __str__(self) -> str:
        return "; ".join(self.lines()) or str(_("không có dữ liệu"))


# -- units ------------------------------------------------------------------------------------------------


def _upsert_units(
    edition: str, level: str, wanted: list[dict[str, Any]], report: LoadReport
) -> dict[str, int]:
    """Create or update units of one edition and level, matched on code. Returns code → id."""
    counts = report.get(edition, level)
    existing = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(
            edition=edition, code__in=[item["code"] for item in wanted]
        )
    }
    to_create: list[AdministrativeUnit] = []
    to_update: list[AdministrativeUnit] = []
    for item in wanted:
        values = {name: item.get(name) for name in _UNIT_FIELDS} | {"search_key": fold(item["name"])}
        unit = existing.get(item["code"])
        if unit is None:
            to_create.append(AdministrativeUnit(edition=edition, code=item["code"], **values))
        elif any(getattr(unit, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(unit, name, value)
            to_update.append(unit)
        else:
            counts.unchanged += 1
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=_BATCH)
    AdministrativeUnit.objects.bulk_update(to_update, [*_UNIT_FIELDS, "search_key"], batch_size=_BATCH)
    counts.created += len(to_create)
    counts.updated += len(to_update)
    return dict(
        AdministrativeUnit.objects.filter(
            edition=edition, level=level, code__in=[item["code"] for item in wanted]
        ).values_list("code", "id")
    )


def _load_records(edition: str, records: Iterable[sources.UnitRecord], report: LoadReport) -> None:
    """Load records level by level, parents first, so each level can point at the ids of the one above."""
    by_level: dict[str, list[sources.UnitRecord]] = {}
    for record in records:
        by_level.setdefault(record.level, []).append(record)
    ids: dict[str, int] = {}
    for level in (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE):
        level_records = by_level.get(level.value, [])
        if not level_records:
            continue
        wanted = [
            {
                "code": record.code,
                "level": record.level,
                "kind": record.kind,
                "name": record.name,
                "short_name": record.short_name,
                "parent_id": ids[record.parent_code] if record.parent_code else None,
                "former_parent_id": None,
                "latitude": record.latitude,
                "longitude": record.longitude,
            }
            for record in level_records
        ]
        ids |= _upsert_units(edition, level.value, wanted, report)


def _unknown_province(name: str) -> DomainError:
    return DomainError(
        _("Không có tỉnh, thành phố “{name}” trong dữ liệu đơn vị hành chính."),
        errors=[FieldError(field="province", message=_("Tên tỉnh, thành phố không đúng."))],
        code="unknown_province",
        name=name,
    )


@transaction.atomic
def load_units_2025(only_provinces: Collection[str] | None = None) -> LoadReport:
    """The 34 provinces and 3,321 communes of the 2025 two-level edition (or only the provinces named by
    their short names, e.g. {"Cần Thơ"}: tests and small demos need not load the whole country)."""
    try:
        records = sources.read_units_2025(only_provinces)
    except sources.UnknownProvince as error:
        raise _unknown_province(str(error)) from error
    report = LoadReport()
    _load_records(Edition.Y2025, records, report)
    log.info("geo.units_2025_loaded", report=str(report))
    return report


@transaction.atomic
def load_legacy_units(province_short_name: str = DEMO_LEGACY_PROVINCE) -> LoadReport:
    """One province's pre-2025 three-level units: the province, its district-level units, its communes."""
    try:
        records = sources.read_legacy_units(province_short_name)
    except sources.UnknownProvince as error:
        raise _unknown_province(str(error)) from error
    report = LoadReport()
    _load_records(Edition.LEGACY, records, report)
    log.info("geo.legacy_units_loaded", province=province_short_name, report=str(report))
    return report


# -- successions ------------------------------------------------------------------------------------------


@transaction.atomic
def load_successions(province_short_name: str = DEMO_LEGACY_PROVINCE) -> LoadReport:
    """Legacy → 2025 successions of one legacy province (its units and the 2025 units they became must be
    loaded). Successions of these legacy units that the package no longer lists are removed."""
    try:
        mapping = sources.read_successions(province_short_name)
    except sources.UnknownProvince as error:
        raise _unknown_province(str(error)) from error
    if mapping.unmapped:
        raise DomainError(
            _("Dữ liệu sắp xếp thiếu đơn vị mới cho {count} đơn vị cũ của {province}."),
            errors=[
                FieldError(
                    field="predecessor", message=_("Mã {code} chưa có đơn vị mới."), params={"code": code}
                )
                for code in mapping.unmapped
            ],
            code="incomplete_successions",
            count=len(mapping.unmapped),
            province=province_short_name,
        )
    records = mapping.successions
    legacy_ids = dict(
        AdministrativeUnit.objects.filter(
            edition=Edition.LEGACY, code__in={record.predecessor_code for record in records}
        ).values_list("code", "id")
    )
    new_ids = dict(
        AdministrativeUnit.objects.filter(
            edition=Edition.Y2025, code__in={record.successor_code for record in records}
        ).values_list("code", "id")
    )
    missing = [
        FieldError(field=field_name, message=_("Chưa nạp đơn vị mã {code} ({edition})."), params=params)
        for field_name, codes, ids, edition in (
            ("predecessor", {r.predecessor_code for r in records}, legacy_ids, Edition.LEGACY.label),
            ("successor", {r.successor_code for r in records}, new_ids, Edition.Y2025.label),
        )
        for params in ({"code": code, "edition": edition} for code in sorted(codes - set(ids)))
    ]
    if missing:
        raise DomainError(
            _(
                "Chưa nạp đủ đơn vị hành chính để ghi quan hệ sắp xếp; hãy nạp đơn vị 2025 và đơn vị cũ trước."
            ),
            errors=missing,
            code="units_not_loaded",
        )

    wanted = {(legacy_ids[r.predecessor_code], new_ids[r.successor_code]): r.is_primary for r in records}
    existing = {
        (succession.predecessor_id, succession.successor_id): succession
        for succession in UnitSuccession.objects.filter(predecessor_id__in=set(legacy_ids.values()))
    }
    counts = LoadReport()
    report_counts = counts.get(Edition.LEGACY, SUCCESSION)

    stale = [succession.pk for pair, succession in existing.items() if pair not in wanted]
    if stale:
        report_counts.deleted = UnitSuccession.objects.filter(pk__in=stale).delete()[0]
    demoted: list[UnitSuccession] = []
    promoted: list[UnitSuccession] = []
    to_create: list[UnitSuccession] = []
    for (predecessor_id, successor_id), is_primary in wanted.items():
        succession = existing.get((predecessor_id, successor_id))
        if succession is None:
            to_create.append(
                UnitSuccession(
                    predecessor_id=predecessor_id,
                    successor_id=successor_id,
                    is_primary=is_primary,
                    effective_date=REORGANISATION_DATE,
                )
            )
        elif succession.is_primary != is_primary or succession.effective_date != REORGANISATION_DATE:
            succession.is_primary = is_primary
            succession.effective_date = REORGANISATION_DATE
            (promoted if is_primary else demoted).append(succession)
        else:
            report_counts.unchanged += 1
    # Demote before promoting or creating: at most one primary successor per unit at every step.
    UnitSuccession.objects.bulk_update(demoted, ["is_primary", "effective_date"], batch_size=_BATCH)
    UnitSuccession.objects.bulk_create(to_create, batch_size=_BATCH)
    UnitSuccession.objects.bulk_update(promoted, ["is_primary", "effective_date"], batch_size=_BATCH)
    report_counts.created = len(to_create)
    report_counts.updated = len(demoted) + len(promoted)
    log.info("geo.successions_loaded", province=province_short_name, report=str(counts))
    return counts


# -- hamlets ----------------------------------------------------------------------------------------------


def _coordinate(value: str, limit: float) -> float | None:
    if not value.strip():
        return None
    number = float(value)  # ValueError is reported by the caller
    if not math.isfinite(number) or abs(number) > limit:
        raise ValueError(value)
    return number


@transaction.atomic
def load_hamlets(path: Path = hamlets.HAMLETS_PATH) -> LoadReport:
    """Hamlets (ấp / khu vực) from a CSV file: level hamlet, edition 2025, parent the 2025 commune,
    former parent the legacy commune. Every bad row is reported and nothing is loaded if one is bad."""
    columns, rows = hamlets.read_csv(Path(path).read_text(encoding="utf-8"))
    absent = [column for column in hamlets.COLUMNS if column not in columns]
    if absent:
        raise DomainError(
            _("Tệp ấp, khu vực thiếu cột: {columns}."),
            errors=[FieldError(field=column, message=_("Thiếu cột.")) for column in absent],
            code="invalid_file",
            columns=", ".join(absent),
        )

    communes = {
        (unit.edition, unit.code): unit.pk
        for unit in AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE,
            code__in={row["legacy_commune_code"] for row in rows}
            | {row["commune_code_2025"] for row in rows},
        ).only("pk", "edition", "code")
    }
    errors: list[FieldError] = []
    wanted: list[dict[str, Any]] = []
    seen_codes: set[str] = set()
    for number, row in enumerate(rows, start=2):  # row 1 is the header

        def error(column: str, message: Any, number: int = number, **params: Any) -> None:
            errors.append(FieldError(field=column, message=message, row=number, params=params))

        values = {column: (row.get(column) or "").strip() for column in hamlets.COLUMNS}
        for column in ("code", "name", "short_name"):
            if not values[column]:
                error(column, _("Không được để trống."))
        if values["code"] in seen_codes:
            error("code", _("Mã {code} bị trùng."), code=values["code"])
        seen_codes.add(values["code"])
        if len(values["code"]) > AdministrativeUnit._meta.get_field("code").max_length:  # type: ignore[operator]
            error("code", _("Mã quá dài."))
        if values["kind"] not in hamlets.HAMLET_KINDS:
            error("kind", _("Loại phải là “Ấp” hoặc “Khu vực”."))
        parent_id = communes.get((Edition.Y2025.value, values["commune_code_2025"]))
        if parent_id is None:
            error(
                "commune_code_2025",
                _("Không có xã, phường (2025) mã “{code}”."),
                code=values["commune_code_2025"],
            )
        former_parent_id = communes.get((Edition.LEGACY.value, values["legacy_commune_code"]))
        if former_parent_id is None:
            error(
                "legacy_commune_code",
                _("Không có xã, phường (trước 01/07/2025) mã “{code}”."),
                code=values["legacy_commune_code"],
            )
        coordinates: dict[str, float | None] = {}
        for column, target, limit in (("lat", "latitude", 90.0), ("lon", "longitude", 180.0)):
            try:
                coordinates[target] = _coordinate(values[column], limit)
            except ValueError:
                error(column, _("Toạ độ “{value}” không hợp lệ."), value=values[column])
        wanted.append(
            {
                "code": values["code"],
                "level": UnitLevel.HAMLET.value,
                "kind": values["kind"],
                "name": values["name"],
                "short_name": values["short_name"],
                "parent_id": parent_id,
                "former_parent_id": former_parent_id,
                **coordinates,
            }
        )
    if errors:
        raise DomainError(
            _("Tệp ấp, khu vực có {count} lỗi; chưa nạp dòng nào."),
            errors=errors,
            code="invalid_file",
            count=len(errors),
        )
    report = LoadReport()
    _upsert_units(Edition.Y2025, UnitLevel.HAMLET, wanted, report)
    log.info("geo.hamlets_loaded", path=str(path), report=str(report))
    return report


@transaction.atomic
def load_all_units(
    province_short_name: str = DEMO_LEGACY_PROVINCE, hamlets_path: Path | None = None
) -> LoadReport:
    """Everything the demo tenant needs, in order: 2025 units, the legacy province, successions, hamlets."""
    report = LoadReport()
    report.merge(load_units_2025())
    report.merge(load_legacy_units(province_short_name))
    report.merge(load_successions(province_short_name))
    report.merge(load_hamlets(hamlets_path or hamlets.HAMLETS_PATH))
    return report
