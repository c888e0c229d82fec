from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mekong.catalog.models import ProcedureField, ProcedureLevel


class ProcedureFilterForm(forms.Form):
    """The search box and filters of the portal home; read from the query string."""

    q = forms.CharField(
        label=_("Tìm thủ tục"),
        max_length=200,
        required=False,
        widget=forms.SearchInput(
            attrs={
                "autocomplete": "off",
                "placeholder": _("Ví dụ: đăng ký khai sinh"),
                "enterkeyhint": "search",
            }
        ),
    )
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    level = forms.ChoiceField(
        label=_("Cấp thực hiện"),
        required=False,
        choices=[("", _("Tất cả các cấp")), *ProcedureLevel.choices],
    )

    def __init__(self, *args: Any, fields: Iterable[ProcedureField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_choice = self.fields["field"]
        assert isinstance(field_choice, forms.ChoiceField)
        field_choice.choices = [("", _("Tất cả lĩnh vực")), *((item.code, item.name) for item in fields)]
        field_choice.error_messages["invalid_choice"] = _("Lĩnh vực không có trong danh mục.")
        level_choice = self.fields["level"]
        assert isinstance(level_choice, forms.ChoiceField)
        level_choice.error_messages["invalid_choice"] = _("Cấp thực hiện không hợp lệ.")

    def full_clean(self) -> None:
        super().full_clean()
        # Screen readers read the error with the control it belongs to (ids as in portal/home.html).
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-loi"
