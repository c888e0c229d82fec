"""Public status lookup: matching the secret, masking the name, equal answers for "no such code" and
"details don't match", the rate limit, and the HTTP endpoint."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from accounts.factories import CitizenFactory
from mekong.core.errors import DomainError
from mekong.dossiers import actions
from mekong.dossiers.lookup import LookupNotFound, find_dossier, mask_name, secret_matches
from mekong.dossiers.models import Dossier

from .api_support import BASE, media_in_tmp
from .factories import OneStopShop, one_stop_shop, pdf, valid_form

__all__ = ["media_in_tmp"]

LOOKUP = f"{BASE}/lookup"
PHONE = "0912345678"
PERSONAL_ID = "093190001234"


def filed(shop: OneStopShop, citizen: Any = None) -> Dossier:
    citizen = citizen or CitizenFactory(full_name="Nguyễn Văn An", phone=PHONE, personal_id=PERSONAL_ID)
    draft = actions.create_draft(
        actor=citizen, procedure=shop.procedure, agency=shop.agency, form_data=valid_form()
    )
    actions.attach_file(draft, actor=citizen, stream=pdf(), name="a.pdf", requirement=shop.requirement)
    return actions.submit(draft, actor=citizen)


# --- pure parts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "Ng*** V** An"),
        ("Lê Thị Thu Hà", "Lê*** T** T** Hà"),
        ("  Trần   Bình ", "Tr*** Bình"),
        ("Mai", "M***"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(st.lists(st.text(alphabet="abcdđêôơưyzABCĐ", min_size=1, max_size=12), min_size=2, max_size=6))
def test_masking_keeps_only_the_given_name_and_hides_lengths(words: list[str]) -> None:
    masked = mask_name(" ".join(words)).split(" ")
    assert len(masked) == len(words)
    assert masked[-1] == words[-1]
    assert masked[0] == words[0][:2] + "***"
    assert all(part == word[:1] + "**" for part, word in zip(masked[1:-1], words[1:-1], strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("secret", "matches"),
    [
        (PHONE, True),
        ("0912 345 678", True),
        ("+84 912 345 678", True),
        ("84912345678", True),
        ("0912.345.678", True),
        (PERSONAL_ID, True),
        ("0931 9000 1234", True),
        ("0912345679", False),
        ("093190001235", False),
        ("", False),
        ("Nguyễn Văn An", False),
    ],
)
def test_secret_is_the_phone_or_the_personal_id(secret: str, matches: bool) -> None:
    dossier = filed(one_stop_shop())
    assert secret_matches(dossier, secret) is matches
    assert secret_matches(None, secret) is False


@pytest.mark.django_db
def test_empty_details_on_file_never_match() -> None:
    dossier = filed(one_stop_shop())
    Dossier.objects.filter(pk=dossier.pk).update(applicant_phone="", applicant_personal_id="")
    dossier.refresh_from_db()
    assert not secret_matches(dossier, "")
    assert not secret_matches(dossier, "000000000000")


@pytest.mark.django_db
def test_find_dossier_shows_status_and_nothing_personal() -> None:
    shop = one_stop_shop()
    dossier = actions.receive(filed(shop), actor=shop.receiver, note="Ghi chú nội bộ về Nguyễn Văn An")
    assert dossier.code is not None

    result = find_dossier(f"  {dossier.code.lower()} ", "+84912345678")

    assert result.code == dossier.code
    assert result.status_label == "Được tiếp nhận"
    assert result.procedure_name == shop.procedure.name
    assert result.agency_name == shop.agency.name
    assert result.applicant_name == "Ng*** V** An"
    assert result.due_at == dossier.due_at
    assert [(e.action, e.status_label) for e in result.timeline] == [
        ("submit", "Mới đăng ký"),
        ("receive", "Được tiếp nhận"),
    ]
    text = repr(asdict(result))
    for personal in ("Nguyễn Văn An", PHONE, PERSONAL_ID, "Ghi chú nội bộ"):
        assert personal not in text


@pytest.mark.django_db
def test_unknown_code_and_wrong_secret_do_the_same_work() -> None:
    dossier = filed(one_stop_shop())
    assert dossier.code is not None
    unknown_code = dossier.code[:-4] + "9999"

    answers = []
    costs = []
    for code, secret in ((unknown_code, PHONE), (dossier.code, "0987654321")):
        with CaptureQueriesContext(connection) as queries, pytest.raises(LookupNotFound) as refused:
            find_dossier(code, secret)
        answers.append(refused.value.as_dict())
        costs.append(len(queries.captured_queries))
    assert answers[0] == answers[1]
    assert costs == [1, 1]


@pytest.mark.django_db
def test_malformed_code_is_a_clear_400() -> None:
    with pytest.raises(DomainError) as refused:
        find_dossier("abc", PHONE)
    assert refused.value.status == 400
    assert refused.value.errors[0].field == "code"
    assert "định dạng" in str(refused.value)


# --- over HTTP ---------------------------------------------------------------------------------------------


def lookup(client: Client, code: str, secret: str, address: str = "203.0.113.7") -> Any:
    return client.post(
        LOOKUP, {"code": code, "secret": secret}, content_type="application/json", REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_lookup_over_http_needs_no_sign_in(client: Client) -> None:
    shop = one_stop_shop()
    dossier = filed(shop)
    assert dossier.code is not None

    response = lookup(client, dossier.code.lower(), PERSONAL_ID)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == dossier.code
    assert body["status"] == 1
    assert body["applicant_name"] == "Ng*** V** An"
    assert body["procedure"] == {"code": shop.procedure.code, "name": shop.procedure.name}
    assert body["timeline"][0]["status_label"] == "Mới đăng ký"
    assert body["timeline"][0]["actor_role_label"] == "Công dân"
    assert set(body["timeline"][0]) == {"at", "action_label", "status", "status_label", "actor_role_label"}


@pytest.mark.django_db
def test_unknown_code_and_wrong_secret_answer_alike_over_http(client: Client) -> None:
    dossier = filed(one_stop_shop())
    assert dossier.code is not None

    unknown = lookup(client, dossier.code[:-4] + "9999", PHONE)
    mismatch = lookup(client, dossier.code, "0987654321")

    assert unknown.status_code == mismatch.status_code == 404
    assert unknown.content == mismatch.content
    assert unknown.json()["message"].startswith("Không tìm thấy hồ sơ")
    assert unknown.json()["message_en"]


@pytest.mark.django_db
def test_lookups_are_rate_limited_per_address(client: Client, settings: Any) -> None:
    settings.MEKONG_LOOKUP_LIMIT = 3
    settings.MEKONG_LOOKUP_WINDOW_SECONDS = 600
    dossier = filed(one_stop_shop())
    assert dossier.code is not None

    statuses = [lookup(client, dossier.code, secret).status_code for secret in ("0987654321", "1", PHONE)]
    blocked = lookup(client, dossier.code, PHONE)

    assert statuses == [404, 404, 200]
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "600"
    assert blocked.json()["code"] == "rate_limited"
    assert blocked.json()["message"] == "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau 10 phút."
    assert blocked.json()["message_en"]
    assert lookup(client, dossier.code, PHONE, address="198.51.100.9").status_code == 200


@pytest.mark.django_db
def test_lookup_input_is_validated(client: Client) -> None:
    response = client.post(LOOKUP, {"code": "X"}, content_type="application/json")
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["secret"]
    assert lookup(client, "000.00.17.H56-219999-0001", PHONE).status_code == 400
