"""Citizen pages: the inbox ("Thông báo") and the choice of channels. Views parse input, call one action
and render; a notification that is not the signed-in citizen's answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mekong.core.errors import DomainError, NotFound
from mekong.notify import actions, selectors
from mekong.notify.forms import PreferencesForm
from mekong.portal.dossier_views import citizen_required, current_citizen

INBOX_PAGE = 20
UNREAD_ONLY = "chua-doc"  # ?chua-doc=1


@citizen_required
@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    user = current_citizen(request)
    unread_only = request.GET.get(UNREAD_ONLY) == "1"
    rows = selectors.inbox(user, unread_only=unread_only)
    page = Paginator(rows, INBOX_PAGE).get_page(request.GET.get("trang"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": selectors.unread_count(user),
    }
    return render(request, "notify/inbox.html", context)


@citizen_required
@require_POST
def mark_read(request: HttpRequest, message_id: int) -> HttpResponse:
    """Mark read; then open the dossier (`xem=1`) or come back to the inbox."""
    user = current_citizen(request)
    try:
        message = actions.mark_read(user, message_id)
    except NotFound as error:
        raise Http404 from error
    if request.POST.get("xem") == "1" and message.notification.link:
        return HttpResponseRedirect(message.notification.link)
    return HttpResponseRedirect(_inbox_url(request))


@citizen_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_read(current_citizen(request))
    if count:
        messages.success(request, _("Đã đánh dấu {count} thông báo là đã đọc.").format(count=count))
    return HttpResponseRedirect(reverse("notify:inbox"))


def _inbox_url(request: HttpRequest) -> str:
    url = reverse("notify:inbox")
    page = request.POST.get("trang", "")
    query = []
    if page.isdigit() and page != "1":
        query.append(f"trang={page}")
    if request.POST.get(UNREAD_ONLY) == "1":
        query.append(f"{UNREAD_ONLY}=1")
    return url + ("?" + "&".join(query) if query else "")


@citizen_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = current_citizen(request)
    current = selectors.preferences_of(user)
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                actions.set_preferences(
                    user, channels=form.cleaned_data["channels"], language=form.cleaned_data["language"]
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status
            else:
                messages.success(request, _("Đã lưu cách nhận thông báo."))
                return HttpResponseRedirect(reverse("notify:preferences"))
        else:
            status = 400
    else:
        form = PreferencesForm(initial={"channels": list(current.channels), "language": current.language})
    posted = set(request.POST.getlist("channels")) if request.method == "POST" else None
    choices = [
        {
            "choice": choice,
            "checked": choice.channel.always_on
            or (choice.name in posted if posted is not None else choice.enabled),
        }
        for choice in selectors.channel_choices(user, current)
    ]
    context = {"form": form, "choices": choices, "current": current}
    return render(request, "notify/preferences.html", context, status=status)
