"""Back office for officials: the dossier queue of each agency, the dossier page with the actions the
official may take, bulk actions, the apology letters waiting for confirmation, and the citizens' feedback
to answer.

Views read and render; every change goes through one action (`dossiers.actions`, `feedback.actions`)
whose Vietnamese refusal (DomainError) is shown next to the form that caused it. Successful posts
redirect (PRG).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import structlog
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mekong.accounts import permissions
from mekong.accounts.models import RoleAssignment, User
from mekong.accounts.roles import Role
from mekong.backoffice import formdata, operations
from mekong.backoffice.access import current_official, official_required
from mekong.backoffice.forms import ApologyConfirmForm, BulkForm, FeedbackAnswerForm, QueueFilterForm
from mekong.backoffice.operations import Operation
from mekong.backoffice.rows import QUEUE_ROW_FIELDS, queue_rows_html
from mekong.backoffice.steps import step_deadlines
from mekong.core.errors import DomainError, FieldError, in_language
from mekong.dossiers import apology, selectors
from mekong.dossiers.calendar import province_calendar
from mekong.dossiers.models import (
    ApologyLetter,
    ApologyStatus,
    Channel,
    Dossier,
    DossierEvent,
    DossierFile,
    IssuedDocument,
)
from mekong.dossiers.selectors import QueueFilter, QueueSort, deadline_state, due_soon_horizon
from mekong.dossiers.states import Status
from mekong.feedback import actions as feedback_actions
from mekong.feedback.models import Rating
from mekong.payments.actions import compute_for
from mekong.portal.templatetags.portal_tags import vnd

PAGE_SIZE = 50
log = structlog.get_logger(__name__)

# --- shared ------------------------------------------------------------------------------------------


@require_GET
@official_required
def home(request: HttpRequest) -> HttpResponse:
    assignments = (
        RoleAssignment.objects.filter(user=current_official(request))
        .select_related("agency", "agency__parent")
        .order_by("agency__name", "role")
    )
    return render(request, "backoffice/home.html", {"assignments": assignments})


def _agency_choices(user: User) -> list[tuple[int, str]]:
    return list(permissions.agencies_readable_by(user).order_by("name").values_list("pk", "name"))


def _default_agency(user: User, agencies: list[tuple[int, str]]) -> int:
    """The first agency the official works in, else the first they can read."""
    working = permissions.grants_for(user).agencies_with(frozenset(operations.OFFICER_ROLES))
    return next((pk for pk, _name in agencies if pk in working), agencies[0][0])


def _default_tab(roles: frozenset[Role]) -> QueueFilter:
    if Role.RECEIVING_OFFICER in roles:
        return QueueFilter.NEW
    if roles:
        return QueueFilter.PROCESSING
    return QueueFilter.ALL


def _roles(user: User, agency_id: int) -> frozenset[Role]:
    return operations.roles_at(permissions.grants_for(user).roles, agency_id)


def _specialists(agency_id: int) -> list[tuple[int, str]]:
    users = User.objects.filter(
        role_assignments__agency_id=agency_id, role_assignments__role=Role.SPECIALIST, is_active=True
    ).order_by("full_name", "username")
    return [(user.pk, str(user)) for user in users.only("full_name", "username")]


def _safe_next(request: HttpRequest, target: str | None, fallback: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- the queue ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TabLink:
    tab: QueueFilter
    label: Promise
    count: int
    url: str
    current: bool


def _query(params: dict[str, str], **changes: str) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({key: value for key, value in merged.items() if value})


@require_GET
@official_required
def queue(request: HttpRequest) -> HttpResponse:
    user = current_official(request)
    agencies = _agency_choices(user)
    form = QueueFilterForm(request.GET, agencies=agencies)
    context: dict[str, Any] = {"form": form, "agencies": agencies}
    if not agencies:
        return render(request, "backoffice/queue.html", context)
    if not form.is_valid():
        return render(request, "backoffice/queue.html", context, status=400)

    agency_id = form.cleaned_data["agency"] or _default_agency(user, agencies)
    roles = _roles(user, agency_id)
    tab = QueueFilter(form.cleaned_data["tab"]) if form.cleaned_data["tab"] else _default_tab(roles)
    sort = QueueSort(form.cleaned_data["sort"]) if form.cleaned_data["sort"] else None
    query = form.cleaned_data["q"].strip()
    now = selectors.current_time()
    due_soon_until = due_soon_horizon(now)
    # The agency is one of the form's choices, so the selectors' own permission check passes.
    counts = selectors.queue_counts(user, agency=agency_id, q=query, now=now, due_soon_until=due_soon_until)
    rows = selectors.queue(
        user, filter=tab, agency=agency_id, q=query, sort=sort, now=now, due_soon_until=due_soon_until
    ).only(*QUEUE_ROW_FIELDS)
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.__dict__["count"] = counts[tab]  # counted already with the tabs: no second COUNT query
    page = paginator.get_page(request.GET.get("page"))

    params = {"agency": str(agency_id), "tab": tab.value, "q": query, "sort": sort.value if sort else ""}
    bulk_operations = operations.bulk_operations_for(roles)
    context.update(
        {
            "agency_id": agency_id,
            "agency_name": dict(agencies)[agency_id],
            "tab": tab,
            "query": query,
            "sort": sort.value if sort else "",
            "page": page,
            "rows": queue_rows_html(
                page.object_list, now=now, due_soon_until=due_soon_until, selectable=bool(bulk_operations)
            ),
            "tabs": [
                TabLink(t, t.label, counts[t], _query(params, tab=t.value, sort="", page=""), t is tab)
                for t in QueueFilter
            ],
            "due_sort_url": _query(params, sort="-due" if sort is QueueSort.DUE else "due"),
            "submitted_sort_url": _query(
                params, sort="-submitted" if sort is QueueSort.SUBMITTED else "submitted"
            ),
            "page_params": urlencode({k: v for k, v in params.items() if v}),
            "bulk_operations": bulk_operations,
            "specialists": _specialists(agency_id)
            if any(o.slug == "assign" for o in bulk_operations)
            else [],
            "current_url": request.get_full_path(),
            "now": now,
        }
    )
    return render(request, "backoffice/queue.html", context)


@require_POST
@official_required
def bulk(request: HttpRequest) -> HttpResponse:
    user = current_official(request)
    try:
        agency_id = int(request.POST.get("agency", ""))
    except ValueError as exc:
        raise Http404 from exc
    if not permissions.can_read_agency(user, agency_id):
        raise Http404
    form = BulkForm(request.POST, specialists=_specialists(agency_id))
    back = _safe_next(
        request, request.POST.get("next"), f"{reverse('backoffice:queue')}?{urlencode({'agency': agency_id})}"
    )
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
        return redirect(back)

    wanted: list[int] = form.cleaned_data["dossiers"]
    specialist = (
        User.objects.get(pk=form.cleaned_data["specialist"]) if form.cleaned_data["specialist"] else None
    )
    found = {
        dossier.pk: dossier
        for dossier in Dossier.objects.filter(pk__in=wanted, agency_id=agency_id, status__isnull=False)
        .select_related("agency", "procedure")
        .order_by("code")
    }
    succeeded = 0
    # The same refusal for many dossiers is said once, with their codes: {reason: [codes]}.
    failures: dict[str, list[str]] = {}
    for pk in wanted:
        dossier = found.get(pk)
        if dossier is None:
            failures.setdefault(_("Không tìm thấy hồ sơ trong cơ quan này."), []).append(f"#{pk}")
            continue
        try:
            operations.run_bulk(form.cleaned_data["action"], dossier, user, specialist)
        except DomainError as error:
            failures.setdefault(_error_text(error), []).append(str(dossier.code))
        except Exception:
            # A bug (in a document hook, say) rolls back this dossier's action only; the others that
            # went through must still be reported, so the batch goes on and the fault is logged.
            log.exception("bulk_action_failed", dossier=dossier.code, action=form.cleaned_data["action"])
            reason = _("Lỗi hệ thống, hồ sơ chưa được xử lý; đã ghi nhận để kiểm tra.")
            failures.setdefault(reason, []).append(str(dossier.code))
        else:
            succeeded += 1
    failed = sum(len(codes) for codes in failures.values())
    summary = _("{ok} thành công, {failed} lỗi.").format(ok=succeeded, failed=failed)
    if failures:
        messages.warning(request, summary)
        for reason, codes in failures.items():
            messages.error(request, f"{', '.join(codes)}: {reason}")
    else:
        messages.success(request, summary)
    return redirect(back)


# --- one dossier -------------------------------------------------------------------------------------


def _readable_dossier(user: User, code: str) -> Dossier:
    """The submitted dossier `code` if `user` may read its agency; 404 otherwise (no hint it exists)."""
    dossier = selectors.readable_dossier(user, code)
    if dossier is None or dossier.status is None or not permissions.can_read_agency(user, dossier.agency_id):
        raise Http404
    return dossier


@dataclass
class TimelineEntry:
    event: DossierEvent
    label: str
    actor: str
    role: str
    status_change: tuple[str, str] | None
    details: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    files: list[DossierFile] = field(default_factory=list)


def _moment(value: Any) -> str:
    """A datetime stored in an event's data (ISO text) as the page's language writes dates."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def _error_text(error: DomainError) -> str:
    return in_language(error.message, get_language() or "vi", **error.params)


