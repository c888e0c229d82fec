"""The JSON catalogue format ``mekong.catalog/1``: read into a document, write from `CatalogData`.

Written files are stable: fields and procedures sorted by code, child rows in their order, keys in the
order of the format, so export → import → export gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from mekong.catalog.transfer.data import FORMAT, AgencySelector, CatalogData, CatalogDocument, ProcedureData
from mekong.core.errors import DomainError, FieldError


def parse_catalog_json(raw: str | bytes | Mapping[str, Any]) -> CatalogDocument:
    """Read JSON text (or already decoded data) into a document; errors are located by index path."""
    if isinstance(raw, Mapping):
        return CatalogDocument(content=raw)
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        content = json.loads(text)
    except UnicodeDecodeError as error:
        raise DomainError(
            _("Tệp JSON phải được mã hóa UTF-8."),
            errors=[
                FieldError(
                    field="json",
                    message=_("Byte không hợp lệ ở vị trí {position}."),
                    params={"position": error.start},
                )
            ],
            code="catalog_unreadable",
        ) from error
    except json.JSONDecodeError as error:
        raise DomainError(
            _("Tệp JSON không đọc được."),
            errors=[
                FieldError(
                    field="json",
                    row=error.lineno,
                    message=_("Lỗi cú pháp JSON ở cột {column}: {detail}"),
                    params={"column": error.colno, "detail": error.msg},
                )
            ],
            code="catalog_unreadable",
        ) from error
    return CatalogDocument(content=content)


def _number(value: Decimal) -> int | float:
    """Durations as people write them: 2 rather than 2.00, 0.5 rather than "0.50"."""
    return int(value) if value == value.to_integral_value() else float(value)


def agencies_to_json(selector: AgencySelector) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    if selector.kinds:
        result["kinds"] = list(selector.kinds)
    if selector.codes or not selector.kinds:
        result["codes"] = list(selector.codes)
    return result


def procedure_to_json(procedure: ProcedureData) -> dict[str, Any]:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field,
        "level": procedure.level,
        "implementing_agency": procedure.implementing_agency,
        "agencies": agencies_to_json(procedure.agencies),
        "legal_basis": procedure.legal_basis,
        "description": procedure.description,
        "result_name": procedure.result_name,
        "time_limit": {"value": procedure.time_limit_value, "unit": procedure.time_limit_unit},
        "online_level": procedure.online_level,
        "requires_e_result": procedure.requires_e_result,
        "documents": [
            {
                "name": document.name,
                "mandatory": document.mandatory,
                "copies": document.copies,
                "template_name": document.template_name,
                "note": document.note,
            }
            for document in procedure.documents
        ],
        "fees": [
            {
                "kind": fee.kind,
                "name": fee.name,
                "amount": fee.amount,
                "quantity_field": fee.quantity_field,
                "note": fee.note,
            }
            for fee in procedure.fees
        ],
        "steps": [
            {
                "name": step.name,
                "role": step.role,
                "duration": {"value": _number(step.duration_value), "unit": step.duration_unit},
            }
            for step in procedure.steps
        ],
        "form_schema": procedure.form_schema,
        "source": procedure.source,
    }


def catalog_to_json(data: CatalogData) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "fields": [
            {"code": field.code, "name": field.name} for field in sorted(data.fields, key=lambda f: f.code)
        ],
        "procedures": [procedure_to_json(p) for p in sorted(data.procedures, key=lambda p: p.code)],
    }


def dump_catalog_json(data: CatalogData) -> str:
    return json.dumps(catalog_to_json(data), ensure_ascii=False, indent=2) + "\n"
