"""Fixtures for the catalogue tests: a small agency tree matching tests/catalog/data/sample_catalog.json,
the sample file itself, and a row counter to prove that a refused import changed nothing."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from mekong.catalog.models import (
    Agency,
    AgencyKind,
    FeeItem,
    Procedure,
    ProcedureField,
    ProcessingStep,
    RequiredDocument,
)

from .factories import AgencyFactory

DATA_DIR = Path(__file__).resolve().parent / "data"
SAMPLE_PATH = DATA_DIR / "sample_catalog.json"
BIRTH_CODE = "1.001193.000.00.00.H28"
COPY_CODE = "2.000635.000.00.00.H28"
BUSINESS_CODE = "2.000720.000.00.00.H28"


@dataclass(frozen=True)
class AgencyTree:
    province: Agency
    district: Agency
    communes: tuple[Agency, ...]


@pytest.fixture
def agency_tree(db: None) -> AgencyTree:
    """The agencies the sample catalogue refers to: by kind (commune_pc) and by code (the district)."""
    province = AgencyFactory(
        code="000.00.00.H28", name="Ủy ban nhân dân tỉnh Hậu Giang", kind=AgencyKind.PROVINCE_PC
    )
    district = AgencyFactory(
        code="000.00.03.H28",
        name="Ủy ban nhân dân huyện Châu Thành",
        kind=AgencyKind.DISTRICT_PC,
        parent=province,
    )
    communes = tuple(
        AgencyFactory(code=code, name=name, kind=AgencyKind.COMMUNE_PC, parent=district)
        for code, name in (
            ("000.01.03.H28", "Ủy ban nhân dân xã Đông Thạnh"),
            ("000.02.03.H28", "Ủy ban nhân dân thị trấn Ngã Sáu"),
        )
    )
    return AgencyTree(province=province, district=district, communes=communes)


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE_PATH.read_text(encoding="utf-8")


@pytest.fixture
def sample(sample_text: str) -> dict[str, Any]:
    """A fresh, mutable copy of the sample catalogue."""
    data: dict[str, Any] = json.loads(sample_text)
    return copy.deepcopy(data)


RowCounts = dict[str, int]


def _count_rows() -> RowCounts:
    return {
        "fields": ProcedureField.objects.count(),
        "procedures": Procedure.objects.count(),
        "active": Procedure.objects.filter(is_active=True).count(),
        "documents": RequiredDocument.objects.count(),
        "fees": FeeItem.objects.count(),
        "steps": ProcessingStep.objects.count(),
        "agency_links": Procedure.agencies.through.objects.count(),
    }


@pytest.fixture
def count_rows(db: None) -> Callable[[], RowCounts]:
    return _count_rows


@pytest.fixture
def catalog_admin_client(client: Client, settings: Any, db: None) -> Client:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("quantri-danhmuc", "quantri@example.vn", "mat-khau-thu")
    client.force_login(user)
    return client
