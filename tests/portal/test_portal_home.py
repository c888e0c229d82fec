from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mekong.catalog.models import OnlineLevel, Procedure, ProcedureField, ProcedureLevel, TimeUnit

pytestmark = pytest.mark.django_db

MakeProcedure = Callable[..., Procedure]
MakeField = Callable[..., ProcedureField]


def _procedure_names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/thu-tuc/[^"]+/">([^<]+)</a></h3>', html)


def _field_headings(html: str) -> list[str]:
    return re.findall(r'<h2 id="linh-vuc-[^"]+">([^<]+)</h2>', html)


def test_home_lists_active_procedures_grouped_by_field(
    client: Client, make_procedure: MakeProcedure, make_field: MakeField
) -> None:
    civil = make_field("Hộ tịch")
    land = make_field("Đất đai")
    make_procedure("Đăng ký khai tử", field=civil)
    make_procedure("Đăng ký khai sinh", field=civil)
    make_procedure("Đăng ký biến động đất đai", field=land)
    make_procedure("Thủ tục đã bãi bỏ", field=land, is_active=False)

    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(_field_headings(html)) == ["Hộ tịch", "Đất đai"]  # one heading per field
    sections = {
        heading: _procedure_names(body)
        for heading, body in re.findall(r'<h2 id="linh-vuc-[^"]+">([^<]+)</h2>(.*?)</section>', html, re.S)
    }
    assert sections == {
        "Hộ tịch": ["Đăng ký khai sinh", "Đăng ký khai tử"],
        "Đất đai": ["Đăng ký biến động đất đai"],
    }
    assert "Thủ tục đã bãi bỏ" not in html
    assert "Tìm thấy 3 thủ tục." in html


def test_home_shows_the_facts_of_each_procedure(client: Client, make_procedure: MakeProcedure) -> None:
    make_procedure(
        "Đăng ký khai sinh",
        code="1.001193.000.00.00.H29",
        level=ProcedureLevel.COMMUNE,
        online_level=OnlineLevel.FULL,
        time_limit_value=1,
        time_limit_unit=TimeUnit.WORKING_DAY,
        fees=[(0, "")],
    )
    make_procedure(
        "Cấp giấy phép xây dựng",
        level=ProcedureLevel.DISTRICT,
        online_level=OnlineLevel.PARTIAL,
        time_limit_value=15,
        fees=[(75000, "")],
    )
    make_procedure("Cấp bản sao trích lục hộ tịch", fees=[(0, ""), (8000, "so_ban_sao")])
    make_procedure("Chứng thực bản sao", fees=[(2000, ""), (1000, "so_trang")])
    make_procedure("Đăng ký kinh doanh hộ", fees=[(100000, ""), (1_250_000, "")])

    html = client.get(reverse("portal:home")).content.decode()

    def facts(name: str) -> str:
        match = re.search(rf">{re.escape(name)}</a></h3>(.*?)</dl>", html, re.S)
        assert match, name
        return re.sub(r"\s+", " ", match.group(1))

    birth = facts("Đăng ký khai sinh")
    assert "1.001193.000.00.00.H29" in birth
    assert "Cấp xã" in birth
    assert "Toàn trình" in birth
    assert "1 ngày làm việc" in birth
    assert "Miễn phí" in birth
    permit = facts("Cấp giấy phép xây dựng")
    assert "Cấp huyện" in permit
    assert "Một phần" in permit
    assert "15 ngày làm việc" in permit
    assert "75.000 đ" in permit
    assert "8.000 đ/bản" in facts("Cấp bản sao trích lục hộ tịch")
    assert "Miễn phí" not in facts("Cấp bản sao trích lục hộ tịch")
    assert "2.000 đ + 1.000 đ/bản" in facts("Chứng thực bản sao")
    assert "1.350.000 đ" in facts("Đăng ký kinh doanh hộ")


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "  Đăng   ký khai  sinh "])
def test_search_ignores_accents_case_and_spacing(
    client: Client, make_procedure: MakeProcedure, query: str
) -> None:
    make_procedure("Đăng ký khai sinh")
    make_procedure("Đăng ký kết hôn")
    make_procedure("Cấp giấy phép xây dựng")

    response = client.get(reverse("portal:home"), {"q": query})

    assert response.status_code == 200
    assert _procedure_names(response.content.decode()) == ["Đăng ký khai sinh"]


