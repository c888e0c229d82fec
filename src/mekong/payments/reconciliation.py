"""Reconciling a gateway's statement with our payments. Pure module, no Django.

The statement is a CSV file in UTF-8 (a byte-order mark is fine; comma, semicolon or tab separated) with a
header row naming at least these columns, in any order and case:

=================  =============================================================================
``txn_ref``        our transaction reference (``vnp_TxnRef``)
``transaction_no`` the gateway's transaction number (``vnp_TransactionNo``)
``amount``         in VND, whole đồng (``58000`` or ``58.000``) — not VNPAY's ×100 ``vnp_Amount``
``pay_date``       GMT+7, ``yyyyMMddHHmmss`` as VNPAY writes it, or ``YYYY-MM-DD HH:MM[:SS]``
``status``         optional: ``00`` is a successful payment; other rows are not money received
=================  =============================================================================

The comparison covers the statement's days (or the period given): a payment the gateway took that we do
not have as paid, a payment we have as paid that the statement lacks, and the same payment with two
amounts (or two transaction numbers). Messages are Vietnamese, like the other commands' output.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

GMT7 = timezone(timedelta(hours=7))
REQUIRED = ("txn_ref", "transaction_no", "amount", "pay_date")
OPTIONAL = ("status",)
SUCCESS = "00"
GROUPED_AMOUNT = re.compile(r"^\d{1,3}([.,]\d{3})+$")


class StatementError(ValueError):
    """The file cannot be read as a statement at all (encoding, header)."""


@dataclass(frozen=True)
class StatementRow:
    line: int
    txn_ref: str
    transaction_no: str
    amount: int
    paid_at: datetime
    succeeded: bool = True


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


@dataclass(frozen=True)
class Statement:
    rows: list[StatementRow]
    problems: list[RowProblem]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StatementError(
            f"Tệp không phải văn bản UTF-8 (byte không hợp lệ ở vị trí {exc.start}). "
            "Hãy lưu lại sao kê dưới dạng CSV UTF-8."
        ) from exc


def _amount(text: str) -> int:
    text = text.strip()
    if GROUPED_AMOUNT.match(text):
        text = text.replace(".", "").replace(",", "")
    if not text.isdigit():
        raise ValueError(f"số tiền không hợp lệ: “{text}” (cần số đồng, không có phần lẻ)")
    return int(text)


def _moment(text: str) -> datetime:
    text = text.strip()
    for pattern in ("%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=GMT7)
        except ValueError:
            continue
    raise ValueError(
        f"thời điểm thanh toán không hợp lệ: “{text}” (cần yyyyMMddHHmmss hoặc YYYY-MM-DD HH:MM:SS)"
    )


def parse_statement(data: bytes) -> Statement:
    """Every good row, and every bad one with its line number (the header is line 1)."""
    text = _decode(data)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise StatementError("Tệp sao kê trống hoặc thiếu dòng tiêu đề.")
    delimiter = max(",;\t", key=lines[0].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise StatementError(
            "Thiếu cột: "
            + ", ".join(missing)
            + ". Tiêu đề cần có: "
            + ", ".join(REQUIRED)
            + " (và status nếu có). Tiêu đề đọc được: "
            + ", ".join(header)
            + "."
        )
    index = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    rows: list[StatementRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) < len(header):
            problems.append(RowProblem(line, f"thiếu giá trị: có {len(values)} cột, cần {len(header)}"))
            continue
        cell = {name: values[position].strip() for name, position in index.items()}
        if not cell["txn_ref"]:
            problems.append(RowProblem(line, "thiếu mã giao dịch (txn_ref)"))
            continue
        try:
            amount = _amount(cell["amount"])
            paid_at = _moment(cell["pay_date"])
        except ValueError as exc:
            problems.append(RowProblem(line, str(exc)))
            continue
        if cell["txn_ref"] in seen:
            problems.append(
                RowProblem(line, f"mã giao dịch {cell['txn_ref']} đã có ở dòng {seen[cell['txn_ref']]}")
            )
            continue
        seen[cell["txn_ref"]] = line
        status = cell.get("status", SUCCESS) or SUCCESS
        rows.append(
            StatementRow(line, cell["txn_ref"], cell["transaction_no"], amount, paid_at, status == SUCCESS)
        )
    return Statement(rows, problems)


# --- comparing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OurPayment:
    txn_ref: str
    amount: int
    paid: bool
    transaction_no: str
    paid_at: datetime | None
    dossier: str


@dataclass(frozen=True)
class Difference:
    kind: str  # missing_here, not_paid_here, missing_at_gateway, amount_differs, transaction_no_differs
    txn_ref: str
    message: str


@dataclass
class Report:
    start: datetime
    end: datetime
    compared: int = 0
    differences: list[Difference] = field(default_factory=list)


def period_of(rows: Iterable[StatementRow]) -> tuple[datetime, datetime] | None:
    """The whole days (GMT+7) the statement covers: [first day 00:00, day after the last day 00:00)."""
    days = [row.paid_at.astimezone(GMT7).date() for row in rows]
    if not days:
        return None
    return day_start(min(days)), day_start(max(days) + timedelta(days=1))


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=GMT7)


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def reconcile(
    rows: Iterable[StatementRow], ours: Mapping[str, OurPayment], start: datetime, end: datetime
) -> Report:
    """`ours`: our payments by reference — every one the statement names, and every one paid in the
    period [start, end)."""
    report = Report(start, end)
    received = [row for row in rows if row.succeeded]
    on_statement = {row.txn_ref for row in received}
    for row in received:
        report.compared += 1
        payment = ours.get(row.txn_ref)
        if payment is None:
            report.differences.append(
                Difference(
                    "missing_here",
                    row.txn_ref,
                    f"dòng {row.line}: cổng đã thu {_vnd(row.amount)} (mã {row.transaction_no}) nhưng hệ thống "
                    "không có giao dịch này",
                )
            )
            continue
        if not payment.paid:
            report.differences.append(
                Difference(
                    "not_paid_here",
                    row.txn_ref,
                    f"dòng {row.line}: cổng đã thu {_vnd(row.amount)} nhưng hệ thống chưa ghi nhận đã thanh toán "
                    f"(hồ sơ {payment.dossier}; có thể chưa nhận được IPN)",
                )
            )
        if payment.amount != row.amount:
            report.differences.append(
                Difference(
                    "amount_differs",
                    row.txn_ref,
                    f"dòng {row.line}: cổng ghi {_vnd(row.amount)}, hệ thống ghi {_vnd(payment.amount)} "
                    f"(hồ sơ {payment.dossier})",
                )
            )
        if (
            payment.paid
            and payment.transaction_no
            and row.transaction_no
            and payment.transaction_no != row.transaction_no
        ):
            report.differences.append(
                Difference(
                    "transaction_no_differs",
                    row.txn_ref,
                    f"dòng {row.line}: mã giao dịch tại cổng {row.transaction_no}, hệ thống ghi "
                    f"{payment.transaction_no} (hồ sơ {payment.dossier})",
                )
            )
    for payment in sorted(ours.values(), key=lambda p: (p.paid_at or start, p.txn_ref)):
        if (
            payment.paid
            and payment.paid_at is not None
            and start <= payment.paid_at < end
            and payment.txn_ref not in on_statement
        ):
            report.differences.append(
                Difference(
                    "missing_at_gateway",
                    payment.txn_ref,
                    f"hệ thống ghi đã thu {_vnd(payment.amount)} (hồ sơ {payment.dossier}) nhưng sao kê của cổng "
                    "không có giao dịch này",
                )
            )
    return report
