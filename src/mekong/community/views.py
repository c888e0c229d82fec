"""Pages of the community digital technology teams, at /cong-dong/:

* for members, on a phone: their team, the support activity log (works offline: `static/community/
  activity.js` queues entries in the browser and `sw.js` keeps the page), and filing a dossier for a
  citizen — who they are and where, the tờ khai, the documents, then the citizen's consent by a code
  texted to them or a signature on the screen;
* for the commune and the province: the teams and their members, importing and exporting member lists,
  and the figures (coverage, members per team, activities, assisted dossiers) with their export;
* for citizens: activating the account made for them when a team filed their first dossier
  (/tai-khoan/kich-hoat/).

Views parse input, check permissions (`accounts.permissions`), call one action and render. Records of
another team answer 404, so nobody learns they exist.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mekong.accounts import permissions
from mekong.accounts.models import User
from mekong.accounts.throttle import FailureLimit, SignInThrottle
from mekong.catalog.models import OnlineLevel, Procedure
from mekong.community import actions, figures, reports, selectors
from mekong.community.forms import (
    ActivationFinishForm,
    ActivationStartForm,
    ActivityForm,
    CitizenForm,
    CodeForm,
    FigureFilterForm,
    ImportForm,
    SignatureForm,
)
from mekong.community.models import (
    Activity,
    ActivityKind,
    AssistedSubmission,
    CodePurpose,
    Member,
    OneTimeCode,
    Team,
    active_on,
)
from mekong.community.otp import mask_phone
from mekong.community.signature import from_data_url
from mekong.community.tables import write_members_csv, write_members_workbook
from mekong.community.templatetags.community_tags import SESSION_KEY
from mekong.community.transfer import members_for_export, read_members
from mekong.core.errors import DomainError, FieldError, NotFound, PermissionDenied, in_language
from mekong.core.text import fold
from mekong.dossiers import actions as dossier_actions
from mekong.dossiers.models import Dossier, FileKind
from mekong.dossiers.validation import max_upload_bytes
from mekong.portal.dossier_forms import ACCEPTED_FILES, ACCEPTED_PHOTOS
from mekong.portal.dossier_views import SummaryItem, _summary
from mekong.portal.schema_forms import SchemaForm, error_text, review_rows

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)

TEAMS_PAGE = 50
RECENT_ACTIVITIES = 20
ACTIVATION_LIMIT = FailureLimit(attempts=10, window_seconds=15 * 60)


# --- who may come in ----------------------------------------------------------------------------------------


def _signed_in(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise DjangoPermissionDenied
    return user


@dataclass(frozen=True)
class Capabilities:
    """What the community pages offer the signed-in user (the navigation shows only that)."""

    teams: tuple[Team, ...]
    reads_teams: bool  # as the commune or the province
    manages: bool
    sees_figures: bool

    @property
    def is_member(self) -> bool:
        return bool(self.teams)

    @property
    def any(self) -> bool:
        return self.is_member or self.reads_teams or self.sees_figures


def _remember_link(request: HttpRequest, can: Capabilities) -> None:
    # The header's link (kept in the session at sign-in) follows what the pages just found.
    if request.session.get(SESSION_KEY) != can.any:
        request.session[SESSION_KEY] = can.any


def capabilities(user: permissions.Actor | None) -> Capabilities:
    return Capabilities(
        teams=tuple(selectors.my_teams(user)),
        reads_teams=selectors.reads_teams(user),
        # Officials of a district or a department hold processing roles but govern no commune's teams.
        manages=selectors.manages_teams(user),
        sees_figures=selectors.sees_team_figures(user),
    )


def community_page(
    view: Callable[Concatenate[HttpRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R]:
    """Signed in, with some part in the community pages; domain refusals become 403 / 404 pages."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
        user = _signed_in(request)
        can = capabilities(user)
        _remember_link(request, can)
        if not can.any:
            raise DjangoPermissionDenied(_("Trang này dành cho tổ công nghệ số cộng đồng và cán bộ quản lý."))
        request.community = can  # type: ignore[attr-defined]
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as refusal:
            raise DjangoPermissionDenied(_localized(refusal)) from refusal
        except NotFound as missing:
            raise Http404 from missing

    return login_required(never_cache(guarded))


