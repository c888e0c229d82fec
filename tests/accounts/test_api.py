"""Token auth over HTTP: /api/v1/auth/token and /api/v1/auth/me."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mekong.accounts import actions
from mekong.accounts.models import ApiToken
from mekong.accounts.roles import Role
from mekong.accounts.throttle import SIGN_IN_LIMIT

from .conftest import OfficialMaker, Tree
from .factories import PASSWORD, CitizenFactory, OfficialFactory

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/auth/me"


def request_token(
    client: Client, username: str, password: str = PASSWORD, name: str = "", **headers: Any
) -> Any:
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password, "name": name},
        content_type="application/json",
        **headers,
    )


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["093190000001", "0912000001", "+84 912 000 001"])
def test_citizen_gets_a_token_with_personal_id_or_phone(client: Client, identifier: str) -> None:
    citizen = CitizenFactory(personal_id="093190000001", phone="0912000001", full_name="Nguyễn Thị Mai")

    response = request_token(client, identifier, name="Điện thoại của Mai")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token"].startswith("mkg_")
    assert body["user"] == {
        "id": citizen.pk,
        "username": "093190000001",
        "kind": "citizen",
        "kind_label": "Công dân, tổ chức",
        "full_name": "Nguyễn Thị Mai",
        "roles": [],
    }
    token = ApiToken.objects.get(user=citizen)
    assert token.name == "Điện thoại của Mai"
    assert token.expires_at.isoformat()[:16] == body["expires_at"][:16]
    assert body["token"] not in {token.key_hash, token.prefix}


@pytest.mark.django_db
def test_official_gets_a_token_with_username_and_sees_their_roles(
    client: Client, tree: Tree, official_with: OfficialMaker
) -> None:
    official = official_with(Role.SPECIALIST, tree.commune_a1)

    token = request_token(client, official.username.upper()).json()["token"]
    response = client.get(ME_URL, **bearer(token))

    assert response.status_code == 200
    assert response.json()["kind"] == "official"
    assert response.json()["roles"] == [
        {
            "role": "specialist",
            "role_label": "Chuyên viên xử lý",
            "agency_code": tree.commune_a1.code,
            "agency_name": "UBND xã A1",
        }
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "password"), [("093190000001", "sai-mat-khau"), ("093199999999", PASSWORD)]
)
def test_bad_credentials_get_one_bilingual_401_that_does_not_say_which_part_was_wrong(
    client: Client, username: str, password: str
) -> None:
    CitizenFactory(personal_id="093190000001")

    response = request_token(client, username, password)

    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "message_en": response.json()["message_en"],
        "errors": [],
    }
    assert response.json()["message_en"] != response.json()["message"]
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_deactivated_accounts_get_no_token(client: Client) -> None:
    CitizenFactory(personal_id="093190000001", is_active=False)

    assert request_token(client, "093190000001").status_code == 401


@pytest.mark.django_db
def test_missing_fields_are_a_422_in_the_shared_error_shape(client: Client) -> None:
    response = client.post(TOKEN_URL, {"username": "x"}, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert [error["field"] for error in response.json()["errors"]] == ["password"]


@pytest.mark.django_db
def test_me_without_or_with_a_wrong_token_is_401(client: Client) -> None:
    assert client.get(ME_URL).status_code == 401
    assert client.get(ME_URL, **bearer("mkg_not-a-real-token-at-all-0000000000000")).status_code == 401
    assert client.get(ME_URL, HTTP_AUTHORIZATION="Basic abc").status_code == 401
    assert client.get(ME_URL).json()["code"] == "unauthorized"


@pytest.mark.django_db
def test_expired_tokens_are_refused(client: Client) -> None:
    token, secret = actions.issue_api_token(CitizenFactory())
    assert client.get(ME_URL, **bearer(secret)).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert client.get(ME_URL, **bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_tokens_of_deactivated_users_are_refused(client: Client) -> None:
    citizen = CitizenFactory()
    _token, secret = actions.issue_api_token(citizen)

    citizen.is_active = False
    citizen.save()

    assert client.get(ME_URL, **bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_delete_revokes_the_current_token_only(client: Client) -> None:
    citizen = CitizenFactory()
    phone_token, phone_secret = actions.issue_api_token(citizen, "phone")
    _laptop_token, laptop_secret = actions.issue_api_token(citizen, "laptop")

    response = client.delete(TOKEN_URL, **bearer(phone_secret))

    assert response.status_code == 204
    assert ApiToken.objects.get(pk=phone_token.pk).revoked_at is not None
    assert client.get(ME_URL, **bearer(phone_secret)).status_code == 401
    assert client.get(ME_URL, **bearer(laptop_secret)).status_code == 200
    assert client.delete(TOKEN_URL).status_code == 401


@pytest.mark.django_db
def test_use_is_recorded(client: Client) -> None:
    token, secret = actions.issue_api_token(CitizenFactory())

    client.get(ME_URL, **bearer(secret))

    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.django_db
def test_me_takes_few_queries(
    client: Client, tree: Tree, official_with: OfficialMaker, django_assert_max_num_queries: Any
) -> None:
    official = official_with(Role.SPECIALIST, tree.commune_a1)
    for agency in (tree.commune_a2, tree.commune_b1, tree.district_a):
        actions.assign_role(OfficialFactory(is_superuser=True), official, Role.SPECIALIST, agency)
    _token, secret = actions.issue_api_token(official)

    with django_assert_max_num_queries(3):  # token + user, last_used_at, roles with agencies
        response = client.get(ME_URL, **bearer(secret))
    assert len(response.json()["roles"]) == 4


@pytest.mark.django_db
def test_repeated_failures_are_rate_limited_per_address_and_identifier(client: Client) -> None:
    CitizenFactory(personal_id="093190000001")

    for _attempt in range(SIGN_IN_LIMIT.attempts):
        assert request_token(client, "093190000001", "sai-mat-khau").status_code == 401

    blocked = request_token(client, "093190000001")  # even the right password now waits
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "rate_limited"
    assert blocked.json()["message"] == "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."
    assert blocked["Retry-After"] == str(SIGN_IN_LIMIT.window_seconds)
    assert not ApiToken.objects.exists()

    # Another identifier from the same address, or the same identifier from elsewhere, is not blocked.
    CitizenFactory(personal_id="093190000002")
    assert request_token(client, "093190000002").status_code == 200
    assert request_token(Client(REMOTE_ADDR="10.0.0.9"), "093190000001").status_code == 200


@pytest.mark.django_db
def test_the_same_identifier_written_differently_shares_one_counter(client: Client) -> None:
    CitizenFactory(phone="0912000001")

    for attempt in range(SIGN_IN_LIMIT.attempts):
        written = "0912000001" if attempt % 2 else "+84 912 000 001"
        assert request_token(client, written, "sai-mat-khau").status_code == 401

    assert request_token(client, "84912000001").status_code == 429


@pytest.mark.django_db
def test_a_success_resets_the_failure_count(client: Client) -> None:
    CitizenFactory(personal_id="093190000001")

    for _round in range(2):
        for _attempt in range(SIGN_IN_LIMIT.attempts - 1):
            assert request_token(client, "093190000001", "sai-mat-khau").status_code == 401
        assert request_token(client, "093190000001").status_code == 200


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_address_counts(client: Client, settings: Any) -> None:
    settings.MEKONG_TRUSTED_PROXY_COUNT = 1
    CitizenFactory(personal_id="093190000001")

    def attempt(password: str, forwarded_for: str) -> int:
        return request_token(client, "093190000001", password, HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    for _attempt in range(SIGN_IN_LIMIT.attempts):
        assert attempt("sai-mat-khau", "203.0.113.5") == 401

    assert attempt(PASSWORD, "203.0.113.5") == 429
    assert attempt(PASSWORD, "198.51.100.7") == 200  # same proxy (REMOTE_ADDR), another client
    # A client cannot escape by prepending its own X-Forwarded-For entry: the proxy's entry is last.
    assert attempt(PASSWORD, "1.2.3.4, 203.0.113.5") == 429


@pytest.mark.django_db
def test_openapi_documents_bearer_auth(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()

    assert schema["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert "post" in schema["paths"][TOKEN_URL]
    assert schema["paths"][ME_URL]["get"]["security"] == [{"BearerToken": []}]
