"""Web sign-in, sign-out and citizen registration under /tai-khoan/."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mekong.accounts.models import User, UserKind
from mekong.accounts.throttle import SIGN_IN_LIMIT
from portal.html_audit import assert_accessible

from .factories import PASSWORD, CitizenFactory, OfficialFactory

LOGIN_URL = "/tai-khoan/dang-nhap/"
REGISTER_URL = "/tai-khoan/dang-ky/"


def signed_in_user(client: Client) -> Any:
    return client.get("/tai-khoan/dang-nhap/").wsgi_request.user


def test_urls_are_vietnamese_and_namespaced() -> None:
    assert reverse("accounts:login") == LOGIN_URL
    assert reverse("accounts:logout") == "/tai-khoan/dang-xuat/"
    assert reverse("accounts:register") == REGISTER_URL


@pytest.mark.django_db
def test_login_page_is_in_vietnamese_with_labelled_fields(client: Client) -> None:
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Số định danh cá nhân / tên đăng nhập" in html
    assert "Mật khẩu" in html
    assert f'<label for="{response.context["form"]["username"].id_for_label}">' in html
    assert 'autocomplete="current-password"' in html
    assert REGISTER_URL in html
    assert_accessible(html)


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["093190000001", "0912000001", "+84912000001", "cong.dan"])
def test_citizen_signs_in_with_personal_id_phone_or_username(client: Client, identifier: str) -> None:
    citizen = CitizenFactory(personal_id="093190000001", phone="0912000001", username="cong.dan")

    response = client.post(LOGIN_URL, {"username": identifier, "password": PASSWORD, "next": "/thu-tuc/abc/"})

    assert response.status_code == 302
    assert response["Location"] == "/thu-tuc/abc/"
    assert signed_in_user(client) == citizen


@pytest.mark.django_db
def test_official_signs_in_with_username(client: Client) -> None:
    official = OfficialFactory(username="motcua.a1")

    response = client.post(LOGIN_URL, {"username": "MotCua.A1", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert signed_in_user(client) == official


@pytest.mark.django_db
def test_officials_do_not_sign_in_with_a_phone_they_share(client: Client) -> None:
    OfficialFactory(phone="0912000001")

    response = client.post(LOGIN_URL, {"username": "0912000001", "password": PASSWORD})

    assert response.status_code == 200
    assert not signed_in_user(client).is_authenticated


@pytest.mark.django_db
def test_wrong_password_shows_one_vietnamese_message(client: Client) -> None:
    CitizenFactory(personal_id="093190000001")

    response = client.post(LOGIN_URL, {"username": "093190000001", "password": "sai-mat-khau"})

    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert not signed_in_user(client).is_authenticated


@pytest.mark.django_db
def test_external_next_is_ignored(client: Client) -> None:
    CitizenFactory(personal_id="093190000001")

    response = client.post(
        LOGIN_URL, {"username": "093190000001", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("portal:home")


@pytest.mark.django_db
def test_web_sign_in_is_rate_limited(client: Client) -> None:
    CitizenFactory(personal_id="093190000001")
    for _attempt in range(SIGN_IN_LIMIT.attempts):
        client.post(LOGIN_URL, {"username": "093190000001", "password": "sai-mat-khau"})

    response = client.post(LOGIN_URL, {"username": "093190000001", "password": PASSWORD})

    assert response.status_code == 200
    assert "Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in response.content.decode()
    assert not signed_in_user(client).is_authenticated


@pytest.mark.django_db
def test_logout_is_post_only(client: Client) -> None:
    client.force_login(CitizenFactory())

    assert client.get("/tai-khoan/dang-xuat/").status_code == 405
    assert signed_in_user(client).is_authenticated

    response = client.post("/tai-khoan/dang-xuat/")
    assert response.status_code == 302
    assert not signed_in_user(client).is_authenticated


@pytest.mark.django_db
def test_registration_page_lists_the_fields_in_vietnamese(client: Client) -> None:
    html = client.get(REGISTER_URL).content.decode()

    for label in (
        "Số định danh cá nhân",
        "Số điện thoại di động",
        "Họ và tên",
        "Mật khẩu",
        "Nhập lại mật khẩu",
    ):
        assert f">{label}</label>" in html
    assert 'inputmode="numeric"' in html
    assert 'autocomplete="new-password"' in html
    assert_accessible(html)


@pytest.mark.django_db
def test_registration_creates_a_citizen_and_signs_them_in(client: Client) -> None:
    response = client.post(
        REGISTER_URL,
        {
            "personal_id": "093190000001",
            "phone": "0912 000 001",
            "full_name": "Nguyễn Thị Mai",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    citizen = User.objects.get(personal_id="093190000001")
    assert citizen.kind == UserKind.CITIZEN
    assert citizen.phone == "0912000001"
    assert signed_in_user(client) == citizen


@pytest.mark.django_db
def test_registration_errors_are_shown_on_their_fields_and_nothing_is_created(client: Client) -> None:
    CitizenFactory(personal_id="093190000001")

    response = client.post(
        REGISTER_URL,
        {
            "personal_id": "093190000001",
            "phone": "12345",
            "full_name": "Nguyễn Thị Mai",
            "password1": "12345678",
            "password2": "12345678",
        },
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["personal_id"] == ["Số định danh cá nhân này đã được đăng ký."]
    assert form.errors["phone"] == [
        "Số điện thoại di động không hợp lệ: 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."
    ]
    assert "Mật khẩu không được chỉ gồm chữ số." in form.errors["password1"]
    html = response.content.decode()
    assert 'aria-describedby="id_phone-loi"' in html
    assert 'id="id_phone-loi"' in html
    assert 'role="alert"' in html
    assert_accessible(html)  # every aria-describedby points at an element on the page
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_registration_requires_matching_passwords(client: Client) -> None:
    response = client.post(
        REGISTER_URL,
        {
            "personal_id": "093190000001",
            "phone": "0912000001",
            "full_name": "Nguyễn Thị Mai",
            "password1": PASSWORD,
            "password2": PASSWORD + "x",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["password2"] == ["Hai mật khẩu không khớp nhau."]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_registration_shows_every_problem_at_once(client: Client) -> None:
    CitizenFactory(personal_id="093190000001")

    response = client.post(
        REGISTER_URL,
        {
            "personal_id": "093190000001",
            "phone": "12",
            "full_name": "",
            "password1": "123",
            "password2": "124",
        },
    )

    errors = response.context["form"].errors
    assert errors["full_name"] == ["Trường này là bắt buộc."]  # the form's own check, not repeated
    assert errors["password2"] == ["Hai mật khẩu không khớp nhau."]
    assert errors["personal_id"] == ["Số định danh cá nhân này đã được đăng ký."]
    assert errors["phone"] == [
        "Số điện thoại di động không hợp lệ: 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."
    ]
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in errors["password1"]
    assert_accessible(response.content.decode())
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_signed_in_people_are_sent_on_from_registration(client: Client) -> None:
    client.force_login(CitizenFactory())

    response = client.get(REGISTER_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