def _can(request: HttpRequest) -> Capabilities:
    can = getattr(request, "community", None)
    assert isinstance(can, Capabilities)
    return can


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return render(request, template, {"can": _can(request), **context}, status=status)


def _localized(error: DomainError) -> str:
    return in_language(error.message, get_language() or "vi", **error.params)


def _member_team(request: HttpRequest) -> Team:
    """The team the member works for now (?to=<id> when they belong to several)."""
    teams = _can(request).teams
    if not teams:
        raise DjangoPermissionDenied(_("Trang này dành cho thành viên tổ công nghệ số cộng đồng."))
    wanted = request.GET.get("to") or request.POST.get("to")
    return next((team for team in teams if str(team.pk) == wanted), teams[0])


# --- home and teams -------------------------------------------------------------------------------------------


@community_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    can = _can(request)
    context: dict[str, Any] = {}
    if can.is_member:
        team = _member_team(request)
        day = selectors.today()
        context.update(
            team=team,
            members=list(team.members.filter(active_on(day)).order_by("role", "full_name")),
            recent=list(selectors.readable_activities(request.user).filter(team=team)[:5]),
            month_count=Activity.objects.filter(team=team, date__gte=day.replace(day=1)).count(),
            open_assisted=list(
                AssistedSubmission.objects.filter(
                    team=team, submitted_at__isnull=True, declined_at__isnull=True
                ).select_related("procedure")[:5]
            ),
        )
    return _page(request, "community/home.html", context)


@community_page
@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    user = request.user
    communes = list(selectors.readable_communes(user)) if _can(request).reads_teams else []
    agency_id = _int(request.GET.get("xa"))
    rows = selectors.teams_with_counts(user, agency_id=agency_id)
    query = fold(request.GET.get("q", ""))
    if query:
        rows = rows.filter(Q(hamlet__search_key__contains=query) | Q(agency__search_key__contains=query))
    page = Paginator(rows, TEAMS_PAGE).get_page(request.GET.get("trang"))
    return _page(
        request,
        "community/teams.html",
        {"page": page, "communes": communes, "agency_id": agency_id, "q": request.GET.get("q", "")},
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@community_page
@require_GET
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.readable_team(request.user, team_id)
    if team is None:
        raise Http404
    day = selectors.today()
    members = list(team.members.all())
    context = {
        "team": team,
        "current": [m for m in members if m.is_active_on(day)],
        "former": [m for m in members if not m.is_active_on(day)],
        "activities": list(selectors.readable_activities(request.user).filter(team=team)[:RECENT_ACTIVITIES]),
        "activity_count": Activity.objects.filter(team=team).count(),
        "assisted_count": AssistedSubmission.objects.filter(team=team, submitted_at__isnull=False).count(),
        "is_active": team.is_active_on(day),
        "is_my_team": permissions.can_act_for_team(request.user, team),
    }
    return _page(request, "community/team.html", context)


# --- member lists: import and export ---------------------------------------------------------------------------


@community_page
@require_http_methods(["GET", "POST"])
def import_members(request: HttpRequest) -> HttpResponse:
    if not _can(request).manages:
        raise DjangoPermissionDenied(_("Chỉ cán bộ xã và tỉnh quản lý danh sách tổ công nghệ số."))
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "communes": list(selectors.managed_agencies(request.user))}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = read_members(upload.read(), upload.name or "tep", request.user)
            if form.cleaned_data["check_only"]:
                context["checked"] = len(data.rows)
            else:
                report = actions.import_members(request.user, data)
                messages.success(request, _("Đã nhập danh sách: {report}.").format(report=report))
                return HttpResponseRedirect(reverse("community:import"))
        except PermissionDenied:
            raise
        except DomainError as error:
            status = error.status
            context["refusal"] = _localized(error)
            context["problems"] = [(item.row, item.field, error_text(item)) for item in error.errors]
    elif request.method == "POST":
        status = 400
    context["errors"] = _summary(form)
    return _page(request, "community/import.html", context, status=status)


