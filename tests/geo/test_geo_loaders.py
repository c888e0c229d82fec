from __future__ import annotations

import datetime
import sqlite3
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from mekong.core.errors import DomainError
from mekong.geo import loaders
from mekong.geo.models import AdministrativeUnit, Edition, UnitLevel, UnitSuccession

from .factories import CommuneFactory, UnitSuccessionFactory

pytestmark = pytest.mark.django_db


def _legacy(level: str) -> Any:
    return AdministrativeUnit.objects.filter(edition=Edition.LEGACY, level=level)


def test_legacy_hau_giang_matches_the_package(
    hau_giang: loaders.LoadReport, package_db: sqlite3.Connection
) -> None:
    rows = package_db.execute("SELECT * FROM admin_units_legacy WHERE provinceShort = 'Hậu Giang'").fetchall()
    expected_districts = {row["districtCode"]: row for row in rows}
    expected_communes = {row["wardCode"]: row for row in rows}
    assert (len(expected_districts), len(expected_communes)) == (8, 75)  # the figures the issue states

    province = _legacy(UnitLevel.PROVINCE).get()
    assert (province.code, province.name, province.kind) == (
        rows[0]["provinceCode"],
        "Tỉnh Hậu Giang",
        "Tỉnh",
    )
    districts = {unit.code: unit for unit in _legacy(UnitLevel.DISTRICT)}
    communes = {unit.code: unit for unit in _legacy(UnitLevel.COMMUNE).select_related("parent")}
    assert set(districts) == set(expected_districts)
    assert set(communes) == set(expected_communes)
    assert hau_giang.get(Edition.LEGACY, UnitLevel.COMMUNE).created == 75

    for code, district in districts.items():
        row = expected_districts[code]
        assert (district.name, district.kind, district.parent_id) == (
            row["district"],
            row["districtType"],
            province.pk,
        )
        assert (district.latitude, district.longitude) == (row["districtLat"], row["districtLon"])
    for code, commune in communes.items():
        row = expected_communes[code]
        assert (commune.name, commune.short_name, commune.kind) == (
            row["ward"],
            row["wardShort"],
            row["wardType"],
        )
        assert commune.parent.code == row["districtCode"]
        assert commune.latitude is not None
        assert commune.longitude is not None
        assert (commune.latitude, commune.longitude) == (row["wardLat"], row["wardLon"])
    assert {unit.kind for unit in districts.values()} == {"Thành phố", "Thị xã", "Huyện"}
    assert {unit.kind for unit in communes.values()} == {"Phường", "Xã", "Thị trấn"}


def test_can_tho_2025_matches_both_packages(
    hau_giang: loaders.LoadReport, package_db: sqlite3.Connection
) -> None:
    from vietnam_provinces import Province, Ward

    can_tho = next(p for p in Province.iter_all() if p.name == "Thành phố Cần Thơ")
    expected = {
        row["wardCode"]: row
        for row in package_db.execute("SELECT * FROM admin_units WHERE provinceCode = '92'")
    }
    assert len(expected) == sum(1 for ward in Ward.iter_all() if ward.province_code == can_tho.code) == 103

    province = AdministrativeUnit.objects.get(edition=Edition.Y2025, level=UnitLevel.PROVINCE)
    assert (province.code, province.name, province.kind) == (
        f"{int(can_tho.code):02d}",
        can_tho.name,
        "Thành phố",
    )
    communes = AdministrativeUnit.objects.filter(edition=Edition.Y2025, level=UnitLevel.COMMUNE)
    assert {unit.code for unit in communes} == set(expected)
    assert all(unit.parent_id == province.pk for unit in communes)
    assert all(
        (unit.latitude, unit.longitude) == (expected[unit.code]["wardLat"], expected[unit.code]["wardLon"])
        for unit in communes
    )
    assert all(unit.search_key for unit in communes)


def test_every_hau_giang_commune_maps_as_the_converter_says(
    hau_giang: loaders.LoadReport, expected_commune_successions: dict[str, Any]
) -> None:
    assert len(expected_commune_successions) == 75
    problems = []
    for code, expected in sorted(expected_commune_successions.items()):
        commune = AdministrativeUnit.objects.get(edition=Edition.LEGACY, code=code)
        successions = list(commune.successions.select_related("successor"))
        successors = {s.successor.code for s in successions}
        primaries = [s.successor.code for s in successions if s.is_primary]
        if not expected.successors or not expected.primary:
            problems.append(f"{code} {commune.name}: the converter gives no clear successor ({expected})")
        if successors != expected.successors:
            problems.append(
                f"{code} {commune.name}: successors {sorted(successors)} ≠ {sorted(expected.successors)}"
            )
        if primaries != [expected.primary]:
            problems.append(f"{code} {commune.name}: primary {primaries} ≠ [{expected.primary}]")
        if any(
            s.successor.edition != Edition.Y2025 or s.successor.level != UnitLevel.COMMUNE
            for s in successions
        ):
            problems.append(f"{code} {commune.name}: a successor is not a 2025 commune")
        if any(s.effective_date != datetime.date(2025, 7, 1) for s in successions):
            problems.append(f"{code} {commune.name}: wrong effective date")
    assert not problems, "\n".join(problems)
    divided = [
        code for code, expected in expected_commune_successions.items() if len(expected.successors) > 1
    ]
    assert divided, "Hậu Giang has communes divided among several 2025 communes; they must be covered"


