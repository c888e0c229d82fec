"""`mekong reconcile_payments`: a gateway statement (CSV) against our payments."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mekong.payments import actions
from mekong.payments.gateways.contrib.vnpay import protocol
from mekong.payments.gateways.registry import registry
from mekong.payments.models import Payment
from mekong.payments.reconciliation import StatementError, parse_statement

from .factories import awaiting_payment, fee_shop, gateway_result, started_payment

pytestmark = pytest.mark.django_db
HEADER = "txn_ref,transaction_no,amount,pay_date,status\n"
DAY = datetime(2026, 11, 23, 9, 0, tzinfo=protocol.GMT7)


def paid(shop: object, transaction_no: str, at: datetime = DAY) -> Payment:
    payment = started_payment(shop, awaiting_payment(shop))  # type: ignore[arg-type]
    actions.handle_notification(
        registry.get("sandbox"), gateway_result(payment, transaction_no=transaction_no, paid_at=at)
    )
    payment.refresh_from_db()
    return payment


def run(tmp_path: Path, content: str | bytes) -> tuple[str, int]:
    path = tmp_path / "sao-ke.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    out = io.StringIO()
    try:
        call_command("reconcile_payments", str(path), "--gateway", "sandbox", stdout=out)
    except CommandError as error:
        return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


def row(payment: Payment, *, amount: int | None = None, transaction_no: str | None = None) -> str:
    stamp = protocol.timestamp(payment.paid_at or DAY)
    return f"{payment.txn_ref},{transaction_no or payment.transaction_no},{amount or payment.amount},{stamp},00\n"


def test_a_statement_that_matches(tmp_path: Path) -> None:
    shop = fee_shop()
    one, two = paid(shop, "11111111"), paid(shop, "22222222")
    output, code = run(tmp_path, HEADER + row(one) + row(two) + "T999,33333333,10000,20261123100000,24\n")
    assert code == 0, output
    assert "Khớp: không có chênh lệch." in output
    assert "3 dòng sao kê, 2 giao dịch thành công, từ 23/11/2026 đến 23/11/2026" in output


def test_every_kind_of_difference_is_reported_and_the_exit_code_is_1(tmp_path: Path) -> None:
    shop = fee_shop()
    matching = paid(shop, "11111111")
    different_amount = paid(shop, "22222222")
    only_here = paid(shop, "33333333")
    ipn_missed = started_payment(shop, awaiting_payment(shop))
    paid(shop, "44444444", at=DAY.replace(day=25))  # another day: outside the statement, not reported
    statement = (
        HEADER
        + row(matching)
        + row(different_amount, amount=different_amount.amount + 1000)
        + f"{ipn_missed.txn_ref},55555555,{ipn_missed.amount},20261123101500,00\n"
        + "T26112300000000AA,66666666,15000,20261123111500,00\n"
    )
    output, code = run(tmp_path, statement)

    assert code == 1
    assert "Có ở cổng thanh toán, không có (hoặc chưa thanh toán) ở hệ thống:" in output
    assert (
        "T26112300000000AA: dòng 5: cổng đã thu 15.000 đồng (mã 66666666) nhưng hệ thống không có" in output
    )
    assert f"{ipn_missed.txn_ref}: dòng 4: cổng đã thu" in output
    assert "chưa nhận được IPN" in output
    assert "Có ở hệ thống, không có ở cổng thanh toán:" in output
    assert f"{only_here.txn_ref}: hệ thống ghi đã thu" in output
    assert "Lệch số tiền hoặc mã giao dịch:" in output
    assert f"{different_amount.txn_ref}: dòng 3: cổng ghi 67.000 đồng, hệ thống ghi 66.000 đồng" in output
    assert matching.txn_ref not in output
    assert "4 chênh lệch, 0 dòng không đọc được." in output


def test_a_different_transaction_number_is_a_difference(tmp_path: Path) -> None:
    payment = paid(fee_shop(), "11111111")
    output, code = run(tmp_path, HEADER + row(payment, transaction_no="99999999"))
    assert code == 1
    assert "mã giao dịch tại cổng 99999999, hệ thống ghi 11111111" in output


def test_bad_rows_are_reported_with_their_line_numbers(tmp_path: Path) -> None:
    payment = paid(fee_shop(), "11111111")
    statement = (
        HEADER
        + row(payment)
        + "T1,2,12.5,20261123100000,00\n"
        + "T2,3,15000,23/11/2026,00\n"
        + "T3,4\n"
        + ",5,1000,20261123100000,00\n"
        + row(payment)
    )
    output, code = run(tmp_path, statement)
    assert code == 1
    assert "Dòng 3 không đọc được: số tiền không hợp lệ: “12.5”" in output
    assert "Dòng 4 không đọc được: thời điểm thanh toán không hợp lệ: “23/11/2026”" in output
    assert "Dòng 5 không đọc được: thiếu giá trị" in output
    assert "Dòng 6 không đọc được: thiếu mã giao dịch" in output
    assert f"Dòng 7 không đọc được: mã giao dịch {payment.txn_ref} đã có ở dòng 2" in output


def test_missing_columns_stop_the_command(tmp_path: Path) -> None:
    output, code = run(tmp_path, "ma_giao_dich,so_tien\nT1,1000\n")
    assert code == 2
    assert "Thiếu cột: txn_ref, transaction_no, amount, pay_date" in output
    assert "Tiêu đề đọc được: ma_giao_dich, so_tien" in output


def test_a_file_that_is_not_utf8_stops_the_command(tmp_path: Path) -> None:
    output, code = run(tmp_path, (HEADER + "T1,1,15000,20261123100000,00  Nguyễn\n").encode("utf-16"))
    assert code == 2
    assert "không phải văn bản UTF-8" in output


def test_empty_file_unknown_gateway_and_missing_file(tmp_path: Path) -> None:
    assert run(tmp_path, "")[1] == 2
    with pytest.raises(CommandError) as missing:
        call_command("reconcile_payments", str(tmp_path / "none.csv"), stdout=io.StringIO())
    assert missing.value.returncode == 2
    (tmp_path / "x.csv").write_text(HEADER)
    with pytest.raises(CommandError, match="Không có cổng thanh toán “momo”"):
        call_command("reconcile_payments", str(tmp_path / "x.csv"), "--gateway", "momo", stdout=io.StringIO())


def test_an_explicit_period_finds_what_the_gateway_left_out(tmp_path: Path) -> None:
    payment = paid(fee_shop(), "11111111")
    path = tmp_path / "empty.csv"
    path.write_text(HEADER)
    out = io.StringIO()
    with pytest.raises(CommandError) as differences:
        call_command(
            "reconcile_payments",
            str(path),
            "--gateway",
            "sandbox",
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-23",
            stdout=out,
        )
    assert differences.value.returncode == 1
    assert payment.txn_ref in out.getvalue()


def test_statement_parsing_accepts_bom_semicolons_grouped_amounts_and_iso_times() -> None:
    data = ("\ufeffTXN_REF;Transaction_No;Amount;Pay_Date\nT1;123;58.000;2026-11-23 10:15\n").encode()
    statement = parse_statement(data)
    assert statement.problems == []
    [only] = statement.rows
    assert (only.txn_ref, only.transaction_no, only.amount, only.succeeded) == ("T1", "123", 58_000, True)
    assert only.paid_at == datetime(2026, 11, 23, 10, 15, tzinfo=protocol.GMT7)
    with pytest.raises(StatementError):
        parse_statement(b"\n")
