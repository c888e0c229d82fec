"""/api/v1/notifications over HTTP: the inbox, read marks, and the choice of channels."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.factories import CitizenFactory
from dossiers.factories import OneStopShop, submitted_dossier
from mekong.accounts.actions import issue_api_token
from mekong.accounts.models import User
from mekong.dossiers import actions as dossier_actions
from mekong.notify.models import InboxMessage, NotificationPreference

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications"
# Token look-up, token use stamp, count, page — nothing per row.
MAX_LIST_QUERIES = 4


class Api:
    def __init__(self, user: User | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, secret = issue_api_token(user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def get(self, path: str = "", **params: Any) -> Any:
        return self.client.get(BASE + path, params, **self.headers)

    def post(self, path: str) -> Any:
        return self.client.post(BASE + path, {}, content_type="application/json", **self.headers)

    def put(self, path: str, data: Any) -> Any:
        return self.client.put(BASE + path, data, content_type="application/json", **self.headers)


def three_notifications(shop: OneStopShop) -> list[InboxMessage]:
    dossier = dossier_actions.receive(submitted_dossier(shop), actor=shop.receiver)
    dossier = dossier_actions.request_supplement(dossier, actor=shop.receiver, missing=["Ảnh 4x6"])
    dossier_actions.refuse(submitted_dossier(shop), actor=shop.receiver, reason="Sai thẩm quyền")
    return list(InboxMessage.objects.order_by("-created_at", "-id"))


def test_my_notifications_newest_first(shop: OneStopShop) -> None:
    messages = three_notifications(shop)

    response = Api(shop.citizen).get()

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [m.pk for m in messages]
    newest = body["items"][0]
    assert newest["kind"] == "refused"
    assert newest["kind_label"] == "Hồ sơ không được tiếp nhận"
    assert newest["subject"] == messages[0].notification.subject
    assert "Lý do: Sai thẩm quyền" in newest["body"]
    assert newest["dossier_code"] == messages[0].notification.dossier.code
    assert newest["link"] == f"/ho-so/{newest['dossier_code']}/"
    assert (newest["read_at"], newest["is_read"]) == (None, False)
    assert Api(CitizenFactory()).get().json() == {"items": [], "count": 0}
    assert Api().get().status_code == 401


def test_the_inbox_costs_the_same_however_long(shop: OneStopShop, django_assert_max_num_queries: Any) -> None:
    for _ in range(8):
        three_notifications(shop)
    api = Api(shop.citizen)

    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        first = api.get()
    second = api.get(page=2)

    assert first.json()["count"] == 24
    assert len(first.json()["items"]) == 20
    assert len(second.json()["items"]) == 4


def test_reading_marks_and_the_unread_count(shop: OneStopShop) -> None:
    messages = three_notifications(shop)
    api = Api(shop.citizen)
    assert api.get("/unread-count").json() == {"unread": 3}

    read = api.post(f"/{messages[1].pk}/read")

    assert read.status_code == 200
    assert read.json()["is_read"] is True
    first_read_at = read.json()["read_at"]
    assert api.post(f"/{messages[1].pk}/read").json()["read_at"] == first_read_at  # reading again: no change
    assert api.get("/unread-count").json() == {"unread": 2}
    assert [item["id"] for item in api.get(unread=True).json()["items"]] == [messages[0].pk, messages[2].pk]
    assert api.post("/read-all").json() == {"marked": 2}
    assert api.get("/unread-count").json() == {"unread": 0}
    assert api.post("/read-all").json() == {"marked": 0}


def test_someone_elses_notification_is_not_found(shop: OneStopShop) -> None:
    messages = three_notifications(shop)
    stranger = Api(CitizenFactory())

    response = stranger.post(f"/{messages[0].pk}/read")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["message"] == f"Không tìm thấy thông báo số {messages[0].pk}."
    assert response.json()["message_en"] == f"Notification {messages[0].pk} not found."
    assert InboxMessage.objects.get(pk=messages[0].pk).read_at is None
    assert stranger.post("/read-all").json() == {"marked": 0}
    assert InboxMessage.objects.filter(read_at__isnull=True).count() == 3


def test_choosing_channels(shop: OneStopShop) -> None:
    api = Api(shop.citizen)
    before = api.get("/preferences").json()
    assert before["language"] == "vi"
    assert [(c["name"], c["enabled"], c["available"], c["always_on"]) for c in before["channels"]] == [
        ("inapp", True, True, True),
        ("sms", True, True, False),
        ("email", True, True, False),
    ]
    assert before["channels"][1]["address"] == shop.citizen.phone

    response = api.put("/preferences", {"channels": ["email"], "language": "en"})

    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "en"
    assert {c["name"]: c["enabled"] for c in body["channels"]} == {"inapp": True, "sms": False, "email": True}
    assert NotificationPreference.objects.get(user=shop.citizen).channels == ["email"]
    dossier_actions.receive(submitted_dossier(shop), actor=shop.receiver)
    [message] = api.get().json()["items"]
    assert message["subject"].startswith("Dossier ")


def test_bad_choices_are_refused_and_change_nothing(shop: OneStopShop) -> None:
    no_email = CitizenFactory(email="")
    api = Api(no_email)

    response = api.put("/preferences", {"channels": ["sms", "email", "fax"], "language": "fr"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_preferences"
    assert body["message"] == "Chưa lưu được tùy chọn nhận thông báo."
    assert [(e["field"], e["message"]) for e in body["errors"]] == [
        ("channels", "Tài khoản chưa có địa chỉ để nhận thông báo qua kênh “Thư điện tử”."),
        ("channels", "Không có kênh thông báo “fax”."),
        ("language", "Ngôn ngữ không hợp lệ: chọn một trong vi, en."),
    ]
    assert body["errors"][0]["message_en"] == "The account has no address for notifications by “Email”."
    assert not NotificationPreference.objects.filter(user=no_email).exists()
    malformed = api.put("/preferences", {"channels": "sms"})
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "channels"
    assert Api().get("/preferences").status_code == 401


def test_the_inbox_cannot_be_turned_off(shop: OneStopShop) -> None:
    body = Api(shop.citizen).put("/preferences", {"channels": [], "language": "vi"}).json()

    assert {c["name"]: c["enabled"] for c in body["channels"]} == {
        "inapp": True,
        "sms": False,
        "email": False,
    }


def test_documented_with_the_shared_error_shape() -> None:
    document = Client().get("/api/openapi.json").json()
    expected = {
        ("get", ""): {"401", "422"},
        ("get", "/unread-count"): {"401"},
        ("post", "/{message_id}/read"): {"401", "404", "422"},
        ("post", "/read-all"): {"401"},
        ("get", "/preferences"): {"401"},
        ("put", "/preferences"): {"400", "401", "422"},
    }
    for (method, path), errors in expected.items():
        operation = document["paths"][BASE + path][method]
        assert errors <= set(operation["responses"]), (method, path)
        assert operation["security"], (method, path)
        for code in errors:
            ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
            assert {"code", "message", "message_en", "errors"} <= set(schema["properties"])
