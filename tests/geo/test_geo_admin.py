from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from mekong.geo.models import Edition, UnitLevel

from .factories import CommuneFactory, HamletFactory, LegacyCommuneFactory, UnitSuccessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_vi(client: Client, settings: Any) -> Client:
    user = get_user_model().objects.create_superuser("quantri", "quantri@example.vn", "mat-khau-thu")
    client.force_login(user)
    return client


def test_changelist_searches_by_name_without_accents_and_filters(admin_client_vi: Client) -> None:
    CommuneFactory(name="Xã Vị Đông", short_name="Vị Đông")
    LegacyCommuneFactory(name="Xã Vị Đông", short_name="Vị Đông", code="31465")
    CommuneFactory(name="Phường Ngã Bảy", short_name="Ngã Bảy")
    url = reverse("admin:geo_administrativeunit_changelist")

    response = admin_client_vi.get(
        url, {"q": "vi dong", "edition__exact": Edition.Y2025, "level__exact": UnitLevel.COMMUNE}
    )
    assert response.status_code == 200
    shown = [unit.name for unit in response.context["cl"].result_list]
    assert shown == ["Xã Vị Đông"]
    assert response.context["cl"].result_list[0].edition == Edition.Y2025
    content = response.content.decode()
    assert "Phiên bản" in content or "phiên bản" in content  # filter titled in Vietnamese


def test_change_form_uses_autocomplete_for_parents(admin_client_vi: Client) -> None:
    hamlet = HamletFactory()
    UnitSuccessionFactory(predecessor=hamlet.former_parent)
    response = admin_client_vi.get(reverse("admin:geo_administrativeunit_change", args=[hamlet.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "data-autocomplete-light-url" in content or "admin-autocomplete" in content
    assert "Trực thuộc" in content

    legacy = admin_client_vi.get(
        reverse("admin:geo_administrativeunit_change", args=[hamlet.former_parent.pk])
    )
    assert legacy.status_code == 200
    assert "sắp xếp thành đơn vị mới" in legacy.content.decode().lower()

    autocomplete = admin_client_vi.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "geo",
            "model_name": "administrativeunit",
            "field_name": "parent",
            "term": hamlet.parent.short_name,
        },
    )
    assert autocomplete.status_code == 200
    assert str(hamlet.parent.pk) in {item["id"] for item in autocomplete.json()["results"]}


def test_succession_changelist(admin_client_vi: Client) -> None:
    succession = UnitSuccessionFactory()
    response = admin_client_vi.get(
        reverse("admin:geo_unitsuccession_changelist"), {"q": succession.predecessor.name}
    )
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [succession]
