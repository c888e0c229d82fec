"""Fees of one dossier from its procedure's fee items and the form the applicant filled in. Pure module.

A fee item (lệ phí or phí) is either fixed or multiplied by a form field (`quantity_field`, the number of
copies, pages or documents asked for). A field the applicant left out counts as zero — those items are
charged only when asked for ("Phí cấp bản sao… (nếu yêu cầu)"). The field may name a nested value with
dots (``ban_sao.so_ban``). Amounts are whole VND; nothing here rounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_QUANTITY = 10_000  # no form asks for more copies than this; a larger number is a typing mistake


@dataclass(frozen=True)
class FeeLine:
    """A fee item as the catalogue defines it."""

    name: str
    kind: str  # "le_phi" or "phi"
    amount: int  # VND per unit
    quantity_field: str = ""


@dataclass(frozen=True)
class ChargedFee:
    """One line of what the applicant owes."""

    name: str
    kind: str
    unit_amount: int
    quantity: int
    subtotal: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "unit_amount": self.unit_amount,
            "quantity": self.quantity,
            "subtotal": self.subtotal,
        }


@dataclass(frozen=True)
class FeeBreakdown:
    items: tuple[ChargedFee, ...]

    @property
    def total(self) -> int:
        return sum(item.subtotal for item in self.items)

    def as_list(self) -> list[dict[str, Any]]:
        return [item.as_dict() for item in self.items]


class FeeError(ValueError):
    """A quantity field holds something that is not a count. `field` names it."""

    def __init__(self, field: str, value: Any) -> None:
        self.field = field
        self.value = value
        super().__init__(f"{field}: not a number of units: {value!r}")


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def quantity(data: Mapping[str, Any], field: str) -> int:
    """The count in `field`: a whole number from 0 to MAX_QUANTITY (as a number or digits); missing or
    empty is 0. Anything else raises FeeError."""
    value = _lookup(data, field)
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise FeeError(field, value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 0 <= value <= MAX_QUANTITY:
        raise FeeError(field, value)
    return value


def compute_fees(lines: Iterable[FeeLine], form_data: Mapping[str, Any]) -> FeeBreakdown:
    """Every fee line with its quantity (1 for fixed items) and subtotal; lines that come to 0 VND are
    kept, so the applicant sees what is free and why."""
    items = []
    for line in lines:
        if line.amount < 0:
            raise ValueError(f"negative fee: {line!r}")
        count = quantity(form_data, line.quantity_field) if line.quantity_field else 1
        items.append(ChargedFee(line.name, line.kind, line.amount, count, line.amount * count))
    return FeeBreakdown(tuple(items))
