"""Who may open the back office: signed-in officials. Anonymous visitors go to sign in, citizens get 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from mekong.accounts.models import User

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)  # pages and file downloads alike


def current_official(request: HttpRequest) -> User:
    """The signed-in official making the request; PermissionDenied (403) for anyone else."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated or not user.is_official:
        raise PermissionDenied(_("Trang này chỉ dành cho cán bộ, công chức."))
    return user


def official_required(
    view: Callable[Concatenate[HttpRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R]:
    @wraps(view)
    def guarded(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
        current_official(request)
        return view(request, *args, **kwargs)

    return login_required(guarded)
