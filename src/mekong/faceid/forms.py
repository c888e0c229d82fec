from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mekong.faceid.actions import FactorKind
from mekong.portal.dossier_forms import LinkedErrorsForm

PHOTO_ATTRS = {"accept": "image/jpeg,image/png,image/webp", "capture": "user"}


class FaceLookupForm(LinkedErrorsForm):
    FIELDS = {
        "factor_kind": "factor_kind",
        "factor": "factor",
        "frontal": "frontal",
        "turned": "turned",
        "challenge": "frontal",
    }

    challenge = forms.CharField(widget=forms.HiddenInput)
    factor_kind = forms.ChoiceField(
        label=_("Điều bạn nhớ"),
        choices=[(FactorKind.BIRTH_DATE, _("Ngày sinh")), (FactorKind.PHONE, _("4 số cuối điện thoại"))],
        initial=FactorKind.BIRTH_DATE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn ngày sinh hoặc 4 số cuối điện thoại.")},
    )
    factor = forms.CharField(
        label=_("Ngày sinh (ngày/tháng/năm) hoặc 4 số cuối điện thoại"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Nhập ngày sinh hoặc 4 số cuối điện thoại.")},
    )
    frontal = forms.FileField(
        label=_("Ảnh 1: nhìn thẳng vào máy ảnh"),
        widget=forms.ClearableFileInput(attrs=PHOTO_ATTRS),
        error_messages={"required": _("Chụp ảnh thứ nhất (nhìn thẳng).")},
    )
    turned = forms.FileField(
        label=_("Ảnh 2: quay đầu theo hướng dẫn"),
        widget=forms.ClearableFileInput(attrs=PHOTO_ATTRS),
        error_messages={"required": _("Chụp ảnh thứ hai (quay đầu).")},
    )


class EnrolmentForm(LinkedErrorsForm):
    FIELDS = {"consent": "consent", "photo": "photo", "birth_date": "birth_date"}

    consent = forms.BooleanField(
        label=_("Tôi đã đọc và đồng ý với nội dung trên"),
        error_messages={"required": _("Cần đánh dấu đồng ý trước khi đăng ký khuôn mặt.")},
    )
    birth_date = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("Dùng khi tra cứu, cùng với khuôn mặt. Ví dụ 05/09/1990."),
        widget=forms.DateInput(attrs={"inputmode": "numeric", "autocomplete": "bday"}, format="%d/%m/%Y"),
        error_messages={"invalid": _("Ngày sinh không hợp lệ (ví dụ 05/09/1990).")},
    )
    photo = forms.FileField(
        label=_("Ảnh khuôn mặt: nhìn thẳng, đủ sáng, một mình trong khung hình"),
        widget=forms.ClearableFileInput(attrs=PHOTO_ATTRS),
        error_messages={"required": _("Chụp hoặc chọn một ảnh khuôn mặt.")},
    )
