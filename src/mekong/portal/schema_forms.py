"""Django forms built from a procedure's JSON Schema (the applicant's tờ khai).

The form only turns what was typed into JSON values. Whether they are acceptable is decided by
`mekong.dossiers.validation.form_errors`, the check the API and `actions.submit` use, so the web shows the
very message an app gets from the API. Django's own field validation is therefore never used here.

Supported properties: string (plain, long text, ``format`` date or email, ``pattern``), integer and number
(with ``minimum``/``maximum``), boolean, ``enum`` (a select), an array of an enum (checkboxes). ``title`` is
the label and ``description`` the help text. Order: an explicit ``"x-order"`` list, else the ``required``
list, then the other properties — ``required`` is an array, so its order survives PostgreSQL's ``jsonb``,
which does not keep the order of object keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mekong.core.errors import FieldError, in_language
from mekong.dossiers.validation import form_errors

ORDER_KEY = "x-order"
WIDGET_KEY = "x-widget"
# Longer strings get a text area.
LONG_TEXT = 300


class _Missing:
    """Nothing was entered: the key is left out of the JSON, so "required" can say so."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def field_order(schema: Mapping[str, Any]) -> list[str]:
    properties = schema.get("properties") or {}
    explicit = schema.get(ORDER_KEY)
    head = explicit if isinstance(explicit, list) else schema.get("required") or []
    ordered: list[str] = []
    for name in [*head, *properties]:
        if name in properties and name not in ordered:
            ordered.append(name)
    return ordered


# --- turning typed text into JSON values -------------------------------------------------------------------

_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def _text(raw: Any) -> Any:
    value = str(raw or "").strip()
    return value if value else MISSING


def _date(raw: Any) -> Any:
    """ISO (what a date input sends) or dd/mm/yyyy (what people type where there is no date picker)."""
    value = _text(raw)
    if value is MISSING:
        return MISSING
    match = _DMY.match(value)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return value
    return value  # anything else goes to the schema check as typed, which names the field


def _integer(raw: Any) -> Any:
    value = _text(raw)
    if value is MISSING:
        return MISSING
    compact = value.replace(" ", "")
    return int(compact) if _INTEGER.match(compact) else value


def _number(raw: Any) -> Any:
    value = _text(raw)
    if value is MISSING:
        return MISSING
    compact = value.replace(" ", "")
    if not _NUMBER.match(compact):
        return value
    number = float(compact.replace(",", "."))  # Vietnamese writes 12,5
    return int(number) if number.is_integer() and "," not in compact and "." not in compact else number


def _enum_value(options: list[Any], raw: Any) -> Any:
    value = _text(raw)
    if value is MISSING:
        return MISSING
    for option in options:
        if str(option) == value or (isinstance(option, bool) and str(option).lower() == value):
            return option
    return value


@dataclass(frozen=True)
class PropertyInfo:
    """One property of the schema, as the form sees it."""

    name: str
    kind: str  # text, long_text, date, email, integer, number, boolean, choice, multiple_choice
    title: str
    description: str
    required: bool
    options: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    pattern: str = ""
    default: Any = MISSING


def describe_property(name: str, spec: Mapping[str, Any], required: bool) -> PropertyInfo:
    json_type = spec.get("type")
    if isinstance(json_type, list):  # ["string", "null"]: the first real type
        json_type = next((item for item in json_type if item != "null"), "string")
    raw_items = spec.get("items")
    items: Mapping[str, Any] = raw_items if isinstance(raw_items, Mapping) else {}
    if "enum" in spec:
        kind, options = "choice", tuple(spec["enum"])
    elif json_type == "array" and "enum" in items:
        kind, options = "multiple_choice", tuple(items["enum"])
    elif json_type == "boolean":
        kind, options = "boolean", ()
    elif json_type == "integer":
        kind, options = "integer", ()
    elif json_type == "number":
        kind, options = "number", ()
    elif spec.get("format") == "date":
        kind, options = "date", ()
    elif spec.get("format") == "email":
        kind, options = "email", ()
    elif spec.get(WIDGET_KEY) == "textarea" or int(spec.get("maxLength") or 0) > LONG_TEXT:
        kind, options = "long_text", ()
    else:
        kind, options = "text", ()
    minimum = spec.get("minimum", spec.get("exclusiveMinimum"))
    maximum = spec.get("maximum", spec.get("exclusiveMaximum"))
    return PropertyInfo(
        name=name,
        kind=kind,
        title=str(spec.get("title") or name),
        description=str(spec.get("description") or ""),
        required=required,
        options=options,
        minimum=minimum if isinstance(minimum, int | float) else None,
        maximum=maximum if isinstance(maximum, int | float) else None,
        max_length=spec.get("maxLength") if isinstance(spec.get("maxLength"), int) else None,
        pattern=str(spec.get("pattern") or ""),
        default=spec.get("default", MISSING),
    )


