"""The one validator for catalogue files, whatever their format.

It walks a `CatalogDocument` (JSON-shaped content), collects every problem as a `FieldError` located
through the document's `locate` (index path for JSON, sheet row and column for Excel) and either returns
`CatalogData` or raises one `DomainError` listing them all. It reads nothing from the database itself:
what already exists (fields, agencies) comes in a `CatalogContext`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator

from mekong.accounts.roles import Role
from mekong.catalog.codes import is_agency_code, is_procedure_code
from mekong.catalog.models import (
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
from mekong.catalog.transfer.data import (
    FORMAT,
    UNREADABLE,
    AgencySelector,
    CatalogData,
    CatalogDocument,
    DocumentData,
    FeeData,
    FieldData,
    ProcedureData,
    StepData,
)
from mekong.core.errors import DomainError, FieldError

FIELD_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")
# Limits of the database columns: PositiveIntegerField, PositiveSmallIntegerField, PositiveBigIntegerField.
MAX_INT = 2_147_483_647
MAX_SMALL_INT = 32_767
MAX_BIG_INT = 9_223_372_036_854_775_807
MAX_DURATION = Decimal("9999.99")
SCHEMA_ERRORS_SHOWN = 5

TOP_KEYS = frozenset({"format", "fields", "procedures"})
FIELD_KEYS = frozenset({"code", "name"})
PROCEDURE_KEYS = frozenset(
    {
        "code", "name", "field", "level", "implementing_agency", "agencies", "legal_basis", "description",
        "result_name", "time_limit", "online_level", "requires_e_result", "documents", "fees", "steps",
        "form_schema", "source",
    }
)  # fmt: skip
AGENCIES_KEYS = frozenset({"kinds", "codes"})
DURATION_KEYS = frozenset({"value", "unit"})
DOCUMENT_KEYS = frozenset({"name", "mandatory", "copies", "template_name", "note"})
FEE_KEYS = frozenset({"kind", "name", "amount", "quantity_field", "note"})
STEP_KEYS = frozenset({"name", "role", "duration"})

REQUIRED = _("Không được để trống.")


def _max_length(model: type[models.Model], name: str) -> int:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.CharField)
    return model_field.max_length or 0


@dataclass(frozen=True)
class CatalogContext:
    """What the file may refer to besides its own content."""

    field_codes: frozenset[str] = frozenset()
    agency_codes: frozenset[str] = frozenset()
    # Kinds that have at least one active agency: a procedure sent to an empty kind would reach nobody.
    agency_kinds: frozenset[str] = frozenset()

    @classmethod
    def from_database(cls) -> CatalogContext:
        from mekong.catalog.models import Agency

        active = Agency.objects.filter(is_active=True)
        return cls(
            field_codes=frozenset(ProcedureField.objects.values_list("code", flat=True)),
            agency_codes=frozenset(active.values_list("code", flat=True)),
            agency_kinds=frozenset(active.values_list("kind", flat=True).distinct()),
        )


def validate_catalog(document: CatalogDocument, context: CatalogContext) -> CatalogData:
    """Validate everything; return the catalogue or raise one DomainError carrying every problem."""
    validator = _Validator(document, context)
    data = validator.catalog(document.content)
    errors = [*document.errors, *validator.errors]
    if errors:
        if document.error_order is not None:
            errors.sort(key=document.error_order)
        raise DomainError(
            _("Danh mục thủ tục có {count} lỗi, chưa nhập dữ liệu nào. Sửa các lỗi dưới đây rồi nhập lại."),
            errors=errors,
            code="catalog_invalid",
            count=len(errors),
        )
    return data


def _choices_text(choices: type[models.TextChoices]) -> str:
    return ", ".join(choices.values)


def _describe(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


class _Validator:
    def __init__(self, document: CatalogDocument, context: CatalogContext) -> None:
        self.locate = document.locate
        self.context = context
        self.errors: list[FieldError] = []

    # -- reporting -------------------------------------------------------------------------------------

    def error(self, path: str, message: str | Promise, **params: Any) -> None:
        field, row = self.locate(path)
        self.errors.append(FieldError(field=field, row=row, message=message, params=params))

    def where(self, path: str) -> str:
        field, row = self.locate(path)
        return f"dòng {row}" if row is not None else field

    # -- shapes ----------------------------------------------------------------------------------------

    def mapping(self, value: Any, path: str, allowed: frozenset[str]) -> Mapping[str, Any] | None:
        if value is UNREADABLE:
            return None
        if not isinstance(value, Mapping):
            self.error(
                path,
                _("Phải là một đối tượng (cặp khóa: giá trị), không phải {value}."),
                value=_describe(value),
            )
            return None
        for key in value:
            if key not in allowed:
                self.error(
                    f"{path}.{key}" if path else str(key),
                    _("Khóa «{key}» không được hỗ trợ; các khóa hợp lệ: {allowed}."),
                    key=key,
                    allowed=", ".join(sorted(allowed)),
                )
        return value

    def sequence(self, obj: Mapping[str, Any], key: str, path: str) -> list[Any]:
        value = obj.get(key)
        if value is None or value is UNREADABLE:
            return []
        if not isinstance(value, list):
            self.error(path, _("Phải là một danh sách."))
            return []
        return value

    # -- scalars ---------------------------------------------------------------------------------------

    def text(
        self, obj: Mapping[str, Any], key: str, path: str, *, required: bool = False, max_length: int = 0
    ) -> str:
        value = obj.get(key)
        if value is UNREADABLE:
            return ""
        if value is None:
            if required:
                self.error(path, REQUIRED)
            return ""
        if not isinstance(value, str):
            self.error(path, _("Phải là chuỗi ký tự, không phải {value}."), value=_describe(value))
            return ""
        value = value.strip()
        if required and not value:
            self.error(path, REQUIRED)
        elif max_length and len(value) > max_length:
            self.error(
                path, _("Dài quá {limit} ký tự (hiện có {length})."), limit=max_length, length=len(value)
            )
        return value

    def choice(self, obj: Mapping[str, Any], key: str, path: str, choices: type[models.TextChoices]) -> str:
        value = self.text(obj, key, path, required=True)
        if value and value not in choices.values:
            self.error(
                path,
                _("Giá trị «{value}» không hợp lệ; chọn một trong: {allowed}."),
                value=value,
                allowed=_choices_text(choices),
            )
            return ""
        return value

    def integer(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        minimum: int,
        maximum: int,
        default: int | None = None,
        message: str | Promise | None = None,
    ) -> int:
        value = obj.get(key)
        if value is UNREADABLE:
            return default or 0
        if value is None:
            if default is None:
                self.error(path, REQUIRED)
                return 0
            return default
        # Spreadsheets hand whole numbers over as floats (15.0): accept those, refuse real fractions.
        whole = isinstance(value, float) and math.isfinite(value) and value.is_integer()
        if isinstance(value, bool) or not (isinstance(value, int) or whole):
            self.error(
                path,
                message or _("Phải là số nguyên từ {minimum} đến {maximum}, không phải {value}."),
                minimum=minimum,
                maximum=maximum,
                value=_describe(value),
            )
            return 0
        number = int(value)
        if not minimum <= number <= maximum:
            self.error(
                path,
                message or _("Phải là số nguyên từ {minimum} đến {maximum}, không phải {value}."),
                minimum=minimum,
                maximum=maximum,
                value=number,
            )
        return number

    def boolean(self, obj: Mapping[str, Any], key: str, path: str, *, default: bool) -> bool:
        value = obj.get(key)
        if value is UNREADABLE or value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, _("Phải là true/false (có/không), không phải {value}."), value=_describe(value))
            return default
        return value

    def duration_value(self, obj: Mapping[str, Any], key: str, path: str) -> Decimal:
        value = obj.get(key)
        if value is UNREADABLE:
            return Decimal(0)
        if value is None:
            self.error(path, REQUIRED)
            return Decimal(0)
        number: Decimal | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                # Through str: 0.1 must mean one tenth, not the nearest binary fraction.
                number = Decimal(str(value))
            except InvalidOperation:  # pragma: no cover - str(float) is always a valid Decimal
                number = None
        exponent = number.as_tuple().exponent if number is not None and number.is_finite() else None
        if number is None or not isinstance(exponent, int) or exponent < -2 or not 0 < number <= MAX_DURATION:
            self.error(
                path,
                _(
                    "Thời gian phải là số dương, tối đa hai chữ số thập phân và không quá {maximum}, không phải {value}."
                ),
                maximum=MAX_DURATION,
                value=_describe(value),
            )
            return Decimal(0)
        return number

    # -- the catalogue ---------------------------------------------------------------------------------

    def catalog(self, content: Any) -> CatalogData:
        root = self.mapping(content, "", TOP_KEYS)
        if root is None:
            return CatalogData()
        if root.get("format") != FORMAT:
            self.error(
                "format",
                _('Không phải tệp danh mục thủ tục của Mekong: cần "format": "{expected}", đang là {value}.'),
                expected=FORMAT,
                value=_describe(root.get("format")),
            )
            # Another format would only produce a flood of meaningless errors.
            return CatalogData()
        fields = tuple(self.fields(root))
        field_codes = self.context.field_codes | {field.code for field in fields}
        procedures = tuple(self.procedures(root, field_codes))
        return CatalogData(fields=fields, procedures=procedures)

    def fields(self, root: Mapping[str, Any]) -> Iterable[FieldData]:
        first_seen: dict[str, str] = {}
        for index, item in enumerate(self.sequence(root, "fields", "fields")):
            path = f"fields[{index}]"
            obj = self.mapping(item, path, FIELD_KEYS)
            if obj is None:
                continue
            code = self.text(
                obj, "code", f"{path}.code", required=True, max_length=_max_length(ProcedureField, "code")
            )
            name = self.text(
                obj, "name", f"{path}.name", required=True, max_length=_max_length(ProcedureField, "name")
            )
            if code and not FIELD_CODE.fullmatch(code):
                self.error(
                    f"{path}.code",
                    _(
                        "Mã lĩnh vực «{code}» chỉ được gồm chữ không dấu, chữ số, gạch ngang (ví dụ: ho-tich)."
                    ),
                    code=code,
                )
                continue
            if code in first_seen:
                self.error(
                    f"{path}.code",
                    _("Mã lĩnh vực «{code}» bị trùng (đã có ở {first})."),
                    code=code,
                    first=first_seen[code],
                )
                continue
            if code:
                first_seen[code] = self.where(f"{path}.code")
                yield FieldData(code=code, name=name)

    def procedures(self, root: Mapping[str, Any], field_codes: frozenset[str]) -> Iterable[ProcedureData]:
        first_seen: dict[str, str] = {}
        for index, item in enumerate(self.sequence(root, "procedures", "procedures")):
            path = f"procedures[{index}]"
            obj = self.mapping(item, path, PROCEDURE_KEYS)
            if obj is None:
                continue
            code = self.text(obj, "code", f"{path}.code", required=True)
            if code and not is_procedure_code(code):
                self.error(
                    f"{path}.code",
                    _("Mã thủ tục «{code}» không đúng dạng mã quốc gia (ví dụ: 1.000494.000.00.00.H29)."),
                    code=code,
                )
            elif code in first_seen:
                self.error(
                    f"{path}.code",
                    _("Mã thủ tục «{code}» bị trùng (đã có ở {first})."),
                    code=code,
                    first=first_seen[code],
                )
            elif code:
                first_seen[code] = self.where(f"{path}.code")
            yield self.procedure(obj, path, code, field_codes)

    def procedure(
        self, obj: Mapping[str, Any], path: str, code: str, field_codes: frozenset[str]
    ) -> ProcedureData:
        field = self.text(obj, "field", f"{path}.field", required=True)
        if field and field not in field_codes:
            self.error(
                f"{path}.field",
                _(
                    "Lĩnh vực «{code}» chưa được khai báo (trong danh sách lĩnh vực của tệp hoặc của hệ thống)."
                ),
                code=field,
            )
        form_schema = self.form_schema(obj.get("form_schema"), f"{path}.form_schema")
        time_limit_value, time_limit_unit = self.time_limit(obj.get("time_limit"), f"{path}.time_limit")
        return ProcedureData(
            code=code,
            name=self.text(
                obj, "name", f"{path}.name", required=True, max_length=_max_length(Procedure, "name")
            ),
            field=field,
            level=self.choice(obj, "level", f"{path}.level", ProcedureLevel),
            implementing_agency=self.text(
                obj,
                "implementing_agency",
                f"{path}.implementing_agency",
                required=True,
                max_length=_max_length(Procedure, "implementing_agency"),
            ),
            agencies=self.agencies(obj.get("agencies"), f"{path}.agencies"),
            legal_basis=self.text(obj, "legal_basis", f"{path}.legal_basis"),
            description=self.text(obj, "description", f"{path}.description"),
            result_name=self.text(
                obj, "result_name", f"{path}.result_name", max_length=_max_length(Procedure, "result_name")
            ),
            time_limit_value=time_limit_value,
            time_limit_unit=time_limit_unit,
            online_level=self.choice(obj, "online_level", f"{path}.online_level", OnlineLevel),
            requires_e_result=self.boolean(
                obj, "requires_e_result", f"{path}.requires_e_result", default=False
            ),
            documents=tuple(self.documents(obj, path)),
            fees=tuple(self.fees(obj, path, form_schema)),
            steps=tuple(self.steps(obj, path)),
            form_schema=form_schema if form_schema is not None else {},
            source=self.text(obj, "source", f"{path}.source"),
        )

    def time_limit(self, value: Any, path: str) -> tuple[int, str]:
        if value is None:
            self.error(path, REQUIRED)
            return 0, ""
        obj = self.mapping(value, path, DURATION_KEYS)
        if obj is None:
            return 0, ""
        number = self.integer(
            obj,
            "value",
            f"{path}.value",
            minimum=1,
            maximum=MAX_INT,
            message=_("Thời hạn giải quyết phải là số nguyên dương, không phải {value}."),
        )
        return number, self.choice(obj, "unit", f"{path}.unit", TimeUnit)

    def step_duration(self, value: Any, path: str) -> tuple[Decimal, str]:
        if value is None:
            self.error(path, REQUIRED)
            return Decimal(0), ""
        obj = self.mapping(value, path, DURATION_KEYS)
        if obj is None:
            return Decimal(0), ""
        return self.duration_value(obj, "value", f"{path}.value"), self.choice(
            obj, "unit", f"{path}.unit", TimeUnit
        )

    def agencies(self, value: Any, path: str) -> AgencySelector:
        if value is None:
            return AgencySelector()
        obj = self.mapping(value, path, AGENCIES_KEYS)
        if obj is None:
            return AgencySelector()
        kinds: set[str] = set()
        for index, kind in enumerate(self.sequence(obj, "kinds", f"{path}.kinds")):
            item_path = f"{path}.kinds[{index}]"
            if not isinstance(kind, str) or kind not in AgencyKind.values:
                self.error(
                    item_path,
                    _("Loại cơ quan «{value}» không hợp lệ; chọn một trong: {allowed}."),
                    value=_describe(kind),
                    allowed=_choices_text(AgencyKind),
                )
            elif kind not in self.context.agency_kinds:
                self.error(
                    item_path,
                    _(
                        "Chưa có cơ quan nào đang hoạt động thuộc loại «{value}»: hãy nạp danh sách cơ quan trước."
                    ),
                    value=kind,
                )
            else:
                kinds.add(kind)
        codes: set[str] = set()
        for index, code in enumerate(self.sequence(obj, "codes", f"{path}.codes")):
            item_path = f"{path}.codes[{index}]"
            if not isinstance(code, str) or not is_agency_code(code):
                self.error(
                    item_path,
                    _("Mã cơ quan «{value}» không đúng dạng 000.00.17.H56."),
                    value=_describe(code),
                )
            elif code not in self.context.agency_codes:
                self.error(item_path, _("Không có cơ quan đang hoạt động nào mang mã «{value}»."), value=code)
            else:
                codes.add(code)
        return AgencySelector(kinds=tuple(sorted(kinds)), codes=tuple(sorted(codes)))

    def form_schema(self, value: Any, path: str) -> dict[str, Any] | None:
        if value is None or value is UNREADABLE:
            return None
        if not isinstance(value, dict):
            self.error(
                path,
                _("Biểu mẫu phải là một JSON Schema dạng đối tượng, không phải {value}."),
                value=_describe(value),
            )
            return None
        meta = Draft202012Validator(
            Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        problems = sorted(meta.iter_errors(value), key=lambda problem: list(map(str, problem.absolute_path)))
        for problem in problems[:SCHEMA_ERRORS_SHOWN]:
            self.error(
                path,
                _("Biểu mẫu không phải JSON Schema (2020-12) hợp lệ tại {where}: {detail}"),
                where="/" + "/".join(str(part) for part in problem.absolute_path),
                detail=problem.message,
            )
        if problems:
            return None
        if value and value.get("type") != "object":
            self.error(path, _('Biểu mẫu phải mô tả một đối tượng: cần "type": "object" ở gốc.'))
            return None
        return value

    def documents(self, obj: Mapping[str, Any], path: str) -> Iterable[DocumentData]:
        for index, item in enumerate(self.sequence(obj, "documents", f"{path}.documents")):
            item_path = f"{path}.documents[{index}]"
            document = self.mapping(item, item_path, DOCUMENT_KEYS)
            if document is None:
                continue
            yield DocumentData(
                name=self.text(
                    document, "name", f"{item_path}.name", required=True,
                    max_length=_max_length(RequiredDocument, "name"),
                ),
                mandatory=self.boolean(document, "mandatory", f"{item_path}.mandatory", default=True),
                copies=self.integer(
                    document, "copies", f"{item_path}.copies", minimum=0, maximum=MAX_SMALL_INT, default=1
                ),
                template_name=self.text(
                    document, "template_name", f"{item_path}.template_name",
                    max_length=_max_length(RequiredDocument, "template_name"),
                ),
                note=self.text(document, "note", f"{item_path}.note"),
            )  # fmt: skip

    def fees(
        self, obj: Mapping[str, Any], path: str, form_schema: dict[str, Any] | None
    ) -> Iterable[FeeData]:
        for index, item in enumerate(self.sequence(obj, "fees", f"{path}.fees")):
            item_path = f"{path}.fees[{index}]"
            fee = self.mapping(item, item_path, FEE_KEYS)
            if fee is None:
                continue
            quantity_field = self.text(
                fee,
                "quantity_field",
                f"{item_path}.quantity_field",
                max_length=_max_length(FeeItem, "quantity_field"),
            )
            if (
                quantity_field
                and form_schema is not None
                and not _is_integer_property(form_schema, quantity_field)
            ):
                self.error(
                    f"{item_path}.quantity_field",
                    _(
                        '«{name}» phải là một trường kiểu số nguyên ("type": "integer") trong biểu mẫu của thủ tục.'
                    ),
                    name=quantity_field,
                )
            yield FeeData(
                kind=self.choice(fee, "kind", f"{item_path}.kind", FeeKind),
                name=self.text(
                    fee, "name", f"{item_path}.name", required=True, max_length=_max_length(FeeItem, "name")
                ),
                amount=self.integer(
                    fee,
                    "amount",
                    f"{item_path}.amount",
                    minimum=0,
                    maximum=MAX_BIG_INT,
                    message=_(
                        "Mức thu phải là số nguyên đồng, không âm, không có phần thập phân; không phải {value}."
                    ),
                ),
                quantity_field=quantity_field,
                note=self.text(fee, "note", f"{item_path}.note"),
            )

    def steps(self, obj: Mapping[str, Any], path: str) -> Iterable[StepData]:
        for index, item in enumerate(self.sequence(obj, "steps", f"{path}.steps")):
            item_path = f"{path}.steps[{index}]"
            step = self.mapping(item, item_path, STEP_KEYS)
            if step is None:
                continue
            duration_value, duration_unit = self.step_duration(step.get("duration"), f"{item_path}.duration")
            yield StepData(
                name=self.text(
                    step,
                    "name",
                    f"{item_path}.name",
                    required=True,
                    max_length=_max_length(ProcessingStep, "name"),
                ),
                role=self.choice(step, "role", f"{item_path}.role", Role),
                duration_value=duration_value,
                duration_unit=duration_unit,
            )


def _is_integer_property(schema: Mapping[str, Any], name: str) -> bool:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return False
    prop = properties.get(name)
    if not isinstance(prop, Mapping):
        return False
    kind = prop.get("type")
    return kind == "integer" or (isinstance(kind, list) and "integer" in kind)
