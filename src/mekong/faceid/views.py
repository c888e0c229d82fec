"""Citizen pages: look up one's dossiers by face (no account needed), and consent, enrol and withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from mekong.accounts.throttle import client_address
from mekong.core.errors import DomainError
from mekong.faceid import actions, selectors
from mekong.faceid.forms import EnrolmentForm, FaceLookupForm
from mekong.faceid.models import ConsentChannel
from mekong.portal.dossier_views import _localized, _summary, citizen_required, current_citizen


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Two photos and one remembered fact; POST only, so nothing personal lands in URLs or logs."""
    form = FaceLookupForm(request.POST or None, request.FILES or None)
    found = None
    refusal = ""
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            data = form.cleaned_data
            try:
                answer = actions.identify(
                    client=client_address(request),
                    challenge=data["challenge"],
                    factor_kind=data["factor_kind"],
                    factor=data["factor"],
                    frontal=actions.read_upload(data["frontal"], "frontal"),
                    turned=actions.read_upload(data["turned"], "turned"),
                )
                found = selectors.found_dossiers(answer.dossiers)
            except DomainError as error:
                status = error.status
                if error.status == 422 or error.code == "invalid":
                    form.add_domain_error(error)
                else:
                    refusal = _localized(error)
    # A new challenge for every page (the template writes its token): a used one is refused.
    challenge = actions.new_challenge()
    context = {
        "form": form,
        "challenge": challenge,
        "direction_label": actions.DIRECTION_LABELS[challenge.direction],
        "found": found,
        "refusal": refusal,
        "errors": _summary(form) if form.is_bound else [],
    }
    return render(request, "faceid/lookup.html", context, status=status)


@citizen_required
@require_http_methods(["GET", "POST"])
def enrolment(request: HttpRequest) -> HttpResponse:
    citizen = current_citizen(request)
    channel = ConsentChannel.SUBMISSION if request.GET.get("tu") == "nop-ho-so" else ConsentChannel.PROFILE
    form = EnrolmentForm(
        request.POST or None,
        request.FILES or None,
        initial={"birth_date": citizen.birth_date},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.enrol(
                    citizen,
                    photo=actions.read_upload(form.cleaned_data["photo"]),
                    consent_given=form.cleaned_data["consent"],
                    channel=channel,
                    birth_date=form.cleaned_data["birth_date"],
                )
                messages.success(
                    request, _("Đã đăng ký khuôn mặt. Ảnh đã được xóa; chỉ đặc trưng đã mã hóa được lưu.")
                )
                return redirect("faceid:enrolment")
            except DomainError as error:
                status = error.status
                form.add_domain_error(error)
        else:
            status = 400
    context = {
        "form": form,
        "status": selectors.enrolment_status(citizen),
        "errors": _summary(form) if form.is_bound else [],
        "needs_birth_date": citizen.birth_date is None,
    }
    return render(request, "faceid/enrolment.html", context, status=status)


@citizen_required
@require_POST
def withdraw(request: HttpRequest) -> HttpResponse:
    deleted = actions.withdraw_consent(current_citizen(request))
    messages.success(
        request, _("Đã rút lại sự đồng ý và xóa {count} đặc trưng khuôn mặt.").format(count=deleted)
    )
    return redirect("faceid:enrolment")
