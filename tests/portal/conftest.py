"""Fixtures for the portal: catalogue objects from the catalogue factories, and the HTML audit."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from catalog.factories import (
    FeeItemFactory,
    ProcedureFactory,
    ProcedureFieldFactory,
    ProcessingStepFactory,
    RequiredDocumentFactory,
)
from mekong.accounts.roles import Role
from mekong.catalog.models import FeeKind, OnlineLevel, Procedure, ProcedureField, ProcedureLevel, TimeUnit

from .html_audit import PageAudit, assert_accessible


@pytest.fixture
def make_field(db: None) -> Callable[..., ProcedureField]:
    def make(name: str, code: str | None = None) -> ProcedureField:
        return ProcedureFieldFactory.create(name=name, **({"code": code} if code else {}))

    return make


@pytest.fixture
def make_procedure(db: None) -> Callable[..., Procedure]:
    """A procedure with `fees` given as (amount, quantity_field) pairs; other keywords go to the factory."""

    def make(name: str, *, fees: list[tuple[int, str]] | None = None, **attributes: Any) -> Procedure:
        attributes.setdefault("time_limit_value", 1)
        procedure = ProcedureFactory.create(name=name, **attributes)
        for position, (amount, quantity_field) in enumerate(fees or []):
            FeeItemFactory.create(
                procedure=procedure,
                position=position,
                name=f"Lệ phí {position + 1}",
                amount=amount,
                quantity_field=quantity_field,
            )
        return procedure

    return make


@pytest.fixture
def birth_registration(make_field: Callable[..., ProcedureField]) -> Procedure:
    """A full procedure as published: documents, fees with notes, steps."""
    procedure = ProcedureFactory.create(
        name="Đăng ký khai sinh",
        code="1.001193.000.00.00.H29",
        field=make_field("Hộ tịch", code="ho-tich"),
        level=ProcedureLevel.COMMUNE,
        online_level=OnlineLevel.FULL,
        time_limit_value=1,
        time_limit_unit=TimeUnit.WORKING_DAY,
        legal_basis="Luật Hộ tịch số 60/2014/QH13.\nNghị định số 123/2015/NĐ-CP.",
        description="Người đi đăng ký khai sinh nộp tờ khai và giấy chứng sinh.",
        result_name="Giấy khai sinh (bản chính)",
        requires_e_result=True,
    )
    RequiredDocumentFactory.create(
        procedure=procedure,
        position=1,
        name="Tờ khai đăng ký khai sinh",
        mandatory=True,
        copies=1,
        template_name="Mẫu tờ khai đăng ký khai sinh",
    )
    RequiredDocumentFactory.create(
        procedure=procedure,
        position=2,
        name="Giấy chứng sinh",
        mandatory=True,
        copies=2,
        note="Nếu không có giấy chứng sinh thì nộp văn bản của người làm chứng.",
    )
    RequiredDocumentFactory.create(
        procedure=procedure, position=3, name="Giấy tờ chứng minh nơi cư trú", mandatory=False, copies=1
    )
    FeeItemFactory.create(
        procedure=procedure,
        position=1,
        kind=FeeKind.CHARGE,
        name="Lệ phí đăng ký khai sinh",
        amount=0,
        note="Miễn lệ phí khi đăng ký đúng hạn.",
    )
    FeeItemFactory.create(
        procedure=procedure,
        position=2,
        kind=FeeKind.FEE,
        name="Cấp bản sao trích lục",
        amount=8000,
        quantity_field="so_ban",
    )
    ProcessingStepFactory.create(
        procedure=procedure,
        position=1,
        name="Tiếp nhận hồ sơ",
        role=Role.RECEIVING_OFFICER,
        duration_value=Decimal("0.50"),
    )
    ProcessingStepFactory.create(
        procedure=procedure, position=2, name="Phê duyệt", role=Role.LEADER, duration_value=Decimal("1.00")
    )
    return procedure


@pytest.fixture
def accessible() -> Callable[..., PageAudit]:
    return assert_accessible
