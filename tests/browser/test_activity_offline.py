"""In a real browser (Chromium through Playwright, phone-sized): a team member records support while the
phone has no connection, the entry waits in the browser — also across a reload, the page coming from the
service worker — and arrives once when the connection returns; an answer lost on the way does not make a
second entry."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.factories import PASSWORD
from community.factories import ActivityFactory, make_towns
from mekong.community.models import Activity

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, identifier: str) -> None:
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.locator("input[name=username]").fill(identifier)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def record(page: Any, household: str) -> None:
    page.get_by_label("Tạo tài khoản định danh điện tử").check()
    page.get_by_label("Hộ gia đình được hỗ trợ").fill(household)
    page.get_by_role("button", name="Lưu ghi nhận").click()


def queued(page: Any) -> Any:
    return page.locator("#danh-sach-cho li")


def test_an_entry_recorded_offline_arrives_once(browser: Any, live_server: Any, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    base = live_server.url
    towns = make_towns()
    context = browser.new_context(**PHONE, locale="vi-VN")
    page = context.new_page()
    sign_in(page, base, towns.member_a.username)
    page.goto(f"{base}/cong-dong/hoat-dong/")
    # The service worker installs, keeps the page and its scripts, and takes the page over.
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15000
    )

    context.set_offline(True)
    record(page, "Hộ ông Nguyễn Văn Tư")
    queued(page).first.wait_for()
    assert "Hộ ông Nguyễn Văn Tư" in queued(page).first.inner_text()
    assert "Chờ gửi" in queued(page).first.inner_text()
    assert not Activity.objects.exists()

    # Still offline, the page opens again and the entry is still waiting. The page is the copy the service
    # worker kept: an entry stored on the server meanwhile is not on it.
    ActivityFactory(team=towns.team_a, member=towns.team_a.members.first(), household="Hộ ghi từ máy khác")
    page.reload()
    queued(page).first.wait_for()
    assert queued(page).count() == 1
    assert page.locator('#danh-sach-da-gui li:has-text("Hộ ghi từ máy khác")').count() == 0
    assert page.locator("#trang-thai-mang").inner_text().startswith("Đang mất mạng")
    assert not Activity.objects.filter(household="Hộ ông Nguyễn Văn Tư").exists()

    context.set_offline(False)
    page.locator('#danh-sach-da-gui li:has-text("Hộ ông Nguyễn Văn Tư")').first.wait_for(timeout=15000)
    page.wait_for_function("document.querySelectorAll('#danh-sach-cho li').length === 0")
    stored = Activity.objects.get(household="Hộ ông Nguyễn Văn Tư")
    assert stored.household == "Hộ ông Nguyễn Văn Tư"
    assert stored.team == towns.team_a
    assert stored.member.user == towns.member_a

    # Back again with a connection: a fresh page, and nothing is sent twice.
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator('#danh-sach-da-gui li:has-text("Hộ ghi từ máy khác")').count() == 1
    assert Activity.objects.filter(household="Hộ ông Nguyễn Văn Tư").count() == 1
    assert page.locator(f'#danh-sach-da-gui li[data-client-id="{stored.client_id}"]').count() == 1
    context.close()


def test_an_answer_lost_on_the_way_does_not_make_a_second_entry(
    browser: Any, live_server: Any, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    base = live_server.url
    towns = make_towns()
    context = browser.new_context(**PHONE, locale="vi-VN", service_workers="block")
    page = context.new_page()
    sign_in(page, base, towns.member_a.username)
    page.goto(f"{base}/cong-dong/hoat-dong/")

    lost: list[int] = []

    def lose_the_answer(route: Any) -> None:
        # The server gets the entry and stores it; the phone never hears back (a weak connection).
        response = route.fetch()
        lost.append(response.status)
        route.abort("connectionreset")

    page.route("**/cong-dong/hoat-dong/gui/", lose_the_answer)
    record(page, "Hộ bà Trần Thị Bảy")
    for _tick in range(100):  # route handlers run while Playwright waits
        if lost:
            break
        page.wait_for_timeout(100)
    page.wait_for_function("document.querySelectorAll('#danh-sach-cho li').length === 1")
    assert lost == [201]
    assert Activity.objects.count() == 1

    page.unroute("**/cong-dong/hoat-dong/gui/")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the connection is back: the queue is sent
    page.wait_for_function("document.querySelectorAll('#danh-sach-cho li').length === 0", timeout=15000)
    assert Activity.objects.count() == 1
    assert page.locator('#danh-sach-da-gui li:has-text("Hộ bà Trần Thị Bảy")').count() == 1
    context.close()