def properties(schema: Mapping[str, Any]) -> list[PropertyInfo]:
    specs = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    return [describe_property(name, specs[name] or {}, name in required) for name in field_order(schema)]


def to_json(info: PropertyInfo, raw: Any) -> Any:
    """What was typed for `info`, as the JSON value the schema is checked against (MISSING = left out)."""
    if info.kind == "boolean":
        return bool(raw)
    if info.kind == "multiple_choice":
        chosen = [_enum_value(list(info.options), item) for item in (raw or [])]
        chosen = [item for item in chosen if item is not MISSING]
        return chosen if chosen else MISSING
    if info.kind == "choice":
        return _enum_value(list(info.options), raw)
    if info.kind == "date":
        return _date(raw)
    if info.kind == "integer":
        return _integer(raw)
    if info.kind == "number":
        return _number(raw)
    return _text(raw)


def to_raw(info: PropertyInfo, value: Any) -> str | list[str] | None:
    """A stored JSON value back as form data (the inverse of `to_json`)."""
    if info.kind == "boolean":
        return "on" if value else None
    if info.kind == "multiple_choice":
        return [str(item) for item in value] if isinstance(value, list) else [str(value)]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- Django fields that never refuse: they convert ----------------------------------------------------------


class SchemaField(forms.Field):
    """Renders like the matching Django field; `clean` converts with `to_json` and raises nothing."""

    def __init__(self, info: PropertyInfo, **kwargs: Any) -> None:
        self.info = info
        super().__init__(required=False, **kwargs)

    def clean(self, value: Any) -> Any:
        return to_json(self.info, value)


def _digits_only(pattern: str) -> bool:
    r"""``^\d{12}$``, ``^0\d{9}$``: a number pad suits them."""
    rest = re.sub(r"\\d|\[0-9\]|\{\d+(,\d*)?\}|[\d^$+*?]", "", pattern)
    return bool(pattern) and rest == ""


