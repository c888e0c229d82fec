"""Number formats of the IOC pages, Vietnamese style (decimal comma)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def _vi(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@register.filter
def points(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return _vi(float(value), 2)


@register.filter
def percent(value: Any) -> str:
    if value is None or value == "":
        return "—"
    return _vi(float(value) * 100, 1) + " %"


@register.filter
def days(value: Any) -> str:
    """An average in days, one decimal: 6.5 → "6,5"; None → "—"."""
    if value is None or value == "":
        return "—"
    return _vi(float(value), 1)


@register.filter
def signed(value: Any) -> str:
    if value is None:
        return "—"
    number = float(value)
    return ("+" if number > 0 else "") + _vi(number, 2)


@register.filter
def number(value: Any) -> str:
    """195000 → "195.000"; 74.4 → "74,4"; anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return _vi(value, 1)