def test_legacy_province_and_districts_go_to_can_tho(hau_giang: loaders.LoadReport) -> None:
    can_tho = AdministrativeUnit.objects.get(edition=Edition.Y2025, level=UnitLevel.PROVINCE)
    legacy_above_communes = AdministrativeUnit.objects.filter(
        edition=Edition.LEGACY, level__in=[UnitLevel.PROVINCE, UnitLevel.DISTRICT]
    )
    assert legacy_above_communes.count() == 9
    for unit in legacy_above_communes:
        succession = UnitSuccession.objects.get(predecessor=unit)
        assert (succession.successor_id, succession.is_primary) == (can_tho.pk, True), unit.name
    assert UnitSuccession.objects.count() == hau_giang.get(Edition.LEGACY, loaders.SUCCESSION).created


def _snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    return (
        list(AdministrativeUnit.objects.order_by("pk").values_list()),
        list(UnitSuccession.objects.order_by("pk").values_list()),
    )


def test_loading_again_changes_nothing(hau_giang_with_hamlets: loaders.LoadReport) -> None:
    before = _snapshot()
    again = loaders.load_units_2025(only_provinces={"Cần Thơ"})
    again.merge(loaders.load_legacy_units())
    again.merge(loaders.load_successions())
    again.merge(loaders.load_hamlets())
    assert not again.changed
    assert (again.created, again.updated) == (0, 0)
    assert sum(counts.unchanged for counts in again.counts.values()) == sum(
        counts.created for counts in hau_giang_with_hamlets.counts.values()
    )
    assert _snapshot() == before


def test_loading_again_repairs_edited_units_and_successions(hau_giang: loaders.LoadReport) -> None:
    commune = AdministrativeUnit.objects.get(edition=Edition.LEGACY, code="31471")
    AdministrativeUnit.objects.filter(pk=commune.pk).update(name="Tên sai", latitude=None)
    primary = UnitSuccession.objects.filter(is_primary=True).select_related("predecessor").first()
    assert primary is not None
    UnitSuccession.objects.filter(pk=primary.pk).update(is_primary=False)
    stray = UnitSuccessionFactory(
        predecessor=primary.predecessor, successor=CommuneFactory(), is_primary=True
    )

    report = loaders.load_legacy_units()
    report.merge(loaders.load_successions())

    assert report.get(Edition.LEGACY, UnitLevel.COMMUNE).updated == 1
    commune.refresh_from_db()
    assert (commune.name, commune.search_key, commune.latitude is not None) == (
        "Phường Thuận An",
        "phuong thuan an",
        True,
    )
    successions = report.get(Edition.LEGACY, loaders.SUCCESSION)
    assert (successions.updated, successions.deleted) == (1, 1)
    assert not UnitSuccession.objects.filter(pk=stray.pk).exists()
    primary.refresh_from_db()
    assert primary.is_primary


def test_unknown_province_is_refused_and_loads_nothing() -> None:
    with pytest.raises(DomainError) as refused:
        loaders.load_legacy_units("Atlantis")
    assert refused.value.code == "unknown_province"
    assert "Atlantis" in refused.value.as_dict()["message"]
    with pytest.raises(DomainError):
        loaders.load_units_2025(only_provinces={"Cần Thơ", "Atlantis"})
    assert not AdministrativeUnit.objects.exists()


def test_successions_need_the_units_loaded_first() -> None:
    loaders.load_legacy_units()
    with pytest.raises(DomainError) as refused:
        loaders.load_successions()
    assert refused.value.code == "units_not_loaded"
    assert {error.field for error in refused.value.errors} == {"successor"}
    assert not UnitSuccession.objects.exists()


def test_a_unit_has_at_most_one_primary_successor() -> None:
    first = UnitSuccessionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitSuccessionFactory(predecessor=first.predecessor, is_primary=True)
    UnitSuccessionFactory(predecessor=first.predecessor, is_primary=False)
    assert first.predecessor.successions.count() == 2


def test_report_reads_in_vietnamese(hau_giang: loaders.LoadReport) -> None:
    text = str(hau_giang)
    assert "xã, phường, thị trấn, đặc khu (trước 01/07/2025): 75 — mới 75" in text
    assert "tỉnh, thành phố (2025): 1 — mới 1" in text
