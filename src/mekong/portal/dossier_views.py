"""Citizen pages for dossiers: filing one step by step, "Hồ sơ của tôi", supplements, withdrawal, and
the public status lookup.

Filing, one thing per screen (every step saves the draft, so a citizen on a slow connection can stop
and resume from "Hồ sơ của tôi"):
1 the receiving agency (creates the draft) → 2 the tờ khai → 3 the documents → 4 how to receive the
result → 5 review and submit → the confirmation with the dossier code.

Views parse input, check that the dossier is the signed-in citizen's own (404 otherwise, so nobody learns
that someone else's dossier exists), call one action and render. Everything works without JavaScript;
htmx only filters the agency list as the citizen types.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mekong.accounts.models import User
from mekong.catalog.models import Agency, OnlineLevel, Procedure, ProcedureLevel, RequiredDocument
from mekong.core.errors import DomainError, FieldError, in_language
from mekong.core.text import fold
from mekong.dossiers import actions, selectors
from mekong.dossiers.lookup import LookupResult, lookup_limit, lookup_status
from mekong.dossiers.models import Dossier, DossierFile, FileKind, IssuedDocument, ResultDelivery
from mekong.dossiers.states import Actor, Command, Status, allowed_commands
from mekong.dossiers.validation import check_upload, max_upload_bytes
from mekong.portal.dossier_forms import (
    ACCEPTED_FILES,
    ACCEPTED_PHOTOS,
    DELIVERY_HINTS,
    AgencyChoiceForm,
    AgencySearchForm,
    DeliveryForm,
    LookupForm,
    SupplementForm,
    WithdrawForm,
)
from mekong.portal.schema_forms import SchemaForm, error_text, review_rows

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)

STEPS: tuple[tuple[int, Any], ...] = (
    (1, gettext_lazy("Nơi nộp hồ sơ")),
    (2, gettext_lazy("Tờ khai")),
    (3, gettext_lazy("Giấy tờ kèm theo")),
    (4, gettext_lazy("Cách nhận kết quả")),
    (5, gettext_lazy("Xem lại và nộp")),
)
STEP_URLS = {
    2: "portal:dossier_form",
    3: "portal:dossier_documents",
    4: "portal:dossier_delivery",
    5: "portal:dossier_review",
}
# More agencies than this get a search box.
SEARCHABLE_AGENCIES = 8
MY_DOSSIERS_PAGE = 20
SAVE_AND_LEAVE = "luu_nhap"  # the name of the "Lưu nháp" button on every step
CHECK = "kiem-tra"  # ?kiem-tra=1: show what stops the draft from being submitted


# --- who may come in ----------------------------------------------------------------------------------------


def current_citizen(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated or not user.is_citizen:
        raise PermissionDenied(
            _("Trang này dành cho tài khoản công dân. Vui lòng đăng nhập bằng tài khoản công dân.")
        )
    return user


def citizen_required(
    view: Callable[Concatenate[HttpRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R]:
    @wraps(view)
    def guarded(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
        current_citizen(request)
        return view(request, *args, **kwargs)

    return login_required(never_cache(guarded))


def _draft(request: HttpRequest, draft_id: int) -> Dossier:
    """The citizen's own draft, or 404. A draft submitted meanwhile (a second tap on "Nộp hồ sơ" on a
    slow connection) leads to its page instead."""
    user = current_citizen(request)
    draft = selectors.my_draft(user, draft_id)
    if draft is None:
        submitted = Dossier.objects.filter(pk=draft_id, applicant_id=user.pk, code__isnull=False).first()
        if submitted is not None:
            raise _Redirect(reverse("portal:dossier", args=[submitted.code]))
        raise Http404
    return draft


def _own_dossier(request: HttpRequest, code: str) -> Dossier:
    """A submitted dossier of the signed-in citizen (not one they read as an official), or 404."""
    user = current_citizen(request)
    dossier = selectors.readable_dossier(user, code)
    if dossier is None or dossier.applicant_id != user.pk:
        raise Http404
    return dossier


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


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


# --- errors and steps -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryItem:
    """One line of the error summary at the top of a page: the message and the input it is about."""

    message: str
    anchor: str  # "#id_ho_ten", or a URL of another step


def step_of(error: FieldError) -> int:
    """Which step fixes this problem found at submission."""
    if error.field == "agency":
        return 1
    if error.field.startswith("documents.") or error.field in {"file", "files", "requirement"}:
        return 3
    if error.field == "result_delivery":
        return 4
    return 2


def _step_context(draft: Dossier, step: int) -> dict[str, Any]:
    return {
        "draft": draft,
        "procedure": draft.procedure,
        "step": step,
        "step_count": len(STEPS),
        "step_title": dict(STEPS)[step],
        "steps": STEPS,
        "save_and_leave": SAVE_AND_LEAVE,
    }


def _next(request: HttpRequest, draft: Dossier, step: int) -> HttpResponse:
    """After saving: on to `step`, or back to "Hồ sơ của tôi" when the citizen chose "Lưu nháp"."""
    if SAVE_AND_LEAVE in request.POST:
        messages.success(
            request, _("Đã lưu hồ sơ nháp. Bạn có thể tiếp tục bất cứ lúc nào tại “Hồ sơ của tôi”.")
        )
        return HttpResponseRedirect(reverse("portal:my_dossiers"))
    url = reverse(STEP_URLS[step], args=[draft.pk])
    if request.POST.get(CHECK) or request.GET.get(CHECK):
        url += f"?{CHECK}=1"
    return HttpResponseRedirect(url)


def _localized(error: DomainError) -> str:
    return in_language(error.message, get_language() or "vi", **error.params)


# --- step 1: the receiving agency (creates the draft) ------------------------------------------------------


def _candidate_agencies(procedure: Procedure) -> list[Agency]:
    return list(
        procedure.agencies.filter(is_active=True).select_related("parent").order_by("parent__name", "name")
    )


def suggested_agency(user: User, agencies: Sequence[Agency]) -> Agency | None:
    """The only agency, or the one of the commune the citizen filed from before (the latest dossier
    with a known commune, else the latest agency they filed with), when it receives this procedure."""
    if len(agencies) == 1:
        return agencies[0]
    by_id = {agency.pk: agency for agency in agencies}
    previous = (
        Dossier.objects.filter(applicant_id=user.pk)
        .order_by("-created_at")
        .values_list("unit_id", "agency_id")[:20]
    )
    units = [unit for unit, _agency in previous if unit is not None]
    for unit in units:
        for agency in agencies:
            if agency.unit_id == unit:
                return agency
    for _unit, agency_id in previous:
        if agency_id in by_id:
            return by_id[agency_id]
    return None


def _search_agencies(agencies: Sequence[Agency], query: str) -> list[Agency]:
    words = fold(query).split()
    if not words:
        return list(agencies)
    return [
        agency
        for agency in agencies
        if all(
            word in agency.search_key or (agency.parent is not None and word in agency.parent.search_key)
            for word in words
        )
    ]


def _grouped(agencies: Sequence[Agency]) -> list[tuple[str, list[Agency]]]:
    groups: dict[str, list[Agency]] = {}
    for agency in agencies:
        groups.setdefault(agency.parent.name if agency.parent else "", []).append(agency)
    return list(groups.items())


def _online_procedure(code: str) -> Procedure:
    procedure = get_object_or_404(Procedure, code=code)
    if not procedure.is_active or procedure.online_level not in (OnlineLevel.FULL, OnlineLevel.PARTIAL):
        raise Http404
    return procedure


@citizen_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    """Step 1: choose where to file; choosing creates the draft."""
    user = current_citizen(request)
    procedure = _online_procedure(code)
    agencies = _candidate_agencies(procedure)
    form = AgencyChoiceForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            draft = actions.create_draft(actor=user, procedure=procedure, agency=form.chosen())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return HttpResponseRedirect(reverse("portal:dossier_form", args=[draft.pk]))
    search = AgencySearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    shown = _search_agencies(agencies, query)
    suggestion = suggested_agency(user, agencies)
    selected = form.data.get("agency") if form.is_bound else (str(suggestion.pk) if suggestion else "")
    context = {
        "procedure": procedure,
        "form": form,
        "search": search,
        "searchable": len(agencies) > SEARCHABLE_AGENCIES or procedure.level == ProcedureLevel.COMMUNE,
        "query": query,
        "groups": _grouped(shown),
        "shown_count": len(shown),
        "suggestion": suggestion if suggestion in shown or not query else None,
        "selected": str(selected or ""),
        "step": 1,
        "step_count": len(STEPS),
        "step_title": dict(STEPS)[1],
        "errors": _summary(form),
    }
    if request.headers.get("HX-Request") and request.method == "GET":
        return render(request, "portal/dossiers/_agency_list.html", context)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "portal/dossiers/start.html", context, status=status)


def _summary(form: Any, anchors: dict[str, str] | None = None) -> list[SummaryItem]:
    """The form's errors for the summary at the top of the page, each linked to its input."""
    items: list[SummaryItem] = []
    for name, errors in form.errors.items():
        if name == "__all__":
            items.extend(SummaryItem(str(message), "#loi-chung") for message in errors)
            continue
        bound = form[name]
        anchor = (anchors or {}).get(name) or f"#{bound.auto_id}"
        if bound.widget_type in {"radioselect", "checkboxselectmultiple"}:
            anchor = (anchors or {}).get(name) or f"#{bound.auto_id}_0"
        items.extend(SummaryItem(str(message), anchor) for message in errors)
    return items