def _bound(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def _hint(info: PropertyInfo) -> str:
    parts = [info.description] if info.description else []
    low, high = _bound(info.minimum), _bound(info.maximum)
    if info.kind in {"integer", "number"} and (low or high):
        if low and high:
            parts.append(str(_("Từ {low} đến {high}.")).format(low=low, high=high))
        elif low:
            parts.append(str(_("Không nhỏ hơn {low}.")).format(low=low))
        else:
            parts.append(str(_("Không lớn hơn {high}.")).format(high=high))
    if info.kind == "multiple_choice":
        parts.append(str(_("Chọn một hoặc nhiều mục.")))
    return " ".join(parts)


def build_field(info: PropertyInfo) -> SchemaField:
    attrs: dict[str, Any] = {}
    if info.required and info.kind not in {"boolean", "multiple_choice"}:
        attrs["required"] = True  # announced by screen readers; the form itself is `novalidate`
    widget: forms.Widget
    if info.kind == "boolean":
        widget = forms.CheckboxInput()
    elif info.kind == "choice":
        choices = [("", _("— Chọn —")), *((str(option), str(option)) for option in info.options)]
        widget = forms.Select(choices=choices, attrs=attrs)
    elif info.kind == "multiple_choice":
        widget = forms.CheckboxSelectMultiple(choices=[(str(option), str(option)) for option in info.options])
    elif info.kind == "date":
        widget = forms.DateInput(attrs={**attrs, "type": "date"}, format="%Y-%m-%d")
    elif info.kind == "email":
        widget = forms.EmailInput(attrs={**attrs, "autocomplete": "email", "spellcheck": "false"})
    elif info.kind == "integer":
        # Text with a number pad rather than type=number: no spinner, no value changed by scrolling.
        keypad = "numeric" if info.minimum is not None and info.minimum >= 0 else "text"
        widget = forms.TextInput(attrs={**attrs, "inputmode": keypad})
    elif info.kind == "number":
        widget = forms.TextInput(attrs={**attrs, "inputmode": "decimal"})
    elif info.kind == "long_text":
        widget = forms.Textarea(attrs={**attrs, "rows": 4})
    else:
        if _digits_only(info.pattern):
            attrs.update(inputmode="numeric", autocomplete="off")
        widget = forms.TextInput(attrs=attrs)
    if info.max_length and info.kind in {"text", "long_text"}:
        widget.attrs["maxlength"] = info.max_length
    label = info.title if info.required or info.kind == "boolean" else _("{title} (không bắt buộc)")
    return SchemaField(
        info,
        label=label if isinstance(label, str) else str(label).format(title=info.title),
        help_text=_hint(info),
        widget=widget,
    )


# --- the form ----------------------------------------------------------------------------------------------


def field_for_error(error: FieldError, names: Iterable[str]) -> str | None:
    """The form field a FieldError from `form_errors` belongs to (None: the form as a whole)."""
    head = error.field.split(".", 1)[0]
    return head if head in set(names) else None


def error_text(error: FieldError) -> str:
    return in_language(error.message, get_language() or "vi", **error.params)


class SchemaForm(forms.Form):
    """The tờ khai of one procedure. After `is_valid()`, `form_data` holds the JSON to store (also when
    invalid, so a draft keeps what was typed)."""

    def __init__(self, schema: Mapping[str, Any], data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.schema = dict(schema or {})
        self.properties = properties(self.schema)
        self.form_data: dict[str, Any] = {}
        for info in self.properties:
            self.fields[info.name] = build_field(info)

    @classmethod
    def for_draft(cls, schema: Mapping[str, Any], form_data: Mapping[str, Any], **kwargs: Any) -> SchemaForm:
        """Unbound, showing a draft's saved answers (or the schema's defaults on a fresh draft)."""
        form = cls(schema, **kwargs)
        initial: dict[str, Any] = {}
        for info in form.properties:
            if info.name in form_data:
                raw = to_raw(info, form_data[info.name])
            elif not form_data and info.default is not MISSING:
                raw = to_raw(info, info.default)
            else:
                continue
            if raw is not None:
                initial[info.name] = raw
        form.initial = initial
        return form

    @classmethod
    def checking(cls, schema: Mapping[str, Any], form_data: Mapping[str, Any], **kwargs: Any) -> SchemaForm:
        """Bound to a draft's saved answers, so its errors show (resuming, or after a refused submit)."""
        data = QueryDict(mutable=True)
        for info in properties(schema):
            if info.name not in form_data:
                continue
            raw = to_raw(info, form_data[info.name])
            if isinstance(raw, list):
                data.setlist(info.name, raw)
            elif raw is not None:
                data[info.name] = raw
        form = cls(schema, data, **kwargs)
        form.full_clean()
        return form

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Booleans are never MISSING: an unticked checkbox sends nothing, and that is a "no".
        self.form_data = {
            name: value for name in self.fields if (value := cleaned.get(name, MISSING)) is not MISSING
        }
        self.add_field_errors(form_errors(self.schema, self.form_data))
        return cleaned

    def add_field_errors(self, errors: Iterable[FieldError]) -> None:
        for error in errors:
            field = field_for_error(error, self.fields)
            if field is not None and field in self.errors:
                continue  # one message per field is enough
            self.add_error(field, error_text(error))
        self.link_errors()

    def link_errors(self) -> None:
        link_errors(self)


def link_errors(form: forms.BaseForm) -> None:
    """Point each input at its help text and its error, so screen readers read both with the input."""
    for name, field in form.fields.items():
        bound = form[name]
        described = [f"{bound.auto_id}_helptext"] if field.help_text else []
        if name in form.errors:
            described.append(f"{bound.auto_id}-loi")
            field.widget.attrs["aria-invalid"] = "true"
        else:
            field.widget.attrs.pop("aria-invalid", None)
        if described:
            field.widget.attrs["aria-describedby"] = " ".join(described)
        else:
            field.widget.attrs.pop("aria-describedby", None)


def display_value(info: PropertyInfo, value: Any) -> str:
    """A stored answer as the review page shows it."""
    if info.kind == "boolean":
        return str(_("Có")) if value else str(_("Không"))
    if info.kind == "multiple_choice" and isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if info.kind == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, float):
        return _bound(value)
    return str(value)


@dataclass(frozen=True)
class ReviewRow:
    name: str
    title: str
    value: str
    answered: bool


def review_rows(schema: Mapping[str, Any], form_data: Mapping[str, Any]) -> list[ReviewRow]:
    rows = []
    for info in properties(schema):
        answered = info.name in form_data and form_data[info.name] not in ("", None, [])
        value = display_value(info, form_data[info.name]) if answered else ""
        rows.append(ReviewRow(info.name, info.title, value, answered))
    return rows