def test_search_box_keeps_the_query(client: Client, make_procedure: MakeProcedure) -> None:
    make_procedure("Đăng ký khai sinh")
    html = client.get(reverse("portal:home"), {"q": "khai sinh"}).content.decode()
    assert re.search(r'<input type="search" name="q" value="khai sinh"[^>]*id="id_q"', html)


def test_filters_by_level_and_field(
    client: Client, make_procedure: MakeProcedure, make_field: MakeField
) -> None:
    civil = make_field("Hộ tịch", code="ho-tich")
    building = make_field("Xây dựng", code="xay-dung")
    make_procedure("Đăng ký khai sinh", field=civil, level=ProcedureLevel.COMMUNE)
    make_procedure("Đăng ký lại khai sinh có yếu tố nước ngoài", field=civil, level=ProcedureLevel.DISTRICT)
    make_procedure("Cấp giấy phép xây dựng nhà ở riêng lẻ", field=building, level=ProcedureLevel.DISTRICT)
    make_procedure("Cấp giấy phép xây dựng công trình", field=building, level=ProcedureLevel.PROVINCE)
    home = reverse("portal:home")

    def names(**params: str) -> list[str]:
        response = client.get(home, params)
        assert response.status_code == 200
        return sorted(_procedure_names(response.content.decode()))

    assert names(level="district") == [
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Đăng ký lại khai sinh có yếu tố nước ngoài",
    ]
    assert names(field="xay-dung") == [
        "Cấp giấy phép xây dựng công trình",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    ]
    assert names(field="xay-dung", level="province") == ["Cấp giấy phép xây dựng công trình"]
    assert names(field="ho-tich", q="khai sinh", level="commune") == ["Đăng ký khai sinh"]
    assert names(field="ho-tich", level="province") == []


def test_filter_options_list_fields_with_active_procedures(
    client: Client, make_procedure: MakeProcedure, make_field: MakeField
) -> None:
    make_procedure("Đăng ký khai sinh", field=make_field("Hộ tịch", code="ho-tich"))
    make_procedure("Thủ tục cũ", field=make_field("Lĩnh vực đã bỏ", code="da-bo"), is_active=False)

    html = client.get(reverse("portal:home"), {"field": "ho-tich"}).content.decode()

    assert '<option value="ho-tich" selected>Hộ tịch</option>' in html
    assert "da-bo" not in html
    assert '<option value="district">Cấp huyện</option>' in html