# --- resuming a draft -------------------------------------------------------------------------------------------


@citizen_required
@_redirecting
@require_GET
def resume(request: HttpRequest, draft_id: int) -> HttpResponse:
    """ "Tiếp tục" on a draft: the first step with something missing, or the review when all is there."""
    draft = _draft(request, draft_id)
    errors = actions.submission_errors(draft)
    steps = sorted({step_of(error) for error in errors} - {1})
    if not draft.form_data:
        return HttpResponseRedirect(reverse("portal:dossier_form", args=[draft.pk]))
    if steps:
        return HttpResponseRedirect(reverse(STEP_URLS[steps[0]], args=[draft.pk]) + f"?{CHECK}=1")
    return HttpResponseRedirect(reverse("portal:dossier_review", args=[draft.pk]))


# --- step 2: the tờ khai ------------------------------------------------------------------------------------


def _form_page(request: HttpRequest, draft: Dossier, form: SchemaForm, *, status: int = 200) -> HttpResponse:
    context = {
        **_step_context(draft, 2),
        "form": form,
        "errors": _summary(form),
        "checking": bool(request.GET.get(CHECK) or request.POST.get(CHECK)),
    }
    return render(request, "portal/dossiers/form_step.html", context, status=status)


@citizen_required
@_redirecting
@require_http_methods(["GET", "POST"])
def form_step(request: HttpRequest, draft_id: int) -> HttpResponse:
    user = current_citizen(request)
    draft = _draft(request, draft_id)
    schema = draft.procedure.form_schema
    if request.method == "GET":
        if request.GET.get(CHECK):
            return _form_page(request, draft, SchemaForm.checking(schema, draft.form_data))
        return _form_page(request, draft, SchemaForm.for_draft(schema, draft.form_data))
    form = SchemaForm(schema, request.POST)
    valid = form.is_valid()
    # Saved even when something is wrong: nothing typed is lost.
    actions.update_draft(draft, actor=user, form_data=form.form_data)
    if valid or SAVE_AND_LEAVE in request.POST:
        return _next(request, draft, 3)
    return _form_page(request, draft, form, status=400)


