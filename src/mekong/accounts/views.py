"""Web sign-in, sign-out and citizen registration. Views parse, call one action and render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from mekong.accounts.actions import citizen_registration_errors, register_citizen
from mekong.accounts.forms import RegistrationForm, SignInForm
from mekong.core.errors import DomainError

AUTH_BACKEND = "mekong.accounts.backends.IdentifierBackend"


class SignInView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link on another site cannot sign people out."""


def _safe_next(request: HttpRequest) -> str:
    """The page to return to, if it is on this site (never an open redirect)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _next_url(request: HttpRequest) -> str:
    return _safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(_next_url(request))
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            # Show every problem at once, not only those the form itself checks.
            form.add_field_errors(citizen_registration_errors(**form.raw_values()))
        else:
            data = form.cleaned_data
            try:
                user = register_citizen(
                    personal_id=data["personal_id"],
                    phone=data["phone"],
                    full_name=data["full_name"],
                    password=data["password1"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                login(request, user, backend=AUTH_BACKEND)
                messages.success(
                    request, _("Đã tạo tài khoản. Chào mừng {name}!").format(name=user.full_name)
                )
                return HttpResponseRedirect(_next_url(request))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/register.html", {"form": form, "next": _safe_next(request)}, status=status
    )
