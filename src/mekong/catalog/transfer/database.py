"""The catalogue as stored, in the shape files are written from (read only; writing is in actions.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db.models import Prefetch, QuerySet

from mekong.catalog.models import Agency, Procedure, ProcedureField
from mekong.catalog.transfer.data import (
    AgencySelector,
    CatalogData,
    DocumentData,
    FeeData,
    FieldData,
    ProcedureData,
    StepData,
)

# A kind is written as {"kinds": [...]} only when it groups several agencies (all commune committees);
# a single agency stays a code, as people usually write it.
MIN_AGENCIES_FOR_KIND = 2


def active_agencies_by_kind() -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for kind, code in Agency.objects.filter(is_active=True).values_list("kind", "code"):
        grouped[kind].add(code)
    return {kind: frozenset(codes) for kind, codes in grouped.items()}


def agency_selector(codes: Iterable[str], by_kind: Mapping[str, frozenset[str]]) -> AgencySelector:
    """Describe a set of active agency codes compactly: whole kinds, then the codes left over."""
    remaining = set(codes)
    kinds = sorted(
        kind
        for kind, members in by_kind.items()
        if len(members) >= MIN_AGENCIES_FOR_KIND and members <= remaining
    )
    for kind in kinds:
        remaining -= by_kind[kind]
    return AgencySelector(kinds=tuple(kinds), codes=tuple(sorted(remaining)))


def procedures_for_export(procedures: QuerySet[Procedure] | None = None) -> QuerySet[Procedure]:
    # A fresh queryset: the caller's may carry its own prefetches (the admin's) that would clash with ours.
    queryset = (
        Procedure.objects.filter(pk__in=procedures.values("pk"))
        if procedures is not None
        else Procedure.objects.filter(is_active=True)
    )
    return (
        queryset.select_related("field")
        .prefetch_related(
            "documents",
            "fee_items",
            "steps",
            Prefetch("agencies", queryset=Agency.objects.filter(is_active=True)),
        )
        .order_by("code")
    )


def procedure_to_data(procedure: Procedure, by_kind: Mapping[str, frozenset[str]]) -> ProcedureData:
    """Expects `field`, `documents`, `fee_items`, `steps` and `agencies` loaded (see procedures_for_export)."""
    return ProcedureData(
        code=procedure.code,
        name=procedure.name,
        field=procedure.field.code,
        level=procedure.level,
        implementing_agency=procedure.implementing_agency,
        agencies=agency_selector(
            (agency.code for agency in procedure.agencies.all() if agency.is_active), by_kind
        ),
        legal_basis=procedure.legal_basis,
        description=procedure.description,
        result_name=procedure.result_name,
        time_limit_value=procedure.time_limit_value,
        time_limit_unit=procedure.time_limit_unit,
        online_level=procedure.online_level,
        requires_e_result=procedure.requires_e_result,
        documents=tuple(
            DocumentData(
                name=document.name,
                mandatory=document.mandatory,
                copies=document.copies,
                template_name=document.template_name,
                note=document.note,
            )
            for document in sorted(procedure.documents.all(), key=lambda item: (item.position, item.pk))
        ),
        fees=tuple(
            FeeData(
                kind=fee.kind,
                name=fee.name,
                amount=fee.amount,
                quantity_field=fee.quantity_field,
                note=fee.note,
            )
            for fee in sorted(procedure.fee_items.all(), key=lambda item: (item.position, item.pk))
        ),
        steps=tuple(
            StepData(
                name=step.name,
                role=step.role,
                duration_value=step.duration_value,
                duration_unit=step.duration_unit,
            )
            for step in sorted(procedure.steps.all(), key=lambda item: (item.position, item.pk))
        ),
        form_schema=procedure.form_schema or {},
        source=procedure.source,
    )


def catalog_from_database(procedures: QuerySet[Procedure] | None = None) -> CatalogData:
    """The active catalogue (or the given procedures) with every field, ready to write as JSON or Excel.
    With an explicit selection only the fields those procedures use are included."""
    rows = list(procedures_for_export(procedures))
    by_kind = active_agencies_by_kind()
    if procedures is None:
        fields = ProcedureField.objects.order_by("code")
    else:
        fields = ProcedureField.objects.filter(pk__in={row.field_id for row in rows}).order_by("code")
    return CatalogData(
        fields=tuple(FieldData(code=field.code, name=field.name) for field in fields),
        procedures=tuple(procedure_to_data(row, by_kind) for row in rows),
    )