# --- step 3: the documents ----------------------------------------------------------------------------------


@dataclass
class DocumentSlot:
    """One required document with the files already attached and the problems with it."""

    requirement: RequiredDocument
    files: list[DossierFile]
    errors: list[str]

    @property
    def input_id(self) -> str:
        return f"tep-{self.requirement.pk}"

    @property
    def described_by(self) -> str:
        ids = [f"{self.input_id}-goi-y"]
        if self.errors:
            ids.append(f"{self.input_id}-loi")
        return " ".join(ids)


def _slots(draft: Dossier, errors: dict[int, list[str]]) -> list[DocumentSlot]:
    files = [f for f in draft.files.all() if f.kind == FileKind.COMPONENT]
    return [
        DocumentSlot(
            requirement=requirement,
            files=[f for f in files if f.requirement_id == requirement.pk],
            errors=errors.get(requirement.pk, []),
        )
        for requirement in draft.procedure.documents.all()
    ]


def _documents_page(
    request: HttpRequest,
    draft: Dossier,
    errors: dict[int, list[str]],
    *,
    general: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    slots = _slots(draft, errors)
    summary = [SummaryItem(message, "#loi-chung") for message in general]
    summary += [SummaryItem(message, f"#{slot.input_id}") for slot in slots for message in slot.errors]
    context = {
        **_step_context(draft, 3),
        "slots": slots,
        "errors": summary,
        "general_errors": list(general),
        "accept": ACCEPTED_FILES,
        "accept_photos": ACCEPTED_PHOTOS,
        "limit_mb": max_upload_bytes() // (1024 * 1024),
        "checking": bool(request.GET.get(CHECK) or request.POST.get(CHECK)),
    }
    return render(request, "portal/dossiers/documents_step.html", context, status=status)


def _missing_documents(draft: Dossier) -> dict[int, list[str]]:
    """The mandatory documents still missing, in the words `actions.submit` would use."""
    missing: dict[int, list[str]] = {}
    for error in actions.submission_errors(draft):
        if error.field.startswith("documents."):
            missing.setdefault(int(error.field.split(".", 1)[1]), []).append(error_text(error))
    return missing


def _uploads(request: HttpRequest, requirement: RequiredDocument) -> list[UploadedFile]:
    pk = requirement.pk
    return [*request.FILES.getlist(f"tep_{pk}"), *request.FILES.getlist(f"anh_{pk}")]


@citizen_required
@_redirecting
@require_http_methods(["GET", "POST"])
def documents_step(request: HttpRequest, draft_id: int) -> HttpResponse:
    user = current_citizen(request)
    draft = _draft(request, draft_id)
    if request.method == "GET":
        errors = _missing_documents(draft) if request.GET.get(CHECK) else {}
        return _documents_page(request, draft, errors)

    removing = request.POST.get("xoa")
    if removing:
        attached = next(
            (f for f in draft.files.all() if str(f.pk) == removing and f.kind == FileKind.COMPONENT), None
        )
        if attached is None:
            raise Http404
        actions.remove_draft_file(attached, actor=user)
        messages.success(request, _("Đã xóa tệp “{name}”.").format(name=attached.original_name))
        return HttpResponseRedirect(reverse("portal:dossier_documents", args=[draft.pk]))

    refused: dict[int, list[str]] = {}
    for requirement in draft.procedure.documents.all():
        for upload in _uploads(request, requirement):
            try:
                actions.attach_file(
                    draft, actor=user, stream=upload, name=upload.name or "tep", requirement=requirement
                )
            except DomainError as error:
                refused.setdefault(requirement.pk, []).append(_localized(error))
    draft = _draft(request, draft_id)  # with the files just attached
    if refused:
        return _documents_page(request, draft, refused, status=400)
    if SAVE_AND_LEAVE not in request.POST:
        missing = _missing_documents(draft)
        if missing:
            return _documents_page(request, draft, missing, status=400)
    return _next(request, draft, 4)


@citizen_required
@require_GET
def draft_file(request: HttpRequest, draft_id: int, file_id: int) -> FileResponse:
    """A file attached to the citizen's own draft, to check it before submitting."""
    draft = selectors.my_draft(current_citizen(request), draft_id)
    found = next((f for f in draft.files.all() if f.pk == file_id), None) if draft else None
    if found is None:
        raise Http404
    return _file_response(found.file, found.original_name, found.content_type)


# --- step 4: result delivery ------------------------------------------------------------------------------


@citizen_required
@_redirecting
@require_http_methods(["GET", "POST"])
def delivery_step(request: HttpRequest, draft_id: int) -> HttpResponse:
    user = current_citizen(request)
    draft = _draft(request, draft_id)
    if request.method == "POST":
        form = DeliveryForm(request.POST)
        if form.is_valid():
            try:
                actions.update_draft(draft, actor=user, result_delivery=form.cleaned_data["result_delivery"])
            except DomainError as error:
                form.add_domain_error(error)
            else:
                return _next(request, draft, 5)
    else:
        form = DeliveryForm(initial={"result_delivery": draft.result_delivery})
    options = [
        {"value": value, "label": label, "hint": DELIVERY_HINTS[ResultDelivery(value)], "id": f"nhan-{value}"}
        for value, label in ResultDelivery.choices
    ]
    selected = form.data.get("result_delivery") if form.is_bound else draft.result_delivery
    context = {
        **_step_context(draft, 4),
        "form": form,
        "options": options,
        "selected": selected,
        "errors": _summary(form, {"result_delivery": f"#nhan-{ResultDelivery.ONLINE}"}),
    }
    return render(
        request, "portal/dossiers/delivery_step.html", context, status=400 if form.is_bound else 200
    )


# --- step 5: review and submit --------------------------------------------------------------------------------


def _review_page(
    request: HttpRequest, draft: Dossier, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    problems = actions.submission_errors(draft)
    field_problems: dict[str, str] = {}
    for problem in problems:
        field_problems.setdefault(
            problem.field.split(".", 1)[0] if step_of(problem) == 2 else problem.field, error_text(problem)
        )
    slots = _slots(draft, _missing_documents(draft))
    rows = review_rows(draft.procedure.form_schema, draft.form_data)
    summary = [
        SummaryItem(
            error_text(problem), reverse(STEP_URLS[step_of(problem)], args=[draft.pk]) + f"?{CHECK}=1"
        )
        for problem in problems
        if step_of(problem) != 1
    ]
    context = {
        **_step_context(draft, 5),
        "rows": [(row, field_problems.get(row.name, "")) for row in rows],
        "slots": slots,
        "delivery_label": ResultDelivery(draft.result_delivery).label,
        "delivery_hint": DELIVERY_HINTS[ResultDelivery(draft.result_delivery)],
        "errors": summary,
        "refusal": refusal,
        "form_url": reverse("portal:dossier_form", args=[draft.pk]),
        "documents_url": reverse("portal:dossier_documents", args=[draft.pk]),
        "delivery_url": reverse("portal:dossier_delivery", args=[draft.pk]),
    }
    return render(request, "portal/dossiers/review.html", context, status=status)


@citizen_required
@_redirecting
@require_http_methods(["GET", "POST"])
def review_step(request: HttpRequest, draft_id: int) -> HttpResponse:
    user = current_citizen(request)
    draft = _draft(request, draft_id)
    if request.method == "GET":
        return _review_page(request, draft)
    try:
        submitted = actions.submit(draft, actor=user)
    except DomainError as error:
        if not error.errors:
            return _review_page(request, draft, refusal=_localized(error), status=error.status)
        # Back to the first step with something to fix, showing every problem of that step.
        first = min(step_of(item) for item in error.errors)
        if first == 2:
            form = SchemaForm.checking(draft.procedure.form_schema, draft.form_data)
            return _form_page(request, draft, form, status=400)
        if first == 3:
            general = [
                error_text(item)
                for item in error.errors
                if not item.field.startswith("documents.") and step_of(item) == 3
            ]
            return _documents_page(request, draft, _missing_documents(draft), general=general, status=400)
        return _review_page(request, draft, refusal=_localized(error), status=400)
    return HttpResponseRedirect(reverse("portal:dossier_submitted", args=[submitted.code]))


@citizen_required
@require_GET
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _own_dossier(request, code)
    return render(
        request, "portal/dossiers/submitted.html", {"dossier": dossier, "procedure": dossier.procedure}
    )


# --- "Hồ sơ của tôi" ---------------------------------------------------------------------------------------


@citizen_required
@require_GET
def my_dossiers(request: HttpRequest) -> HttpResponse:
    user = current_citizen(request)
    page = Paginator(selectors.my_dossiers(user), MY_DOSSIERS_PAGE).get_page(request.GET.get("trang"))
    drafts = list(selectors.my_drafts(user))
    return render(request, "portal/dossiers/my_dossiers.html", {"page": page, "drafts": drafts})


# Events whose note is addressed to the citizen; other notes are the agency's internal work.
CITIZEN_NOTES = frozenset(
    {
        Command.RECEIVE,
        Command.REFUSE,
        Command.REQUEST_SUPPLEMENT,
        Command.SUPPLEMENT,
        Command.REQUEST_PAYMENT,
        Command.WITHDRAW,
        Command.STOP,
        Command.RETURN_RESULT,
        actions.RESCHEDULE,
    }
)


@citizen_required
@require_GET
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = current_citizen(request)
    dossier = _own_dossier(request, code)
    events = list(dossier.events.order_by("sequence"))
    files = selectors.visible_files(user, dossier, dossier.files.select_related("requirement").order_by("id"))
    documents = selectors.visible_documents(user, dossier, dossier.documents.order_by("issued_at"))
    timeline = [
        (entry, entry.note if entry.action in CITIZEN_NOTES else "")
        for entry in selectors.timeline(selectors.status_changes(events))
    ]
    commands = allowed_commands(Status(dossier.status), Actor.CITIZEN) if dossier.status else frozenset()
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "timeline": list(reversed(timeline)),
        "files": files,
        "documents": documents,
        "can_supplement": Command.SUPPLEMENT in commands and dossier.status == Status.SUPPLEMENT_REQUESTED,
        "can_withdraw": Command.WITHDRAW in commands,
        "missing": _last_request(events),
        "is_late": selectors.is_late(dossier),
    }
    return render(request, "portal/dossiers/detail.html", context)


@dataclass(frozen=True)
class SupplementRequest:
    missing: list[str]
    note: str


def _last_request(events: Sequence[Any]) -> SupplementRequest | None:
    for event in reversed(events):
        if event.command == Command.REQUEST_SUPPLEMENT:
            missing = event.data.get("missing") if isinstance(event.data, dict) else None
            return SupplementRequest([str(item) for item in missing or []], event.note)
    return None


def _file_response(file: Any, name: str, content_type: str) -> FileResponse:
    response = FileResponse(file.open("rb"), filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@citizen_required
@require_GET
def dossier_file(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    user = current_citizen(request)
    dossier = _own_dossier(request, code)
    found = selectors.downloadable_file(user, code, file_id)
    if found is None or found.dossier_id != dossier.pk:
        raise Http404
    return _file_response(found.file, found.original_name, found.content_type)


@citizen_required
@require_GET
def issued_document(request: HttpRequest, code: str, document_id: UUID) -> FileResponse:
    user = current_citizen(request)
    dossier = _own_dossier(request, code)
    found: IssuedDocument | None = selectors.downloadable_document(user, code, document_id)
    if found is None or found.dossier_id != dossier.pk:
        raise Http404
    return _file_response(found.file, f"{found.kind}-{dossier.code}.pdf", "application/pdf")


# --- supplement ------------------------------------------------------------------------------------------------


@dataclass
class SupplementSlot:
    index: int
    label: str
    errors: list[str]

    @property
    def input_id(self) -> str:
        return f"bo-sung-{self.index}"


@citizen_required
@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    user = current_citizen(request)
    dossier = _own_dossier(request, code)
    events = list(dossier.events.order_by("sequence"))
    request_ = _last_request(events)
    if dossier.status != Status.SUPPLEMENT_REQUESTED or request_ is None:
        messages.info(request, _("Hồ sơ này hiện không cần bổ sung giấy tờ."))
        return HttpResponseRedirect(reverse("portal:dossier", args=[dossier.code]))
    labels = [*request_.missing, _("Giấy tờ khác (nếu có)")]
    slots = [SupplementSlot(index, str(label), []) for index, label in enumerate(labels)]
    form = SupplementForm(request.POST if request.method == "POST" else None)
    general: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploads = [(slot, upload) for slot in slots for upload in request.FILES.getlist(f"tep_{slot.index}")]
        # Every refused file is named at once, next to its input, before anything is recorded.
        for slot, upload in uploads:
            try:
                check_upload(upload, name=upload.name or "tep")
            except DomainError as error:
                slot.errors.append(_localized(error))
        if not any(slot.errors for slot in slots):
            try:
                actions.supplement(
                    dossier,
                    actor=user,
                    files=[(None, upload, upload.name or "tep") for _slot, upload in uploads],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                if any(item.field == "note" for item in error.errors):
                    form.add_domain_error(error)
                else:
                    general.append(_localized(error))
            else:
                messages.success(
                    request, _("Đã gửi giấy tờ bổ sung. Cơ quan tiếp nhận sẽ tiếp tục giải quyết hồ sơ.")
                )
                return HttpResponseRedirect(reverse("portal:dossier", args=[dossier.code]))
    summary = [SummaryItem(message, "#loi-chung") for message in general]
    summary += [SummaryItem(message, f"#{slot.input_id}") for slot in slots for message in slot.errors]
    summary += _summary(form)
    context = {
        "dossier": dossier,
        "procedure": dossier.procedure,
        "request_": request_,
        "slots": slots,
        "form": form,
        "errors": summary,
        "general_errors": general,
        "accept": ACCEPTED_FILES,
        "limit_mb": max_upload_bytes() // (1024 * 1024),
    }
    return render(request, "portal/dossiers/supplement.html", context, status=400 if summary else 200)


# --- withdrawal ----------------------------------------------------------------------------------------------


@citizen_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """Reason → confirmation → withdrawn. The confirmation is a second POST carrying the reason."""
    user = current_citizen(request)
    dossier = _own_dossier(request, code)
    if dossier.status is None or Command.WITHDRAW not in allowed_commands(
        Status(dossier.status), Actor.CITIZEN
    ):
        messages.info(request, _("Hồ sơ ở trạng thái này không rút được."))
        return HttpResponseRedirect(reverse("portal:dossier", args=[dossier.code]))
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    template = "portal/dossiers/withdraw.html"
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif request.POST.get("xac_nhan") != "1":
            template = "portal/dossiers/withdraw_confirm.html"
        else:
            try:
                actions.withdraw(dossier, actor=user, reason=form.cleaned_data["reason"])
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status
            else:
                messages.success(request, _("Đã rút hồ sơ {code}.").format(code=dossier.code))
                return HttpResponseRedirect(reverse("portal:dossier", args=[dossier.code]))
    context = {"dossier": dossier, "procedure": dossier.procedure, "form": form, "errors": _summary(form)}
    return render(request, template, context, status=status)


# --- public lookup ----------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """ "Tra cứu hồ sơ": code + phone or personal ID. POST, so the personal ID stays out of URLs and logs.
    `dossiers.lookup` gives the same answer for an unknown code and a mismatch, and limits the rate."""
    form = LookupForm(request.POST if request.method == "POST" else None)
    result: LookupResult | None = None
    refusal = ""
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                result = lookup_status(request, form.cleaned_data["code"], form.cleaned_data["contact"])
            except DomainError as error:
                status = error.status
                if any(item.field in LookupForm.FIELDS for item in error.errors):
                    form.add_domain_error(error)
                else:
                    refusal = _localized(error)
    context = {"form": form, "result": result, "refusal": refusal, "errors": _summary(form)}
    response = render(request, "portal/dossiers/lookup.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(lookup_limit().window_seconds)
    return response
