"""Forms of the notification pages; the rules live in `notify.actions`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mekong.core.errors import DomainError
from mekong.notify.channels.registry import registry


class PreferencesForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Nhận thông báo qua"), required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Ngôn ngữ của thông báo"), widget=forms.RadioSelect)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["channels"].choices = [(channel.name, channel.label) for channel in registry]  # type: ignore[attr-defined]
        self.fields["language"].choices = [(code, name) for code, name in settings.LANGUAGES]  # type: ignore[attr-defined]

    def add_domain_error(self, error: DomainError) -> None:
        for item in error.errors:
            if item.field in self.fields:
                self.add_error(
                    item.field, str(item.message).format(**{k: str(v) for k, v in item.params.items()})
                )
        if not any(item.field in self.fields for item in error.errors):
            self.add_error(None, str(error))
