"""The actions an official can take on one dossier from the back office: which form each needs, which
`dossiers.actions` function it calls (exactly one), and when its button is shown.

A button is shown only when the state machine lets one of the official's roles in the dossier's agency
give the command (`states.allowed_commands`); the action checks again when the form is posted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.backoffice import forms as bo_forms
from mekong.dossiers import actions
from mekong.dossiers.documents import generate_result
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import Actor, Command, Status, allowed_commands
from mekong.payments import actions as payment_actions

OFFICER_ROLES: tuple[Role, ...] = (Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.LEADER)

Runner = Callable[[Dossier, User, Any], object]


@dataclass(frozen=True)
class Operation:
    slug: str
    label: Promise  # the button
    form_class: type[forms.Form]
    done: Promise  # success message, formatted with {code}
    run: Runner
    command: Command | None = None
    # For what the state machine does not cover (attaching a result): the status and role it needs.
    needs: tuple[Status, Role] | None = None
    # Refusals and stops close the dossier: kept apart from the everyday buttons and asked for a reason.
    closes: bool = False
    multipart: bool = False

    def available(self, status: Status | None, roles: Collection[Role]) -> bool:
        if self.command is not None:
            return any(self.command in allowed_commands(status, Actor(role.value)) for role in roles)
        if self.needs is not None:
            needed_status, needed_role = self.needs
            return status == needed_status and needed_role in roles
        return False


def _specialist(form: bo_forms.AssignForm) -> User:
    return User.objects.get(pk=form.cleaned_data["specialist"])


def _attach_result(dossier: Dossier, user: User, form: bo_forms.AttachResultForm) -> object:
    upload = form.cleaned_data["file"]
    return actions.attach_result(
        dossier, actor=user, stream=upload, name=upload.name, note=form.cleaned_data["note"]
    )


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "receive",
        _("Tiếp nhận hồ sơ"),
        bo_forms.ReceiveForm,
        _("Đã tiếp nhận hồ sơ {code}."),
        lambda d, u, f: actions.receive(d, actor=u, note=f.cleaned_data["note"]),
        command=Command.RECEIVE,
    ),
    Operation(
        "request_supplement",
        _("Yêu cầu bổ sung"),
        bo_forms.SupplementRequestForm,
        _("Đã gửi yêu cầu bổ sung hồ sơ {code}."),
        lambda d, u, f: actions.request_supplement(
            d, actor=u, missing=f.missing_items(), note=f.cleaned_data["note"]
        ),
        command=Command.REQUEST_SUPPLEMENT,
    ),
    Operation(
        "assign",
        _("Phân công"),
        bo_forms.AssignForm,
        _("Đã phân công xử lý hồ sơ {code}."),
        lambda d, u, f: actions.assign(d, actor=u, specialist=_specialist(f), note=f.cleaned_data["note"]),
        command=Command.ASSIGN,
    ),
    Operation(
        "start_processing",
        _("Bắt đầu xử lý"),
        bo_forms.StartProcessingForm,
        _("Đã bắt đầu xử lý hồ sơ {code}."),
        lambda d, u, f: actions.start_processing(d, actor=u),
        command=Command.START_PROCESSING,
    ),
    Operation(
        "attach_result",
        _("Đính kèm kết quả"),
        bo_forms.AttachResultForm,
        _("Đã đính kèm kết quả cho hồ sơ {code}."),
        _attach_result,
        needs=(Status.PROCESSING, Role.SPECIALIST),
        multipart=True,
    ),
    Operation(
        "generate_result",
        _("Tạo kết quả điện tử từ mẫu"),
        bo_forms.GenerateResultForm,
        _("Đã tạo kết quả điện tử cho hồ sơ {code}."),
        lambda d, u, f: generate_result(d, actor=u, note=f.cleaned_data["note"]),
        needs=(Status.PROCESSING, Role.SPECIALIST),
    ),
    Operation(
        "approve",
        _("Phê duyệt"),
        bo_forms.ApproveForm,
        _("Đã phê duyệt kết quả hồ sơ {code}."),
        lambda d, u, f: actions.approve(d, actor=u, note=f.cleaned_data["note"]),
        command=Command.APPROVE,
    ),
    Operation(
        "send_back",
        _("Trả lại để xử lý lại"),
        bo_forms.SendBackForm,
        _("Đã trả lại hồ sơ {code} để xử lý lại."),
        lambda d, u, f: actions.send_back(d, actor=u, note=f.cleaned_data["note"]),
        command=Command.SEND_BACK,
    ),
    Operation(
        "request_payment",
        # The same Vietnamese names a notification ("Fees to pay"); the button says what the officer does.
        pgettext_lazy("thao tác của cán bộ", "Yêu cầu nộp phí, lệ phí"),
        bo_forms.PaymentRequestForm,
        _("Đã yêu cầu công dân nộp phí, lệ phí cho hồ sơ {code}."),
        lambda d, u, f: payment_actions.request_payment(d, actor=u, note=f.cleaned_data["note"]),
        command=Command.REQUEST_PAYMENT,
    ),
    Operation(
        "confirm_payment",
        _("Xác nhận đã nộp phí, lệ phí tại quầy"),
        bo_forms.CounterPaymentForm,
        _("Đã ghi nhận nộp phí, lệ phí cho hồ sơ {code}."),
        lambda d, u, f: payment_actions.confirm_counter_payment(
            d, actor=u, reference=f.cleaned_data["reference"], note=f.cleaned_data["note"]
        ),
        command=Command.PAY,
    ),
    Operation(
        "return_result",
        _("Trả kết quả tại quầy"),
        bo_forms.ReturnResultForm,
        _("Đã trả kết quả hồ sơ {code}."),
        lambda d, u, f: actions.return_result(d, actor=u, note=f.cleaned_data["note"]),
        command=Command.RETURN_RESULT,
    ),
    Operation(
        "refuse",
        _("Từ chối tiếp nhận"),
        bo_forms.RefuseForm,
        _("Đã từ chối tiếp nhận hồ sơ {code}."),
        lambda d, u, f: actions.refuse(d, actor=u, reason=f.cleaned_data["reason"]),
        command=Command.REFUSE,
        closes=True,
    ),
    Operation(
        "stop",
        _("Dừng xử lý"),
        bo_forms.StopForm,
        _("Đã dừng xử lý hồ sơ {code}."),
        lambda d, u, f: actions.stop(d, actor=u, reason=f.cleaned_data["reason"]),
        command=Command.STOP,
        closes=True,
    ),
)
BY_SLUG: dict[str, Operation] = {operation.slug: operation for operation in OPERATIONS}


def available_operations(status: Status | None, roles: Collection[Role]) -> list[Operation]:
    return [operation for operation in OPERATIONS if operation.available(status, roles)]


def roles_at(grants_roles: Collection[tuple[str, int]], agency_id: int) -> frozenset[Role]:
    """The processing roles an official holds in one agency (from `permissions.grants_for(user).roles`)."""
    return frozenset(
        Role(role) for role, agency in grants_roles if agency == agency_id and role in OFFICER_ROLES
    )


@dataclass(frozen=True)
class BulkOperation:
    slug: str
    label: Promise
    command: Command


# The everyday steps officers do by the dozen; anything that needs a reason or a file is done one by one.
BULK_OPERATIONS: tuple[BulkOperation, ...] = (
    BulkOperation("receive", _("Tiếp nhận"), Command.RECEIVE),
    BulkOperation("assign", _("Phân công"), Command.ASSIGN),
    BulkOperation("start_processing", _("Bắt đầu xử lý"), Command.START_PROCESSING),
    BulkOperation("return_result", _("Trả kết quả"), Command.RETURN_RESULT),
)


def bulk_operations_for(roles: Sequence[Role] | frozenset[Role]) -> list[BulkOperation]:
    """Bulk buttons for an official's roles: those whose command one of the roles may give at all."""
    actors = [Actor(role.value) for role in roles]
    return [
        operation
        for operation in BULK_OPERATIONS
        if any(operation.command in allowed_commands(status, actor) for status in Status for actor in actors)
    ]


def run_bulk(slug: str, dossier: Dossier, user: User, specialist: User | None) -> Dossier:
    """One dossier of a bulk action: one action call (its own transaction)."""
    if slug == "receive":
        return actions.receive(dossier, actor=user)
    if slug == "assign":
        assert specialist is not None  # the form requires one for this action
        return actions.assign(dossier, actor=user, specialist=specialist)
    if slug == "start_processing":
        return actions.start_processing(dossier, actor=user)
    if slug == "return_result":
        return actions.return_result(dossier, actor=user)
    raise ValueError(slug)
