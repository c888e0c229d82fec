"""What each issued document says, from the dossier and the event that issued it.

The wording follows the national one-stop-shop forms (Decree 61/2018/NĐ-CP, Circular 01/2018/TT-VPCP,
as carried into Decree 118/2025/NĐ-CP): receipt and appointment (form 01), supplement request (02), refusal
(03), apology with a new date (04); the e-result is a simple template of the procedure's result; the fee
receipt (biên lai thu phí, lệ phí điện tử) is issued on every pay event by `payments.receipts`. These are
legal forms in Vietnamese whatever language the officer's screen is in, so their text is written here in
Vietnamese and not looked up in the translation catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import translation
from django.utils.dateparse import parse_date, parse_datetime

from mekong.accounts.models import User
from mekong.catalog.models import Agency, AgencyKind, TimeUnit
from mekong.dossiers.documents.render import (
    Block,
    DocumentContent,
    Heading,
    Items,
    Line,
    Signature,
    Table2,
    Text,
    Verification,
)
from mekong.dossiers.documents.text import date_time, place_and_date, short_date, two_digits
from mekong.dossiers.models import (
    Channel,
    Dossier,
    DossierEvent,
    FileKind,
    IssuedDocumentKind,
    ResultDelivery,
)

ONE_STOP_SHOP = "Bộ phận Một cửa"
TITLES = {
    IssuedDocumentKind.RECEIPT: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    IssuedDocumentKind.SUPPLEMENT_REQUEST: "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    IssuedDocumentKind.REFUSAL: "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    IssuedDocumentKind.APOLOGY: "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    IssuedDocumentKind.RESULT: "Kết quả giải quyết thủ tục hành chính",
    IssuedDocumentKind.FEE_RECEIPT: "Biên lai thu phí, lệ phí",
}
FEE_KINDS = {"le_phi": "Lệ phí", "phi": "Phí"}


@dataclass(frozen=True)
class Issue:
    """Everything a document is built from."""

    kind: IssuedDocumentKind
    dossier: Dossier
    document_id: str
    verify_url: str
    at: datetime
    event: DossierEvent | None = None
    issued_by: User | None = None
    extra: Mapping[str, Any] | None = None

    def value(self, key: str, default: Any = None) -> Any:
        """From `extra` first, then the event's data."""
        if self.extra and key in self.extra:
            return self.extra[key]
        if self.event is not None and key in self.event.data:
            return self.event.data[key]
        return default

    @property
    def officer(self) -> str:
        return person(self.issued_by)


def person(user: User | None) -> str:
    return (user.full_name or user.username) if user is not None else ""


