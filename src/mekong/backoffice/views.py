"""Back office for officials. Issue 2 only shows who you are here; the dossier queues come next."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mekong.accounts.models import RoleAssignment
from mekong.backoffice.access import current_official, official_required


@require_GET
@official_required
def home(request: HttpRequest) -> HttpResponse:
    assignments = (
        RoleAssignment.objects.filter(user=current_official(request))
        .select_related("agency", "agency__parent")
        .order_by("agency__name", "role")
    )
    return render(request, "backoffice/home.html", {"assignments": assignments})
