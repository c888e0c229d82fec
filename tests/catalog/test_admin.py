"""Catalogue admin: Vietnamese pages, accent-insensitive search, filters, inlines, export actions."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from mekong.catalog.admin import ProcedureAdminForm
from mekong.catalog.models import AgencyKind, Procedure, ProcedureLevel

from .factories import AgencyFactory, FullProcedureFactory, ProcedureFactory, ProcedureFieldFactory

pytestmark = pytest.mark.django_db


def _shown(response: object) -> list[object]:
    return list(response.context["cl"].result_list)  # type: ignore[attr-defined]


def test_procedure_changelist_searches_without_accents_and_filters(catalog_admin_client: Client) -> None:
    civil = ProcedureFieldFactory(code="ho-tich", name="Hộ tịch")
    birth = FullProcedureFactory(name="Đăng ký khai sinh", field=civil)
    FullProcedureFactory(
        name="Đăng ký khai sinh có yếu tố nước ngoài", field=civil, level=ProcedureLevel.DISTRICT
    )
    ProcedureFactory(name="Cấp giấy phép xây dựng")
    url = reverse("admin:catalog_procedure_changelist")

    response = catalog_admin_client.get(url, {"q": "DANG KY KHAI SINH", "level__exact": "commune"})

    assert response.status_code == 200
    assert _shown(response) == [birth]
    assert catalog_admin_client.get(url, {"q": birth.code}).context["cl"].result_list[0] == birth
    assert len(_shown(catalog_admin_client.get(url, {"field__id__exact": civil.pk}))) == 2
    content = response.content.decode()
    assert "Thủ tục hành chính" in content or "thủ tục hành chính" in content
    assert "58.000" not in content  # the per-copy fee is not part of the fixed total
    assert "50.000" in content


def test_procedure_change_page_shows_the_inlines(catalog_admin_client: Client) -> None:
    procedure = FullProcedureFactory()

    response = catalog_admin_client.get(reverse("admin:catalog_procedure_change", args=[procedure.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    for heading in ("Thành phần hồ sơ", "Phí, lệ phí", "Bước xử lý"):
        assert heading.lower() in content.lower()
    assert "Tờ khai theo mẫu" in content
    assert "Ký duyệt" in content


def test_an_invalid_form_schema_is_refused_in_the_admin_form() -> None:
    procedure = ProcedureFactory()
    form = ProcedureAdminForm(
        instance=procedure,
        data={
            "code": procedure.code,
            "name": procedure.name,
            "field": procedure.field.pk,
            "level": procedure.level,
            "implementing_agency": procedure.implementing_agency,
            "time_limit_value": 3,
            "time_limit_unit": "working_day",
            "online_level": "full",
            "form_schema": json.dumps({"type": "objekt"}),
        },
    )

    assert not form.is_valid()
    assert "form_schema" in form.errors
    assert "JSON Schema" in form.errors["form_schema"][0]


def test_export_actions_download_the_selection(catalog_admin_client: Client) -> None:
    chosen = FullProcedureFactory()
    ProcedureFactory()
    url = reverse("admin:catalog_procedure_changelist")

    as_json = catalog_admin_client.post(url, {"action": "export_json", "_selected_action": [chosen.pk]})
    as_xlsx = catalog_admin_client.post(url, {"action": "export_xlsx", "_selected_action": [chosen.pk]})

    assert as_json.status_code == 200
    assert "attachment" in as_json["Content-Disposition"]
    assert [p["code"] for p in json.loads(as_json.content)["procedures"]] == [chosen.code]
    workbook = load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
    codes = [row[0] for row in workbook["thu_tuc"].iter_rows(min_row=2, values_only=True)]
    assert codes == [chosen.code]


def test_agency_changelist_shows_the_tree_and_searches_without_accents(catalog_admin_client: Client) -> None:
    province = AgencyFactory(
        code="000.00.00.H28", name="Ủy ban nhân dân tỉnh Hậu Giang", kind=AgencyKind.PROVINCE_PC
    )
    district = AgencyFactory(
        code="000.00.03.H28",
        name="Ủy ban nhân dân huyện Châu Thành",
        kind=AgencyKind.DISTRICT_PC,
        parent=province,
    )
    commune = AgencyFactory(code="000.01.03.H28", name="Ủy ban nhân dân xã Đông Thạnh", parent=district)
    url = reverse("admin:catalog_agency_changelist")

    response = catalog_admin_client.get(url)
    found = catalog_admin_client.get(url, {"q": "dong thanh"})
    children = catalog_admin_client.get(url, {"parent__id__exact": district.pk})

    assert response.status_code == 200
    content = response.content.decode()
    assert "padding-left:3.0em" in content  # the commune sits two levels down
    assert f"?parent__id__exact={district.pk}" in content
    assert _shown(found) == [commune]
    assert _shown(children) == [commune]


def test_agency_autocomplete_for_procedures_ignores_accents(catalog_admin_client: Client) -> None:
    commune = AgencyFactory(name="Ủy ban nhân dân thị trấn Ngã Sáu")
    AgencyFactory(name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT)

    response = catalog_admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "nga sau", "app_label": "catalog", "model_name": "procedure", "field_name": "agencies"},
    )

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(commune.pk)]


def test_field_admin_counts_procedures(catalog_admin_client: Client) -> None:
    field = ProcedureFieldFactory(name="Hộ tịch")
    ProcedureFactory.create_batch(2, field=field)

    response = catalog_admin_client.get(reverse("admin:catalog_procedurefield_changelist"))

    assert response.status_code == 200
    (shown,) = _shown(response)
    assert shown.procedure_count == 2  # type: ignore[attr-defined]


def test_every_catalogue_model_is_registered() -> None:
    from mekong.catalog.models import Agency, ProcedureField

    for model in (Agency, ProcedureField, Procedure):
        assert site.is_registered(model)
