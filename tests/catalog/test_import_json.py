"""Importing a valid JSON catalogue: what is written, upserts, idempotence, missing procedures."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile

from mekong.catalog.actions import import_catalog
from mekong.catalog.importer import read_catalog_file
from mekong.catalog.models import Procedure, ProcedureField, RequiredDocument
from mekong.catalog.transfer import CatalogContext, parse_catalog_json, validate_catalog

from .conftest import BIRTH_CODE, BUSINESS_CODE, COPY_CODE, SAMPLE_PATH, AgencyTree, RowCounts
from .factories import AgencyFactory, ProcedureFactory, ProcedureFieldFactory

pytestmark = pytest.mark.django_db


def _import(document: dict[str, Any], **options: Any) -> Any:
    data = validate_catalog(parse_catalog_json(document), CatalogContext.from_database())
    return import_catalog(data, **options)


def test_import_writes_every_part_of_the_sample(
    agency_tree: AgencyTree, count_rows: Callable[[], RowCounts]
) -> None:
    report = import_catalog(read_catalog_file(SAMPLE_PATH))

    assert (report.created, report.updated, report.unchanged, report.deactivated) == (3, 0, 0, 0)
    assert report.fields_created == 2
    assert count_rows() == {
        "fields": 2,
        "procedures": 3,
        "active": 3,
        "documents": 6,
        "fees": 4,
        "steps": 8,
        "agency_links": 2 + 2 + 1,
    }
    birth = Procedure.objects.get(code=BIRTH_CODE)
    assert birth.name == "Đăng ký khai sinh"
    assert birth.field.name == "Hộ tịch"
    assert (birth.level, birth.online_level, birth.requires_e_result) == ("commune", "full", True)
    assert (birth.time_limit_value, birth.time_limit_unit) == (1, "working_day")
    assert birth.source == "Cổng Dịch vụ công quốc gia, thủ tục 1.001193"
    assert birth.form_schema["properties"]["so_ban_sao"]["type"] == "integer"
    assert [d.name for d in birth.documents.order_by("position")][:2] == [
        "Tờ khai đăng ký khai sinh theo mẫu",
        "Giấy chứng sinh hoặc văn bản thay thế giấy chứng sinh",
    ]
    assert [(d.mandatory, d.position) for d in birth.documents.order_by("position")] == [
        (True, 0),
        (True, 1),
        (False, 2),
    ]
    assert [(f.kind, f.amount, f.quantity_field) for f in birth.fee_items.order_by("position")] == [
        ("le_phi", 0, ""),
        ("phi", 8000, "so_ban_sao"),
    ]
    assert [(s.role, s.duration_value, s.duration_unit) for s in birth.steps.order_by("position")] == [
        ("receiving_officer", Decimal("2"), "hour"),
        ("specialist", Decimal("0.5"), "working_day"),
        ("leader", Decimal("2"), "hour"),
    ]
    assert set(birth.agencies.all()) == set(agency_tree.communes)
    assert list(Procedure.objects.get(code=BUSINESS_CODE).agencies.all()) == [agency_tree.district]
    # Searchable straight away: the search key is computed on save.
    assert "dang ky khai sinh" in birth.search_key


def test_reimport_of_the_same_file_changes_nothing(agency_tree: AgencyTree) -> None:
    import_catalog(read_catalog_file(SAMPLE_PATH))
    ids_before = sorted(RequiredDocument.objects.values_list("id", flat=True))

    report = import_catalog(read_catalog_file(SAMPLE_PATH))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert (report.fields_created, report.fields_updated) == (0, 0)
    # Unchanged procedures are not rewritten: their child rows keep their ids.
    assert sorted(RequiredDocument.objects.values_list("id", flat=True)) == ids_before


def test_changed_procedure_is_updated_and_its_children_replaced(
    agency_tree: AgencyTree, sample: dict[str, Any]
) -> None:
    _import(sample)
    birth = sample["procedures"][0]
    birth["fees"][1]["amount"] = 10_000
    birth["documents"].pop(2)
    birth["steps"].reverse()
    birth["agencies"] = {"codes": [agency_tree.communes[0].code]}

    report = _import(sample)

    assert report.updated_codes == (BIRTH_CODE,)
    assert set(report.unchanged_codes) == {COPY_CODE, BUSINESS_CODE}
    procedure = Procedure.objects.get(code=BIRTH_CODE)
    assert [f.amount for f in procedure.fee_items.order_by("position")] == [0, 10_000]
    assert procedure.documents.count() == 2
    assert [s.role for s in procedure.steps.order_by("position")] == [
        "leader",
        "specialist",
        "receiving_officer",
    ]
    assert list(procedure.agencies.all()) == [agency_tree.communes[0]]


def test_agency_change_alone_counts_as_an_update(agency_tree: AgencyTree, sample: dict[str, Any]) -> None:
    _import(sample)
    sample["procedures"][2]["agencies"] = {"codes": [agency_tree.district.code, agency_tree.province.code]}

    report = _import(sample)

    assert report.updated_codes == (BUSINESS_CODE,)
    assert set(Procedure.objects.get(code=BUSINESS_CODE).agencies.all()) == {
        agency_tree.district,
        agency_tree.province,
    }


def test_kinds_reach_only_active_agencies(agency_tree: AgencyTree, sample: dict[str, Any]) -> None:
    closed = AgencyFactory(kind="commune_pc", parent=agency_tree.district, is_active=False)

    _import(sample)

    linked = set(Procedure.objects.get(code=BIRTH_CODE).agencies.all())
    assert linked == set(agency_tree.communes)
    assert closed not in linked


def test_procedures_missing_from_the_file_are_left_alone_by_default(
    agency_tree: AgencyTree, sample: dict[str, Any]
) -> None:
    other = ProcedureFactory()
    _import(sample)
    sample["procedures"] = sample["procedures"][:2]

    report = _import(sample)

    assert report.deactivated == 0
    assert Procedure.objects.get(code=BUSINESS_CODE).is_active
    other.refresh_from_db()
    assert other.is_active


def test_deactivate_missing_retires_procedures_absent_from_the_file(
    agency_tree: AgencyTree, sample: dict[str, Any]
) -> None:
    other = ProcedureFactory()
    _import(sample)
    business = sample["procedures"].pop()

    report = _import(sample, deactivate_missing=True)

    assert set(report.deactivated_codes) == {BUSINESS_CODE, other.code}
    assert set(Procedure.objects.filter(is_active=False).values_list("code", flat=True)) == {
        BUSINESS_CODE,
        other.code,
    }
    # Retired, not deleted: dossiers may still refer to them.
    assert Procedure.objects.filter(code=BUSINESS_CODE).exists()

    # Importing it again brings it back.
    sample["procedures"].append(business)
    again = _import(sample)
    assert again.updated_codes == (BUSINESS_CODE,)
    assert Procedure.objects.get(code=BUSINESS_CODE).is_active


def test_field_names_are_updated_by_code(agency_tree: AgencyTree, sample: dict[str, Any]) -> None:
    _import(sample)
    sample["fields"][1]["name"] = "Hộ tịch (cấp xã)"

    report = _import(sample)

    assert (report.fields_created, report.fields_updated) == (0, 1)
    assert ProcedureField.objects.get(code="ho-tich").name == "Hộ tịch (cấp xã)"
    assert report.unchanged == 3


def test_a_procedure_may_use_a_field_that_already_exists(
    agency_tree: AgencyTree, sample: dict[str, Any]
) -> None:
    ProcedureFieldFactory(code="dat-dai", name="Đất đai")
    sample["procedures"][2]["field"] = "dat-dai"

    _import(sample)

    assert Procedure.objects.get(code=BUSINESS_CODE).field.code == "dat-dai"


def test_uploaded_templates_survive_a_reimport(
    agency_tree: AgencyTree, sample: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    _import(sample)
    form = RequiredDocument.objects.get(procedure__code=BIRTH_CODE, position=0)
    form.template.save("to-khai-khai-sinh.docx", ContentFile(b"mau"), save=True)
    stored_name = form.template.name
    sample["procedures"][0]["fees"][0]["note"] = "Miễn lệ phí đăng ký khai sinh đúng hạn."

    report = _import(sample)

    assert report.updated_codes == (BIRTH_CODE,)
    renewed = RequiredDocument.objects.get(procedure__code=BIRTH_CODE, position=0)
    assert renewed.pk != form.pk
    assert renewed.template.name == stored_name
