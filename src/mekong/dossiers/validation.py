"""Checks on what citizens send: the applicant form against the procedure's JSON Schema, and uploaded files
by their content (never their name). Messages are Vietnamese, per field."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError

from mekong.core.errors import FieldError

_MESSAGES = {
    "required": _("Vui lòng nhập “{title}”."),
    "type": _("“{title}” không đúng kiểu dữ liệu."),
    "pattern": _("“{title}” không đúng định dạng."),
    "format": _("“{title}” không đúng định dạng."),
    "enum": _("“{title}” phải là một trong các giá trị cho phép."),
    "const": _("“{title}” không đúng giá trị yêu cầu."),
    "minimum": _("“{title}” không được nhỏ hơn {limit}."),
    "exclusiveMinimum": _("“{title}” phải lớn hơn {limit}."),
    "maximum": _("“{title}” không được lớn hơn {limit}."),
    "exclusiveMaximum": _("“{title}” phải nhỏ hơn {limit}."),
    "minLength": _("“{title}” phải có ít nhất {limit} ký tự."),
    "maxLength": _("“{title}” không được dài quá {limit} ký tự."),
    "minItems": _("“{title}” cần ít nhất {limit} mục."),
    "maxItems": _("“{title}” có nhiều nhất {limit} mục."),
    "additionalProperties": _("Tờ khai có trường không được phép."),
}
_FALLBACK = _("“{title}” không hợp lệ.")


def _field_title(schema: dict[str, Any], path: list[str]) -> str:
    node: Any = schema
    for part in path:
        node = node.get("properties", {}).get(part, {}) if isinstance(node, dict) else {}
    return str(node.get("title") or (path[-1] if path else "")) if isinstance(node, dict) else path[-1]


def form_errors(schema: dict[str, Any], data: Any) -> list[FieldError]:
    """Every problem with `data`, one FieldError per field, in the schema's wording."""
    validator = Draft202012Validator(schema or {"type": "object"}, format_checker=FormatChecker())
    errors: list[FieldError] = []
    seen: set[str] = set()
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        errors.extend(_describe(schema, error, seen))
    return errors


def _describe(schema: dict[str, Any], error: SchemaError, seen: set[str]) -> Iterable[FieldError]:
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        present: Any = error.instance if isinstance(error.instance, dict) else {}
        missing = [name for name in required if name not in present]
        for name in missing:
            field = ".".join([*path, name])
            if field not in seen:
                seen.add(field)
                yield FieldError(
                    field, _MESSAGES["required"], params={"title": _field_title(schema, [*path, name])}
                )
        return
    field = ".".join(path) or "form"
    if field in seen:
        return
    seen.add(field)
    message = _MESSAGES.get(str(error.validator), _FALLBACK)
    limit = error.validator_value if not isinstance(error.validator_value, dict | list) else ""
    yield FieldError(field, message, params={"title": _field_title(schema, path) or field, "limit": limit})


# --- uploaded files -------------------------------------------------------------------------------------

ALLOWED_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
# What a file name promises; the content must agree (whoever downloads "to-khai.pdf" expects a PDF).
EXTENSION_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def sniff_content_type(head: bytes, tail: bytes) -> str | None:
    """The file's real type from its first and last bytes; None when it is none we accept."""
    if head.startswith(b"%PDF-") and b"%%EOF" in tail:
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in tail:
        return "image/png"
    if head.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in tail:
        return "image/jpeg"
    return None


def sniff_stream(stream: IO[bytes]) -> str:
    """The content type of a stored file (an uploaded result may be an image), or octet-stream."""
    head = stream.read(16)
    stream.seek(0, 2)
    stream.seek(max(0, stream.tell() - 1024))
    tail = stream.read()
    stream.seek(0)
    return sniff_content_type(head, tail) or "application/octet-stream"


def max_upload_bytes() -> int:
    return int(getattr(settings, "MEKONG_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def check_upload(stream: IO[bytes], *, name: str, field: str = "file") -> CheckedFile:
    """Type from content, size limit, SHA-256. Raises DomainError naming the file."""
    from mekong.core.errors import DomainError

    limit = max_upload_bytes()
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    stream.seek(0)
    while chunk := stream.read(64 * 1024):
        if not head:
            head = chunk[:16]
        size += len(chunk)
        if size > limit:
            raise DomainError(
                _("Tệp “{name}” quá lớn: tối đa {limit_mb} MB."),
                errors=[FieldError(field, _("Tệp quá lớn."))],
                code="file_too_large",
                status=413,
                name=name,
                limit_mb=limit // (1024 * 1024),
            )
        digest.update(chunk)
        tail = (tail + chunk)[-1024:]
    stream.seek(0)
    if size == 0:
        raise DomainError(
            _("Tệp “{name}” rỗng."), errors=[FieldError(field, _("Tệp rỗng."))], code="empty_file", name=name
        )
    content_type = sniff_content_type(head, tail)
    if content_type is None:
        raise DomainError(
            _(
                "Tệp “{name}” không phải PDF, JPEG hoặc PNG hợp lệ (kiểm tra theo nội dung tệp, không theo tên)."
            ),
            errors=[FieldError(field, _("Chỉ nhận tệp PDF, JPEG hoặc PNG."))],
            code="unsupported_file_type",
            status=415,
            name=name,
        )
    extension = PurePath(name).suffix.lower()
    promised = EXTENSION_TYPES.get(extension)
    if promised is not None and promised != content_type:
        raise DomainError(
            _("Tệp “{name}” có đuôi {extension} nhưng nội dung là {actual}. Vui lòng chọn đúng tệp."),
            errors=[FieldError(field, _("Đuôi tệp không khớp với nội dung."))],
            code="file_type_mismatch",
            status=415,
            name=name,
            extension=extension,
            actual=TYPE_NAMES[content_type],
        )
    return CheckedFile(content_type=content_type, size=size, sha256=digest.hexdigest())
