"""Tamper-evident event chain for the dossier audit trail. Pure module, no Django.

Each event stores ``hash = SHA-256(previous hash ‖ canonical JSON of its payload)``; the first event links to
the genesis hash. Changing, removing, inserting or reordering an event breaks the link at that position;
cutting the tail off is only seen against a head hash kept elsewhere (``expected_head``).

Canonical JSON: keys sorted, no whitespace, ``ensure_ascii=False``, UTF-8. Values are normalised first so a
payload hashes the same before and after a database round trip: aware datetimes → ISO 8601 in UTC with
microseconds, dates → ``YYYY-MM-DD``, times → ``HH:MM:SS.ffffff``, Decimals → plain decimal strings with
no trailing zeros (``Decimal("1.10")`` → ``"1.1"``), UUIDs → strings, tuples → lists. Dict keys must be
strings; naive datetimes, NaN/infinity, sets, bytes and other types are refused. Store
``normalise(payload)`` and the stored JSON will hash to the same value.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

GENESIS = "0" * 64
HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")

JSONValue = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"cannot hash a non-finite decimal: {value}")
    if value.is_zero():
        return "0"
    return format(value.normalize(), "f")


def normalise(value: Any) -> JSONValue:
    """``value`` as plain JSON types, in the canonical form the hash is computed over."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Enum):
        return normalise(value.value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"cannot hash a non-finite number: {value}")
        return value
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"cannot hash a naive datetime: {value!r}")
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"cannot hash a time with a timezone: {value!r}")
        return value.isoformat(timespec="microseconds")
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        result: dict[str, JSONValue] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"payload keys must be strings: {key!r}")
            result[key] = normalise(item)
        return result
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    raise TypeError(f"cannot hash a value of type {type(value).__name__}: {value!r}")


def canonical_json(value: Any) -> str:
    return json.dumps(
        normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def event_hash(previous_hash: str, payload: Mapping[str, Any]) -> str:
    if not HASH_PATTERN.fullmatch(previous_hash):
        raise ValueError(f"not a SHA-256 hex digest: {previous_hash!r}")
    digest = hashlib.sha256(previous_hash.encode("ascii"))
    digest.update(canonical_json(payload).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    first_bad_index: int | None = None
    reason: str | None = None
    count: int = 0
    head: str = GENESIS


def verify_chain(
    events: Iterable[tuple[Mapping[str, Any], str]],
    genesis: str = GENESIS,
    *,
    expected_head: str | None = None,
) -> ChainReport:
    """Check every link. ``first_bad_index`` is the 0-based position of the first event whose stored hash
    does not match; with ``expected_head`` a chain that ends early or too late is reported at the position
    after its last event."""
    previous = genesis
    count = 0
    for index, (payload, stored_hash) in enumerate(events):
        try:
            expected = event_hash(previous, payload)
        except (TypeError, ValueError) as exc:
            return ChainReport(
                False, index, f"Sự kiện thứ {index + 1} có dữ liệu không hợp lệ: {exc}", count, previous
            )
        if stored_hash != expected:
            return ChainReport(
                False,
                index,
                f"Mã băm của sự kiện thứ {index + 1} không khớp: dữ liệu đã bị sửa, xóa, chèn hoặc đổi thứ tự.",
                count,
                previous,
            )
        previous = stored_hash
        count += 1
    if expected_head is not None and previous != expected_head:
        return ChainReport(
            False,
            count,
            f"Chuỗi sự kiện kết thúc sau {count} sự kiện nhưng mã băm cuối không khớp.",
            count,
            previous,
        )
    return ChainReport(True, None, None, count, previous)
