"""`mekong verify_dossier_chain`: a clean database passes; an event changed or removed behind the model's
back (as someone with database access would) is reported at the right place, with exit code 1."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mekong.dossiers import actions
from mekong.dossiers.models import Dossier, DossierEvent
from mekong.dossiers.workdays import VIETNAM_TZ

from .factories import OneStopShop, one_stop_shop, submitted_dossier

pytestmark = pytest.mark.django_db

MONDAY_9AM = datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM_TZ)


def processing_dossier(shop: OneStopShop) -> Dossier:
    """submit (1), receive (2), start_processing (3)."""
    dossier = submitted_dossier(shop, at=MONDAY_9AM)
    dossier = actions.receive(dossier, actor=shop.receiver, at=MONDAY_9AM.replace(hour=10))
    return actions.start_processing(dossier, actor=shop.specialist, at=MONDAY_9AM.replace(hour=11))


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_dossier_chain", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[CommandError, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_dossier_chain", *args, stdout=out, stderr=err)
    return failed.value, out.getvalue(), err.getvalue()


def test_clean_database_passes_and_counts_everything() -> None:
    shop = one_stop_shop()
    processing_dossier(shop)
    submitted_dossier(shop)
    out, err = run()
    assert "Đã kiểm tra 2 hồ sơ, 4 sự kiện" in out
    assert "Chuỗi sự kiện toàn vẹn." in out
    assert err == ""


def test_an_event_edited_in_the_database_breaks_the_chain_at_its_sequence() -> None:
    shop = one_stop_shop()
    healthy = processing_dossier(shop)
    victim = processing_dossier(shop)
    # Bypass the append-only guard the way an attacker with database access would.
    changed = DossierEvent.objects.filter(dossier=victim, sequence=2).update(note="đã sửa ngày hẹn")
    assert changed == 1

    error, out, err = run_failing()
    assert error.returncode == 1
    assert "1 hồ sơ có chuỗi sự kiện bị sửa đổi" in str(error)
    assert f"Hồ sơ {victim.code}: hỏng từ sự kiện số 2 (receive)" in err
    assert str(healthy.code) not in err
    assert "Đã kiểm tra 2 hồ sơ" in out


def test_a_changed_timestamp_is_caught_too() -> None:
    shop = one_stop_shop()
    victim = processing_dossier(shop)
    DossierEvent.objects.filter(dossier=victim, sequence=3).update(created_at=MONDAY_9AM.replace(hour=8))
    _error, _out, err = run_failing()
    assert "hỏng từ sự kiện số 3 (start_processing)" in err


def test_a_deleted_last_event_is_caught_by_the_head_hash() -> None:
    shop = one_stop_shop()
    victim = processing_dossier(shop)
    deleted, _details = DossierEvent.objects.filter(dossier=victim, sequence=3).delete()
    assert deleted == 1

    error, _out, err = run_failing()
    assert error.returncode == 1
    assert f"Hồ sơ {victim.code}: hỏng từ cuối chuỗi sự kiện" in err
    assert "kết thúc sau 2 sự kiện" in err


def test_code_option_checks_only_that_dossier() -> None:
    shop = one_stop_shop()
    healthy = processing_dossier(shop)
    victim = processing_dossier(shop)
    DossierEvent.objects.filter(dossier=victim, sequence=1).update(data={"code": "giả mạo"})

    out, _err = run("--code", healthy.code or "")
    assert "Đã kiểm tra 1 hồ sơ, 3 sự kiện" in out
    _error, _out, err = run_failing("--code", victim.code or "")
    assert "hỏng từ sự kiện số 1 (submit)" in err


def test_unknown_code_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match=r"Không tìm thấy hồ sơ mã 000\.00\.00\.H00-260101-0001"):
        run("--code", "000.00.00.H00-260101-0001")


def test_progress_is_printed_chunk_by_chunk_for_large_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    from mekong.dossiers.management.commands import verify_dossier_chain

    monkeypatch.setattr(verify_dossier_chain, "PROGRESS_FROM", 3)
    shop = one_stop_shop()
    for _ in range(3):
        submitted_dossier(shop)
    out, _err = run("--chunk-size", "2")
    assert "đã kiểm tra 2/3 hồ sơ" in out
    assert "đã kiểm tra 3/3 hồ sơ" in out
    assert "Chuỗi sự kiện toàn vẹn." in out


def test_events_are_read_in_one_query_per_chunk(django_assert_max_num_queries: object) -> None:
    shop = one_stop_shop()
    for _ in range(4):
        processing_dossier(shop)
    # count + (dossier ids + their events) per chunk of 2 + the empty last chunk
    with django_assert_max_num_queries(1 + 2 * 2 + 1):  # type: ignore[operator]
        run("--chunk-size", "2")