def test_unknown_filter_values_are_a_clear_400(client: Client, make_procedure: MakeProcedure) -> None:
    make_procedure("Đăng ký khai sinh")

    response = client.get(reverse("portal:home"), {"field": "khong-co", "level": "planet"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Lĩnh vực không có trong danh mục." in html
    assert "Cấp thực hiện không hợp lệ." in html
    assert _procedure_names(html) == []
    assert 'aria-describedby="id_field-loi" aria-invalid="true" id="id_field"' in html
    assert '<p class="field-error" id="id_field-loi">Lĩnh vực không có trong danh mục.</p>' in html


def test_invalid_filters_page_is_accessible(client: Client, accessible: Callable[..., Any]) -> None:
    response = client.get(reverse("portal:home"), {"level": "planet"})
    assert response.status_code == 400
    accessible(response.content.decode())


def test_no_result_message_offers_the_full_list(client: Client, make_procedure: MakeProcedure) -> None:
    make_procedure("Đăng ký khai sinh")

    html = client.get(reverse("portal:home"), {"q": "giay phep lai xe"}).content.decode()

    assert "Không tìm thấy thủ tục phù hợp." in html
    assert f'<a href="{reverse("portal:home")}">Xem tất cả thủ tục</a>' in html
    assert "Tìm thấy 0 thủ tục." in html


def test_search_partial_for_htmx(client: Client, make_procedure: MakeProcedure) -> None:
    make_procedure("Đăng ký khai sinh")
    make_procedure("Đăng ký kết hôn")

    response = client.get(
        reverse("portal:search"), {"q": "ket hon", "field": ""}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "<form" not in html
    assert _procedure_names(html) == ["Đăng ký kết hôn"]
    # The count is swapped out of band into the live region that stays on the page.
    assert re.search(r'<p id="so-ket-qua" hx-swap-oob="innerHTML">\s*Tìm thấy 1 thủ tục.', html)
    # The address bar then shows the full page for the same search, without the empty filter.
    assert response["HX-Replace-Url"] == reverse("portal:home") + "?q=ket+hon"
    # ...and the language switch returns there too.
    assert '<input type="hidden" name="next" id="lang-next" value="/?q=ket+hon" hx-swap-oob="true">' in html


def test_search_partial_without_filters_points_back_home(
    client: Client, make_procedure: MakeProcedure
) -> None:
    make_procedure("Đăng ký khai sinh")
    response = client.get(reverse("portal:search"))
    assert response["HX-Replace-Url"] == reverse("portal:home")
    assert _procedure_names(response.content.decode()) == ["Đăng ký khai sinh"]


def test_home_form_works_without_and_with_javascript(client: Client) -> None:
    html = client.get(reverse("portal:home")).content.decode()
    form = re.search(r"<form class=\"search\"(.*?)>", html, re.S)
    assert form
    attributes = form.group(1)
    assert f'action="{reverse("portal:home")}"' in attributes
    assert 'method="get"' in attributes
    assert f'hx-get="{reverse("portal:search")}"' in attributes
    assert 'hx-trigger="input delay:400ms, submit"' in attributes
    assert 'hx-target="#ket-qua"' in attributes
    assert '<div id="ket-qua">' in html
    assert re.search(r'<script src="/static/vendor/htmx/htmx\.min\.js" defer></script>', html)


def test_home_query_count_does_not_grow_with_procedures(
    client: Client, make_procedure: MakeProcedure, make_field: MakeField, django_assert_max_num_queries: Any
) -> None:
    fields = [make_field(f"Lĩnh vực {number}") for number in range(3)]
    for number in range(30):
        make_procedure(f"Thủ tục {number}", field=fields[number % 3], fees=[(1000, ""), (2000, "so_ban")])

    with django_assert_max_num_queries(4):
        response = client.get(reverse("portal:home"))
    assert len(_procedure_names(response.content.decode())) == 30
    with django_assert_max_num_queries(4):
        response = client.get(reverse("portal:search"), {"q": "thu tuc"})
    assert len(_procedure_names(response.content.decode())) == 30


def test_long_lists_are_paginated_keeping_the_filters(client: Client, make_procedure: MakeProcedure) -> None:
    for number in range(55):
        make_procedure(f"Đăng ký số {number:02d}")
    home = reverse("portal:home")

    first = client.get(home, {"q": "dang ky"}).content.decode()
    second = client.get(home, {"q": "dang ky", "page": "2"}).content.decode()

    assert len(_procedure_names(first)) == 50
    assert len(_procedure_names(second)) == 5
    assert f'href="{home}?q=dang+ky&amp;page=2"' in first
    assert "Tìm thấy 55 thủ tục." in second
    assert not set(_procedure_names(first)) & set(_procedure_names(second))


def test_home_is_accessible(
    client: Client, make_procedure: MakeProcedure, accessible: Callable[..., Any]
) -> None:
    make_procedure("Đăng ký khai sinh")
    html = client.get(reverse("portal:home")).content.decode()

    audit = accessible(html)

    assert {control.get("name") for control in audit.controls} == {"q", "field", "level"}
    assert 'role="status"' in html
    assert re.search(r'<a href="/"\s+aria-current="page">Thủ tục hành chính</a>', html)
    assert 'role="search"' in html
