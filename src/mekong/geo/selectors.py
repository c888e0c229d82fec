"""Read-only queries on administrative units."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from mekong.core.text import fold
from mekong.geo.models import AdministrativeUnit, Edition, UnitLevel

# One reorganisation so far; the bound only guards against a cycle in bad data.
_MAX_HOPS = 10


def _successors(unit: AdministrativeUnit) -> list[tuple[AdministrativeUnit, bool]]:
    return [
        (succession.successor, succession.is_primary)
        for succession in unit.successions.select_related("successor").order_by(
            "-is_primary", "successor__code"
        )
    ]


def current_successors(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The current units this one became, primary first. A unit nothing succeeded is its own current unit;
    a legacy unit without recorded successors gives an empty list."""
    frontier = [unit]
    current: dict[int, AdministrativeUnit] = {}
    for _hop in range(_MAX_HOPS):
        following: list[AdministrativeUnit] = []
        for item in frontier:
            successors = _successors(item)
            if successors:
                following += [successor for successor, _primary in successors]
            elif item.pk != unit.pk or item.edition != Edition.LEGACY:
                current.setdefault(item.pk, item)
        if not following:
            break
        frontier = following
    return list(current.values())


def primary_successor(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    """Where records filed under `unit` belong now, following primary successions (legacy → 2025).
    A current unit is its own answer; a legacy unit without recorded successors gives None."""
    item = unit
    for _hop in range(_MAX_HOPS):
        primary = next((successor for successor, is_primary in _successors(item) if is_primary), None)
        if primary is None:
            break
        item = primary
    if item.pk == unit.pk and unit.edition == Edition.LEGACY:
        return None
    return item


def communes_of(unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """Communes in a province (through its districts for the legacy edition) or district; a commune gives
    itself, a hamlet its commune."""
    communes = AdministrativeUnit.objects.filter(edition=unit.edition, level=UnitLevel.COMMUNE)
    if unit.level == UnitLevel.COMMUNE:
        return communes.filter(pk=unit.pk)
    if unit.level == UnitLevel.HAMLET:
        return communes.filter(pk=unit.parent_id) if unit.parent_id is not None else communes.none()
    return communes.filter(Q(parent=unit) | Q(parent__parent=unit)).order_by("code")


def search_units(
    query: str = "",
    *,
    parent: AdministrativeUnit | None = None,
    edition: str | None = None,
    level: str | None = None,
) -> QuerySet[AdministrativeUnit]:
    """Units under `parent` (any level), or else of one level (default: provinces) of one edition
    (default: 2025), whose name contains every word of `query` ignoring accents and case."""
    units = AdministrativeUnit.objects.all()
    if parent is not None:
        units = units.filter(parent=parent)
        if edition:
            units = units.filter(edition=edition)
    else:
        units = units.filter(edition=edition or Edition.Y2025, level=level or UnitLevel.PROVINCE)
    if level:
        units = units.filter(level=level)
    for word in fold(query).split():
        units = units.filter(search_key__contains=word)
    return units.order_by("edition", "code")


def find_unit(reference: str) -> AdministrativeUnit | None:
    """A unit by its id ("42") or by edition and code ("2025:92", "legacy:31471"). Raises ValueError for a
    reference of neither form."""
    reference = reference.strip()
    if reference.isdigit():
        return AdministrativeUnit.objects.filter(pk=int(reference)).first()
    edition, separator, code = reference.partition(":")
    if not separator or edition not in Edition.values or not code:
        raise ValueError(reference)
    return AdministrativeUnit.objects.filter(edition=edition, code=code).first()
