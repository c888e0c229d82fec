"""Apology letters (Phiếu xin lỗi và hẹn lại ngày trả kết quả): drafted before a dossier becomes late,
once per appointment; confirmed by the agency's receiving officer or leader, which moves the appointment
through an event in the chain."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.core.errors import DomainError, PermissionDenied
from mekong.dossiers import actions
from mekong.dossiers.apology import (
    confirm_apology,
    discard_apology,
    draft_apologies,
    draft_apology,
    extension_working_days,
)
from mekong.dossiers.chain import verify_chain
from mekong.dossiers.models import ApologyLetter, ApologyStatus, CalendarDay, CalendarDayKind, Dossier
from mekong.dossiers.states import Status
from mekong.dossiers.workdays import VIETNAM_TZ

from .factories import OneStopShop, one_stop_shop, submitted_dossier

MONDAY_9AM = datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM_TZ)
# Received Monday 10:00 with a limit of 3 working days: due Thursday 12 March at 17:00.
DUE = datetime(2026, 3, 12, 17, 0, tzinfo=VIETNAM_TZ)
THURSDAY_3PM = datetime(2026, 3, 12, 15, 0, tzinfo=VIETNAM_TZ)  # 2 working hours before DUE


def processing_dossier(shop: OneStopShop, *, received: datetime = MONDAY_9AM) -> Dossier:
    dossier = submitted_dossier(shop, at=received)
    dossier = actions.receive(dossier, actor=shop.receiver, at=received + timedelta(hours=1))
    return actions.start_processing(dossier, actor=shop.specialist, at=received + timedelta(hours=2))


@pytest.fixture
def shop(db: None) -> OneStopShop:
    return one_stop_shop(time_limit_value=3)


@pytest.fixture
def dossier(shop: OneStopShop) -> Dossier:
    dossier = processing_dossier(shop)
    assert dossier.due_at == DUE
    return dossier


def chain_is_intact(dossier: Dossier) -> bool:
    dossier.refresh_from_db()
    events = list(dossier.events.order_by("sequence"))
    return verify_chain(
        [(event.hashed_payload(), event.hash) for event in events], expected_head=dossier.head_hash
    ).ok


# --- the proposed date rule (pure) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "days"),
    [
        (1, "working_day", 1),  # half a day rounds up; never less than one
        (3, "working_day", 2),
        (25, "working_day", 13),
        (15, "day", 6),  # 15 calendar days ≈ 10.7 working days
        (4, "hour", 1),
        (40, "hour", 3),
    ],
)
def test_extension_is_half_the_limit_in_working_days_at_least_one(value: int, unit: str, days: int) -> None:
    assert extension_working_days(value, unit) == days


@given(value=st.integers(min_value=0, max_value=500), unit=st.sampled_from(["working_day", "day", "hour"]))
def test_extension_is_at_least_one_day_and_grows_with_the_limit(value: int, unit: str) -> None:
    days = extension_working_days(value, unit)
    assert days >= 1
    assert extension_working_days(value + 1, unit) >= days


# --- drafting ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dossier_due_in_two_working_hours_gets_one_draft_not_two(dossier: Dossier) -> None:
    drafted = draft_apologies(THURSDAY_3PM)
    assert [letter.dossier_id for letter in drafted] == [dossier.pk]
    letter = drafted[0]
    assert letter.status == ApologyStatus.DRAFT
    assert letter.previous_due_at == DUE
    # Half of 3 working days, rounded up: 2 working days after Thursday → Monday 16 March, end of office.
    assert letter.new_due_at == datetime(2026, 3, 16, 17, 0, tzinfo=VIETNAM_TZ)
    assert "cần thêm thời gian thẩm định" in letter.reason
    assert letter.drafted_at == THURSDAY_3PM

    assert draft_apologies(THURSDAY_3PM + timedelta(minutes=30)) == []
    assert ApologyLetter.objects.filter(dossier=dossier).count() == 1


@pytest.mark.django_db
def test_dossier_due_in_three_days_gets_none(shop: OneStopShop, dossier: Dossier) -> None:
    assert draft_apologies(MONDAY_9AM + timedelta(hours=3)) == []
    # Tuesday 17:00 is still 8 working hours before the Thursday deadline... (Wednesday counts in full)
    assert draft_apologies(datetime(2026, 3, 10, 17, 0, tzinfo=VIETNAM_TZ)) == []
    assert not ApologyLetter.objects.exists()


@pytest.mark.django_db
def test_window_counts_working_time_not_clock_time(dossier: Dossier) -> None:
    # Wednesday 17:00 → Thursday 17:00 is 24 clock hours but 8 working hours: outside a 4-hour window...
    assert draft_apologies(datetime(2026, 3, 11, 17, 0, tzinfo=VIETNAM_TZ)) == []
    # ...inside a 9-hour one.
    assert len(draft_apologies(datetime(2026, 3, 11, 17, 0, tzinfo=VIETNAM_TZ), within_working_hours=9)) == 1


@pytest.mark.django_db
def test_a_late_dossier_gets_a_draft_dated_after_now(dossier: Dossier) -> None:
    friday_10am = datetime(2026, 3, 13, 10, 0, tzinfo=VIETNAM_TZ)  # already late
    (letter,) = draft_apologies(friday_10am)
    assert letter.previous_due_at == DUE
    # Two working days after Friday: Tuesday 17 March.
    assert letter.new_due_at == datetime(2026, 3, 17, 17, 0, tzinfo=VIETNAM_TZ)


@pytest.mark.django_db
def test_only_dossiers_handled_by_the_agency_get_drafts(shop: OneStopShop, dossier: Dossier) -> None:
    waiting = processing_dossier(shop)
    actions.request_supplement(
        waiting, actor=shop.specialist, missing=["Bản sao sổ hộ khẩu"], at=MONDAY_9AM.replace(hour=14)
    )
    finished = processing_dossier(shop)
    actions.approve(finished, actor=shop.leader, at=MONDAY_9AM.replace(hour=15))
    submitted_dossier(shop, at=MONDAY_9AM)  # not received: no appointment yet

    drafted = draft_apologies(THURSDAY_3PM)
    assert [letter.dossier_id for letter in drafted] == [dossier.pk]


@pytest.mark.django_db
def test_province_extra_day_off_moves_the_proposed_date(dossier: Dossier) -> None:
    CalendarDay.objects.create(date=date(2026, 3, 13), kind=CalendarDayKind.DAY_OFF, note="Bão")
    (letter,) = draft_apologies(THURSDAY_3PM)
    assert letter.new_due_at == datetime(2026, 3, 17, 17, 0, tzinfo=VIETNAM_TZ)


@pytest.mark.django_db
def test_a_discarded_draft_is_not_drafted_again_for_the_same_appointment(
    shop: OneStopShop, dossier: Dossier
) -> None:
    (letter,) = draft_apologies(THURSDAY_3PM)
    discarded = discard_apology(letter, actor=shop.leader)
    assert discarded.status == ApologyStatus.DISCARDED
    assert draft_apologies(THURSDAY_3PM + timedelta(minutes=30)) == []
    with pytest.raises(DomainError) as again:
        discard_apology(letter, actor=shop.receiver)
    assert again.value.code == "apology_not_draft"


@pytest.mark.django_db
def test_draft_apology_for_one_dossier_is_idempotent(dossier: Dossier) -> None:
    first = draft_apology(dossier, now=THURSDAY_3PM, reason="Chờ kết quả xác minh của Công an xã.")
    assert first is not None
    assert first.reason == "Chờ kết quả xác minh của Công an xã."
    assert draft_apology(dossier, now=THURSDAY_3PM) is None


# --- confirming -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirm_moves_the_appointment_through_a_reschedule_event(
    shop: OneStopShop, dossier: Dossier
) -> None:
    (letter,) = draft_apologies(THURSDAY_3PM)
    sent = confirm_apology(letter, actor=shop.receiver, at=THURSDAY_3PM + timedelta(minutes=20))

    assert sent.status == ApologyStatus.SENT
    assert sent.sent_at == THURSDAY_3PM + timedelta(minutes=20)
    assert sent.confirmed_by == shop.receiver
    dossier.refresh_from_db()
    assert dossier.due_at == datetime(2026, 3, 16, 17, 0, tzinfo=VIETNAM_TZ)
    assert dossier.status == Status.PROCESSING
    event = dossier.events.order_by("-sequence").first()
    assert event is not None
    assert event.command == "reschedule"
    assert event.actor == shop.receiver
    assert event.actor_role == "receiving_officer"
    assert event.created_at == THURSDAY_3PM + timedelta(minutes=20)
    assert event.data["apology"] == letter.pk
    assert event.data["previous_due_at"] == "2026-03-12T10:00:00.000000+00:00"
    assert chain_is_intact(dossier)
    # Nothing more to draft: the new appointment is days away.
    assert draft_apologies(THURSDAY_3PM + timedelta(hours=1)) == []


@pytest.mark.django_db
def test_confirm_issues_the_apology_document_on_the_dossier(shop: OneStopShop, dossier: Dossier) -> None:
    (letter,) = draft_apologies(THURSDAY_3PM)
    sent = confirm_apology(letter, actor=shop.receiver, at=THURSDAY_3PM + timedelta(minutes=20))
    assert sent.document is not None
    assert sent.document.kind == "apology"
    assert sent.document.dossier_id == dossier.pk
    assert list(dossier.documents.filter(kind="apology")) == [sent.document]


@pytest.mark.django_db
def test_leader_may_confirm_with_own_reason_and_date(shop: OneStopShop, dossier: Dossier) -> None:
    (letter,) = draft_apologies(THURSDAY_3PM)
    sent = confirm_apology(
        letter,
        actor=shop.leader,
        reason="  Chờ ý kiến của Phòng Tư pháp.  ",
        new_due_at=date(2026, 3, 18),
        at=THURSDAY_3PM,
    )
    assert sent.reason == "Chờ ý kiến của Phòng Tư pháp."
    assert sent.new_due_at == datetime(2026, 3, 18, 17, 0, tzinfo=VIETNAM_TZ)
    dossier.refresh_from_db()
    assert dossier.due_at == sent.new_due_at
    last = dossier.events.order_by("-sequence").first()
    assert last is not None
    assert last.actor_role == "leader"
    assert last.note == "Chờ ý kiến của Phòng Tư pháp."


@pytest.mark.django_db
def test_a_new_date_before_the_old_one_is_refused_in_vietnamese(shop: OneStopShop, dossier: Dossier) -> None:
    (letter,) = draft_apologies(THURSDAY_3PM)
    before = (dossier.event_count, dossier.head_hash)
    with pytest.raises(DomainError) as refused:
        confirm_apology(
            letter,
            actor=shop.receiver,
            new_due_at=datetime(2026, 3, 11, 17, 0, tzinfo=VIETNAM_TZ),
            at=THURSDAY_3PM,
        )
    problems = refused.value.as_dict()["errors"]
    assert [p["field"] for p in problems] == ["new_due_at"]
    assert problems[0]["message"] == "Ngày hẹn mới phải sau ngày hẹn cũ (17:00 ngày 12/03/2026)."
    letter.refresh_from_db()
    dossier.refresh_from_db()
    assert letter.status == ApologyStatus.DRAFT
    assert (dossier.event_count, dossier.head_hash) == before
    assert dossier.due_at == DUE


@pytest.mark.django_db
def test_a_new_date_on_a_day_off_or_in_the_past_is_refused(shop: OneStopShop, dossier: Dossier) -> None:
    (letter,) = draft_apologies(THURSDAY_3PM)
    with pytest.raises(DomainError) as weekend:
        confirm_apology(letter, actor=shop.receiver, new_due_at=date(2026, 3, 14), at=THURSDAY_3PM)
    assert "14/03/2026" in weekend.value.as_dict()["errors"][0]["message"]
    assert "không phải là ngày làm việc" in weekend.value.as_dict()["errors"][0]["message"]
    with pytest.raises(DomainError) as past:
        # Later than the old date, but the officer confirms only on the 17th.
        confirm_apology(
            letter,
            actor=shop.receiver,
            new_due_at=date(2026, 3, 16),
            at=datetime(2026, 3, 17, 9, 0, tzinfo=VIETNAM_TZ),
        )
    assert past.value.as_dict()["errors"][0]["message"] == "Ngày hẹn mới phải sau thời điểm hiện tại."


@pytest.mark.django_db
def test_an_official_of_another_agency_cannot_confirm(shop: OneStopShop, dossier: Dossier) -> None:
    other = one_stop_shop()
    (letter,) = draft_apologies(THURSDAY_3PM)
    for outsider in (other.receiver, other.leader, shop.specialist, shop.citizen):
        with pytest.raises(PermissionDenied):
            confirm_apology(letter, actor=outsider, at=THURSDAY_3PM)
        with pytest.raises(PermissionDenied):
            discard_apology(letter, actor=outsider)
    letter.refresh_from_db()
    assert letter.status == ApologyStatus.DRAFT
    dossier.refresh_from_db()
    assert dossier.due_at == DUE


@pytest.mark.django_db
def test_a_letter_is_confirmed_once(shop: OneStopShop, dossier: Dossier) -> None:
    (letter,) = draft_apologies(THURSDAY_3PM)
    confirm_apology(letter, actor=shop.receiver, at=THURSDAY_3PM)
    with pytest.raises(DomainError) as twice:
        confirm_apology(letter, actor=shop.receiver, at=THURSDAY_3PM)
    assert twice.value.code == "apology_not_draft"
    assert twice.value.status == 409
    assert dossier.events.filter(command="reschedule").count() == 1


@pytest.mark.django_db
def test_a_draft_whose_appointment_changed_is_not_confirmed(shop: OneStopShop, dossier: Dossier) -> None:
    (letter,) = draft_apologies(THURSDAY_3PM)
    actions.request_supplement(dossier, actor=shop.specialist, missing=["Tờ khai"], at=THURSDAY_3PM)
    actions.supplement(
        dossier, actor=shop.citizen, note="Đã nộp tờ khai", at=THURSDAY_3PM + timedelta(days=1)
    )
    dossier.refresh_from_db()
    assert dossier.due_at != DUE
    with pytest.raises(DomainError) as stale:
        confirm_apology(letter, actor=shop.receiver, at=THURSDAY_3PM + timedelta(days=1, hours=1))
    assert stale.value.code == "apology_stale"


@pytest.mark.django_db
def test_no_apology_for_a_dossier_no_longer_being_handled(shop: OneStopShop, dossier: Dossier) -> None:
    (letter,) = draft_apologies(THURSDAY_3PM)
    actions.approve(dossier, actor=shop.leader, at=THURSDAY_3PM + timedelta(minutes=30))
    with pytest.raises(DomainError) as finished:
        confirm_apology(letter, actor=shop.receiver, at=THURSDAY_3PM + timedelta(hours=1))
    assert finished.value.code == "apology_not_needed"


# --- the periodic job -------------------------------------------------------------------------------------


def due_in_two_working_hours(shop: OneStopShop) -> Dossier:
    """A dossier received now whose appointment was moved to two working hours from now."""
    from django.utils import timezone

    from mekong.dossiers.calendar import province_calendar

    dossier = submitted_dossier(shop)
    dossier = actions.receive(dossier, actor=shop.receiver)
    soon = province_calendar().add_working_hours(timezone.now(), 2)
    return actions.reschedule(dossier, actor=shop.receiver, new_due_at=soon, reason="Hẹn lại để thử")


@pytest.mark.django_db
def test_the_celery_task_drafts_with_the_real_clock(shop: OneStopShop) -> None:
    from mekong.dossiers.tasks import draft_apologies_task

    dossier = due_in_two_working_hours(shop)
    assert draft_apologies_task.apply().get() == 1
    assert draft_apologies_task.apply().get() == 0
    assert ApologyLetter.objects.get().dossier_id == dossier.pk


@pytest.mark.django_db
def test_the_cron_command_lists_what_it_drafted(shop: OneStopShop) -> None:
    import io

    from django.core.management import call_command

    dossier = due_in_two_working_hours(shop)
    out = io.StringIO()
    call_command("draft_apologies", "--within-hours", "1", stdout=out)  # due in 2: not yet
    assert "Đã lập 0 dự thảo phiếu xin lỗi." in out.getvalue()
    out = io.StringIO()
    call_command("draft_apologies", stdout=out)
    assert f"- {dossier.code}" in out.getvalue()
    assert "Đã lập 1 dự thảo phiếu xin lỗi." in out.getvalue()
