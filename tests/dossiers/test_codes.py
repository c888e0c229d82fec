"""Dossier codes in the national format ``<agency code>-<yymmdd>-<sequence>``."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.catalog.codes import agency_code
from mekong.dossiers.codes import DossierCode, InvalidDossierCode, format_dossier_code, parse_dossier_code


def test_the_national_example() -> None:
    assert format_dossier_code("000.00.17.H56", date(2021, 5, 31), 1) == "000.00.17.H56-210531-0001"
    assert parse_dossier_code("000.00.17.H56-210531-0001") == ("000.00.17.H56", date(2021, 5, 31), 1)
    assert str(DossierCode("000.00.17.H56", date(2021, 5, 31), 1)) == "000.00.17.H56-210531-0001"


def test_typed_codes_are_forgiven_spaces_and_case() -> None:
    assert parse_dossier_code("  000.00.17.h56-210531-0042 \n") == ("000.00.17.H56", date(2021, 5, 31), 42)


@pytest.mark.parametrize(
    ("agency", "day", "sequence", "message"),
    [
        ("000.00.17.H56", date(2021, 5, 31), 0, "từ 1 đến 9999"),
        ("000.00.17.H56", date(2021, 5, 31), 10_000, "từ 1 đến 9999"),
        ("000.00.17.H56", date(2021, 5, 31), True, "từ 1 đến 9999"),
        ("H56", date(2021, 5, 31), 1, "Mã cơ quan"),
        ("000.00.17.H56", date(1999, 12, 31), 1, "2000–2099"),
    ],
)
def test_format_refuses_bad_parts(agency: str, day: date, sequence: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        format_dossier_code(agency, day, sequence)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "không đúng định dạng"),
        ("000.00.17.H56-210531", "không đúng định dạng"),
        ("000.00.17.H56-210531-01", "không đúng định dạng"),
        ("000.00.17.H56-2105310-0001", "không đúng định dạng"),
        ("000.00.17.H56_210531_0001", "không đúng định dạng"),
        ("00.00.17.H56-210531-0001", "Mã cơ quan"),
        ("000.00.17.56H-210531-0001", "Mã cơ quan"),
        ("000.00.17.H56-210231-0001", "không có thật"),  # 31 February
        ("000.00.17.H56-211301-0001", "không có thật"),  # month 13
        ("000.00.17.H56-210531-0000", "0001 đến 9999"),
        ("000.00.17.H56-21O531-0001", "không đúng định dạng"),  # letter O, not zero
    ],
)
def test_parse_refuses_bad_codes_with_a_clear_message(code: str, message: str) -> None:
    with pytest.raises(InvalidDossierCode, match=message):
        parse_dossier_code(code)


agency_codes = st.builds(
    agency_code,
    level3=st.integers(0, 99),
    level2=st.integers(0, 99),
    province_letter_code=st.builds(
        lambda letter, digits: f"{letter}{digits:02d}", st.sampled_from("HGKT"), st.integers(0, 99)
    ),
    level4=st.integers(0, 999),
)


@given(agency_codes, st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.integers(1, 9999))
def test_round_trip(agency: str, day: date, sequence: int) -> None:
    code = format_dossier_code(agency, day, sequence)
    assert len(code) == len(agency) + 12
    assert parse_dossier_code(code) == DossierCode(agency, day, sequence)
    assert str(parse_dossier_code(code.lower())) == code


@given(agency_codes, st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.integers(1, 9998))
def test_codes_of_one_agency_and_day_sort_by_sequence(agency: str, day: date, sequence: int) -> None:
    assert format_dossier_code(agency, day, sequence) < format_dossier_code(agency, day, sequence + 1)