def moment(value: Any) -> datetime | None:
    """A datetime from `extra` or from event data, where the chain stored it as ISO 8601 text."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a datetime: {value!r}")
    return parsed


def _place(agency: Agency) -> str:
    """“Vị Thanh” for Thành phố Vị Thanh, but “Phường I” rather than a bare “I”."""
    unit = agency.unit
    if unit is None:
        return ""
    short = unit.short_name.strip()
    numbered = set(short) <= set("0123456789IVXLC")  # Phường 7, Phường IV
    return unit.name if numbered or len(short) < 3 else short


def _one_stop_heading(agency: Agency) -> Heading:
    if agency.kind == AgencyKind.SERVICE_CENTRE:  # the provincial one-stop shop is the centre itself
        return _agency_heading(agency)
    return Heading(issuer=ONE_STOP_SHOP, parent=agency.name)


def _agency_heading(agency: Agency) -> Heading:
    return Heading(issuer=agency.name, parent=agency.parent.name if agency.parent is not None else "")


def _applicant_lines(dossier: Dossier, label: str = "Ông/bà") -> list[Block]:
    lines: list[Block] = [Line(label, dossier.applicant_name, strong=True)]
    if dossier.applicant_address:
        lines.append(Line("Địa chỉ", dossier.applicant_address))
    contact = [
        f"Số điện thoại: {dossier.applicant_phone}" if dossier.applicant_phone else "",
        f"Thư điện tử: {dossier.applicant_email}" if dossier.applicant_email else "",
    ]
    if any(contact):
        lines.append(Text("; ".join(part for part in contact if part), align="left"))
    lines.append(Line("Nội dung yêu cầu giải quyết", dossier.procedure.name))
    return lines


def _time_limit(dossier: Dossier) -> str:
    procedure = dossier.procedure
    return f"{procedure.time_limit_value} {TimeUnit(procedure.time_limit_unit).label}"


def _received_documents(dossier: Dossier) -> tuple[str, ...]:
    """The files on the dossier, grouped by the required document they answer."""
    files = dossier.files.filter(kind__in=[FileKind.COMPONENT, FileKind.SUPPLEMENT]).select_related(
        "requirement"
    )
    groups: dict[int | None, list[str]] = {}
    requirements = {}
    for dossier_file in files.order_by("requirement__position", "id"):
        groups.setdefault(dossier_file.requirement_id, []).append(dossier_file.original_name)
        if dossier_file.requirement is not None:
            requirements[dossier_file.requirement_id] = dossier_file.requirement
    items = []
    for requirement_id, names in groups.items():
        if requirement_id is None:
            items.append(f"Giấy tờ khác, bổ sung (tệp: {', '.join(names)})")
            continue
        requirement = requirements[requirement_id]
        copies = f"{two_digits(requirement.copies)} bản, " if requirement.copies else ""
        items.append(f"{requirement.name} ({copies}tệp: {', '.join(names)})")
    return tuple(items) or ("Không có tệp đính kèm.",)


# --- the documents -------------------------------------------------------------------------------------------


def _receipt(issue: Issue) -> tuple[list[Block], tuple[Signature | None, Signature | None]]:
    dossier = issue.dossier
    if dossier.received_at is None or dossier.due_at is None:
        raise ValueError("a receipt needs a received dossier with its appointment date")
    body: list[Block] = [
        Text(f"{ONE_STOP_SHOP} {dossier.agency.name} tiếp nhận hồ sơ của:", align="left"),
        *_applicant_lines(dossier),
        Text("1. Thành phần hồ sơ nộp gồm:", align="left"),
        Items(_received_documents(dossier), numbered=False),
        Text("2. Số lượng hồ sơ: 01 (bộ).", align="left"),
        Line("3. Thời gian giải quyết hồ sơ theo quy định", _time_limit(dossier)),
        Line("4. Thời gian nhận hồ sơ", date_time(dossier.received_at)),
        Line("5. Thời gian trả kết quả giải quyết hồ sơ", date_time(dossier.due_at), strong=True),
        Line("6. Hình thức nộp hồ sơ", str(Channel(dossier.channel).label)),
        Line("7. Đăng ký nhận kết quả", str(ResultDelivery(dossier.result_delivery).label)),
    ]
    return body, (
        Signature("Người nộp hồ sơ", dossier.applicant_name),
        Signature("Người tiếp nhận hồ sơ", issue.officer),
    )


def _supplement_request(issue: Issue) -> tuple[list[Block], tuple[Signature | None, Signature | None]]:
    dossier = issue.dossier
    missing = [str(item) for item in issue.value("missing", []) if str(item).strip()]
    if not missing:
        raise ValueError("a supplement request needs the list of what is missing")
    note = str(issue.value("note", issue.event.note if issue.event else "") or "")
    agency = dossier.agency
    contact = f"{issue.officer}, {ONE_STOP_SHOP} {agency.name}" if issue.officer else agency.name
    if agency.phone:
        contact += f", số điện thoại {agency.phone}"
    body: list[Block] = [
        Text(f"{ONE_STOP_SHOP} {agency.name} đã tiếp nhận hồ sơ của:", align="left"),
        *_applicant_lines(dossier),
        Text("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", align="left"),
        Items(tuple(missing)),
    ]
    if note:
        body.append(Line("Lý do", note))
    body += [
        Text(
            "Ông/bà bổ sung, hoàn thiện hồ sơ trực tuyến trên Cổng dịch vụ công hoặc tại "
            f"{ONE_STOP_SHOP}. Thời gian bổ sung, hoàn thiện hồ sơ không tính vào thời hạn giải quyết.",
            indent=True,
        ),
        Text(
            "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ "
            f"{contact} để được hướng dẫn.",
            indent=True,
        ),
    ]
    return body, (None, Signature("Người hướng dẫn", issue.officer))


def _refusal(issue: Issue) -> tuple[list[Block], tuple[Signature | None, Signature | None]]:
    dossier = issue.dossier
    reason = str(issue.value("reason", issue.event.note if issue.event else "") or "").strip()
    if not reason:
        raise ValueError("a refusal needs its reason")
    body: list[Block] = [
        Text(f"{ONE_STOP_SHOP} {dossier.agency.name} tiếp nhận hồ sơ của:", align="left"),
        *_applicant_lines(dossier),
        Text(
            f"Sau khi xem xét, đối chiếu với quy định hiện hành, {ONE_STOP_SHOP} từ chối tiếp nhận, "
            "giải quyết hồ sơ này với lý do cụ thể như sau:",
            indent=True,
        ),
        Text(reason, indent=True, bold=True),
        Text("Xin thông báo để ông/bà được biết và thực hiện./.", indent=True),
    ]
    return body, (None, Signature("Người tiếp nhận hồ sơ", issue.officer))


def _apology(issue: Issue) -> tuple[list[Block], tuple[Signature | None, Signature | None]]:
    dossier = issue.dossier
    reason = str(issue.value("reason", issue.event.note if issue.event else "") or "").strip()
    new_due_at = moment(issue.value("new_due_at"))
    previous_due_at = moment(issue.value("previous_due_at")) or dossier.due_at
    if not reason or new_due_at is None or previous_due_at is None:
        raise ValueError("an apology needs a reason, the previous and the new appointment")
    agency = dossier.agency.name
    received = dossier.received_at or dossier.submitted_at
    opening = f"Ngày {short_date(received)}, " if received else ""
    body: list[Block] = [
        Text(
            f"{opening}{agency} tiếp nhận giải quyết hồ sơ của ông/bà {dossier.applicant_name}.",
            indent=True,
        ),
        Line("Nội dung yêu cầu giải quyết", dossier.procedure.name),
        Line("Thời gian hẹn trả kết quả giải quyết hồ sơ", date_time(previous_due_at)),
        Text(
            f"Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của ông/bà đúng hạn như đã hẹn. "
            f"Lý do: {reason}",
            indent=True,
        ),
        Text(
            "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của ông/bà. "
            f"{agency} xin lỗi ông/bà và sẽ trả kết quả giải quyết hồ sơ cho ông/bà vào:",
            indent=True,
        ),
        Text(date_time(new_due_at), align="center", bold=True),
        Text("Kính mong nhận được sự thông cảm của ông/bà vì sự chậm trễ này./.", indent=True),
    ]
    return body, (None, Signature("Thủ trưởng cơ quan, đơn vị", issue.officer, hint="(Ký, ghi rõ họ tên)"))


def _result(issue: Issue) -> tuple[list[Block], tuple[Signature | None, Signature | None]]:
    dossier = issue.dossier
    procedure = dossier.procedure
    body: list[Block] = [
        Text(
            f"{dossier.agency.name} trả kết quả giải quyết thủ tục hành chính “{procedure.name}” "
            f"(mã thủ tục {procedure.code}) theo hồ sơ mã {dossier.code} cho:",
            indent=True,
        ),
        Line("Ông/bà", dossier.applicant_name, strong=True),
    ]
    if dossier.applicant_personal_id:
        body.append(Line("Số định danh cá nhân", dossier.applicant_personal_id))
    if dossier.applicant_address:
        body.append(Line("Địa chỉ", dossier.applicant_address))
    body.append(Line("Kết quả", procedure.result_name or procedure.name, strong=True))
    rows = form_rows(procedure.form_schema, dossier.form_data)
    if rows:
        body += [Text("Nội dung theo tờ khai của người nộp:", align="left"), Table2(tuple(rows))]
    body.append(
        Text(
            "Văn bản này là bản điện tử kết quả giải quyết thủ tục hành chính. Mã SHA-256 của tệp được công bố "
            "tại địa chỉ xác thực ghi dưới đây; tệp có giá trị khi mã của nó trùng với mã công bố.",
            indent=True,
        )
    )
    return body, (None, Signature("Chuyên viên xử lý", issue.officer))


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def _fee_receipt(issue: Issue) -> tuple[list[Block], tuple[Signature | None, Signature | None]]:
    """The electronic receipt for fees (biên lai thu phí, lệ phí điện tử), from the pay event (the payment's
    reference, channel, amount) and `extra` (the fee lines of the request, the amount in words)."""
    dossier = issue.dossier
    amount = issue.value("amount")
    if not isinstance(amount, int) or amount <= 0:
        raise ValueError("a fee receipt needs the amount paid")
    body: list[Block] = [
        Line("Đơn vị thu", dossier.agency.name),
        Line("Họ tên người nộp", dossier.applicant_name, strong=True),
    ]
    if dossier.applicant_personal_id:
        body.append(Line("Số định danh cá nhân", dossier.applicant_personal_id))
    if dossier.applicant_address:
        body.append(Line("Địa chỉ", dossier.applicant_address))
    body.append(
        Line(
            "Nội dung thu",
            f"Phí, lệ phí giải quyết thủ tục “{dossier.procedure.name}”, hồ sơ mã {dossier.code}",
        )
    )
    rows = []
    for line in issue.value("fees", []) or []:
        kind = FEE_KINDS.get(str(line.get("kind", "")), "Phí")
        quantity, unit = int(line.get("quantity", 1)), int(line.get("unit_amount", 0))
        rows.append(
            (
                f"{kind}: {line.get('name', '')}",
                f"{quantity} × {_vnd(unit)} = {_vnd(int(line.get('subtotal', 0)))}",
            )
        )
    if rows:
        body.append(Table2(tuple(rows)))
    body.append(Line("Tổng số tiền", _vnd(amount), strong=True))
    if issue.value("amount_in_words"):
        body.append(Line("Số tiền bằng chữ", str(issue.value("amount_in_words"))))
    online = issue.value("channel") == "online"
    method = (
        f"Trực tuyến qua {issue.value('gateway_label') or 'cổng thanh toán'}"
        if online
        else "Nộp tại Bộ phận Một cửa"
    )
    body.append(Line("Hình thức thanh toán", method))
    if issue.value("payment"):
        body.append(Line("Mã giao dịch", str(issue.value("payment"))))
    if issue.value("transaction_no"):
        label = "Mã giao dịch tại cổng thanh toán" if online else "Số biên lai giấy"
        body.append(Line(label, str(issue.value("transaction_no"))))
    paid_at = moment(issue.value("paid_at")) or issue.at
    body.append(Line("Thời điểm thanh toán", date_time(paid_at)))
    body.append(
        Text(
            "Biên lai điện tử có giá trị khi mã SHA-256 của tệp trùng với mã công bố tại địa chỉ xác thực ghi "
            "dưới đây.",
            indent=True,
        )
    )
    if online:  # paid through the gateway: nobody signs on either side
        return body, (None, Signature("Đơn vị thu", dossier.agency.name, hint="(Biên lai điện tử)"))
    return body, (
        Signature("Người nộp tiền", dossier.applicant_name),
        Signature("Người thu tiền", issue.officer),
    )


BUILDERS = {
    IssuedDocumentKind.RECEIPT: _receipt,
    IssuedDocumentKind.SUPPLEMENT_REQUEST: _supplement_request,
    IssuedDocumentKind.REFUSAL: _refusal,
    IssuedDocumentKind.APOLOGY: _apology,
    IssuedDocumentKind.RESULT: _result,
    IssuedDocumentKind.FEE_RECEIPT: _fee_receipt,
}


def build_content(issue: Issue) -> DocumentContent:
    dossier = issue.dossier
    agency = dossier.agency
    with translation.override("vi"):  # model labels (channel, delivery) in the form's language
        body, signatures = BUILDERS[issue.kind](issue)
    by_agency = issue.kind in (
        IssuedDocumentKind.APOLOGY,
        IssuedDocumentKind.RESULT,
        IssuedDocumentKind.FEE_RECEIPT,
    )
    title = TITLES[issue.kind]
    subtitle = f"Mã hồ sơ: {dossier.code}"
    if issue.kind == IssuedDocumentKind.FEE_RECEIPT:
        subtitle = f"(Biên lai điện tử)\nMã hồ sơ: {dossier.code}"
    if issue.kind == IssuedDocumentKind.RESULT and dossier.procedure.result_name:
        subtitle = f"{dossier.procedure.result_name}\nMã hồ sơ: {dossier.code}"
    return DocumentContent(
        heading=_agency_heading(agency) if by_agency else _one_stop_heading(agency),
        place_date=place_and_date(_place(agency), issue.at),
        title=title,
        subtitle=subtitle,
        body=tuple(body),
        signatures=signatures,
        verification=Verification(url=issue.verify_url, document_id=issue.document_id),
        metadata={
            "title": f"{title} — {dossier.code}",
            "author": agency.name,
            "subject": dossier.procedure.name,
            "keywords": f"{dossier.code} {issue.document_id}",
        },
    )


# --- the applicant's form as rows ------------------------------------------------------------------------------


def form_rows(schema: Mapping[str, Any], data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(title, value) for each filled-in field, in the schema's order, then any field it does not name."""
    if not isinstance(data, Mapping):
        return []
    properties: Mapping[str, Any] = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    keys = [key for key in properties if key in data] + [key for key in data if key not in properties]
    rows: list[tuple[str, str]] = []
    for key in keys:
        field_schema = properties.get(key, {})
        title = str(field_schema.get("title") or key) if isinstance(field_schema, Mapping) else key
        label = f"{prefix}{title}"
        value = data[key]
        if isinstance(value, Mapping):
            rows += form_rows(field_schema, value, prefix=f"{label} › ")
            continue
        text = _field_value(field_schema if isinstance(field_schema, Mapping) else {}, value)
        if text:
            rows.append((label, text))
    return rows


def _field_value(schema: Mapping[str, Any], value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, list):
        item_schema = schema.get("items", {})
        return "; ".join(
            text
            for text in (
                _field_value(item_schema if isinstance(item_schema, Mapping) else {}, v) for v in value
            )
            if text
        )
    for option in schema.get("oneOf", []) or schema.get("anyOf", []):
        if isinstance(option, Mapping) and option.get("const") == value and option.get("title"):
            return str(option["title"])
    if schema.get("format") == "date" and isinstance(value, str):
        day: date | None = parse_date(value)
        return short_date(day) if day else value
    if schema.get("format") == "date-time" and isinstance(value, str):
        at = parse_datetime(value)
        return date_time(at) if at and at.tzinfo else value
    return str(value)
