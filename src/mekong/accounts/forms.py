"""Sign-in and registration forms (Vietnamese labels; the rules live in `actions`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mekong.accounts.throttle import SignInThrottle
from mekong.core.errors import DomainError, FieldError, in_language

# The rules come from settings.AUTH_PASSWORD_VALIDATORS, in the language of the request.
_password_help = lazy(lambda: " ".join(password_validation.password_validators_help_texts()), str)()

TOO_MANY_FAILURES = _("Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.")


class AccessibleErrorsMixin:
    """Point each invalid input at its error message (`aria-describedby`), so screen readers read it."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.link_errors()

    def link_errors(self) -> None:
        form: forms.BaseForm = self  # type: ignore[assignment]
        for name in form.errors:
            if name in form.fields:
                bound = form[name]
                described_by = [f"{bound.auto_id}_helptext"] if bound.help_text else []
                form.fields[name].widget.attrs["aria-describedby"] = " ".join(
                    [*described_by, f"{bound.auto_id}-loi"]
                )


class SignInForm(AccessibleErrorsMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Số định danh cá nhân / tên đăng nhập")
        self.fields["username"].help_text = _("Công dân: số định danh cá nhân (12 số) hoặc số điện thoại.")
        self.fields["username"].widget.attrs.update({"autocapitalize": "none", "spellcheck": "false"})
        self.fields["password"].label = _("Mật khẩu")

    def clean(self) -> dict[str, Any]:
        identifier = self.cleaned_data.get("username") or ""
        throttle = (
            SignInThrottle(self.request, identifier) if self.request is not None and identifier else None
        )
        if throttle is not None and throttle.is_blocked():
            raise ValidationError(
                str(TOO_MANY_FAILURES).format(minutes=throttle.limit.window_minutes), code="rate_limited"
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if throttle is not None:
                throttle.record_failure()
            raise
        if throttle is not None:
            throttle.reset()
        return cleaned


class RegistrationForm(AccessibleErrorsMixin, forms.Form):
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=12,
        help_text=_("12 chữ số, in trên thẻ căn cước."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"\d{12}"}),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_password_help,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # Field names in the action's errors → fields of this form.
    ACTION_FIELDS = {
        "personal_id": "personal_id",
        "phone": "phone",
        "full_name": "full_name",
        "password": "password1",
    }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Hai mật khẩu không khớp nhau."))
        return cleaned

    def add_domain_error(self, error: DomainError) -> None:
        """Show the action's refusal on the fields it names, the rest at the top of the form."""
        self.add_field_errors(error.errors)
        if not error.errors:
            self.add_error(None, str(error))

    def add_field_errors(self, errors: list[FieldError]) -> None:
        """Add the action's field errors, except on fields that already show one (say, "required")."""
        already = set(self.errors)
        for item in errors:
            field = self.ACTION_FIELDS.get(item.field)
            if field in already:
                continue
            self.add_error(field, in_language(item.message, get_language() or "vi", **item.params))
        self.link_errors()

    def raw_values(self) -> dict[str, str]:
        """What was typed, for checking fields the form itself has not validated."""
        return {
            "personal_id": self.data.get("personal_id", ""),
            "phone": self.data.get("phone", ""),
            "full_name": self.data.get("full_name", ""),
            "password": self.data.get("password1", ""),
        }