def _field_error_text(problem: FieldError) -> str:
    return in_language(problem.message, get_language() or "vi", **problem.params)


def _timeline(dossier: Dossier, files: list[DossierFile]) -> list[TimelineEntry]:
    events = list(dossier.events.select_related("actor").order_by("sequence"))
    files_by_event: dict[int, list[DossierFile]] = {}
    for stored in files:
        if stored.event_id is not None:
            files_by_event.setdefault(stored.event_id, []).append(stored)
    specialist_ids = {e.data["specialist"] for e in events if isinstance(e.data.get("specialist"), int)}
    names = (
        {
            user.pk: str(user)
            for user in User.objects.filter(pk__in=specialist_ids).only("full_name", "username")
        }
        if specialist_ids
        else {}
    )
    entries = []
    for event in events:
        details: list[tuple[str, str]] = []
        data = event.data or {}
        if "specialist" in data:
            details.append((_("Chuyên viên"), names.get(data["specialist"], f"#{data['specialist']}")))
        if "channel" in data and data["channel"] in Channel.values:
            details.append((_("Hình thức nộp"), str(Channel(data["channel"]).label)))
        if "name" in data:
            details.append((_("Tệp"), str(data["name"])))
        if "previous_due_at" in data:
            details.append((_("Hẹn cũ"), _moment(data["previous_due_at"])))
        if "new_due_at" in data:
            details.append((_("Hẹn mới"), _moment(data["new_due_at"])))
        changed = event.from_status != event.to_status
        entries.append(
            TimelineEntry(
                event=event,
                label=selectors.action_label(event.command),
                actor=str(event.actor) if event.actor else _("Hệ thống"),
                role=selectors.actor_role_label(event.actor_role),
                status_change=(
                    selectors.status_label(event.from_status),
                    selectors.status_label(event.to_status),
                )
                if changed
                else None,
                details=details,
                missing=[str(item) for item in data.get("missing", [])],
                files=files_by_event.get(event.pk, []),
            )
        )
    return entries


