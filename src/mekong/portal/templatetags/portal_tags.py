"""Template helpers shared by the portal and the back office: `{% load portal_tags %}`."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.utils.formats import get_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from mekong.catalog.models import Procedure, TimeUnit
from mekong.portal.formatting import FeeLine, group_thousands, plain_decimal, summarize_fees

register = template.Library()


@register.simple_tag
def tenant_name() -> str:
    return str(settings.MEKONG_TENANT_PROVINCE)


@register.simple_tag
def native_languages() -> list[tuple[str, str]]:
    """settings.LANGUAGES as written there: each language named in itself ("Tiếng Việt", "English"),
    untranslated, so a reader finds their language whatever the page is in."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


@register.simple_tag(takes_context=True)
def aria_current(context: template.Context, *url_names: str) -> SafeString:
    """` aria-current="page"` on the nav link of the page being shown (any of `url_names`)."""
    request: HttpRequest | None = context.get("request")
    match = request.resolver_match if request is not None else None
    if match is not None and match.view_name in url_names:
        return format_html(' aria-current="{}"', "page")
    return SafeString("")


@register.filter
def vnd(amount: int) -> str:
    """8000 → "8.000 đ" in Vietnamese, "8,000 VND" in English."""
    grouped = group_thousands(int(amount), str(get_format("THOUSAND_SEPARATOR")))
    return gettext("%(amount)s đ") % {"amount": grouped}


@register.filter
def fee_summary(procedure: Procedure) -> str:
    """ "Miễn phí", "8.000 đ", "8.000 đ + 3.000 đ/bản" or "3.000 đ/bản"; reads the prefetched fee items."""
    summary = summarize_fees(
        FeeLine(amount=item.amount, per_unit=bool(item.quantity_field)) for item in procedure.fee_items.all()
    )
    if summary.free:
        return gettext("Miễn phí")
    if not summary.per_unit:
        return vnd(summary.fixed)
    each = gettext("%(amount)s/bản") % {"amount": vnd(summary.per_unit)}
    return f"{vnd(summary.fixed)} + {each}" if summary.fixed else each


def format_duration(value: Decimal | int, unit: str) -> str:
    """1, working_day → "1 ngày làm việc"; 0.5 → "0,5 ngày làm việc" (locale decimal separator)."""
    text = plain_decimal(value)
    number = number_format(Decimal(text)) if "." in text else text
    # Whole numbers choose their own plural form; fractions read as plural ("0.5 working days").
    count = int(text) if "." not in text else 2
    if unit == TimeUnit.WORKING_DAY:
        pattern = ngettext("%(value)s ngày làm việc", "%(value)s ngày làm việc", count)
    elif unit == TimeUnit.DAY:
        pattern = ngettext("%(value)s ngày", "%(value)s ngày", count)
    elif unit == TimeUnit.HOUR:
        pattern = ngettext("%(value)s giờ làm việc", "%(value)s giờ làm việc", count)
    else:
        return f"{number} {unit}"
    return pattern % {"value": number}


@register.filter
def time_limit(procedure: Procedure) -> str:
    return format_duration(procedure.time_limit_value, procedure.time_limit_unit)


@register.filter
def duration(value: Decimal | int, unit: str) -> str:
    """`{{ step.duration_value|duration:step.duration_unit }}`"""
    return format_duration(value, unit)
