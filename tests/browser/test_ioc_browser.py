"""In a real browser: an IOC viewer opens the operations centre and sees the score the API gives."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.factories import PASSWORD, OfficialFactory, RoleAssignmentFactory
from dossiers.factories import one_stop_shop, submitted_dossier
from mekong.accounts.roles import Role
from mekong.dossiers import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ioc_viewer_sees_the_score_of_the_api(browser: Any, live_server: Any, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    shop = one_stop_shop()
    received = actions.receive(submitted_dossier(shop), actor=shop.receiver)
    actions.approve(actions.start_processing(received, actor=shop.specialist), actor=shop.leader)
    submitted_dossier(shop)
    viewer = OfficialFactory(username="ioc.trinhduyet")
    RoleAssignmentFactory(user=viewer, role=Role.IOC_VIEWER, agency=shop.agency)

    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/?next=/dieu-hanh/")
    page.locator("input[name=username]").fill(viewer.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/dieu-hanh/")
    # The page's script has fetched the API once it marks itself loaded; the trend chart is drawn.
    page.wait_for_selector("#ioc[data-loaded='1']")
    page.wait_for_selector("#ioc-trend .uplot")

    shown = page.locator("[data-ioc=total]").inner_text()
    api = page.evaluate("() => fetch('/api/v1/ioc/summary').then(r => r.json())")
    assert shown == f"{api['total']:.2f}".replace(".", ",")
    assert api["counts"]["received"] == 2
    assert page.locator("[data-ioc=received]").inner_text() == "2"
    assert api["total"] > 0
    context.close()
