"""Bulk actions on the queue: each dossier in its own action call, a summary and every error by code."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from backoffice.builders import processed, received, submitted
from dossiers.factories import OneStopShop, one_stop_shop
from mekong.accounts.models import User
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import Status
from mekong.dossiers.workdays import VIETNAM_TZ

pytestmark = pytest.mark.django_db

MONDAY_9AM = datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM_TZ)
BULK = reverse("backoffice:bulk")


def bulk(
    client: Client, user: User, shop: OneStopShop, action: str, dossiers: list[Dossier], **extra: Any
) -> Any:
    client.force_login(user)
    data = {
        "agency": str(shop.agency.pk),
        "action": action,
        "dossiers": [str(d.pk) for d in dossiers],
        **extra,
    }
    return client.post(BULK, data)


def messages_of(response: Any) -> list[str]:
    """The flash messages the bulk action left; showing them (following the redirect) uses them up."""
    found = [str(message) for message in get_messages(response.wsgi_request)]
    if response.status_code == 302:
        response.client.get(response["Location"])
    return found


def statuses(dossiers: list[Dossier]) -> list[int | None]:
    return [Dossier.objects.get(pk=d.pk).status for d in dossiers]


def test_bulk_receive_reports_successes_and_the_failure_by_code(client: Client, shop: OneStopShop) -> None:
    fresh = [submitted(shop, MONDAY_9AM) for _ in range(3)]
    already = received(shop, MONDAY_9AM)
    queue_url = f"{reverse('backoffice:queue')}?agency={shop.agency.pk}&tab=new&q=H28"

    response = bulk(client, shop.receiver, shop, "receive", [*fresh, already], next=queue_url)

    assert response.status_code == 302
    assert response["Location"] == queue_url
    assert messages_of(response) == [
        "3 thành công, 1 lỗi.",
        f"{already.code}: Không thể tiếp nhận hồ sơ khi hồ sơ đang ở trạng thái “Được tiếp nhận”.",
    ]
    assert statuses(fresh) == [Status.RECEIVED] * 3
    assert Dossier.objects.get(pk=already.pk).event_count == already.event_count


def test_bulk_summary_is_shown_on_the_queue(client: Client, shop: OneStopShop) -> None:
    fresh = [submitted(shop, MONDAY_9AM) for _ in range(2)]

    response = bulk(client, shop.receiver, shop, "receive", fresh)
    html = client.get(response["Location"]).content.decode()

    assert "2 thành công, 0 lỗi." in html


def test_bulk_assign_needs_a_specialist_then_assigns_each(client: Client, shop: OneStopShop) -> None:
    dossiers = [received(shop, MONDAY_9AM) for _ in range(2)]

    refused = bulk(client, shop.receiver, shop, "assign", dossiers)
    assert messages_of(refused) == ["Chọn chuyên viên để phân công."]
    assert statuses(dossiers) == [Status.RECEIVED] * 2

    done = bulk(client, shop.receiver, shop, "assign", dossiers, specialist=str(shop.specialist.pk))
    assert messages_of(done) == ["2 thành công, 0 lỗi."]
    assert {Dossier.objects.get(pk=d.pk).assigned_to_id for d in dossiers} == {shop.specialist.pk}


def test_bulk_start_processing_and_return_result(client: Client, shop: OneStopShop) -> None:
    waiting_to_start = [received(shop, MONDAY_9AM) for _ in range(2)]
    ready = [processed(shop, MONDAY_9AM) for _ in range(2)]

    assert messages_of(bulk(client, shop.specialist, shop, "start_processing", waiting_to_start)) == [
        "2 thành công, 0 lỗi."
    ]
    assert messages_of(bulk(client, shop.receiver, shop, "return_result", ready)) == ["2 thành công, 0 lỗi."]
    assert statuses(waiting_to_start) == [Status.PROCESSING] * 2
    assert statuses(ready) == [Status.RESULT_RETURNED] * 2


def test_bulk_by_the_wrong_role_fails_each_dossier_and_changes_nothing(
    client: Client, shop: OneStopShop
) -> None:
    fresh = [submitted(shop, MONDAY_9AM) for _ in range(2)]

    response = bulk(client, shop.specialist, shop, "receive", fresh)

    assert messages_of(response) == [
        "0 thành công, 2 lỗi.",
        f"{fresh[0].code}, {fresh[1].code}: Bạn không có vai trò phù hợp tại {shop.agency.name} để tiếp nhận hồ sơ.",
    ]
    assert statuses(fresh) == [Status.NEW] * 2


def test_dossiers_of_another_agency_are_not_touched(client: Client, shop: OneStopShop) -> None:
    mine = submitted(shop, MONDAY_9AM)
    other = one_stop_shop()
    theirs = submitted(other, MONDAY_9AM)

    response = bulk(client, shop.receiver, shop, "receive", [mine, theirs])

    assert messages_of(response) == [
        "1 thành công, 1 lỗi.",
        f"#{theirs.pk}: Không tìm thấy hồ sơ trong cơ quan này.",
    ]
    assert statuses([mine, theirs]) == [Status.RECEIVED, Status.NEW]
    # Posting for an agency one cannot read is not found at all.
    assert bulk(client, shop.receiver, other, "receive", [theirs]).status_code == 404
    assert statuses([theirs]) == [Status.NEW]


def test_nothing_selected_or_unknown_action(client: Client, shop: OneStopShop) -> None:
    assert messages_of(bulk(client, shop.receiver, shop, "receive", [])) == ["Chưa chọn hồ sơ nào."]
    dossier = submitted(shop, MONDAY_9AM)
    assert messages_of(bulk(client, shop.receiver, shop, "refuse", [dossier])) == ["Thao tác không hợp lệ."]
    assert statuses([dossier]) == [Status.NEW]


def test_redirect_never_leaves_the_site(client: Client, shop: OneStopShop) -> None:
    dossier = submitted(shop, MONDAY_9AM)

    response = bulk(client, shop.receiver, shop, "receive", [dossier], next="https://evil.example/")

    assert response["Location"] == f"{reverse('backoffice:queue')}?agency={shop.agency.pk}"


def test_citizen_and_visitor_cannot_bulk(client: Client, shop: OneStopShop) -> None:
    dossier = submitted(shop, MONDAY_9AM)
    assert (
        client.post(
            BULK, {"agency": shop.agency.pk, "action": "receive", "dossiers": [dossier.pk]}
        ).status_code
        == 302
    )
    assert bulk(client, shop.citizen, shop, "receive", [dossier]).status_code == 403
    assert statuses([dossier]) == [Status.NEW]


def test_queue_offers_the_bulk_buttons_of_the_officials_roles(client: Client, shop: OneStopShop) -> None:
    submitted(shop, MONDAY_9AM)

    def buttons(user: User) -> set[str]:
        client.force_login(user)
        html = client.get(reverse("backoffice:queue"), {"tab": "all"}).content.decode()
        return set(re.findall(r'<button type="submit" name="action" value="([a-z_]+)"', html))

    assert buttons(shop.receiver) == {"receive", "assign", "return_result"}
    assert buttons(shop.specialist) == {"start_processing"}
    assert buttons(shop.leader) == {"assign"}


def test_a_crash_on_one_dossier_does_not_hide_the_others(
    client: Client, shop: OneStopShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mekong.dossiers import actions

    fresh = [submitted(shop, MONDAY_9AM) for _ in range(3)]
    real_receive = actions.receive

    def faulty_receive(dossier: Dossier, **kwargs: Any) -> Dossier:
        if dossier.pk == fresh[1].pk:
            raise RuntimeError("a broken document template")
        return real_receive(dossier, **kwargs)

    monkeypatch.setattr(actions, "receive", faulty_receive)

    response = bulk(client, shop.receiver, shop, "receive", fresh)

    assert messages_of(response) == [
        "2 thành công, 1 lỗi.",
        f"{fresh[1].code}: Lỗi hệ thống, hồ sơ chưa được xử lý; đã ghi nhận để kiểm tra.",
    ]
    assert statuses(fresh) == [Status.RECEIVED, Status.NEW, Status.RECEIVED]
