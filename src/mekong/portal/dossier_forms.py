"""Forms of the citizen's dossier pages (the tờ khai itself comes from `schema_forms`).

They parse what was sent; the rules live in `mekong.dossiers.actions`, whose refusals are shown on the
fields they name (`add_domain_error`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mekong.catalog.models import Agency
from mekong.core.errors import DomainError, FieldError
from mekong.dossiers.models import ResultDelivery
from mekong.portal.schema_forms import error_text, link_errors

# Uploads: what the file inputs offer. The server decides by content (`validation.check_upload`).
ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
ACCEPTED_PHOTOS = "image/jpeg,image/png"


class LinkedErrorsForm(forms.Form):
    """A form whose inputs name their help text and error in `aria-describedby`, and which shows an
    action's DomainError on the fields it names (`FIELDS` maps the action's names to the form's)."""

    FIELDS: dict[str, str] = {}

    def full_clean(self) -> None:
        super().full_clean()
        link_errors(self)

    def add_domain_error(self, error: DomainError) -> None:
        self.add_field_errors(error.errors)
        if not error.errors or not any(self.FIELDS.get(item.field) for item in error.errors):
            self.add_error(None, str(error))
        link_errors(self)

    def add_field_errors(self, errors: Iterable[FieldError]) -> None:
        for item in errors:
            name = self.FIELDS.get(item.field)
            if name is not None and name not in self.errors:
                self.add_error(name, error_text(item))


class AgencySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm theo tên xã, phường hoặc huyện"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )


class AgencyChoiceForm(LinkedErrorsForm):
    FIELDS = {"agency": "agency"}

    agency = forms.TypedChoiceField(
        label=_("Cơ quan tiếp nhận hồ sơ"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Vui lòng chọn cơ quan tiếp nhận hồ sơ."),
            "invalid_choice": _("Cơ quan này không tiếp nhận thủ tục. Vui lòng chọn trong danh sách."),
        },
    )

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(agency.pk, agency.name) for agency in agencies]
        self.agencies = {agency.pk: agency for agency in agencies}

    def chosen(self) -> Agency:
        return self.agencies[self.cleaned_data["agency"]]


DELIVERY_HINTS = {
    ResultDelivery.ONLINE: _("Tải kết quả bản điện tử tại trang “Hồ sơ của tôi”. Không phải đi lại."),
    ResultDelivery.COUNTER: _(
        "Đến Bộ phận một cửa của cơ quan tiếp nhận vào ngày hẹn, mang theo giấy tờ tùy thân."
    ),
    ResultDelivery.POSTAL: _("Bưu điện chuyển kết quả đến địa chỉ của bạn; có thể mất thêm phí chuyển phát."),
}


class DeliveryForm(LinkedErrorsForm):
    FIELDS = {"result_delivery": "result_delivery"}

    result_delivery = forms.ChoiceField(
        label=_("Bạn muốn nhận kết quả bằng cách nào?"),
        choices=ResultDelivery.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Vui lòng chọn một cách nhận kết quả."),
            "invalid_choice": _("Vui lòng chọn một cách nhận kết quả."),
        },
    )


class WithdrawForm(LinkedErrorsForm):
    FIELDS = {"reason": "reason"}

    reason = forms.CharField(
        label=_("Lý do rút hồ sơ"),
        max_length=1000,
        help_text=_("Ví dụ: không còn nhu cầu, nộp nhầm thủ tục."),
        widget=forms.Textarea(attrs={"rows": 3}),
        # The same words as `actions.withdraw` uses when the reason is empty.
        error_messages={"required": _("Vui lòng nêu lý do rút hồ sơ.")},
    )


class SupplementForm(LinkedErrorsForm):
    FIELDS = {"note": "note"}

    note = forms.CharField(
        label=_("Ghi chú cho cán bộ (không bắt buộc)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LookupForm(LinkedErrorsForm):
    FIELDS = {"code": "code", "contact": "contact"}

    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=40,
        help_text=_("In trên Giấy tiếp nhận, ví dụ 000.00.17.H56-210531-0001."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Vui lòng nhập mã hồ sơ.")},
    )
    contact = forms.CharField(
        label=_("Số điện thoại hoặc số định danh cá nhân"),
        max_length=20,
        help_text=_("Số đã ghi khi nộp hồ sơ."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại hoặc số định danh cá nhân.")},
    )
