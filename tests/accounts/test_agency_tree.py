"""The agency tree walk behind the leader and IOC rules (pure, property-tested)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mekong.accounts.agency_tree import AgencyTree


@st.composite
def forests(draw: st.DrawFn) -> dict[int, int | None]:
    """A random forest: each agency's parent is an earlier agency or none."""
    size = draw(st.integers(min_value=1, max_value=60))
    parent_of: dict[int, int | None] = {}
    for agency_id in range(1, size + 1):
        parent_of[agency_id] = (
            draw(st.one_of(st.none(), st.integers(1, agency_id - 1))) if agency_id > 1 else None
        )
    return parent_of


def ancestors_by_walking(parent_of: dict[int, int | None], agency_id: int) -> list[int]:
    chain = []
    parent = parent_of[agency_id]
    while parent is not None:
        chain.append(parent)
        parent = parent_of[parent]
    return chain


@given(forests(), st.data())
def test_descendants_are_exactly_the_agencies_whose_ancestry_reaches_a_root(
    parent_of: dict[int, int | None], data: st.DataObject
) -> None:
    roots = data.draw(st.sets(st.sampled_from(sorted(parent_of)), max_size=3))
    tree = AgencyTree(parent_of)

    expected = {a for a in parent_of if a in roots or set(ancestors_by_walking(parent_of, a)) & roots}
    assert tree.with_descendants(roots) == expected
    for agency_id in parent_of:
        assert tree.is_within(agency_id, roots) is (agency_id in expected)


@given(forests())
def test_ancestors_nearest_first(parent_of: dict[int, int | None]) -> None:
    tree = AgencyTree(parent_of)
    for agency_id in parent_of:
        assert tree.ancestors(agency_id) == ancestors_by_walking(parent_of, agency_id)


def test_a_cycle_in_bad_data_does_not_hang() -> None:
    tree = AgencyTree({1: 3, 2: 1, 3: 2, 4: None})

    assert tree.with_descendants([1]) == {1, 2, 3}
    assert set(tree.ancestors(1)) == {2, 3}
    assert not tree.is_within(4, [1])


def test_unknown_roots_have_no_descendants() -> None:
    assert AgencyTree.from_pairs([(1, None), (2, 1)]).with_descendants([99]) == {99}
