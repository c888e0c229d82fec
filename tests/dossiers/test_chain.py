"""Tamper-evident event chain: canonical JSON, hashing and detection of every kind of tampering."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mekong.dossiers.chain import GENESIS, canonical_json, event_hash, normalise, verify_chain
from mekong.dossiers.states import Status

ICT = timezone(timedelta(hours=7))


def build_chain(payloads: list[dict[str, Any]], genesis: str = GENESIS) -> list[tuple[dict[str, Any], str]]:
    chain, previous = [], genesis
    for payload in payloads:
        previous = event_hash(previous, payload)
        chain.append((payload, previous))
    return chain


def test_canonical_json_is_sorted_compact_utf8() -> None:
    payload = {
        "note": "Đã tiếp nhận hồ sơ",
        "at": datetime(2025, 3, 3, 9, 0, tzinfo=ICT),
        "fee": Decimal("15000.00"),
        "status": Status.RECEIVED,
        "day": date(2025, 3, 3),
        "opens": time(7, 30),
        "id": UUID(int=1),
        "files": ("a.pdf",),
    }
    assert canonical_json(payload) == (
        '{"at":"2025-03-03T02:00:00.000000+00:00","day":"2025-03-03","fee":"15000","files":["a.pdf"],'
        '"id":"00000000-0000-0000-0000-000000000001","note":"Đã tiếp nhận hồ sơ","opens":"07:30:00.000000",'
        '"status":2}'
    )


def test_event_hash_is_sha256_of_previous_hash_and_canonical_json() -> None:
    payload = {"b": 1, "a": "hồ sơ"}
    expected = hashlib.sha256((GENESIS + '{"a":"hồ sơ","b":1}').encode("utf-8")).hexdigest()
    assert event_hash(GENESIS, payload) == expected
    assert event_hash(GENESIS, {"a": "hồ sơ", "b": 1}) == expected
    with pytest.raises(ValueError, match="SHA-256"):
        event_hash("abc", payload)


def test_equal_values_hash_equal_across_a_database_round_trip() -> None:
    original = {"at": datetime(2025, 3, 3, 9, tzinfo=ICT), "fee": Decimal("1.10"), "zero": Decimal("-0.00")}
    stored = json.loads(canonical_json(original))  # what a JSONField gives back
    assert stored == normalise(original)
    assert event_hash(GENESIS, stored) == event_hash(GENESIS, original)
    # The same instant in another timezone and the same amount written differently hash the same.
    same = {"at": datetime(2025, 3, 3, 2, tzinfo=UTC), "fee": Decimal("1.1"), "zero": Decimal(0)}
    assert event_hash(GENESIS, same) == event_hash(GENESIS, original)


@pytest.mark.parametrize(
    "bad",
    [
        {"at": datetime(2025, 3, 3, 9)},  # naive: which instant?
        {"x": float("nan")},
        {"x": Decimal("Infinity")},
        {"x": {1, 2}},
        {"x": b"bytes"},
        {1: "non-string key"},
    ],
)
def test_unhashable_payloads_are_refused(bad: dict[Any, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        event_hash(GENESIS, bad)


def test_a_bad_payload_in_a_chain_is_reported_not_raised() -> None:
    chain: list[tuple[Any, str]] = [*build_chain([{"n": 1}]), ({"x": {1}}, "0" * 64)]
    report = verify_chain(chain)
    assert not report.ok
    assert report.first_bad_index == 1
    assert report.reason is not None
    assert "không hợp lệ" in report.reason


# Properties ----------------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9),
    st.datetimes(timezones=st.just(UTC)),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=4,
)
payloads = st.dictionaries(st.text(min_size=1, max_size=8), values, min_size=1, max_size=3)


@st.composite
def event_lists(draw: st.DrawFn, min_size: int = 1) -> list[dict[str, Any]]:
    # A sequence number keeps events distinct, as real events are (each has its own time and actor).
    raw = draw(st.lists(payloads, min_size=min_size, max_size=6))
    return [{**payload, "seq": index} for index, payload in enumerate(raw)]


@given(event_lists())
def test_a_valid_chain_verifies(events: list[dict[str, Any]]) -> None:
    chain = build_chain(events)
    report = verify_chain(chain)
    assert report.ok
    assert report.first_bad_index is None
    assert report.count == len(events)
    assert report.head == chain[-1][1]
    assert verify_chain(chain, expected_head=chain[-1][1]).ok


@given(event_lists(), st.data())
def test_changing_any_field_is_detected_at_that_event(
    events: list[dict[str, Any]], data: st.DataObject
) -> None:
    chain = build_chain(events)
    index = data.draw(st.integers(0, len(chain) - 1))
    payload, stored = chain[index]
    key = data.draw(st.sampled_from(sorted(payload)))
    new_value = data.draw(values)
    assume(canonical_json(new_value) != canonical_json(payload[key]))
    chain[index] = ({**payload, key: new_value}, stored)
    report = verify_chain(chain)
    assert not report.ok
    assert report.first_bad_index == index


@given(event_lists(min_size=2), st.data())
def test_reordering_is_detected_at_the_first_moved_event(
    events: list[dict[str, Any]], data: st.DataObject
) -> None:
    chain = build_chain(events)
    i = data.draw(st.integers(0, len(chain) - 2))
    j = data.draw(st.integers(i + 1, len(chain) - 1))
    chain[i], chain[j] = chain[j], chain[i]
    assert verify_chain(chain).first_bad_index == i


@given(event_lists(min_size=2), st.data())
def test_deleting_an_event_is_detected(events: list[dict[str, Any]], data: st.DataObject) -> None:
    chain = build_chain(events)
    head = chain[-1][1]
    index = data.draw(st.integers(0, len(chain) - 1))
    del chain[index]
    report = verify_chain(chain, expected_head=head)
    assert not report.ok
    # A hole breaks the next link; a cut-off tail is only seen against the head kept elsewhere.
    assert report.first_bad_index == index
    if index == len(chain):
        assert verify_chain(chain).ok


@given(event_lists(), payloads, st.data())
def test_inserting_an_event_is_detected(
    events: list[dict[str, Any]], extra: dict[str, Any], data: st.DataObject
) -> None:
    chain = build_chain(events)
    head = chain[-1][1]
    index = data.draw(st.integers(0, len(chain)))
    previous = chain[index - 1][1] if index else GENESIS
    forged_hash = data.draw(st.sampled_from(["f" * 64, event_hash(previous, extra)]))
    chain.insert(index, (extra, forged_hash))
    report = verify_chain(chain, expected_head=head)
    assert not report.ok
    if forged_hash != event_hash(previous, extra):
        assert report.first_bad_index == index  # the inserted event's own link is wrong
    else:
        # A correctly hashed insertion breaks the link of the event after it (or the head at the end).
        assert report.first_bad_index == index + 1


@given(event_lists(), st.data())
def test_a_changed_stored_hash_is_detected(events: list[dict[str, Any]], data: st.DataObject) -> None:
    chain = build_chain(events)
    index = data.draw(st.integers(0, len(chain) - 1))
    payload, stored = chain[index]
    forged = data.draw(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
    assume(forged != stored)
    chain[index] = (payload, forged)
    assert verify_chain(chain).first_bad_index == index


@given(event_lists())
def test_another_genesis_gives_another_chain(events: list[dict[str, Any]]) -> None:
    other = "1" * 64
    assert verify_chain(build_chain(events, other), genesis=other).ok
    assert verify_chain(build_chain(events, other)).first_bad_index == 0
