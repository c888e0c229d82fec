"""Factories for the catalogue: fields, agencies, procedures and their documents, fees and steps.

`ProcedureFactory` makes a bare, valid, active procedure (no children); `FullProcedureFactory` adds two
documents, a fixed fee, a per-copy fee (multiplied by the form's ``so_ban`` field) and three steps.
Codes follow the national formats, so the objects pass the importer's validator and the model validators.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from mekong.accounts.roles import Role
from mekong.catalog.models import (
    Agency,
    AgencyKind,
    FeeItem,
    FeeKind,
    OnlineLevel,
    Procedure,
    ProcedureField,
    ProcedureLevel,
    ProcessingStep,
    RequiredDocument,
    TimeUnit,
)

SIMPLE_FORM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ, chữ đệm và tên"},
        "so_ban": {"type": "integer", "title": "Số bản sao", "minimum": 0, "default": 0},
    },
    "required": ["ho_ten"],
}


class ProcedureFieldFactory(DjangoModelFactory[ProcedureField]):
    class Meta:
        model = ProcedureField
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"linh-vuc-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực thử nghiệm {n}")


class AgencyFactory(DjangoModelFactory[Agency]):
    """A commune People's Committee by default; pass `kind` and `parent` to build a tree."""

    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n % 1000:03d}.{(n // 1000) % 100:02d}.98.H28")
    name = factory.Sequence(lambda n: f"Ủy ban nhân dân xã Thử Nghiệm {n}")
    kind = AgencyKind.COMMUNE_PC
    parent = None
    is_active = True


class ProcedureFactory(DjangoModelFactory[Procedure]):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"1.{n % 1_000_000:06d}.000.00.00.H28")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    field = factory.SubFactory(ProcedureFieldFactory)
    level = ProcedureLevel.COMMUNE
    implementing_agency = "Ủy ban nhân dân cấp xã"
    legal_basis = "Luật Hộ tịch năm 2014."
    result_name = "Giấy xác nhận"
    time_limit_value = 3
    time_limit_unit = TimeUnit.WORKING_DAY
    online_level = OnlineLevel.FULL
    requires_e_result = False
    form_schema = factory.LazyFunction(lambda: dict(SIMPLE_FORM_SCHEMA))
    source = "Cổng Dịch vụ công quốc gia"
    is_active = True

    @factory.post_generation
    def agencies(self, create: bool, extracted: list[Agency] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.agencies.set(extracted)


class RequiredDocumentFactory(DjangoModelFactory[RequiredDocument]):
    class Meta:
        model = RequiredDocument

    procedure = factory.SubFactory(ProcedureFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Giấy tờ số {n}")
    mandatory = True
    copies = 1
    template_name = ""
    note = ""


class FeeItemFactory(DjangoModelFactory[FeeItem]):
    class Meta:
        model = FeeItem

    procedure = factory.SubFactory(ProcedureFactory)
    position = factory.Sequence(lambda n: n)
    kind = FeeKind.CHARGE
    name = "Lệ phí"
    amount = 50_000
    quantity_field = ""
    note = ""


class ProcessingStepFactory(DjangoModelFactory[ProcessingStep]):
    class Meta:
        model = ProcessingStep

    procedure = factory.SubFactory(ProcedureFactory)
    position = factory.Sequence(lambda n: n)
    name = "Thẩm định hồ sơ"
    role = Role.SPECIALIST
    duration_value = Decimal("1")
    duration_unit = TimeUnit.WORKING_DAY


class FullProcedureFactory(ProcedureFactory):
    """A procedure as the portal shows it: documents, a fixed and a per-copy fee, receive → review → sign."""

    documents = factory.RelatedFactoryList(
        RequiredDocumentFactory,
        factory_related_name="procedure",
        size=2,
        position=factory.Iterator([0, 1]),
        name=factory.Iterator(["Tờ khai theo mẫu", "Bản sao giấy tờ tùy thân"]),
        mandatory=factory.Iterator([True, False]),
    )
    fee_items = factory.RelatedFactoryList(
        FeeItemFactory,
        factory_related_name="procedure",
        size=2,
        position=factory.Iterator([0, 1]),
        kind=factory.Iterator([FeeKind.CHARGE, FeeKind.FEE]),
        name=factory.Iterator(["Lệ phí", "Phí cấp bản sao"]),
        amount=factory.Iterator([50_000, 8_000]),
        quantity_field=factory.Iterator(["", "so_ban"]),
    )
    steps = factory.RelatedFactoryList(
        ProcessingStepFactory,
        factory_related_name="procedure",
        size=3,
        position=factory.Iterator([0, 1, 2]),
        name=factory.Iterator(["Tiếp nhận hồ sơ", "Thẩm định hồ sơ", "Ký duyệt"]),
        role=factory.Iterator([Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.LEADER]),
        duration_value=factory.Iterator([Decimal("0.5"), Decimal("2"), Decimal("0.5")]),
    )
