"""Pure logic of the package readers and the hamlet generator (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.geo import hamlets, sources
from mekong.geo.sources import Candidate, UnitRecord

codes = st.sampled_from([f"{n:05d}" for n in range(31000, 31020)])
candidates = st.lists(
    st.builds(Candidate, codes, st.sampled_from([True, False, None])), min_size=1, max_size=6
)


@given(candidates)
def test_exactly_one_primary_among_the_candidates(items: list[Candidate]) -> None:
    records = sources.successions_from_candidates("30000", items)
    assert [r.successor_code for r in records] == list(dict.fromkeys(c.successor_code for c in items))
    assert sum(r.is_primary for r in records) == 1
    assert {r.predecessor_code for r in records} == {"30000"}


@given(candidates)
def test_the_package_default_wins_when_there_is_one(items: list[Candidate]) -> None:
    defaults = [c.successor_code for c in items if c.is_default]
    primary = sources.choose_primary(items)
    if defaults:
        assert primary == defaults[0]
    else:
        assert primary in {c.successor_code for c in items}


def test_choose_primary_needs_a_candidate() -> None:
    with pytest.raises(ValueError, match="no successor"):
        sources.choose_primary([])


@pytest.mark.parametrize(
    ("name", "short_name", "kind"),
    [
        ("Tỉnh Hậu Giang", "Hậu Giang", "Tỉnh"),
        ("Thành phố Cần Thơ", "Cần Thơ", "Thành phố"),
        ("Phường I", "I", "Phường"),
        ("Đặc khu Phú Quốc", "Phú Quốc", "Đặc khu"),
        ("Xã Lạ", "", "Xã"),
    ],
)
def test_kind_is_what_the_name_adds(name: str, short_name: str, kind: str) -> None:
    assert sources.kind_of(name, short_name) == kind


def test_unknown_province_raises_lookup_error() -> None:
    with pytest.raises(sources.UnknownProvince):
        sources.read_legacy_units("Atlantis")


def _commune(kind: str, lat: float | None = 9.77818, lon: float | None = 105.466855) -> UnitRecord:
    return UnitRecord("31318", "commune", kind, f"{kind} Vị Đông", "Vị Đông", "930", lat, lon)


@given(
    st.sampled_from(["Xã", "Phường", "Thị trấn"]),
    st.floats(min_value=-80, max_value=80),
    st.floats(min_value=-170, max_value=170),
    st.integers(min_value=1, max_value=20),
)
def test_hamlets_are_named_numbered_and_placed_near_their_commune(
    kind: str, lat: float, lon: float, count: int
) -> None:
    rows = hamlets.hamlets_for_commune(_commune(kind, lat, lon), "31321", count)
    assert [row.code for row in rows] == [f"31318-{n:02d}" for n in range(1, count + 1)]
    expected_kind = "Khu vực" if kind == "Phường" else "Ấp"
    assert {row.kind for row in rows} == {expected_kind}
    assert all(row.name == f"{expected_kind} {row.short_name}" for row in rows)
    assert len({row.name for row in rows}) == count
    points = {(row.lat, row.lon) for row in rows}
    assert len(points) == count  # no two hamlets on the same spot
    for row in rows:
        assert abs(float(row.lat) - lat) < 0.02
        assert abs(float(row.lon) - lon) < 0.02
        assert len(row.lat.split(".")[1]) == 6
    assert rows == hamlets.hamlets_for_commune(_commune(kind, lat, lon), "31321", count)  # deterministic


def test_hamlet_names_follow_local_usage() -> None:
    assert hamlets.hamlets_for_commune(_commune("Xã"), "31465", 1)[0].name == "Ấp Vị Đông 1"
    assert hamlets.hamlets_for_commune(_commune("Phường"), "31465", 2)[1].name == "Khu vực 2"


def test_hamlets_without_commune_coordinates_have_none() -> None:
    row = hamlets.hamlets_for_commune(_commune("Xã", None, None), "31465", 1)[0]
    assert (row.lat, row.lon) == ("", "")


def test_csv_round_trip() -> None:
    rows = hamlets.hamlets_for_commune(_commune("Xã"), "31465", 3)
    columns, parsed = hamlets.read_csv(hamlets.render_csv(rows))
    assert tuple(columns) == hamlets.COLUMNS
    assert [hamlets.HamletRow(**item) for item in parsed] == rows
