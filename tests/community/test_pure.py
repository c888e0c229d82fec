"""Pure helpers: one-time codes, masked phones, place names as people type them, phones Excel mangled."""

from __future__ import annotations

import base64
import io
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from mekong.community import otp
from mekong.community.signature import check_signature, from_data_url
from mekong.community.transfer import parse_date, parse_phone, place_key
from mekong.core.errors import DomainError

KEY = b"k" * 32


@given(st.integers(min_value=0, max_value=999_999))
def test_a_code_matches_its_hash_and_no_other_code_does(number: int) -> None:
    code = f"{number:06d}"
    salt = otp.new_salt()
    stored = otp.code_hash(code, salt, KEY)

    assert otp.matches(code, salt, stored, KEY)
    assert otp.matches(f"{code[:3]} {code[3:]}", salt, stored, KEY)  # typed with a space
    assert not otp.matches(f"{(number + 1) % 1_000_000:06d}", salt, stored, KEY)
    assert not otp.matches(code, otp.new_salt(), stored, KEY)
    assert not otp.matches(code, salt, stored, b"another key" * 3)


def test_codes_have_six_digits_and_vary() -> None:
    codes = {otp.new_code() for _ in range(200)}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 150


@pytest.mark.parametrize(
    ("phone", "masked"), [("0912345678", "0912•••678"), ("0387654321", "0387•••321"), ("12", "••")]
)
def test_phones_are_masked(phone: str, masked: str) -> None:
    assert otp.mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Phường VII", "phuong 7"),
        ("phuong 7", "phuong 7"),
        ("PHƯỜNG  VII", "phuong 7"),
        ("KV3", "khu vuc 3"),
        ("kv 3", "khu vuc 3"),
        ("Khu vực III", "khu vuc 3"),
        ("Xã Vị Đông", "xa vi dong"),  # "Vị" is not a Roman six
        ("Vị Thanh", "vi thanh"),
        ("VII", "7"),
        ("Ấp Vị Đông 1", "ap vi dong 1"),
    ],
)
def test_place_names_as_people_type_them(typed: str, key: str) -> None:
    assert place_key(typed) == key


@pytest.mark.parametrize(
    ("value", "phone"),
    [
        (912345678, "0912345678"),  # Excel dropped the leading 0
        (912345678.0, "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0212345678", None),  # a landline prefix
        ("12345", None),
        (True, None),
        (None, None),
    ],
)
def test_phones_as_spreadsheets_hold_them(value: object, phone: str | None) -> None:
    assert parse_phone(value) == phone


def test_dates_as_spreadsheets_hold_them() -> None:
    assert parse_date(datetime(2025, 3, 1, 0, 0)) == date(2025, 3, 1)
    assert parse_date(date(2025, 3, 1)) == date(2025, 3, 1)
    assert parse_date("1/3/2025") == date(2025, 3, 1)
    assert parse_date("01-03-2025") == date(2025, 3, 1)
    assert parse_date("2025-03-01") == date(2025, 3, 1)
    with pytest.raises(ValueError, match="tháng 3"):
        parse_date("tháng 3")


def drawn(width: int = 200, height: int = 80, *, ink: bool = True, mode: str = "RGBA") -> bytes:
    image = Image.new(mode, (width, height), (0, 0, 0, 0) if mode == "RGBA" else "white")
    if ink:
        ImageDraw.Draw(image).line([(5, 40), (60, 10), (120, 70), (190, 20)], fill="black", width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_signatures_from_the_canvas() -> None:
    png = drawn()
    url = "data:image/png;base64," + base64.b64encode(png).decode()

    assert from_data_url(url) == png
    assert check_signature(png).width == 200
    with pytest.raises(DomainError):
        check_signature(drawn(ink=False))  # transparent and empty: nothing signed
    with pytest.raises(DomainError):
        check_signature(drawn(ink=False, mode="RGB"))
    with pytest.raises(DomainError):
        check_signature(drawn(3000, 50))
    for bad in ("", "data:image/jpeg;base64,AAAA", "data:image/png;base64,@@@"):
        with pytest.raises(DomainError):
            from_data_url(bad)
