"""Citizen portal: the procedure catalogue, searchable without JavaScript and live with htmx."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from mekong.catalog.models import FeeItem, Procedure, ProcedureField
from mekong.catalog.search import search_procedures
from mekong.portal.forms import ProcedureFilterForm

PAGE_SIZE = 50


def _filter_state(request: HttpRequest) -> tuple[ProcedureFilterForm, Page[Procedure] | None]:
    fields = ProcedureField.objects.filter(procedures__is_active=True).distinct().order_by("name")
    form = ProcedureFilterForm(request.GET, fields=fields)
    if not form.is_valid():
        return form, None
    procedures = search_procedures(
        form.cleaned_data["q"],
        field=form.cleaned_data["field"] or None,
        level=form.cleaned_data["level"] or None,
    )
    # Same-named fields must not interleave: the template groups consecutive rows.
    procedures = procedures.order_by("field__name", "field_id", "name").prefetch_related(
        Prefetch("fee_items", queryset=FeeItem.objects.only("procedure_id", "amount", "quantity_field"))
    )
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("page"))
    return form, page


def _context(form: ProcedureFilterForm, page: Page[Procedure] | None) -> dict[str, Any]:
    filtered = form.is_valid() and any(form.cleaned_data.values())
    return {"form": form, "page": page, "filtered": filtered}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form, page = _filter_state(request)
    return render(request, "portal/home.html", _context(form, page), status=200 if page is not None else 400)


@require_GET
def procedure_search(request: HttpRequest) -> HttpResponse:
    """The results fragment the home page's search form swaps in as the citizen types."""
    form, page = _filter_state(request)
    # The address bar (and the language switch's return address) show the full page for these
    # filters, so reloading, sharing or switching language works as without JS.
    params = {key: value for key, value in request.GET.items() if value and key in {"q", "field", "level"}}
    home_url = reverse("portal:home")
    page_url = f"{home_url}?{urlencode(params)}" if params else home_url
    context = {**_context(form, page), "page_url": page_url}
    response = render(request, "portal/search_results.html", context, status=200 if page is not None else 400)
    response["HX-Replace-Url"] = page_url
    return response


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(
        Procedure.objects.select_related("field").prefetch_related(
            "documents", "fee_items", "steps", "agencies"
        ),
        code=code,
    )
    return render(request, "portal/procedure_detail.html", {"procedure": procedure})
