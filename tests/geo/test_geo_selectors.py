from __future__ import annotations

from typing import Any

import pytest

from mekong.geo import loaders
from mekong.geo.models import AdministrativeUnit, Edition
from mekong.geo.selectors import communes_of, current_successors, find_unit, primary_successor

from .factories import (
    CommuneFactory,
    HamletFactory,
    LegacyCommuneFactory,
    ProvinceFactory,
    UnitSuccessionFactory,
)

pytestmark = pytest.mark.django_db


def _unit(edition: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(edition=edition, code=code)


def test_primary_successor_of_every_hau_giang_commune(
    hau_giang: loaders.LoadReport, expected_commune_successions: dict[str, Any]
) -> None:
    wrong = {}
    for code, expected in expected_commune_successions.items():
        found = primary_successor(_unit(Edition.LEGACY, code))
        if found is None or found.code != expected.primary:
            wrong[code] = (found and found.code, expected.primary)
    assert not wrong


def test_a_divided_commune_has_several_current_units_primary_first(
    hau_giang: loaders.LoadReport, expected_commune_successions: dict[str, Any]
) -> None:
    code, expected = next(
        (code, expected)
        for code, expected in sorted(expected_commune_successions.items())
        if len(expected.successors) > 1
    )
    current = current_successors(_unit(Edition.LEGACY, code))
    assert {unit.code for unit in current} == expected.successors
    assert current[0].code == expected.primary


def test_current_and_legacy_units_without_successors() -> None:
    current = CommuneFactory()
    orphan = LegacyCommuneFactory()
    assert primary_successor(current) == current
    assert current_successors(current) == [current]
    assert primary_successor(orphan) is None
    assert current_successors(orphan) == []


def test_successions_are_followed_through_several_reorganisations() -> None:
    first = UnitSuccessionFactory(successor=LegacyCommuneFactory())
    final = UnitSuccessionFactory(predecessor=first.successor).successor
    UnitSuccessionFactory(predecessor=first.successor, is_primary=False)
    assert primary_successor(first.predecessor) == final
    assert current_successors(first.predecessor)[0] == final
    assert len(current_successors(first.predecessor)) == 2


def test_communes_of_each_level(hau_giang: loaders.LoadReport) -> None:
    legacy_province = _unit(Edition.LEGACY, "93")
    assert communes_of(legacy_province).count() == 75
    district = _unit(Edition.LEGACY, "930")  # Thành phố Vị Thanh
    assert set(communes_of(district)) == set(district.children.all())
    assert communes_of(district).count() > 0
    can_tho = _unit(Edition.Y2025, "92")
    assert communes_of(can_tho).count() == 103
    commune = _unit(Edition.Y2025, "31471")
    assert list(communes_of(commune)) == [commune]
    hamlet = HamletFactory(parent=commune)
    assert list(communes_of(hamlet)) == [commune]
    assert not communes_of(ProvinceFactory()).exists()


def test_find_unit_by_id_or_edition_and_code() -> None:
    unit = CommuneFactory(code="31471")
    legacy = LegacyCommuneFactory(code="31471")
    assert find_unit(str(unit.pk)) == unit
    assert find_unit("2025:31471") == unit
    assert find_unit(" legacy:31471 ") == legacy
    assert find_unit("2025:00000") is None
    assert find_unit("999999") is None
    for bad in ("abc", "1999:31471", "2025:", ""):
        with pytest.raises(ValueError, match=f"^{bad}$"):
            find_unit(bad)
