""" "Tra cứu hồ sơ": anyone with the code and the phone number or personal ID on file sees the status; the
page tells nobody whether a code exists."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dossiers.factories import one_stop_shop, submitted_dossier
from mekong.dossiers import actions
from mekong.dossiers.models import Dossier

from .html_audit import PageAudit

pytestmark = pytest.mark.django_db

NOT_FOUND = (
    "Không tìm thấy hồ sơ khớp với mã hồ sơ và số điện thoại hoặc số định danh cá nhân đã nhập. "
    "Vui lòng kiểm tra lại."
)


@pytest.fixture(autouse=True)
def _memory_storage(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def dossier() -> Dossier:
    shop = one_stop_shop()
    received = actions.receive(submitted_dossier(shop), actor=shop.receiver, note="Ghi chú nội bộ của cán bộ")
    return received


def test_the_lookup_page_is_in_the_header_and_accessible(
    client: Client, accessible: Callable[..., PageAudit]
) -> None:
    response = client.get(reverse("portal:lookup"))
    assert response.status_code == 200
    html = response.content.decode()
    accessible(html)
    assert f'<a href="{reverse("portal:lookup")}" aria-current="page">Tra cứu hồ sơ</a>' in html
    assert f'href="{reverse("portal:my_dossiers")}"' in html


def test_the_phone_number_or_the_personal_id_opens_the_status(
    client: Client, dossier: Dossier, accessible: Callable[..., PageAudit]
) -> None:
    by_phone = client.post(
        reverse("portal:lookup"), {"code": dossier.code.lower(), "contact": dossier.applicant_phone}
    )
    assert by_phone.status_code == 200
    accessible(by_phone.content.decode())
    text = _text(by_phone)
    assert dossier.code in text
    assert "Được tiếp nhận" in text
    assert "Mới đăng ký" in text
    assert dossier.procedure.name in text
    assert dossier.applicant_name not in text  # masked
    assert "Ghi chú nội bộ của cán bộ" not in text
    spaced_id = " ".join(re.findall("....", dossier.applicant_personal_id))
    by_id = client.post(reverse("portal:lookup"), {"code": dossier.code, "contact": spaced_id})
    assert by_id.status_code == 200
    assert "Được tiếp nhận" in _text(by_id)


def test_an_unknown_code_and_wrong_details_get_the_same_answer(client: Client, dossier: Dossier) -> None:
    unknown_code = dossier.code[:-4] + ("0002" if not dossier.code.endswith("0002") else "0003")
    wrong = client.post(reverse("portal:lookup"), {"code": dossier.code, "contact": "0999999999"})
    unknown = client.post(
        reverse("portal:lookup"), {"code": unknown_code, "contact": dossier.applicant_phone}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert NOT_FOUND in _text(wrong)

    def without_token(response: Any) -> str:
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        return re.sub(r'name="(code|contact)"[^>]*value="[^"]*"', "", html)

    assert without_token(wrong) == without_token(unknown)
    assert "Được tiếp nhận" not in _text(wrong)


def test_missing_and_malformed_input_is_shown_on_the_fields(
    client: Client, accessible: Callable[..., PageAudit]
) -> None:
    empty = client.post(reverse("portal:lookup"), {})
    assert empty.status_code == 400
    accessible(empty.content.decode())
    assert "Vui lòng nhập mã hồ sơ." in _text(empty)
    assert "Vui lòng nhập số điện thoại hoặc số định danh cá nhân." in _text(empty)
    malformed = client.post(reverse("portal:lookup"), {"code": "ABC", "contact": "0912345678"})
    assert malformed.status_code == 400
    html = malformed.content.decode()
    assert "Mã hồ sơ không đúng định dạng" in _text(malformed)
    assert re.search(r'<input[^>]*aria-describedby="id_code_helptext id_code-loi"', html)


def test_too_many_lookups_are_refused_for_a_while(client: Client, dossier: Dossier, settings: Any) -> None:
    settings.MEKONG_LOOKUP_LIMIT = 2
    for _attempt in range(2):
        assert (
            client.post(reverse("portal:lookup"), {"code": dossier.code, "contact": "0999999999"}).status_code
            == 404
        )
    blocked = client.post(
        reverse("portal:lookup"), {"code": dossier.code, "contact": dossier.applicant_phone}
    )
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Bạn đã tra cứu quá nhiều lần." in _text(blocked)
    assert "Được tiếp nhận" not in _text(blocked)
