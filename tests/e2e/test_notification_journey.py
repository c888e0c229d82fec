"""Notifications over HTTP (issue 4): the officer works the dossier through the API, the citizen finds each
step in their inbox — through the API and on the portal, with the unread count in the header — and
chooses how else to be told."""

from __future__ import annotations

import re
from contextlib import closing

import httpx
import pytest

from dossiers.factories import one_stop_shop, submitted_dossier

from .conftest import api_client, csrf_token, web_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_citizen_is_told_of_each_step(live: str) -> None:
    shop = one_stop_shop()
    code = submitted_dossier(shop).code
    # Closing the clients (the `with`) ends their keep-alive connections, and with them the server threads
    # holding database connections, which would keep the test database from being dropped.
    with (
        closing(api_client(live, shop.receiver.username)) as officer,
        closing(api_client(live, shop.citizen.personal_id)) as citizen,
        closing(web_client(live, shop.citizen.personal_id)) as browser,
    ):
        journey(live, code, officer, citizen, browser)


def journey(
    live: str, code: str, officer: httpx.Client, citizen: httpx.Client, browser: httpx.Client
) -> None:
    assert citizen.get("/notifications/unread-count").json() == {"unread": 0}

    assert officer.post(f"/dossiers/{code}/receive", json={"note": ""}).status_code == 200
    asked = officer.post(f"/dossiers/{code}/request-supplement", json={"missing": ["Ảnh 4x6"], "note": ""})
    assert asked.status_code == 200, asked.text

    inbox = citizen.get("/notifications").json()
    assert [item["kind"] for item in inbox["items"]] == ["supplement_requested", "received"]
    assert inbox["items"][0]["subject"] == f"Hồ sơ {code} cần bổ sung giấy tờ"
    assert citizen.get("/notifications/unread-count").json() == {"unread": 2}

    # On the portal: the count in the header, the inbox, reading one leads to the dossier.
    page = browser.get("/thong-bao/")
    assert re.search(r'Thông báo <span class="nav-count">2<span', page.text)
    newest = inbox["items"][0]["id"]
    opened = browser.post(
        f"/thong-bao/{newest}/da-doc/",
        data={"csrfmiddlewaretoken": csrf_token(page.text), "xem": "1"},
        headers={"Referer": f"{live}/thong-bao/"},
    )
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/ho-so/{code}/"
    assert citizen.get("/notifications/unread-count").json() == {"unread": 1}

    # Only the inbox from now on.
    chosen = citizen.put("/notifications/preferences", json={"channels": [], "language": "vi"})
    assert chosen.status_code == 200
    assert [c["name"] for c in chosen.json()["channels"] if c["enabled"]] == ["inapp"]
