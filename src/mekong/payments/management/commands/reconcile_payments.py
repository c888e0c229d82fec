"""Reconcile a payment gateway's statement (CSV) with the payments recorded here.

    mekong reconcile_payments sao-ke-2026-11-23.csv [--gateway vnpay] [--from 2026-11-23 --to 2026-11-23]

The statement's format is in `payments.reconciliation`. Prints every payment missing on either side and
every one with different amounts; exit code 0 when the two agree, 1 when there are differences or rows that
could not be read (reported with their line numbers), 2 when the file cannot be read as a statement.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from mekong.payments.gateways.registry import registry
from mekong.payments.models import Payment, PaymentStatus
from mekong.payments.reconciliation import (
    OurPayment,
    StatementError,
    day_start,
    parse_statement,
    period_of,
    reconcile,
)

HEADINGS = {
    "missing_here": "Có ở cổng thanh toán, không có (hoặc chưa thanh toán) ở hệ thống",
    "not_paid_here": "Có ở cổng thanh toán, không có (hoặc chưa thanh toán) ở hệ thống",
    "missing_at_gateway": "Có ở hệ thống, không có ở cổng thanh toán",
    "amount_differs": "Lệch số tiền hoặc mã giao dịch",
    "transaction_no_differs": "Lệch số tiền hoặc mã giao dịch",
}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Ngày không hợp lệ: {text} (cần YYYY-MM-DD).", returncode=2) from exc


class Command(BaseCommand):
    help = "Đối soát sao kê (CSV) của cổng thanh toán với các khoản thanh toán của hệ thống."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("statement", help="Tệp sao kê CSV (UTF-8).")
        parser.add_argument("--gateway", default="vnpay", help="Cổng thanh toán (mặc định vnpay).")
        parser.add_argument(
            "--from", dest="start", help="Từ ngày (YYYY-MM-DD); mặc định ngày đầu của sao kê."
        )
        parser.add_argument("--to", dest="end", help="Đến ngày (YYYY-MM-DD); mặc định ngày cuối của sao kê.")

    def handle(self, *args: Any, **options: Any) -> None:
        gateway = options["gateway"]
        if gateway not in registry:
            names = ", ".join(g.name for g in registry)
            raise CommandError(f"Không có cổng thanh toán “{gateway}” (có: {names}).", returncode=2)
        path = Path(options["statement"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc.strerror}.", returncode=2) from exc
        try:
            statement = parse_statement(data)
        except StatementError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from exc

        period = period_of(statement.rows)
        start = day_start(_day(options["start"])) if options["start"] else (period[0] if period else None)
        end = (
            day_start(_day(options["end"]) + timedelta(days=1))
            if options["end"]
            else (period[1] if period else None)
        )
        if start is None or end is None:
            raise CommandError("Sao kê không có dòng nào đọc được; hãy chỉ rõ --from và --to.", returncode=2)

        references = [row.txn_ref for row in statement.rows]
        payments = (
            Payment.objects.filter(gateway=gateway)
            .filter(
                Q(txn_ref__in=references) | Q(status=PaymentStatus.PAID, paid_at__gte=start, paid_at__lt=end)
            )
            .select_related("dossier")
        )
        ours = {
            payment.txn_ref: OurPayment(
                txn_ref=payment.txn_ref,
                amount=int(payment.amount),
                paid=payment.status == PaymentStatus.PAID,
                transaction_no=payment.transaction_no,
                paid_at=payment.paid_at,
                dossier=payment.dossier.code or "",
            )
            for payment in payments
        }
        report = reconcile(statement.rows, ours, start, end)

        self.stdout.write(
            f"Đối soát {gateway}: {len(statement.rows)} dòng sao kê, {report.compared} giao dịch thành công, "
            f"từ {start:%d/%m/%Y} đến {(end - timedelta(seconds=1)):%d/%m/%Y}."
        )
        for problem in statement.problems:
            self.stdout.write(f"  Dòng {problem.line} không đọc được: {problem.message}")
        for heading in dict.fromkeys(HEADINGS.values()):
            listed = [d for d in report.differences if HEADINGS[d.kind] == heading]
            if listed:
                self.stdout.write(heading + ":")
                for difference in listed:
                    self.stdout.write(f"  - {difference.txn_ref}: {difference.message}")
        if not report.differences and not statement.problems:
            self.stdout.write(self.style.SUCCESS("Khớp: không có chênh lệch."))
            return
        raise CommandError(
            f"{len(report.differences)} chênh lệch, {len(statement.problems)} dòng không đọc được.",
            returncode=1,
        )
