"""State changes of the catalogue. Each action runs in one transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import structlog
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mekong.catalog.models import (
    Agency,
    FeeItem,
    Procedure,
    ProcedureField,
    ProcessingStep,
    RequiredDocument,
)
from mekong.catalog.transfer.data import AgencySelector, CatalogData, FieldData, ProcedureData
from mekong.catalog.transfer.database import active_agencies_by_kind, procedure_to_data, procedures_for_export
from mekong.core.errors import DomainError, FieldError

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ImportReport:
    created_codes: tuple[str, ...] = ()
    updated_codes: tuple[str, ...] = ()
    unchanged_codes: tuple[str, ...] = ()
    deactivated_codes: tuple[str, ...] = ()
    fields_created: int = 0
    fields_updated: int = 0

    @property
    def created(self) -> int:
        return len(self.created_codes)

    @property
    def updated(self) -> int:
        return len(self.updated_codes)

    @property
    def unchanged(self) -> int:
        return len(self.unchanged_codes)

    @property
    def deactivated(self) -> int:
        return len(self.deactivated_codes)

    def __str__(self) -> str:
        text = (
            f"{self.created} thủ tục mới, {self.updated} cập nhật, {self.unchanged} không đổi; "
            f"{self.fields_created} lĩnh vực mới, {self.fields_updated} lĩnh vực cập nhật"
        )
        if self.deactivated:
            text += f"; {self.deactivated} thủ tục ngừng áp dụng"
        return text


@transaction.atomic
def import_catalog(data: CatalogData, *, deactivate_missing: bool = False) -> ImportReport:
    """Write a validated catalogue: upsert fields and procedures by code, replace each changed procedure's
    documents, fees and steps, set its agencies. Procedures absent from `data` are left as they are,
    unless `deactivate_missing` (then they stop being offered: `is_active=False`, never deleted, since
    dossiers refer to them). Identical procedures are not touched at all."""
    fields_created, fields_updated = _upsert_fields(data.fields)
    fields = {
        field.code: field
        for field in ProcedureField.objects.filter(code__in={p.field for p in data.procedures})
    }
    agency_ids = _resolve_agencies(data.procedures)
    missing_fields = sorted({p.field for p in data.procedures} - fields.keys())
    if missing_fields:
        # The validator checked them; this only happens if a field was deleted in between.
        raise DomainError(
            _("Lĩnh vực không còn tồn tại: {codes}."), code="catalog_stale", codes=", ".join(missing_fields)
        )

    codes = [procedure.code for procedure in data.procedures]
    existing = {p.code: p for p in procedures_for_export(Procedure.objects.filter(code__in=codes))}
    by_kind = active_agencies_by_kind()
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    for incoming in data.procedures:
        wanted_agencies = agency_ids[incoming.code]
        current = existing.get(incoming.code)
        if current is None:
            procedure = Procedure(code=incoming.code)
            created.append(incoming.code)
        elif current.is_active and _same(current, incoming, wanted_agencies, by_kind):
            unchanged.append(incoming.code)
            continue
        else:
            procedure = current
            updated.append(incoming.code)
        _write_procedure(procedure, incoming, fields[incoming.field], wanted_agencies, is_new=current is None)

    deactivated: list[str] = []
    if deactivate_missing:
        missing = Procedure.objects.filter(is_active=True).exclude(code__in=codes)
        deactivated = sorted(missing.values_list("code", flat=True))
        missing.update(is_active=False)

    report = ImportReport(
        created_codes=tuple(created),
        updated_codes=tuple(updated),
        unchanged_codes=tuple(unchanged),
        deactivated_codes=tuple(deactivated),
        fields_created=fields_created,
        fields_updated=fields_updated,
    )
    log.info(
        "catalog_imported",
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        deactivated=report.deactivated,
    )
    return report


def _upsert_fields(items: Iterable[FieldData]) -> tuple[int, int]:
    created = updated = 0
    for item in items:
        field, was_created = ProcedureField.objects.get_or_create(
            code=item.code, defaults={"name": item.name}
        )
        if was_created:
            created += 1
        elif field.name != item.name:
            field.name = item.name
            field.save(update_fields=["name"])
            updated += 1
    return created, updated


def _resolve_agencies(procedures: Sequence[ProcedureData]) -> dict[str, set[int]]:
    """Agency ids for each procedure: the active agencies of its kinds plus its codes."""
    codes = {code for p in procedures for code in p.agencies.codes}
    kinds = {kind for p in procedures for kind in p.agencies.kinds}
    rows = list(Agency.objects.filter(is_active=True, code__in=codes).values_list("id", "code", "kind"))
    rows += (
        Agency.objects.filter(is_active=True, kind__in=kinds)
        .exclude(code__in=codes)
        .values_list("id", "code", "kind")
    )
    by_code = {code: agency_id for agency_id, code, _kind in rows}
    by_kind: dict[str, set[int]] = {}
    for agency_id, _code, kind in rows:
        by_kind.setdefault(kind, set()).add(agency_id)

    missing = [
        FieldError(
            field=f"{p.code}.agencies",
            message=_("Không có cơ quan đang hoạt động nào mang mã «{value}»."),
            params={"value": code},
        )
        for p in procedures
        for code in p.agencies.codes
        if code not in by_code
    ]
    if missing:
        raise DomainError(_("Cơ quan tiếp nhận không còn hoạt động."), errors=missing, code="catalog_stale")
    return {
        p.code: {by_code[code] for code in p.agencies.codes}.union(
            *(by_kind.get(kind, set()) for kind in p.agencies.kinds)
        )
        for p in procedures
    }


def _same(
    current: Procedure, incoming: ProcedureData, wanted_agencies: set[int], by_kind: dict[str, frozenset[str]]
) -> bool:
    stored = procedure_to_data(current, by_kind)
    no_agencies = AgencySelector()
    return (
        dataclasses.replace(stored, agencies=no_agencies)
        == dataclasses.replace(incoming, agencies=no_agencies)
        and {agency.pk for agency in current.agencies.all()} == wanted_agencies
    )


def _write_procedure(
    procedure: Procedure, data: ProcedureData, field: ProcedureField, agency_ids: set[int], *, is_new: bool
) -> None:
    procedure.name = data.name
    procedure.field = field
    procedure.level = data.level
    procedure.implementing_agency = data.implementing_agency
    procedure.legal_basis = data.legal_basis
    procedure.description = data.description
    procedure.result_name = data.result_name
    procedure.time_limit_value = data.time_limit_value
    procedure.time_limit_unit = data.time_limit_unit
    procedure.online_level = data.online_level
    procedure.requires_e_result = data.requires_e_result
    procedure.form_schema = data.form_schema
    procedure.source = data.source
    procedure.is_active = True
    procedure.save()

    # Uploaded template files are not part of the file format: keep them for documents that keep their name.
    templates = {} if is_new else {d.name: d.template.name for d in procedure.documents.all() if d.template}
    if not is_new:
        procedure.documents.all().delete()
        procedure.fee_items.all().delete()
        procedure.steps.all().delete()
    RequiredDocument.objects.bulk_create(
        RequiredDocument(
            procedure=procedure,
            position=position,
            name=document.name,
            mandatory=document.mandatory,
            copies=document.copies,
            template=templates.get(document.name, ""),
            template_name=document.template_name,
            note=document.note,
        )
        for position, document in enumerate(data.documents)
    )
    FeeItem.objects.bulk_create(
        FeeItem(
            procedure=procedure,
            position=position,
            kind=fee.kind,
            name=fee.name,
            amount=fee.amount,
            quantity_field=fee.quantity_field,
            note=fee.note,
        )
        for position, fee in enumerate(data.fees)
    )
    ProcessingStep.objects.bulk_create(
        ProcessingStep(
            procedure=procedure,
            position=position,
            name=step.name,
            role=step.role,
            duration_value=step.duration_value,
            duration_unit=step.duration_unit,
        )
        for position, step in enumerate(data.steps)
    )
    procedure.agencies.set(agency_ids)
