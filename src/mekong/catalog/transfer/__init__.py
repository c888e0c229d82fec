"""Catalogue import and export (configuration as code): JSON ``mekong.catalog/1`` and Excel workbooks.

Reading: `read_catalog_file` (or `read_catalog_bytes`) → one validator → `CatalogData`, then
`mekong.catalog.actions.import_catalog` writes it in one transaction. Writing: `export_catalog_json`,
`export_catalog_workbook`, both from `catalog_from_database`.
"""

from __future__ import annotations

from pathlib import Path

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mekong.catalog.models import Procedure
from mekong.catalog.transfer.data import (
    FORMAT,
    AgencySelector,
    CatalogData,
    CatalogDocument,
    DocumentData,
    FeeData,
    FieldData,
    ProcedureData,
    StepData,
)
from mekong.catalog.transfer.database import catalog_from_database
from mekong.catalog.transfer.excel_format import read_catalog_workbook, write_catalog_workbook
from mekong.catalog.transfer.json_format import catalog_to_json, dump_catalog_json, parse_catalog_json
from mekong.catalog.transfer.validation import CatalogContext, validate_catalog
from mekong.core.errors import DomainError, FieldError

SUFFIXES = (".json", ".xlsx")

__all__ = [
    "FORMAT",
    "SUFFIXES",
    "AgencySelector",
    "CatalogContext",
    "CatalogData",
    "CatalogDocument",
    "DocumentData",
    "FeeData",
    "FieldData",
    "ProcedureData",
    "StepData",
    "catalog_from_database",
    "catalog_to_json",
    "dump_catalog_json",
    "export_catalog_json",
    "export_catalog_workbook",
    "parse_catalog_json",
    "read_catalog_bytes",
    "read_catalog_file",
    "read_catalog_workbook",
    "validate_catalog",
    "write_catalog_workbook",
]


def _unsupported(name: str) -> DomainError:
    return DomainError(
        _("Chỉ nhận tệp danh mục .json hoặc .xlsx, không nhận «{name}»."),
        errors=[FieldError(field="file", message=_("Định dạng tệp không được hỗ trợ."))],
        code="catalog_unsupported",
        name=name,
    )


def read_catalog_bytes(
    content: bytes, *, filename: str, context: CatalogContext | None = None
) -> CatalogData:
    """Parse and validate an uploaded catalogue (format chosen by the file name's suffix)."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".json":
        document = parse_catalog_json(content)
    elif suffix == ".xlsx":
        document = read_catalog_workbook(content)
    else:
        raise _unsupported(filename)
    return validate_catalog(document, context or CatalogContext.from_database())


def read_catalog_file(path: str | Path, *, context: CatalogContext | None = None) -> CatalogData:
    """Parse and validate a catalogue file (.json or .xlsx). Raises DomainError listing every problem."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise _unsupported(path.name)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise DomainError(
            _("Không đọc được tệp «{name}»: {detail}"),
            code="catalog_unreadable",
            name=str(path),
            detail=error.strerror or str(error),
        ) from error
    return read_catalog_bytes(content, filename=path.name, context=context)


def export_catalog_json(procedures: QuerySet[Procedure] | None = None) -> str:
    """The active catalogue (or a selection) as JSON text, stable across export → import → export."""
    return dump_catalog_json(catalog_from_database(procedures))


def export_catalog_workbook(procedures: QuerySet[Procedure] | None = None) -> bytes:
    """The active catalogue (or a selection) as an .xlsx workbook."""
    return write_catalog_workbook(catalog_from_database(procedures))
