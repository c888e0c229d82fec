"""Personal IDs, phone numbers and token secrets (pure, property-tested)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.accounts.identifiers import (
    is_personal_id,
    is_reserved_username,
    normalize_identifier,
    normalize_phone,
)
from mekong.accounts.tokens import display_prefix, hash_secret, looks_like_secret, new_secret

mobile_numbers = st.builds(
    lambda prefix, rest: f"0{prefix}{rest}", st.sampled_from("35789"), st.from_regex(r"\d{8}", fullmatch=True)
)


@given(mobile_numbers)
def test_every_way_of_writing_a_mobile_number_gives_the_national_form(number: str) -> None:
    subscriber = number[1:]
    spaced = f"{number[:4]} {number[4:7]} {number[7:]}"
    dotted = f"{number[:4]}.{number[4:7]}.{number[7:]}"
    for written in (number, f"+84{subscriber}", f"84{subscriber}", f"+84 {subscriber}", spaced, dotted):
        assert normalize_phone(written) == number
    assert normalize_phone(number) == normalize_phone(normalize_phone(number) or "")


@pytest.mark.parametrize(
    "text",
    ["", "0912345", "09123456789", "0212345678", "1912345678", "+85912345678", "09123abc78", "0012345678"],
)
def test_not_a_vietnamese_mobile_number(text: str) -> None:
    assert normalize_phone(text) is None


@given(st.from_regex(r"\d{12}", fullmatch=True))
def test_twelve_digits_are_a_personal_id(value: str) -> None:
    assert is_personal_id(value)
    assert normalize_identifier(f"  {value} ") == value


@pytest.mark.parametrize("value", ["", "12345678901", "1234567890123", "12345678901a", " 123456789012"])
def test_anything_else_is_not(value: str) -> None:
    assert not is_personal_id(value)


def test_sign_in_identifiers_are_normalised_for_counting() -> None:
    assert normalize_identifier("+84 912 345 678") == "0912345678"
    assert normalize_identifier("  MotCua.Xa ") == "motcua.xa"


@pytest.mark.parametrize(
    ("username", "reserved"),
    [
        ("093090001234", True),
        ("+84912345678", True),
        ("0912.345.678", True),
        ("motcua.xa", False),
        ("cb2", False),
    ],
)
def test_digit_only_usernames_are_reserved(username: str, reserved: bool) -> None:
    assert is_reserved_username(username) is reserved


def test_token_secrets_are_random_hashed_and_recognisable() -> None:
    secret = new_secret()

    assert secret != new_secret()
    assert looks_like_secret(secret)
    assert not looks_like_secret("not-ours")
    assert hash_secret(secret) == hashlib.sha256(secret.encode()).hexdigest()
    assert display_prefix(secret) == secret[:12]
    assert len(secret) >= 40  # 256 random bits
