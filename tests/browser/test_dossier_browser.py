"""In a real browser (Chromium through Playwright): a citizen files a dossier on a phone-sized screen, then an
officer receives it in the back office."""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts.factories import PASSWORD
from dossiers.factories import PDF_BYTES, one_stop_shop
from mekong.dossiers.models import Dossier, IssuedDocumentKind
from mekong.dossiers.states import Status

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, identifier: str) -> None:
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.locator("input[name=username]").fill(identifier)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def test_citizen_files_on_a_phone_and_the_officer_receives(
    browser: Any, live_server: Any, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    base = live_server.url
    shop = one_stop_shop()

    phone = browser.new_context(**PHONE, locale="vi-VN")
    page = phone.new_page()
    sign_in(page, base, shop.citizen.personal_id)

    page.goto(f"{base}/thu-tuc/{shop.procedure.code}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    # Step 1: where to file.
    page.get_by_label(shop.agency.name).check()
    page.get_by_role("button", name="Tiếp tục").click()
    # Step 2: the form generated from the procedure's JSON Schema.
    page.get_by_label("Họ, chữ đệm và tên").fill("Trần Thị Bích Ngọc")
    page.get_by_label("Số bản sao").fill("2")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    # Step 3: the required document, as a phone would attach a scan.
    page.locator(f"input[name=tep_{shop.requirement.pk}]").set_input_files(
        files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    # Step 4: how to receive the result (online is preselected).
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    # Step 5: review and submit.
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_load_state()

    dossier = Dossier.objects.get()
    assert dossier.status == Status.NEW
    assert dossier.form_data["ho_ten"] == "Trần Thị Bích Ngọc"
    assert page.get_by_text(str(dossier.code)).first.is_visible()
    # Nothing on the phone screen scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.close()

    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    officer = desk.new_page()
    sign_in(officer, base, shop.receiver.username)
    officer.goto(f"{base}/can-bo/ho-so/?agency={shop.agency.pk}")
    officer.get_by_role("link", name=str(dossier.code)).click()
    officer.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    officer.wait_for_load_state()
    assert officer.get_by_text(re.compile("Đã tiếp nhận hồ sơ")).first.is_visible()
    desk.close()

    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.documents.filter(kind=IssuedDocumentKind.RECEIPT).exists()
