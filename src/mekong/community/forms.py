"""Forms of the community pages. They parse what was sent; the rules are in `community.actions`, whose
refusals are shown on the fields they name (`add_domain_error`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mekong.catalog.models import Agency
from mekong.community.models import ActivityKind
from mekong.community.selectors import today
from mekong.geo.models import AdministrativeUnit
from mekong.portal.dossier_forms import LinkedErrorsForm


class ActivityForm(LinkedErrorsForm):
    FIELDS = {"kind": "kind", "household": "household", "hamlet": "hamlet", "date": "date", "note": "note"}

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Đã hỗ trợ việc gì?"),
        choices=ActivityKind.choices,
        widget=forms.RadioSelect(attrs={"class": "big-choice"}),
        error_messages={"required": _("Chọn nội dung hỗ trợ.")},
    )
    household = forms.CharField(
        label=_("Hộ gia đình được hỗ trợ"),
        help_text=_("Tên chủ hộ, có thể thêm số nhà. Ví dụ: Hộ ông Nguyễn Văn Tư, số 12."),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "next"}),
        error_messages={"required": _("Ghi tên chủ hộ hoặc hộ gia đình được hỗ trợ.")},
    )
    hamlet = forms.TypedChoiceField(label=_("Ấp, khu vực"), coerce=int)
    date = forms.DateField(
        label=_("Ngày hỗ trợ"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": _("Chọn ngày hỗ trợ."), "invalid": _("Ngày không hợp lệ.")},
    )
    note = forms.CharField(
        label=_("Ghi chú (không bắt buộc)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, hamlets: Sequence[AdministrativeUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hamlet"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(hamlet.pk, hamlet.name) for hamlet in hamlets]
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())
            self.initial.setdefault("date", today())


class CitizenForm(LinkedErrorsForm):
    """Who the member files for, and where."""

    FIELDS = {
        "full_name": "full_name",
        "personal_id": "personal_id",
        "phone": "phone",
        "address": "address",
        "agency": "agency",
        "applicant_name": "full_name",
    }

    agency = forms.TypedChoiceField(
        label=_("Cơ quan tiếp nhận hồ sơ"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Vui lòng chọn cơ quan tiếp nhận hồ sơ."),
            "invalid_choice": _("Cơ quan này không tiếp nhận thủ tục. Vui lòng chọn trong danh sách."),
        },
    )
    full_name = forms.CharField(
        label=_("Họ và tên người nộp"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Vui lòng nhập họ và tên người nộp.")},
    )
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân (12 số trên căn cước)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Vui lòng nhập số định danh cá nhân.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động của người nộp"),
        help_text=_("Mã xác nhận và mọi thông báo về hồ sơ được gửi đến số này."),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        error_messages={"required": _("Vui lòng nhập số điện thoại di động.")},
    )
    address = forms.CharField(label=_("Địa chỉ (không bắt buộc)"), max_length=300, required=False)

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(agency.pk, agency.name) for agency in agencies]
        self.agencies = {agency.pk: agency for agency in agencies}

    def chosen(self) -> Agency:
        return self.agencies[self.cleaned_data["agency"]]


class CodeForm(LinkedErrorsForm):
    FIELDS = {"code": "code"}

    code = forms.CharField(
        label=_("Mã xác nhận người dân nhận qua tin nhắn"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
        error_messages={"required": _("Nhập mã xác nhận gồm 6 chữ số.")},
    )


class SignatureForm(LinkedErrorsForm):
    FIELDS = {"signature": "signature"}

    signature = forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        max_length=420_000,
        error_messages={"max_length": _("Chữ ký không hợp lệ.")},
    )


class ImportForm(LinkedErrorsForm):
    FIELDS = {"file": "file"}

    file = forms.FileField(
        label=_("Tệp danh sách (.xlsx hoặc .csv)"),
        help_text=_(
            "Bảng có các cột STT, Họ và tên, Chức vụ trong tổ, Số điện thoại, Kỹ năng, Ấp/Khu vực, Xã/Phường, "
            "Tên tổ, Ngày bắt đầu, Ngày kết thúc, Ghi chú (có thể có dòng tiêu đề phía trên bảng)."
        ),
        error_messages={"required": _("Chọn tệp danh sách."), "empty": _("Tệp rỗng.")},
    )
    check_only = forms.BooleanField(label=_("Chỉ kiểm tra, chưa nhập"), required=False)


class FigureFilterForm(forms.Form):
    commune = forms.TypedChoiceField(label=_("Xã, phường"), coerce=int, required=False, empty_value=None)
    since = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, communes: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["commune"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Tất cả"))] + [
            (agency.pk, agency.unit.name if agency.unit else agency.name) for agency in communes
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("Ngày kết thúc trước ngày bắt đầu."))
        return cleaned


class ActivationStartForm(LinkedErrorsForm):
    FIELDS = {"personal_id": "personal_id", "phone": "phone"}

    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động đã dùng khi nộp hồ sơ"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )


class ActivationFinishForm(ActivationStartForm):
    FIELDS = {"personal_id": "personal_id", "phone": "phone", "code": "code", "password1": "password1"}

    code = forms.CharField(
        label=_("Mã kích hoạt nhận qua tin nhắn"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password1 = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", _("Hai lần nhập mật khẩu không giống nhau."))
        return cleaned
