from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from mekong.catalog.models import Procedure, RequiredDocument

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<h2 id="{section_id}">(.*?)</section>', html, re.S)
    assert match, section_id
    return _text(match.group(1))


def test_detail_shows_what_a_citizen_needs(client: Client, birth_registration: Procedure) -> None:
    response = client.get(reverse("portal:procedure", args=[birth_registration.code]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Đăng ký khai sinh</h1>" in html
    general = _section(html, "thong-tin-chung")
    for expected in (
        "1.001193.000.00.00.H29",
        "Hộ tịch",
        "Cấp xã",
        "Toàn trình",
        "1 ngày làm việc",
        "Ủy ban nhân dân cấp xã",
        "Giấy khai sinh (bản chính)",
        "Có, trả kết quả bản điện tử",
        "8.000 đ/bản",
    ):
        assert expected in general, expected

    documents = _section(html, "thanh-phan-ho-so")
    assert documents.index("Tờ khai đăng ký khai sinh") < documents.index("Giấy chứng sinh")
    assert "Theo mẫu: Mẫu tờ khai đăng ký khai sinh" in documents
    assert "2 bản" in documents
    assert "Nếu không có giấy chứng sinh thì nộp văn bản của người làm chứng." in documents
    assert documents.count("Không bắt buộc") == 1  # only the proof of residence
    assert documents.count("Bắt buộc") == 2

    fees = _section(html, "phi-le-phi")
    assert "Lệ phí: Lệ phí đăng ký khai sinh Miễn phí" in fees
    assert "Miễn lệ phí khi đăng ký đúng hạn." in fees
    assert "Phí: Cấp bản sao trích lục 8.000 đ/bản" in fees

    steps = _section(html, "cac-buoc")
    assert "Tiếp nhận hồ sơ Cán bộ tiếp nhận (một cửa) · 0,5 ngày làm việc" in steps
    assert "Phê duyệt Lãnh đạo phê duyệt · 1 ngày làm việc" in steps

    assert "Luật Hộ tịch số 60/2014/QH13.<br>Nghị định số 123/2015/NĐ-CP." in html
    assert "Người đi đăng ký khai sinh nộp tờ khai và giấy chứng sinh." in _section(html, "trinh-tu")


def test_detail_links_a_template_file(
    client: Client, birth_registration: Procedure, settings: Any, tmp_path: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"},
        },
    }
    document = RequiredDocument.objects.get(procedure=birth_registration, position=1)
    document.template.save("to-khai-khai-sinh.docx", ContentFile(b"mau"), save=True)

    html = client.get(reverse("portal:procedure", args=[birth_registration.code])).content.decode()

    assert re.search(
        r'<a href="/media/catalog/templates/to-khai-khai-sinh[^"]*\.docx" download>\s*'
        r"Tải Mẫu tờ khai đăng ký khai sinh</a>",
        html,
    )


def test_detail_unknown_code_is_404(client: Client, birth_registration: Procedure) -> None:
    response = client.get(reverse("portal:procedure", args=["1.999999.000.00.00.H29"]))

    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert 'lang="vi"' in html


def test_detail_of_a_withdrawn_procedure_says_so(
    client: Client, make_procedure: Callable[..., Procedure]
) -> None:
    procedure = make_procedure("Thủ tục đã bãi bỏ", is_active=False)

    response = client.get(reverse("portal:procedure", args=[procedure.code]))

    assert response.status_code == 200
    assert "Thủ tục này không còn áp dụng." in response.content.decode()


def test_detail_query_count(
    client: Client, birth_registration: Procedure, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(5):  # procedure + field, documents, fees, steps, agencies
        response = client.get(reverse("portal:procedure", args=[birth_registration.code]))
    assert response.status_code == 200


def test_detail_is_accessible(
    client: Client, birth_registration: Procedure, accessible: Callable[..., Any]
) -> None:
    html = client.get(reverse("portal:procedure", args=[birth_registration.code])).content.decode()
    accessible(html)
    assert re.search(r'<nav class="breadcrumb" aria-label="[^"]+">', html)
    assert f'href="{reverse("portal:procedure", args=[birth_registration.code])}" aria-current="page"' in html


def test_free_procedure_without_fee_items(client: Client, make_procedure: Callable[..., Procedure]) -> None:
    procedure = make_procedure("Xác nhận tình trạng hôn nhân")
    html = client.get(reverse("portal:procedure", args=[procedure.code])).content.decode()
    assert "Tổng cộng: Miễn phí" in _section(html, "phi-le-phi")
    assert "Không yêu cầu giấy tờ." in _section(html, "thanh-phan-ho-so")
