"""The officer's queue: tabs, counts, search, sorting, who sees what, and a flat number of queries."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from backoffice.builders import processed, processing, received, returned, submitted, waiting, with_procedure
from backoffice.conftest import NOW
from dossiers.factories import OneStopShop, one_stop_shop
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.dossiers.workdays import VIETNAM_TZ
from portal.html_audit import assert_accessible

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_queue_clock")]

QUEUE = reverse("backoffice:queue")


def codes_in(html: str) -> list[str]:
    """Dossier codes of the table rows, in order."""
    return re.findall(r'<td class="code"><a href="/can-bo/ho-so/([^/]+)/">', html)


def tab_count(html: str, tab: str) -> int:
    found = re.search(rf'class="tab tab-{tab}"[^>]*>[^<]*<span class="count">(\d+)</span>', html)
    assert found, tab
    return int(found.group(1))


def get(client: Client, user: User, **params: Any) -> str:
    client.force_login(user)
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def board(shop: OneStopShop) -> dict[str, str]:
    """One dossier per situation, in one agency, drawn at NOW (Wednesday 11/3/2026 10:00)."""
    one_day = with_procedure(shop, time_limit_value=5)
    made = {
        "new": submitted(shop, NOW.replace(hour=8)),
        # 3 working days from 2/2: due 5/2, long past.
        "late_received": received(shop, datetime(2026, 2, 2, 9, tzinfo=VIETNAM_TZ)),
        "late_processing": processing(shop, datetime(2026, 2, 9, 9, tzinfo=VIETNAM_TZ)),
        # 3 working days from Monday 9/3: due Thursday 12/3 17:00, the end of the next working day.
        "due_soon": processing(shop, datetime(2026, 3, 9, 8, tzinfo=VIETNAM_TZ)),
        # 5 working days from this morning: next Wednesday.
        "on_time": received(one_day, NOW.replace(hour=8)),
        # Past its first appointment, but the clock stops while the citizen is asked for a document.
        "waiting": waiting(shop, datetime(2026, 2, 2, 9, tzinfo=VIETNAM_TZ)),
        "processed": processed(shop, datetime(2026, 3, 9, 8, tzinfo=VIETNAM_TZ)),
        "returned": returned(shop, datetime(2026, 3, 2, 8, tzinfo=VIETNAM_TZ)),
    }
    return {key: str(dossier.code) for key, dossier in made.items()}


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("new", {"new"}),
        ("due_soon", {"due_soon"}),
        ("late", {"late_received", "late_processing"}),
        ("waiting_for_citizen", {"waiting"}),
        ("processing", {"late_received", "late_processing", "due_soon", "on_time"}),
        ("processed", {"processed"}),
        (
            "all",
            {
                "new",
                "late_received",
                "late_processing",
                "due_soon",
                "on_time",
                "waiting",
                "processed",
                "returned",
            },
        ),
    ],
)
def test_each_tab_shows_its_dossiers_and_counts_them(
    client: Client, shop: OneStopShop, board: dict[str, str], tab: str, expected: set[str]
) -> None:
    html = get(client, shop.receiver, tab=tab)

    assert sorted(codes_in(html)) == sorted(board[key] for key in expected)
    assert tab_count(html, tab) == len(expected)
    assert re.search(rf'class="tab tab-{tab}" aria-current="page"', html)


def test_counts_of_every_tab_are_shown_together(
    client: Client, shop: OneStopShop, board: dict[str, str]
) -> None:
    html = get(client, shop.receiver)

    counts = {
        tab: tab_count(html, tab)
        for tab in ("new", "due_soon", "late", "waiting_for_citizen", "processing", "processed", "all")
    }
    assert counts == {
        "new": 1,
        "due_soon": 1,
        "late": 2,
        "waiting_for_citizen": 1,
        "processing": 4,
        "processed": 1,
        "all": 8,
    }


def test_due_dates_are_coloured_and_said_in_words(
    client: Client, shop: OneStopShop, board: dict[str, str]
) -> None:
    html = get(client, shop.receiver, tab="processing")

    cells = dict(
        re.findall(r'href="/can-bo/ho-so/([^/]+)/">.*?<td class="nowrap due([^"]*)">(?:.*?)</td>', html, re.S)
    )
    assert cells[board["late_received"]] == " due-late"
    assert cells[board["due_soon"]] == " due-due_soon"
    assert cells[board["on_time"]] == ""
    assert html.count("quá hạn</span>") == 2
    assert html.count("sắp đến hạn</span>") == 1


def test_default_tab_follows_the_officials_role(
    client: Client, shop: OneStopShop, board: dict[str, str]
) -> None:
    assert codes_in(get(client, shop.receiver)) == [board["new"]]
    assert set(codes_in(get(client, shop.specialist))) == {
        board[key] for key in ("late_received", "late_processing", "due_soon", "on_time")
    }


def test_sorting_by_due_date_both_ways(client: Client, shop: OneStopShop, board: dict[str, str]) -> None:
    ascending = codes_in(get(client, shop.receiver, tab="processing", sort="due"))
    descending = codes_in(get(client, shop.receiver, tab="processing", sort="-due"))

    order = [board[key] for key in ("late_received", "late_processing", "due_soon", "on_time")]
    assert ascending == order
    assert descending == order[::-1]


def test_the_due_column_header_toggles_the_sort(
    client: Client, shop: OneStopShop, board: dict[str, str]
) -> None:
    html = get(client, shop.receiver, tab="processing", sort="due")

    assert 'aria-sort="ascending"' in html
    link = re.search(r'<a href="([^"]*)">Hạn trả</a>', html)
    assert link is not None
    assert "sort=-due" in link.group(1)
    assert "tab=processing" in link.group(1)


def test_search_by_name_ignores_accents_and_case(client: Client, shop: OneStopShop) -> None:
    wanted = submitted(shop, NOW.replace(hour=8), name="Nguyễn Văn Ánh")
    submitted(shop, NOW.replace(hour=8), name="Trần Thị Bé")

    html = get(client, shop.receiver, tab="all", q="nguyen VAN anh")

    assert codes_in(html) == [wanted.code]
    assert tab_count(html, "all") == 1
    assert tab_count(html, "new") == 1
    # Every word must match, in any order; a word of another applicant's name is not enough.
    assert codes_in(get(client, shop.receiver, tab="all", q="ÁNH nguyễn")) == [wanted.code]
    assert codes_in(get(client, shop.receiver, tab="all", q="nguyen be")) == []


def test_search_by_personal_id(client: Client, shop: OneStopShop) -> None:
    wanted = submitted(shop, NOW.replace(hour=8), name="Phạm Thị Hoa", personal_id="093123456789")
    submitted(shop, NOW.replace(hour=8), name="Phạm Thị Hoa", personal_id="093987654321")

    html = get(client, shop.receiver, tab="new", q=" 093123456789 ")

    assert codes_in(html) == [wanted.code]
    assert tab_count(html, "new") == 1


def test_search_by_code_fragment(client: Client, shop: OneStopShop) -> None:
    first = submitted(shop, NOW.replace(hour=8))
    second = submitted(shop, NOW.replace(hour=8))

    html = get(client, shop.receiver, tab="all", q=str(second.code)[-9:])

    assert codes_in(html) == [second.code]
    assert str(first.code) not in html


def test_search_that_matches_nothing_says_so(client: Client, shop: OneStopShop) -> None:
    submitted(shop, NOW.replace(hour=8))

    html = get(client, shop.receiver, tab="all", q="không có ai")

    assert codes_in(html) == []
    assert "Không có hồ sơ nào khớp với tìm kiếm" in html


def test_filters_stay_in_the_url_of_tabs_and_pages(client: Client, shop: OneStopShop) -> None:
    for _ in range(3):
        submitted(shop, NOW.replace(hour=8), name="Lê Văn Tám")

    html = get(client, shop.receiver, tab="new", q="tam")

    tab_link = re.search(r'<a href="([^"]*)" class="tab tab-all"', html)
    assert tab_link is not None
    assert "q=tam" in tab_link.group(1).replace("&amp;", "&")
    assert f"agency={shop.agency.pk}" in tab_link.group(1)


def test_pagination_keeps_the_filters(
    client: Client, shop: OneStopShop, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mekong.backoffice import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [submitted(shop, NOW.replace(hour=8, minute=minute)) for minute in range(5)]

    first = get(client, shop.receiver, tab="new")
    third = get(client, shop.receiver, tab="new", page="3")

    assert codes_in(first) == [d.code for d in made[:2]]  # oldest first in "new"
    assert codes_in(third) == [made[4].code]
    assert "Trang 1/3 · 5 hồ sơ" in first
    next_link = re.search(r'<a href="\?([^"]*)" rel="next">', first)
    assert next_link is not None
    assert "tab=new" in next_link.group(1)
    assert "page=2" in next_link.group(1)


def test_official_of_another_agency_sees_nothing(
    client: Client, shop: OneStopShop, board: dict[str, str]
) -> None:
    other = one_stop_shop()
    submitted(other, NOW.replace(hour=8))

    html = get(client, other.receiver, tab="all")
    assert not set(codes_in(html)) & set(board.values())
    assert len(codes_in(html)) == 1

    client.force_login(other.receiver)
    response = client.get(QUEUE, {"agency": str(shop.agency.pk), "tab": "all"})
    assert response.status_code == 400
    assert not set(codes_in(response.content.decode())) & set(board.values())


def test_official_with_several_agencies_chooses_one(client: Client, shop: OneStopShop) -> None:
    other = one_stop_shop()
    mine = submitted(shop, NOW.replace(hour=8))
    theirs = submitted(other, NOW.replace(hour=8))
    RoleAssignmentFactory.create(user=shop.receiver, agency=other.agency, role=Role.RECEIVING_OFFICER)

    html = get(client, shop.receiver, agency=other.agency.pk)

    assert codes_in(html) == [theirs.code]
    assert re.search(rf'<option value="{other.agency.pk}" selected>', html)
    assert f'<option value="{shop.agency.pk}">' in html
    assert str(mine.code) not in html


def test_leader_reads_the_agencies_below(client: Client, shop: OneStopShop) -> None:
    province_leader = OfficialFactory.create()
    parent = shop.agency.__class__.objects.create(
        code="000.00.00.H28", name="Ủy ban nhân dân tỉnh", kind="province_pc"
    )
    shop.agency.parent = parent
    shop.agency.save()
    RoleAssignmentFactory.create(user=province_leader, agency=parent, role=Role.LEADER)
    dossier = submitted(shop, NOW.replace(hour=8))

    html = get(client, province_leader, agency=shop.agency.pk, tab="all")

    assert codes_in(html) == [dossier.code]
    assert 'name="dossiers"' not in html  # no bulk actions where the leader does not act


def test_citizen_is_refused_and_visitor_sent_to_sign_in(client: Client, shop: OneStopShop) -> None:
    assert client.get(QUEUE).status_code == 302
    client.force_login(shop.citizen)
    response = client.get(QUEUE)
    assert response.status_code == 403
    assert "Trang này chỉ dành cho cán bộ, công chức." in response.content.decode()


def test_official_without_roles_is_told_whom_to_ask(client: Client) -> None:
    html = get(client, OfficialFactory.create())
    assert "Bạn chưa được phân công vai trò nào." in html


def test_unknown_tab_is_a_bad_request_not_an_error(client: Client, shop: OneStopShop) -> None:
    client.force_login(shop.receiver)
    response = client.get(QUEUE, {"tab": "bogus"})
    assert response.status_code == 400
    assert "Bộ lọc không hợp lệ." in response.content.decode()


def _queue_queries(client: Client, user: User, **params: Any) -> int:
    client.force_login(user)
    client.get(QUEUE, params)  # warm: the session row and the national calendar
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{"tab": "all"}, {"tab": "processing", "q": "nguyen"}])
def test_queue_queries_stay_flat(
    client: Client, shop: OneStopShop, django_assert_max_num_queries: Any, params: dict[str, str]
) -> None:
    for minute in range(5):
        processing(shop, datetime(2026, 3, 9, 8, minute, tzinfo=VIETNAM_TZ), name="Nguyễn Văn An")
    few = _queue_queries(client, shop.receiver, **params)
    for minute in range(45):
        processing(shop, datetime(2026, 3, 10, 8, minute, tzinfo=VIETNAM_TZ), name="Nguyễn Văn An")
    many = _queue_queries(client, shop.receiver, **params)

    assert few == many
    # session, user, roles, agencies, calendar days, tab counts, rows, specialists: the search is part of
    # the counts and rows queries (folded `search_key` in the database), so it adds none.
    client.force_login(shop.receiver)
    with django_assert_max_num_queries(8):
        html = client.get(QUEUE, params).content.decode()
    assert len(codes_in(html)) == 50


def test_queue_page_is_accessible(client: Client, shop: OneStopShop, board: dict[str, str]) -> None:
    html = get(client, shop.receiver, tab="all")

    assert_accessible(html)
    assert '<input type="checkbox" id="chon-tat-ca" data-select-all="dossiers">' in html
    assert re.search(r'<a href="/can-bo/ho-so/"\s+aria-current="page">', html)
    assert 'src="/static/backoffice/backoffice.js"' in html


def test_queue_in_english(client: Client, shop: OneStopShop, board: dict[str, str], settings: Any) -> None:
    client.force_login(shop.receiver)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(QUEUE, {"tab": "all"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
