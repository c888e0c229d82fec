"""Vietnamese is the source language; English comes from the committed `en` catalogue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from mekong.catalog.models import Procedure

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
EN_PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
EN_MO = EN_PO.with_suffix(".mo")


def _messages(entries: Any) -> set[tuple[str, str, str, tuple[str, ...]]]:
    found = set()
    for entry in entries:
        plural = tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
        found.add((entry.msgctxt or "", entry.msgid, entry.msgid_plural or "", (entry.msgstr, *plural)))
    return found


def test_committed_mo_matches_the_po() -> None:
    po = polib.pofile(str(EN_PO))
    compiled = polib.mofile(str(EN_MO))
    in_memory = polib.mofile(po.to_binary())  # what `python -m mekong.core.i18n compile` would write
    assert _messages(compiled) == _messages(in_memory)
    assert len(po.translated_entries()) > 50


def test_english_catalogue_is_complete() -> None:
    po = polib.pofile(str(EN_PO))
    missing = [entry.msgid for entry in po.untranslated_entries() + po.fuzzy_entries() if not entry.obsolete]
    assert missing == []


@pytest.mark.django_db
def test_home_is_vietnamese_by_default(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    make_procedure("Đăng ký khai sinh", fees=[(0, "")])

    html = client.get(reverse("portal:home")).content.decode()

    assert '<html lang="vi">' in html
    assert "<h1>Thủ tục hành chính</h1>" in html
    assert "Miễn phí" in html
    assert "1 ngày làm việc" in html


@pytest.mark.django_db
def test_home_in_english_once_chosen(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    make_procedure("Đăng ký khai sinh", fees=[(0, "")], time_limit_value=3)
    make_procedure("Cấp giấy phép xây dựng", fees=[(75000, "")], time_limit_value=1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    headers: dict[str, str] = {}

    html = client.get(reverse("portal:home"), headers=headers).content.decode()

    assert '<html lang="en">' in html
    assert "<h1>Administrative procedures</h1>" in html
    assert "Thủ tục hành chính" not in html
    assert "Skip to main content" in html
    assert "Free of charge" in html
    assert "75,000 VND" in html
    assert "3 working days" in html
    assert "1 working day<" in html
    assert "2 procedures found." in html
    assert "Đăng ký khai sinh" in html  # catalogue data stays as published


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", ["en-US,en;q=0.9", "fr", ""])
def test_browser_language_alone_keeps_the_portal_vietnamese(client: Client, accept_language: str) -> None:
    # A phone set to English still gets Vietnamese pages until the person picks English.
    html = client.get(reverse("portal:home"), headers={"Accept-Language": accept_language}).content.decode()
    assert '<html lang="vi">' in html
    assert "<h1>Thủ tục hành chính</h1>" in html


@pytest.mark.django_db
def test_choosing_english_with_the_switch_sticks(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_unsupported_language_falls_back_to_vietnamese(client: Client) -> None:
    html = client.get(reverse("portal:home"), headers={"Accept-Language": "fr"}).content.decode()
    assert '<html lang="vi">' in html


@pytest.mark.django_db
def test_language_switch_posts_to_set_language(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure("Đăng ký khai sinh")
    detail = reverse("portal:procedure", args=[procedure.code])
    html = client.get(detail).content.decode()
    assert f'<form class="lang-switch" method="post" action="{reverse("set_language")}">' in html
    assert f'<input type="hidden" name="next" id="lang-next" value="{detail}">' in html
    assert '<button type="submit" name="language" value="en" lang="en">English</button>' in html
    assert 'value="vi" lang="vi" aria-current="true">Tiếng Việt</button>' in html

    response = client.post(reverse("set_language"), {"language": "en", "next": detail})

    assert response.status_code == 302
    assert response["Location"] == detail
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get(detail).content.decode()
    assert '<html lang="en">' in english
    assert "Required documents" in english
    assert 'value="en" lang="en" aria-current="true">English</button>' in english

    client.post(reverse("set_language"), {"language": "vi", "next": detail})
    assert "Thành phần hồ sơ" in client.get(detail).content.decode()
