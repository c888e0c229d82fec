"""Display rules for the catalogue that need no Django: digit grouping and fee summaries.

Translations and the locale's separators are applied by `mekong.portal.templatetags.portal_tags`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


def group_thousands(amount: int, separator: str) -> str:
    """8000 → "8.000" with separator "." (Vietnamese writes dots between groups of three digits)."""
    if amount < 0:
        return "-" + group_thousands(-amount, separator)
    digits = str(amount)
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return separator.join(groups)


def plain_decimal(value: Decimal | int) -> str:
    """Decimal("2.50") → "2.5", Decimal("50.00") → "50": no exponent, no trailing zeros."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class FeeLine:
    amount: int
    per_unit: bool  # multiplied by a number the applicant gives (copies requested, ...)


@dataclass(frozen=True)
class FeeSummary:
    fixed: int  # what every applicant pays
    per_unit: int  # added for each unit (copy) requested

    @property
    def free(self) -> bool:
        return self.fixed == 0 and self.per_unit == 0


def summarize_fees(lines: Iterable[FeeLine]) -> FeeSummary:
    fixed = per_unit = 0
    for line in lines:
        if line.per_unit:
            per_unit += line.amount
        else:
            fixed += line.amount
    return FeeSummary(fixed=fixed, per_unit=per_unit)
