"""The support activity log: recorded in a few taps, idempotent on the id the phone made, sent by the
offline queue as JSON or posted by the plain form."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mekong.community import actions
from mekong.community.models import Activity, ActivityKind, CommunityEvent, EventKind
from mekong.core.errors import DomainError

from .factories import Towns


def entry(towns: Towns, **changes: Any) -> actions.ActivityInput:
    values: dict[str, Any] = {
        "client_id": uuid.uuid4(),
        "kind": ActivityKind.EID_ACCOUNT,
        "household": "Hộ ông Nguyễn Văn Tư, số 12",
        "hamlet_id": towns.team_a.hamlet_id,
        "date": date.today(),
        "note": "",
    }
    values.update(changes)
    return actions.ActivityInput(**values)


@pytest.mark.django_db
def test_recording_the_same_entry_twice_stores_it_once(towns: Towns) -> None:
    first = entry(towns)

    stored, created = actions.record_activity(towns.member_a, towns.team_a, first)
    again, created_again = actions.record_activity(towns.member_a, towns.team_a, first)

    assert created
    assert not created_again
    assert again.pk == stored.pk
    assert Activity.objects.count() == 1
    assert stored.member.user == towns.member_a
    assert CommunityEvent.objects.filter(kind=EventKind.RECORD_ACTIVITY).count() == 1


@pytest.mark.django_db
def test_an_id_already_used_by_another_team_is_refused_without_saying_whose(towns: Towns) -> None:
    used = entry(towns)
    actions.record_activity(towns.member_a, towns.team_a, used)

    with pytest.raises(DomainError) as refused:
        actions.record_activity(
            towns.member_b,
            towns.team_b,
            entry(towns, client_id=used.client_id, hamlet_id=towns.team_b.hamlet_id),
        )

    assert refused.value.status == 409
    assert "Vị Đông" not in refused.value.as_dict()["message"]
    assert Activity.objects.get().team == towns.team_a


@pytest.mark.django_db
def test_bad_entries_are_refused_with_every_reason(towns: Towns) -> None:
    bad = entry(
        towns,
        kind="dancing",
        household="  ",
        hamlet_id=towns.team_b.hamlet_id,  # another commune's hamlet
        date=date.today() + timedelta(days=1),
        note="x" * 501,
    )

    with pytest.raises(DomainError) as refused:
        actions.record_activity(towns.member_a, towns.team_a, bad)

    assert {error.field for error in refused.value.errors} == {"kind", "household", "hamlet", "date", "note"}
    assert not Activity.objects.exists()
    with pytest.raises(DomainError) as old:
        actions.record_activity(
            towns.member_a, towns.team_a, entry(towns, date=date.today() - timedelta(days=400))
        )
    assert [error.field for error in old.value.errors] == ["date"]


@pytest.mark.django_db
def test_a_neighbouring_hamlet_of_the_same_commune_is_fine(towns: Towns) -> None:
    activity, _created = actions.record_activity(
        towns.member_a, towns.team_a, entry(towns, hamlet_id=towns.a.hamlets[2].pk)
    )

    assert activity.hamlet == towns.a.hamlets[2]


def signed_in(towns: Towns, *, csrf: bool = True) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(towns.member_a)
    return client


def sync(client: Client, payload: dict[str, Any], token: str = "") -> Any:
    return client.post(
        reverse("community:activity_sync"),
        json.dumps(payload),
        content_type="application/json",
        headers={"X-CSRFToken": token} if token else {},
    )


def payload(towns: Towns, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "team": towns.team_a.pk,
        "kind": "cashless_payment",
        "household": "Hộ bà Lê Thị Hoa",
        "hamlet": towns.team_a.hamlet_id,
        "date": date.today().isoformat(),
        "note": "Mở ví điện tử",
        "recorded_at": "2026-06-01T08:30:00+07:00",
    }
    values.update(changes)
    return values


@pytest.mark.django_db
def test_the_queue_endpoint_answers_201_then_200_for_the_same_entry(towns: Towns) -> None:
    client = signed_in(towns)
    page = client.get(reverse("community:activities"))
    token = page.cookies["csrftoken"].value
    body = payload(towns)

    first = sync(client, body, token)
    second = sync(client, body, token)

    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["created"] is True
    assert second.json()["created"] is False
    stored = Activity.objects.get()
    assert (stored.kind, stored.household, stored.note) == (
        "cashless_payment",
        "Hộ bà Lê Thị Hoa",
        "Mở ví điện tử",
    )
    assert stored.recorded_at is not None
    assert stored.recorded_at.isoformat().startswith("2026-06-01T01:30")


@pytest.mark.django_db
def test_the_queue_endpoint_needs_the_csrf_token(towns: Towns) -> None:
    response = sync(signed_in(towns), payload(towns))

    assert response.status_code == 403
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_the_queue_endpoint_refuses_bad_entries_in_both_languages(towns: Towns) -> None:
    client = signed_in(towns, csrf=False)

    missing_id = sync(client, payload(towns, client_id="not-a-uuid"))
    bad = sync(client, payload(towns, kind="", household="", date="hôm qua"))

    assert missing_id.status_code == 400
    assert bad.status_code == 400
    errors = {error["field"]: error for error in bad.json()["errors"]}
    assert set(errors) == {"kind", "household", "date"}
    assert errors["household"]["message_en"] != errors["household"]["message"]
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_the_plain_form_records_once_even_when_sent_twice(towns: Towns) -> None:
    client = signed_in(towns, csrf=False)
    form = client.get(reverse("community:activities")).context["form"]
    data = {
        "client_id": str(form.initial["client_id"]),
        "to": towns.team_a.pk,
        "kind": "ehealth_card",
        "household": "Hộ ông Sáu",
        "hamlet": towns.team_a.hamlet_id,
        "date": date.today().isoformat(),
    }

    first = client.post(reverse("community:activities"), data)
    second = client.post(reverse("community:activities"), data)  # a double tap on a slow connection
    refused = client.post(
        reverse("community:activities"), {**data, "client_id": str(uuid.uuid4()), "household": ""}
    )

    assert first.status_code == 302
    assert second.status_code == 302
    assert Activity.objects.count() == 1
    assert refused.status_code == 400
    assert "Ghi tên chủ hộ hoặc hộ gia đình được hỗ trợ." in refused.content.decode()


@pytest.mark.django_db
def test_the_page_offers_the_teams_hamlets_and_registers_the_worker(towns: Towns) -> None:
    page = signed_in(towns).get(reverse("community:activities"))

    html = page.content.decode()
    assert 'data-worker-url="/cong-dong/sw.js"' in html
    assert 'data-sync-url="/cong-dong/hoat-dong/gui/"' in html
    for hamlet in towns.a.hamlets:
        assert f'<option value="{hamlet.pk}"' in html
    for hamlet in towns.b.hamlets:
        assert f'<option value="{hamlet.pk}"' not in html


@pytest.mark.django_db
def test_the_service_worker_may_control_the_community_pages(towns: Towns) -> None:
    response = Client().get(reverse("community:service_worker"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/cong-dong/"
    assert '"/cong-dong/hoat-dong/"' in response.content.decode()
    assert "community/activity.js" in response.content.decode()
