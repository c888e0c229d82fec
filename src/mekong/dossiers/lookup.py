"""Public status lookup (tra cứu hồ sơ): a dossier code plus the phone number or personal ID on file.

Anyone may ask, so the answer must not help anyone guess: "no such code" and "details don't match" give the
same 404 message after the same work (one query by code, then a constant-time comparison against the
dossier's details or, when there is no dossier, against a dummy), and each client address is allowed a
limited number of lookups per window. The result carries no personal data but a masked name.

Call `lookup_status(request, code, secret)` from a view or an API operation; it raises DomainError
(`LookupNotFound` 404, `LookupRateLimited` 429 with `retry_after`, 400 for a code that is not a code).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mekong.accounts.identifiers import is_personal_id, normalize_phone
from mekong.accounts.throttle import FailureLimit, SignInThrottle
from mekong.core.errors import DomainError, FieldError, NotFound
from mekong.dossiers.codes import InvalidDossierCode, parse_dossier_code
from mekong.dossiers.models import Dossier
from mekong.dossiers.selectors import (
    TimelineEntry,
    action_label,
    actor_role_label,
    is_status_change,
    status_label,
)

NOT_FOUND_MESSAGE = _(
    "Không tìm thấy hồ sơ khớp với mã hồ sơ và số điện thoại hoặc số định danh cá nhân đã nhập. "
    "Vui lòng kiểm tra lại."
)
RATE_LIMITED_MESSAGE = _("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau {minutes} phút.")
BAD_CODE_MESSAGE = _("Mã hồ sơ không đúng định dạng (ví dụ 000.00.17.H56-210531-0001).")

# Compared against when there is no dossier, so a missing code costs the same as a wrong secret.
_DUMMY_PERSONAL_ID = "000000000000"
_DUMMY_PHONE = "0900000000"
_SEPARATORS = str.maketrans("", "", " .-()")
_LOOKUP_FIELDS = (
    "code",
    "status",
    "applicant_name",
    "applicant_personal_id",
    "applicant_phone",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "procedure__code",
    "procedure__name",
    "agency__code",
    "agency__name",
)
_EVENT_FIELDS = (
    "events__created_at",
    "events__command",
    "events__from_status",
    "events__to_status",
    "events__actor_role",
)


def lookup_limit() -> FailureLimit:
    """Lookups allowed per client address and window (settings MEKONG_LOOKUP_LIMIT, default 20, and
    MEKONG_LOOKUP_WINDOW_SECONDS, default 600)."""
    return FailureLimit(
        attempts=int(getattr(settings, "MEKONG_LOOKUP_LIMIT", 20)),
        window_seconds=int(getattr(settings, "MEKONG_LOOKUP_WINDOW_SECONDS", 600)),
    )


class LookupNotFound(NotFound):
    code = "not_found"

    def __init__(self) -> None:
        super().__init__(NOT_FOUND_MESSAGE)


class LookupRateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, limit: FailureLimit) -> None:
        self.retry_after = limit.window_seconds
        super().__init__(RATE_LIMITED_MESSAGE, minutes=limit.window_minutes)


@dataclass(frozen=True)
class LookupResult:
    code: str
    status: int
    status_label: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    applicant_name: str  # masked
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    timeline: list[TimelineEntry]


def mask_name(name: str) -> str:
    """ "Nguyễn Văn An" → "Ng*** V** An": the given name (last word) in full, the family name's first two
    letters, the first letter of each middle name. Fixed-length masks so the length is not told."""
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return words[0][:1] + "***"
    family, *middle, given = words
    return " ".join([family[:2] + "***", *(word[:1] + "**" for word in middle), given])


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def _matches(given: str, expected: str) -> bool:
    # Digests have the same length whatever the input, so compare_digest takes the same time too.
    return hmac.compare_digest(_digest(given), _digest(expected)) and bool(given) and bool(expected)


def secret_matches(dossier: Dossier | None, secret: str) -> bool:
    """Does `secret` (a phone number in any usual writing, or a 12-digit personal ID) match the dossier?
    Does the same comparisons when `dossier` is None."""
    if dossier is None:
        return _secret_matches(None, secret)
    return _secret_matches((dossier.applicant_personal_id, dossier.applicant_phone), secret)


def _secret_matches(stored: tuple[str, str] | None, secret: str) -> bool:
    # `stored`: the dossier's (personal ID, phone), None when there is no dossier.
    compact = secret.translate(_SEPARATORS)
    given_id = compact if is_personal_id(compact) else ""
    given_phone = normalize_phone(secret) or ""
    expected_id, stored_phone = stored if stored is not None else (_DUMMY_PERSONAL_ID, _DUMMY_PHONE)
    expected_phone = normalize_phone(stored_phone) or ""
    # `|`, not `or`: both comparisons always run.
    matched = _matches(given_id, expected_id) | _matches(given_phone, expected_phone)
    return stored is not None and matched


def find_dossier(code: str, secret: str) -> LookupResult:
    """The public view of the dossier `code` if `secret` matches it; LookupNotFound otherwise."""
    try:
        canonical = str(parse_dossier_code(code))
    except InvalidDossierCode:
        raise DomainError(BAD_CODE_MESSAGE, errors=[FieldError("code", BAD_CODE_MESSAGE)]) from None
    # One query by code for every outcome, in plain values (the hottest public query: no model instances):
    # the dossier's columns the answer needs (not the form, nor the procedure's form schema), one row per
    # event through a LEFT JOIN. The events come along even when the secret turns out not to match, so
    # that case costs what a match does.
    rows = list(
        Dossier.objects.filter(code=canonical)
        .order_by("events__sequence")
        .values(*_LOOKUP_FIELDS, *_EVENT_FIELDS)
    )
    row = rows[0] if rows else None
    stored = (row["applicant_personal_id"], row["applicant_phone"]) if row is not None else None
    matched = _secret_matches(stored, secret)
    if row is None or row["code"] is None or row["status"] is None or not matched:
        raise LookupNotFound()
    # The public timeline says what happened and when, never the officers' notes nor the event data.
    entries = [
        TimelineEntry(
            at=r["events__created_at"],
            action=r["events__command"],
            action_label=action_label(r["events__command"]),
            status=r["events__to_status"],
            status_label=status_label(r["events__to_status"]),
            actor_role=r["events__actor_role"],
            actor_role_label=actor_role_label(r["events__actor_role"]),
            note="",
        )
        for r in rows
        if r["events__created_at"] is not None  # the LEFT JOIN's row for a dossier without events
        and is_status_change(r["events__command"], r["events__from_status"], r["events__to_status"])
    ]
    return LookupResult(
        code=row["code"],
        status=row["status"],
        status_label=status_label(row["status"]),
        procedure_code=row["procedure__code"],
        procedure_name=row["procedure__name"],
        agency_code=row["agency__code"],
        agency_name=row["agency__name"],
        applicant_name=mask_name(row["applicant_name"]),
        submitted_at=row["submitted_at"],
        received_at=row["received_at"],
        due_at=row["due_at"],
        finished_at=row["finished_at"],
        timeline=entries,
    )


def lookup_status(request: HttpRequest, code: str, secret: str) -> LookupResult:
    """Rate-limited `find_dossier` for the client making `request`. Every attempt counts, found or not."""
    limit = lookup_limit()
    # The sign-in throttle counts per (address, identifier); one fixed identifier makes it per address.
    throttle = SignInThrottle(request, "*", scope="dossier-lookup", limit=limit)
    if not throttle.allow_attempt():
        raise LookupRateLimited(limit)
    return find_dossier(code, secret)