@community_page
@require_GET
def export_members(request: HttpRequest, fmt: str) -> HttpResponse:
    teams = selectors.readable_teams(request.user)
    agency_id = _int(request.GET.get("xa"))
    if agency_id is not None:
        teams = teams.filter(agency_id=agency_id)
    members = Member.objects.filter(team__in=teams)
    rows = members_for_export(members)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "csv":
        response = HttpResponse(write_members_csv(rows), content_type="text/csv; charset=utf-8")
        name = f"thanh-vien-to-cong-nghe-so-{stamp}.csv"
    else:
        subtitle = _("Xuất ngày {day}, {count} thành viên").format(
            day=timezone.localdate().strftime("%d/%m/%Y"), count=len(rows)
        )
        response = HttpResponse(
            write_members_workbook(rows, subtitle),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"thanh-vien-to-cong-nghe-so-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- support activities ------------------------------------------------------------------------------------------


def _activity_entry(data: dict[str, Any], *, client_id: uuid.UUID) -> actions.ActivityInput:
    return actions.ActivityInput(
        client_id=client_id,
        kind=str(data.get("kind") or ""),
        household=str(data.get("household") or ""),
        hamlet_id=data.get("hamlet"),
        date=data.get("date"),
        note=str(data.get("note") or ""),
        recorded_at=data.get("recorded_at"),
    )


@community_page
@require_http_methods(["GET", "POST"])
def activity_log(request: HttpRequest) -> HttpResponse:
    """Record a support in a few taps. With JavaScript the form is sent by `activity.js` (queued while
    offline); without, it posts here."""
    team = _member_team(request)
    hamlets = list(selectors.commune_hamlets(team.agency))
    form = ActivityForm(request.POST or None, hamlets=hamlets, initial={"hamlet": team.hamlet_id})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            activity, created = actions.record_activity(
                request.user,
                team,
                _activity_entry(form.cleaned_data, client_id=form.cleaned_data["client_id"]),
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            form.add_domain_error(error)
            status = error.status
        else:
            if created:
                messages.success(request, _("Đã ghi nhận: {activity}.").format(activity=activity))
            return HttpResponseRedirect(reverse("community:activities") + f"?to={team.pk}")
    elif request.method == "POST":
        status = 400
    context = {
        "team": team,
        "form": form,
        "errors": _summary(form),
        "recent": list(selectors.readable_activities(request.user).filter(team=team)[:RECENT_ACTIVITIES]),
        "sync_url": reverse("community:activity_sync"),
        "worker_url": reverse("community:service_worker"),
        "labels": {
            "queued": _("Chưa có mạng: đã lưu trên máy, sẽ tự gửi khi có mạng."),
            "sent": _("Đã gửi"),
            "waiting": _("Chờ gửi"),
            "offline": _("Đang mất mạng — ghi nhận vẫn được lưu trên máy."),
            "online": _("Đã có mạng, đang gửi các ghi nhận chờ…"),
            "refused": _("Không gửi được"),
            "incomplete": _("Chọn nội dung hỗ trợ và ghi tên hộ gia đình."),
            "kinds": dict(ActivityKind.choices),
            "hamlets": {str(hamlet.pk): hamlet.name for hamlet in hamlets},
        },
    }
    return _page(request, "community/activities.html", context, status=status)


def _json_error(error: DomainError) -> JsonResponse:
    return JsonResponse(error.as_dict(), status=error.status)


@csrf_protect
@require_POST
def activity_sync(request: HttpRequest) -> JsonResponse:
    """The offline queue sends its entries here, one JSON object each. Idempotent on `client_id`: 201 for
    a new entry, 200 with the stored one for an entry already received."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return _json_error(DomainError(_("Cần đăng nhập lại."), code="unauthorized", status=401))
    try:
        payload = json.loads(request.body or b"{}")
        if not isinstance(payload, dict):
            raise ValueError("not an object")
        client_id = uuid.UUID(str(payload.get("client_id")))
    except (ValueError, json.JSONDecodeError):
        return _json_error(
            DomainError(
                _("Dữ liệu gửi lên không hợp lệ."),
                errors=[FieldError("client_id", _("Thiếu mã ghi nhận."))],
                code="bad_request",
            )
        )
    teams = selectors.my_teams(user)
    team = next((t for t in teams if str(t.pk) == str(payload.get("team"))), None)
    if team is None:
        return _json_error(PermissionDenied(_("Bạn không phải thành viên đang hoạt động của tổ này.")))
    try:
        day = date.fromisoformat(str(payload.get("date") or ""))
    except ValueError:
        day = None
    recorded_at: datetime | None
    try:
        recorded_at = (
            datetime.fromisoformat(str(payload["recorded_at"])) if payload.get("recorded_at") else None
        )
    except ValueError:
        recorded_at = None
    if recorded_at is not None and timezone.is_naive(recorded_at):
        recorded_at = None
    entry = _activity_entry(
        {
            **payload,
            "hamlet": _int(str(payload.get("hamlet") or "")),
            "date": day,
            "recorded_at": recorded_at,
        },
        client_id=client_id,
    )
    try:
        activity, created = actions.record_activity(user, team, entry)
    except DomainError as error:
        return _json_error(error)
    return JsonResponse(
        {
            "id": activity.pk,
            "client_id": str(activity.client_id),
            "created": created,
            "label": str(activity),
        },
        status=201 if created else 200,
    )


@community_page
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("team", "team__agency"), pk=activity_id)
    if not permissions.can_act_for_team(request.user, activity.team):
        raise Http404
    hamlets = list(selectors.commune_hamlets(activity.team.agency))
    initial = {
        "client_id": activity.client_id,
        "kind": activity.kind,
        "household": activity.household,
        "hamlet": activity.hamlet_id,
        "date": activity.date,
        "note": activity.note,
    }
    form = ActivityForm(request.POST or None, hamlets=hamlets, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_activity(
                request.user, activity, _activity_entry(form.cleaned_data, client_id=activity.client_id)
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            form.add_domain_error(error)
            status = error.status
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return HttpResponseRedirect(reverse("community:team", args=[activity.team_id]))
    elif request.method == "POST":
        status = 400
    return _page(
        request,
        "community/activity_edit.html",
        {"activity": activity, "form": form, "errors": _summary(form)},
        status=status,
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from /cong-dong/ so that it may control the community pages (a worker's scope is its path)."""
    assets = [
        static("portal/site.css"),
        static("community/community.css"),
        static("community/activity.js"),
        static("vendor/htmx/htmx.min.js"),
    ]
    response = render(
        request,
        "community/sw.js",
        {
            "assets": json.dumps(assets),
            "version": json.dumps("|".join(assets)),
            "page": json.dumps(reverse("community:activities")),
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = reverse("community:home")
    response["Cache-Control"] = "no-cache"
    return response


# --- filing a dossier for a citizen ----------------------------------------------------------------------------

ASSISTED_STEPS = (
    (1, gettext_lazy("Người nộp và nơi nộp")),
    (2, gettext_lazy("Tờ khai")),
    (3, gettext_lazy("Giấy tờ kèm theo")),
    (4, gettext_lazy("Người dân xác nhận và nộp")),
)


def _online_procedures() -> Any:
    return Procedure.objects.filter(is_active=True, online_level__in=(OnlineLevel.FULL, OnlineLevel.PARTIAL))


@community_page
@require_GET
def assisted_start(request: HttpRequest) -> HttpResponse:
    """Choose the procedure (search by words, accents ignored)."""
    team = _member_team(request)
    query = request.GET.get("q", "").strip()
    procedures = _online_procedures().select_related("field").order_by("name")
    words = fold(query).split()
    for word in words:
        procedures = procedures.filter(search_key__contains=word)
    suggested = procedures.filter(agencies=team.agency) if not words else procedures
    return _page(
        request,
        "community/assisted_start.html",
        {
            "team": team,
            "query": query,
            "procedures": list(suggested[:60]),
            "step": 1,
            "steps": ASSISTED_STEPS,
        },
    )


@community_page
@require_http_methods(["GET", "POST"])
def assisted_citizen(request: HttpRequest, code: str) -> HttpResponse:
    team = _member_team(request)
    procedure = get_object_or_404(_online_procedures(), code=code)
    agencies = list(procedure.agencies.filter(is_active=True).order_by("name"))
    # The team's own commune first, the others folded away: a phone screen, and most filings are local.
    suggested = team.agency_id if any(a.pk == team.agency_id for a in agencies) else None
    initial = {"agency": suggested} if suggested else {}
    form = CitizenForm(request.POST or None, agencies=agencies, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assisted = actions.start_assisted(
                request.user,
                team,
                procedure=procedure,
                agency=form.chosen(),
                citizen=actions.CitizenInput(
                    data["full_name"], data["personal_id"], data["phone"], data["address"]
                ),
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            form.add_domain_error(error)
            status = error.status
        else:
            return HttpResponseRedirect(reverse("community:assisted_form", args=[assisted.pk]))
    elif request.method == "POST":
        status = 400
    return _page(
        request,
        "community/assisted_citizen.html",
        {
            "team": team,
            "procedure": procedure,
            "form": form,
            "errors": _summary(form, {"agency": "#id_agency_0"}),
            "suggested": suggested,
            "others": len(agencies) - (1 if suggested else 0),
            "other_chosen": form.is_bound and str(form.data.get("agency")) not in ("", str(suggested)),
            "step": 1,
            "steps": ASSISTED_STEPS,
        },
        status=status,
    )


@community_page
@require_GET
def assisted_list(request: HttpRequest) -> HttpResponse:
    team = _member_team(request)
    rows = AssistedSubmission.objects.filter(team=team).select_related("procedure", "dossier", "member")
    return _page(
        request,
        "community/assisted_list.html",
        {
            "team": team,
            "open": [row for row in rows if row.is_open],
            "page": Paginator([row for row in rows if not row.is_open], 30).get_page(
                request.GET.get("trang")
            ),
        },
    )


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def _assisted(request: HttpRequest, assisted_id: int, *, open_only: bool = True) -> AssistedSubmission:
    assisted = selectors.team_assisted(request.user, assisted_id)
    if assisted is None:
        raise Http404
    if open_only and not assisted.is_open:
        if assisted.submitted_at is not None:
            raise _Redirect(reverse("community:assisted_done", args=[assisted.pk]))
        raise _Redirect(reverse("community:assisted_list"))
    return assisted


def _redirecting(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    @wraps(view)
    def run(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _Redirect as redirect:
            return HttpResponseRedirect(redirect.url)

    return run


def _draft(assisted: AssistedSubmission) -> Dossier:
    assert assisted.dossier is not None
    return (
        Dossier.objects.select_related("procedure", "agency")
        .prefetch_related("files")
        .get(pk=assisted.dossier.pk)
    )


@community_page
@_redirecting
@require_GET
def assisted_resume(request: HttpRequest, assisted_id: int) -> HttpResponse:
    assisted = _assisted(request, assisted_id)
    draft = _draft(assisted)
    errors = dossier_actions.submission_errors(draft)
    if not draft.form_data or any(not e.field.startswith("documents.") for e in errors):
        return HttpResponseRedirect(reverse("community:assisted_form", args=[assisted.pk]))
    if errors:
        return HttpResponseRedirect(reverse("community:assisted_documents", args=[assisted.pk]))
    return HttpResponseRedirect(reverse("community:assisted_consent", args=[assisted.pk]))


def _assisted_context(assisted: AssistedSubmission, draft: Dossier, step: int) -> dict[str, Any]:
    return {
        "assisted": assisted,
        "draft": draft,
        "procedure": draft.procedure,
        "team": assisted.team,
        "step": step,
        "steps": ASSISTED_STEPS,
    }


@community_page
@_redirecting
@require_http_methods(["GET", "POST"])
def assisted_form(request: HttpRequest, assisted_id: int) -> HttpResponse:
    assisted = _assisted(request, assisted_id)
    draft = _draft(assisted)
    schema = draft.procedure.form_schema
    if request.method == "GET":
        form = SchemaForm.for_draft(schema, draft.form_data)
        status = 200
    else:
        form = SchemaForm(schema, request.POST)
        valid = form.is_valid()
        dossier_actions.update_draft(draft, actor=_signed_in(request), form_data=form.form_data)
        if valid:
            return HttpResponseRedirect(reverse("community:assisted_documents", args=[assisted.pk]))
        status = 400
    context = {**_assisted_context(assisted, draft, 2), "form": form, "errors": _summary(form)}
    return _page(request, "community/assisted_form.html", context, status=status)


@dataclass
class _Slot:
    requirement: Any
    files: list[Any]
    errors: list[str]

    @property
    def input_id(self) -> str:
        return f"tep-{self.requirement.pk}"


def _slots(draft: Dossier, errors: dict[int, list[str]]) -> list[_Slot]:
    files = [f for f in draft.files.all() if f.kind == FileKind.COMPONENT]
    return [
        _Slot(r, [f for f in files if f.requirement_id == r.pk], errors.get(r.pk, []))
        for r in draft.procedure.documents.all()
    ]


def _missing(draft: Dossier) -> dict[int, list[str]]:
    missing: dict[int, list[str]] = {}
    for error in dossier_actions.submission_errors(draft):
        if error.field.startswith("documents."):
            missing.setdefault(int(error.field.split(".", 1)[1]), []).append(error_text(error))
    return missing


@community_page
@_redirecting
@require_http_methods(["GET", "POST"])
def assisted_documents(request: HttpRequest, assisted_id: int) -> HttpResponse:
    assisted = _assisted(request, assisted_id)
    draft = _draft(assisted)
    user = _signed_in(request)
    refused: dict[int, list[str]] = {}
    status = 200
    if request.method == "POST":
        removing = request.POST.get("xoa")
        if removing:
            attached = next((f for f in draft.files.all() if str(f.pk) == removing), None)
            if attached is None:
                raise Http404
            dossier_actions.remove_draft_file(attached, actor=user)
            return HttpResponseRedirect(reverse("community:assisted_documents", args=[assisted.pk]))
        for requirement in draft.procedure.documents.all():
            uploads = [
                *request.FILES.getlist(f"tep_{requirement.pk}"),
                *request.FILES.getlist(f"anh_{requirement.pk}"),
            ]
            for upload in uploads:
                try:
                    dossier_actions.attach_file(
                        draft, actor=user, stream=upload, name=upload.name or "tep", requirement=requirement
                    )
                except DomainError as error:
                    refused.setdefault(requirement.pk, []).append(_localized(error))
        draft = _draft(assisted)
        if not refused:
            missing = _missing(draft)
            if not missing:
                return HttpResponseRedirect(reverse("community:assisted_consent", args=[assisted.pk]))
            refused = missing
        status = 400
    slots = _slots(draft, refused)
    context = {
        **_assisted_context(assisted, draft, 3),
        "slots": slots,
        "errors": [SummaryItem(m, f"#{slot.input_id}") for slot in slots for m in slot.errors],
        "accept": ACCEPTED_FILES,
        "accept_photos": ACCEPTED_PHOTOS,
        "limit_mb": max_upload_bytes() // (1024 * 1024),
    }
    return _page(request, "community/assisted_documents.html", context, status=status)


def _live_code(assisted: AssistedSubmission) -> OneTimeCode | None:
    return (
        OneTimeCode.objects.filter(
            purpose=CodePurpose.ASSISTED_CONSENT,
            assisted=assisted,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )


SEND_CODE, SUBMIT_CODE, SUBMIT_SIGNATURE, DECLINE = "gui_ma", "nop_bang_ma", "nop_bang_chu_ky", "tu_choi"


@community_page
@_redirecting
@require_http_methods(["GET", "POST"])
def assisted_consent(request: HttpRequest, assisted_id: int) -> HttpResponse:
    """Review with the citizen, then their consent: a code texted to them, or their signature."""
    assisted = _assisted(request, assisted_id)
    user = _signed_in(request)
    code_form = CodeForm(request.POST if request.POST.get("action") == SUBMIT_CODE else None)
    signature_form = SignatureForm(request.POST if request.POST.get("action") == SUBMIT_SIGNATURE else None)
    refusal = ""
    status = 200
    action = request.POST.get("action")
    try:
        if action == SEND_CODE:
            sent = actions.send_consent_code(user, assisted)
            messages.success(
                request,
                _("Đã gửi mã xác nhận đến số {phone}. Mã có hiệu lực đến {time}.").format(
                    phone=sent.masked_phone, time=timezone.localtime(sent.expires_at).strftime("%H:%M")
                ),
            )
            return HttpResponseRedirect(
                reverse("community:assisted_consent", args=[assisted.pk]) + "#ma-xac-nhan"
            )
        if action == SUBMIT_CODE and code_form.is_valid():
            actions.submit_with_code(user, assisted, code_form.cleaned_data["code"])
            return HttpResponseRedirect(reverse("community:assisted_done", args=[assisted.pk]))
        if action == SUBMIT_SIGNATURE and signature_form.is_valid():
            png = from_data_url(signature_form.cleaned_data["signature"])
            actions.submit_with_signature(user, assisted, png)
            return HttpResponseRedirect(reverse("community:assisted_done", args=[assisted.pk]))
        if action == DECLINE:
            actions.decline_assisted(user, assisted)
            messages.info(request, _("Người dân không đồng ý: hồ sơ không được nộp và bản nháp đã được xóa."))
            return HttpResponseRedirect(reverse("community:assisted_list"))
        if action in (SUBMIT_CODE, SUBMIT_SIGNATURE):
            status = 400
    except PermissionDenied:
        raise
    except DomainError as error:
        status = error.status
        target = (
            code_form if action == SUBMIT_CODE else signature_form if action == SUBMIT_SIGNATURE else None
        )
        if target is not None and any(item.field in target.FIELDS for item in error.errors):
            target.add_domain_error(error)
        else:
            refusal = _localized(error)
        assisted = _assisted(request, assisted_id)
    draft = _draft(assisted)
    problems = dossier_actions.submission_errors(draft)
    live = _live_code(assisted)
    context = {
        **_assisted_context(assisted, draft, 4),
        "rows": review_rows(draft.procedure.form_schema, draft.form_data),
        "slots": _slots(draft, {}),
        "problems": [error_text(p) for p in problems],
        "consent_text": actions.consent_text(assisted),
        "masked_phone": mask_phone(assisted.notify_phone),
        "code_sent": live is not None,
        "code_form": code_form,
        "signature_form": signature_form,
        "refusal": refusal,
        "errors": _summary(code_form) + _summary(signature_form, {"signature": "#chu-ky"}),
        "actions": {
            "send": SEND_CODE,
            "code": SUBMIT_CODE,
            "signature": SUBMIT_SIGNATURE,
            "decline": DECLINE,
        },
    }
    return _page(request, "community/assisted_consent.html", context, status=status)


@community_page
@_redirecting
@require_GET
def assisted_done(request: HttpRequest, assisted_id: int) -> HttpResponse:
    assisted = _assisted(request, assisted_id, open_only=False)
    if assisted.submitted_at is None or assisted.dossier is None:
        raise _Redirect(reverse("community:assisted_list"))
    citizen = assisted.citizen
    return _page(
        request,
        "community/assisted_done.html",
        {
            "assisted": assisted,
            "dossier": assisted.dossier,
            "team": assisted.team,
            "awaiting_activation": citizen is not None and not citizen.has_usable_password(),
            "masked_phone": mask_phone(assisted.notify_phone),
        },
    )


# --- figures -----------------------------------------------------------------------------------------------------


def _figures_request(
    request: HttpRequest,
) -> tuple[figures.Scope, FigureFilterForm, date | None, date | None]:
    form = FigureFilterForm(request.GET or None, communes=list(selectors.figure_communes(request.user)))
    commune = since = until = None
    if form.is_bound and form.is_valid():
        commune = form.cleaned_data.get("commune")
        since = form.cleaned_data.get("since")
        until = form.cleaned_data.get("until")
    scope = figures.scope_for(request.user, commune=commune)
    return scope, form, since, until


@community_page
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    scope, form, since, until = _figures_request(request)
    summary = figures.summary(scope, since=since, until=until)
    largest = max((n for _m, n in summary.by_month), default=0) or 1
    kinds_max = max((n for _k, _l, n in summary.by_kind), default=0) or 1
    return _page(
        request,
        "community/figures.html",
        {
            "summary": summary,
            "form": form,
            "months": [(month, n, round(100 * n / largest)) for month, n in summary.by_month],
            "kinds": [(label, n, round(100 * n / kinds_max)) for _k, label, n in summary.by_kind],
            "export_query": request.GET.urlencode(),
            "lowest": summary.coverage_by_commune[:10],
        },
    )


@community_page
@require_GET
def figures_export(request: HttpRequest) -> HttpResponse:
    scope, _form, since, until = _figures_request(request)
    summary = figures.summary(scope, since=since, until=until)
    response = HttpResponse(
        reports.figures_workbook(summary),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="so-lieu-to-cong-nghe-so-{summary.since:%Y%m%d}-{summary.until:%Y%m%d}.xlsx"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- activating the account made for a citizen ----------------------------------------------------------------


@sensitive_post_parameters("password1", "password2", "code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """Two steps on one page: personal ID and phone → a code by SMS; the code and a new password → signed
    in. The first step answers the same whether or not such an account exists."""
    finishing = request.method == "POST" and "code" in request.POST
    start = ActivationStartForm(request.POST if request.method == "POST" and not finishing else None)
    finish = ActivationFinishForm(request.POST if finishing else None)
    sent = False
    refusal = ""
    status = 200
    if request.method == "POST":
        throttle = SignInThrottle(request, "activation", scope="activation", limit=ACTIVATION_LIMIT)
        if not throttle.allow_attempt():
            refusal = _("Quá nhiều lần thử. Vui lòng thử lại sau {minutes} phút.").format(
                minutes=ACTIVATION_LIMIT.window_minutes
            )
            status = 429
        elif not finishing and start.is_valid():
            try:
                actions.send_activation_code(start.cleaned_data["personal_id"], start.cleaned_data["phone"])
            except DomainError as error:
                refusal = _localized(error)
                status = error.status
            else:
                sent = True
                finish = ActivationFinishForm(
                    initial={
                        "personal_id": start.cleaned_data["personal_id"],
                        "phone": start.cleaned_data["phone"],
                    }
                )
        elif finishing and finish.is_valid():
            data = finish.cleaned_data
            try:
                user = actions.activate_account(
                    data["personal_id"], data["phone"], data["code"], data["password1"]
                )
            except DomainError as error:
                finish.add_domain_error(error)
                status = error.status
                sent = True
            else:
                login(request, user, backend="mekong.accounts.backends.IdentifierBackend")
                messages.success(request, _("Đã kích hoạt tài khoản. Hồ sơ của bạn ở trang “Hồ sơ của tôi”."))
                return HttpResponseRedirect(reverse("portal:my_dossiers"))
        else:
            status = 400
            sent = finishing
    return render(
        request,
        "community/activate.html",
        {"start": start, "finish": finish, "sent": sent or finishing, "refusal": refusal},
        status=status,
    )
