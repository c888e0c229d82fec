"""Forms of the back office. They only parse input: what is allowed and what is complete is decided by
`dossiers.actions`, whose Vietnamese messages the views show next to the form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mekong.catalog.models import RequiredDocument
from mekong.dossiers.selectors import QueueFilter, QueueSort

NOTE_MAX = 2000


def _text(label: Any, *, rows: int = 2, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=NOTE_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


# --- the queue ----------------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The queue's filters, all in the URL (GET) so a view can be bookmarked and shared."""

    agency = forms.TypedChoiceField(label=_("Cơ quan"), coerce=int, required=False)
    tab = forms.ChoiceField(
        label=_("Danh sách"), choices=[(tab.value, tab.label) for tab in QueueFilter], required=False
    )
    q = forms.CharField(
        label=_("Tìm theo mã hồ sơ, tên hoặc số định danh người nộp"), required=False, max_length=100
    )
    sort = forms.ChoiceField(choices=[(sort.value, sort.value) for sort in QueueSort], required=False)

    def __init__(self, data: Any, *, agencies: Sequence[tuple[int, str]]) -> None:
        super().__init__(data)
        self.fields["agency"].choices = list(agencies)  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})


class BulkForm(forms.Form):
    """Several dossiers, one action: each dossier goes through its own action call."""

    action = forms.ChoiceField(
        choices=[
            ("receive", _("Tiếp nhận")),
            ("assign", _("Phân công")),
            ("start_processing", _("Bắt đầu xử lý")),
            ("return_result", _("Trả kết quả")),
        ],
        error_messages={"required": _("Chọn thao tác."), "invalid_choice": _("Thao tác không hợp lệ.")},
    )
    agency = forms.IntegerField()
    dossiers = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": _("Chưa chọn hồ sơ nào.")},
    )
    specialist = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, data: Any, *, specialists: Sequence[tuple[int, str]] = ()) -> None:
        super().__init__(data)
        # The dossiers are checked against the official's agencies by the view, not by a choice list.
        self.fields["dossiers"].choices = [  # type: ignore[attr-defined]
            (value, value) for value in (data.getlist("dossiers") if data is not None else [])
        ]
        self.fields["specialist"].choices = [("", ""), *specialists]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "assign" and not cleaned.get("specialist"):
            self.add_error("specialist", _("Chọn chuyên viên để phân công."))
        return cleaned


# --- one dossier: one form per action -------------------------------------------------------------------


class ReceiveForm(forms.Form):
    note = _text(_("Ghi chú (không bắt buộc)"))


class RefuseForm(forms.Form):
    reason = _text(_("Lý do từ chối"), rows=3, help_text=_("Lý do được ghi vào phiếu từ chối gửi công dân."))


class SupplementRequestForm(forms.Form):
    missing = forms.MultipleChoiceField(
        label=_("Giấy tờ cần bổ sung"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other = _text(_("Giấy tờ khác (mỗi dòng một mục)"), rows=2)
    note = _text(_("Hướng dẫn cho công dân (không bắt buộc)"))

    def __init__(self, *args: Any, documents: Sequence[RequiredDocument] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = {str(document.pk): document.name for document in documents}
        self.fields["missing"].choices = list(self.documents.items())  # type: ignore[attr-defined]

    def missing_items(self) -> list[str]:
        chosen = [self.documents[pk] for pk in self.cleaned_data.get("missing", [])]
        written = [line.strip() for line in self.cleaned_data.get("other", "").splitlines()]
        return chosen + [line for line in written if line]


class AssignForm(forms.Form):
    specialist = forms.TypedChoiceField(
        label=_("Chuyên viên xử lý"),
        coerce=int,
        error_messages={
            "required": _("Chọn chuyên viên để phân công."),
            "invalid_choice": _("Người được chọn không phải chuyên viên của cơ quan."),
        },
    )
    note = _text(_("Ghi chú (không bắt buộc)"))

    def __init__(self, *args: Any, specialists: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialist"].choices = [  # type: ignore[attr-defined]
            ("", _("— Chọn chuyên viên —")),
            *specialists,
        ]


class StartProcessingForm(forms.Form):
    pass


class AttachResultForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp kết quả (PDF, JPEG hoặc PNG)"),
        error_messages={"required": _("Chọn tệp kết quả để đính kèm.")},
    )
    note = _text(_("Ghi chú (không bắt buộc)"))


class GenerateResultForm(forms.Form):
    note = _text(_("Ghi chú (không bắt buộc)"))


class ApproveForm(forms.Form):
    note = _text(_("Ý kiến phê duyệt (không bắt buộc)"))


class SendBackForm(forms.Form):
    note = _text(_("Nội dung cần xử lý lại"), rows=3)


class ReturnResultForm(forms.Form):
    note = _text(_("Ghi chú (không bắt buộc)"))


class StopForm(forms.Form):
    reason = _text(_("Lý do dừng xử lý"), rows=3)


class PaymentRequestForm(forms.Form):
    """The amount is not typed: it is what the procedure's fee items come to (shown in the fees panel)."""

    note = _text(_("Ghi chú gửi công dân (không bắt buộc)"))

    def __init__(self, *args: Any, total: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if total:
            self.fields["note"].help_text = _("Số tiền phải nộp theo các khoản phí, lệ phí: {total}.").format(
                total=total
            )


class CounterPaymentForm(forms.Form):
    reference = forms.CharField(label=_("Số biên lai giấy (nếu có)"), required=False, max_length=50)
    note = _text(_("Ghi chú (không bắt buộc)"))


class ApologyConfirmForm(forms.Form):
    """The officer may reword the drafted reason or pick another date before sending."""

    reason = _text(_("Lý do"), rows=3)
    new_due_date = forms.DateField(
        label=_("Ngày hẹn mới"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Trả kết quả trước khi hết giờ làm việc của ngày này."),
        error_messages={"required": _("Chọn ngày hẹn mới."), "invalid": _("Ngày hẹn mới không hợp lệ.")},
    )


# --- citizens' feedback ---------------------------------------------------------------------------------


class FeedbackAnswerForm(forms.Form):
    """The agency's answer to a citizen's feedback. An empty answer is refused by `feedback.actions`."""

    response = forms.CharField(
        label=_("Nội dung trả lời"),
        required=False,
        max_length=4000,
        help_text=_("Người dân xem câu trả lời này ở trang đánh giá hồ sơ trên Cổng dịch vụ công."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