def _form_for(
    operation: Operation, dossier: Dossier, data: QueryDict | None = None, files: Any = None
) -> forms.Form:
    kwargs: dict[str, Any] = {"prefix": operation.slug}
    if operation.slug == "request_supplement":
        kwargs["documents"] = list(dossier.procedure.documents.order_by("position"))
    if operation.slug == "assign":
        kwargs["specialists"] = _specialists(dossier.agency_id)
    if operation.slug == "request_payment":
        try:
            kwargs["total"] = vnd(compute_for(dossier).total)
        except DomainError:
            kwargs["total"] = ""  # a form value that is not a count: the action says so when posted
    return operation.form_class(data, files, **kwargs)


def _render_dossier(
    request: HttpRequest,
    user: User,
    dossier: Dossier,
    *,
    failed: tuple[Operation, forms.Form] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    calendar = province_calendar()
    now = selectors.current_time()
    roles = _roles(user, dossier.agency_id)
    available = operations.available_operations(dossier.current_status, roles)
    action_forms = [
        (operation, failed[1] if failed and failed[0] is operation else _form_for(operation, dossier))
        for operation in available
    ]
    files = list(dossier.files.select_related("requirement").order_by("id"))
    steps = (
        step_deadlines(dossier.received_at, dossier.procedure.steps.order_by("position"), calendar)
        if dossier.received_at
        else []
    )
    role_labels = dict(Role.choices)
    context = {
        "dossier": dossier,
        "answers": formdata.answers(
            dossier.procedure.form_schema, dossier.form_data, yes=_("Có"), no=_("Không")
        ),
        "files": files,
        "documents": list(dossier.documents.order_by("issued_at")),
        "timeline": _timeline(dossier, files),
        "steps": [(step, role_labels.get(step.role, step.role)) for step in steps],
        "deadline": deadline_state(dossier, now, due_soon_horizon(now, calendar=calendar)),
        "waiting": dossier.current_status in (Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED),
        "everyday_forms": [(op, f) for op, f in action_forms if not op.closes],
        "closing_forms": [(op, f) for op, f in action_forms if op.closes],
        "failed_slug": failed[0].slug if failed else "",
        "error": _error_text(error) if error else "",
        # Problems the form cannot show next to a field of its own.
        "error_details": [
            _field_error_text(problem)
            for problem in (error.errors if error else [])
            if failed is None or problem.field not in failed[1].fields
        ],
        "roles": sorted(str(role.label) for role in roles),
        "queue_url": f"{reverse('backoffice:queue')}?{urlencode({'agency': dossier.agency_id})}",
    }
    return render(request, "backoffice/dossier.html", context, status=status)


@require_GET
@official_required
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = current_official(request)
    return _render_dossier(request, user, _readable_dossier(user, code))


@require_POST
@official_required
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user = current_official(request)
    operation = operations.BY_SLUG.get(action)
    if operation is None:
        raise Http404
    dossier = _readable_dossier(user, code)
    form = _form_for(operation, dossier, request.POST, request.FILES)
    if not form.is_valid():
        return _render_dossier(request, user, dossier, failed=(operation, form), status=400)
    try:
        operation.run(dossier, user, form)
    except DomainError as error:
        for problem in error.errors:
            if problem.field in form.fields:
                form.add_error(problem.field, _field_error_text(problem))
        return _render_dossier(
            request, user, dossier, failed=(operation, form), error=error, status=error.status
        )
    messages.success(request, str(operation.done).format(code=dossier.code))
    return HttpResponseRedirect(reverse("backoffice:dossier", args=[dossier.code]))


@require_GET
@official_required
def dossier_file(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    dossier = _readable_dossier(current_official(request), code)
    stored = get_object_or_404(DossierFile, pk=file_id, dossier=dossier)
    return FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )


@require_GET
@official_required
def issued_document(request: HttpRequest, code: str, document_id: UUID) -> FileResponse:
    dossier = _readable_dossier(current_official(request), code)
    document = get_object_or_404(IssuedDocument, pk=document_id, dossier=dossier)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.kind}-{dossier.code}.pdf",
        content_type="application/pdf",
    )


