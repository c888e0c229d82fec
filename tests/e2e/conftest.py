"""End-to-end tests: real HTTP (httpx) against a live server running the whole application."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from accounts.factories import PASSWORD

_open_clients: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    # A kept-alive connection holds a live-server thread and its database session open, and the test
    # database could then not be dropped at the end of the run.
    yield
    while _open_clients:
        _open_clients.pop().close()


@pytest.fixture
def live(live_server: Any, settings: Any) -> str:
    # The QR codes printed on documents must lead back to this server.
    settings.MEKONG_PUBLIC_URL = live_server.url
    settings.ALLOWED_HOSTS = ["*"]
    return str(live_server.url)


def api_client(base: str, identifier: str) -> httpx.Client:
    """An API client signed in with a bearer token obtained the way any app would."""
    client = httpx.Client(base_url=f"{base}/api/v1", timeout=30)
    _open_clients.append(client)
    response = client.post("/auth/token", json={"username": identifier, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return client


def web_client(base: str, identifier: str) -> httpx.Client:
    """A browser-like client (cookies, CSRF) signed in through the sign-in form."""
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    _open_clients.append(client)
    form = client.get("/tai-khoan/dang-nhap/")
    token = csrf_token(form.text)
    response = client.post(
        "/tai-khoan/dang-nhap/",
        data={"csrfmiddlewaretoken": token, "username": identifier, "password": PASSWORD},
        headers={"Referer": f"{base}/tai-khoan/dang-nhap/"},
    )
    assert response.status_code == 302, response.text
    return client


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)
