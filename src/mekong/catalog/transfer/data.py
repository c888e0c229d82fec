"""The catalogue in memory: what a validated file contains and what an export writes.

JSON and Excel files are both read into a *document* (plain JSON-shaped data plus a locator that says
where each value came from), validated once into `CatalogData`, and written back from `CatalogData`.
Pure module: no Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mekong.core.errors import FieldError

FORMAT = "mekong.catalog/1"


@dataclass(frozen=True)
class FieldData:
    code: str
    name: str


@dataclass(frozen=True)
class AgencySelector:
    """Which agencies receive a procedure: every active agency of the `kinds`, plus the `codes`."""

    kinds: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentData:
    name: str
    mandatory: bool = True
    copies: int = 1
    template_name: str = ""
    note: str = ""


@dataclass(frozen=True)
class FeeData:
    kind: str
    name: str
    amount: int
    quantity_field: str = ""
    note: str = ""


@dataclass(frozen=True)
class StepData:
    name: str
    role: str
    duration_value: Decimal
    duration_unit: str


@dataclass(frozen=True)
class ProcedureData:
    code: str
    name: str
    field: str
    level: str
    implementing_agency: str
    time_limit_value: int
    time_limit_unit: str
    online_level: str
    agencies: AgencySelector = AgencySelector()
    legal_basis: str = ""
    description: str = ""
    result_name: str = ""
    requires_e_result: bool = False
    documents: tuple[DocumentData, ...] = ()
    fees: tuple[FeeData, ...] = ()
    steps: tuple[StepData, ...] = ()
    form_schema: dict[str, Any] = dataclass_field(default_factory=dict)
    source: str = ""


@dataclass(frozen=True)
class CatalogData:
    fields: tuple[FieldData, ...] = ()
    procedures: tuple[ProcedureData, ...] = ()


Location = tuple[str, int | None]


def json_location(path: str) -> Location:
    """In a JSON file a value is found by its index path, e.g. ``procedures[3].fees[0].amount``."""
    return path, None


@dataclass
class CatalogDocument:
    """A file read but not yet validated. `content` has the JSON format's shape whatever the file type;
    `locate` turns a path in it into the (field, row) a person should look at; `errors` are problems the
    reader already found (unreadable cells, unknown columns), reported together with the validator's."""

    content: Any
    locate: Callable[[str], Location] = json_location
    errors: list[FieldError] = dataclass_field(default_factory=list)
    error_order: Callable[[FieldError], Any] | None = None


class Unreadable:
    """Placeholder for a value the reader could not parse and has already reported."""

    def __repr__(self) -> str:
        return "<unreadable>"


UNREADABLE = Unreadable()
