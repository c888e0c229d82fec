"""The agency tree as plain data: who is below whom. Pure module, no Django.

`permissions` loads the (id, parent id) pairs once per request and asks this module for descendants,
so the rules never walk the tree with one query per level.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping


class AgencyTree:
    def __init__(self, parent_of: Mapping[int, int | None]) -> None:
        self.parent_of: dict[int, int | None] = dict(parent_of)
        children: defaultdict[int, list[int]] = defaultdict(list)
        for agency_id, parent_id in self.parent_of.items():
            if parent_id is not None:
                children[parent_id].append(agency_id)
        self.children: dict[int, list[int]] = dict(children)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[int, int | None]]) -> AgencyTree:
        return cls(dict(pairs))

    def with_descendants(self, roots: Iterable[int]) -> frozenset[int]:
        """The roots and every agency below them. Safe on a malformed tree with a cycle."""
        seen: set[int] = set()
        stack = list(roots)
        while stack:
            agency_id = stack.pop()
            if agency_id in seen:
                continue
            seen.add(agency_id)
            stack.extend(self.children.get(agency_id, ()))
        return frozenset(seen)

    def ancestors(self, agency_id: int) -> list[int]:
        """Parents of `agency_id`, nearest first (not including itself)."""
        result: list[int] = []
        seen = {agency_id}
        parent = self.parent_of.get(agency_id)
        while parent is not None and parent not in seen:
            result.append(parent)
            seen.add(parent)
            parent = self.parent_of.get(parent)
        return result

    def is_within(self, agency_id: int, roots: Iterable[int]) -> bool:
        """True when `agency_id` is one of `roots` or below one of them."""
        root_set = set(roots)
        return agency_id in root_set or any(parent in root_set for parent in self.ancestors(agency_id))
