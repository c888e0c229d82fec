"""Domain errors: raised by actions and parsers, shown to people in Vietnamese and, via the API, in
English too. Messages are Vietnamese msgids translated to English by the `en` catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise


def in_language(message: str | Promise, language: str, **params: Any) -> str:
    # Params may be lazy translations themselves: render them in the same language as the message.
    with translation.override(language):
        text = str(message)
        return text.format(**{name: str(value) for name, value in params.items()}) if params else text


@dataclass(frozen=True)
class FieldError:
    """One problem with one input: where (row and field, when there are rows) and what."""

    field: str
    message: str | Promise
    row: int | None = None
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "field": self.field,
            "message": in_language(self.message, "vi", **self.params),
            "message_en": in_language(self.message, "en", **self.params),
        }
        if self.row is not None:
            result["row"] = self.row
        return result

    def __str__(self) -> str:
        where = f"dòng {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {in_language(self.message, 'vi', **self.params)}"


class DomainError(Exception):
    """A refusal the user can understand and fix. Nothing has been changed when it is raised."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        errors: Iterable[FieldError] = (),
        code: str | None = None,
        status: int | None = None,
        **params: Any,
    ) -> None:
        self.message = message
        self.params = params
        self.errors = list(errors)
        if code:
            self.code = code
        if status:
            self.status = status
        super().__init__(in_language(message, "vi", **params))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": in_language(self.message, "vi", **self.params),
            "message_en": in_language(self.message, "en", **self.params),
            "errors": [error.as_dict() for error in self.errors],
        }


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"