# --- apology letters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApologyRow:
    letter: ApologyLetter
    form: ApologyConfirmForm | None  # None: the official may read the letter but not decide on it


def _may_decide(user: User, agency_id: int) -> bool:
    return permissions.can_act(user, agency_id, Role.RECEIVING_OFFICER) or permissions.can_act(
        user, agency_id, Role.LEADER
    )


def _confirm_form(letter: ApologyLetter, data: QueryDict | None = None) -> ApologyConfirmForm:
    initial = {"reason": letter.reason, "new_due_date": timezone.localtime(letter.new_due_at).date()}
    return ApologyConfirmForm(data, prefix=f"phieu-{letter.pk}", initial=initial)


def _draft_letters(user: User) -> QuerySet[ApologyLetter]:
    readable = permissions.readable_agency_ids(user)
    drafts = ApologyLetter.objects.filter(status=ApologyStatus.DRAFT, dossier__status__isnull=False)
    if readable is not None:
        drafts = drafts.filter(dossier__agency_id__in=sorted(readable))
    return drafts.select_related("dossier", "dossier__agency", "dossier__procedure").order_by(
        "previous_due_at", "pk"
    )


def _render_apologies(
    request: HttpRequest,
    user: User,
    *,
    failed: tuple[int, ApologyConfirmForm] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    page = Paginator(_draft_letters(user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for letter in page.object_list:
        form: ApologyConfirmForm | None = None
        if _may_decide(user, letter.dossier.agency_id):
            form = failed[1] if failed and failed[0] == letter.pk else _confirm_form(letter)
        rows.append(ApologyRow(letter, form))
    context = {
        "page": page,
        "rows": rows,
        "failed_pk": failed[0] if failed else None,
        "error": _error_text(error) if error else "",
        "error_details": [_field_error_text(problem) for problem in (error.errors if error else [])],
    }
    return render(request, "backoffice/apologies.html", context, status=status)


@require_GET
@official_required
def apologies(request: HttpRequest) -> HttpResponse:
    return _render_apologies(request, current_official(request))


def _draft_letter(user: User, pk: int) -> ApologyLetter:
    letter = _draft_letters(user).filter(pk=pk).first()
    if letter is None:
        raise Http404
    return letter


@require_POST
@official_required
def apology_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_official(request)
    letter = _draft_letter(user, pk)
    form = _confirm_form(letter, request.POST)
    if not form.is_valid():
        return _render_apologies(request, user, failed=(letter.pk, form), status=400)
    chosen = form.cleaned_data["new_due_date"]
    # An unchanged date keeps the drafted appointment to the minute; a new one means the end of that day.
    new_due = None if chosen == timezone.localtime(letter.new_due_at).date() else chosen
    try:
        apology.confirm_apology(letter, actor=user, reason=form.cleaned_data["reason"], new_due_at=new_due)
    except DomainError as error:
        return _render_apologies(request, user, failed=(letter.pk, form), error=error, status=error.status)
    messages.success(request, _("Đã gửi phiếu xin lỗi cho hồ sơ {code}.").format(code=letter.dossier.code))
    return redirect("backoffice:apologies")


@require_POST
@official_required
def apology_discard(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_official(request)
    letter = _draft_letter(user, pk)
    try:
        apology.discard_apology(letter, actor=user)
    except DomainError as error:
        return _render_apologies(request, user, error=error, status=error.status)
    messages.success(
        request, _("Đã bỏ phiếu xin lỗi dự thảo của hồ sơ {code}.").format(code=letter.dossier.code)
    )
    return redirect("backoffice:apologies")


# --- citizens' feedback ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackRow:
    rating: Rating
    overdue: bool  # answered after its due date, or still unanswered past it
    form: FeedbackAnswerForm | None  # None: answered already, or the official may read it but not answer

    @property
    def stars(self) -> str:
        return "★" * self.rating.score + "☆" * (5 - self.rating.score)


def _may_answer(user: User, agency_id: int) -> bool:
    return any(permissions.can_act(user, agency_id, role) for role in feedback_actions.HANDLING_ROLES)


def _feedback_items(user: User) -> QuerySet[Rating]:
    """Ratings with feedback in the agencies `user` reads: unanswered first, each part by due date."""
    readable = permissions.readable_agency_ids(user)
    items = Rating.objects.exclude(comment="")
    if readable is not None:
        items = items.filter(dossier__agency_id__in=sorted(readable))
    answered = Case(
        When(handled_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return items.select_related("dossier", "dossier__agency", "dossier__procedure", "handled_by").order_by(
        answered, "feedback_due_at", "pk"
    )


def _answer_form(rating: Rating, data: QueryDict | None = None) -> FeedbackAnswerForm:
    return FeedbackAnswerForm(data, prefix=f"phan-anh-{rating.pk}")


def _render_feedback(
    request: HttpRequest,
    user: User,
    *,
    failed: tuple[int, FeedbackAnswerForm] | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    now = selectors.current_time()
    page = Paginator(_feedback_items(user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for rating in page.object_list:
        due = rating.feedback_due_at
        form: FeedbackAnswerForm | None = None
        if rating.handled_at is None and _may_answer(user, rating.dossier.agency_id):
            form = failed[1] if failed and failed[0] == rating.pk else _answer_form(rating)
        rows.append(FeedbackRow(rating, due is not None and (rating.handled_at or now) > due, form))
    context = {
        "page": page,
        "rows": rows,
        "error": _error_text(error) if error else "",
        "error_details": [
            _field_error_text(problem)
            for problem in (error.errors if error else [])
            if failed is None or problem.field not in failed[1].fields
        ],
    }
    return render(request, "backoffice/feedback.html", context, status=status)


@require_GET
@official_required
def feedback(request: HttpRequest) -> HttpResponse:
    return _render_feedback(request, current_official(request))


@require_POST
@official_required
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_official(request)
    rating = _feedback_items(user).filter(pk=pk).first()
    if rating is None:
        raise Http404
    form = _answer_form(rating, request.POST)
    if not form.is_valid():
        return _render_feedback(request, user, failed=(rating.pk, form), status=400)
    try:
        feedback_actions.handle_feedback(rating, actor=user, response=form.cleaned_data["response"])
    except DomainError as error:
        for problem in error.errors:
            if problem.field in form.fields:
                form.add_error(problem.field, _field_error_text(problem))
        return _render_feedback(request, user, failed=(rating.pk, form), error=error, status=error.status)
    messages.success(request, _("Đã trả lời phản ánh về hồ sơ {code}.").format(code=rating.dossier.code))
    return redirect("backoffice:feedback")
