"""The dossier engine: submission, the one-stop-shop workflow, the event chain, deadlines."""

from __future__ import annotations

from datetime import datetime

import pytest

from mekong.core.errors import DomainError, PermissionDenied
from mekong.dossiers import actions
from mekong.dossiers.chain import verify_chain
from mekong.dossiers.models import DossierEvent, DossierStatus
from mekong.dossiers.states import Status
from mekong.dossiers.workdays import VIETNAM_TZ

from .factories import one_stop_shop, pdf, submitted_dossier, valid_form

pytestmark = pytest.mark.django_db

MONDAY_9AM = datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM_TZ)


def test_submission_gives_a_national_code_and_status_1() -> None:
    shop = one_stop_shop()
    dossier = submitted_dossier(shop, at=MONDAY_9AM)
    assert dossier.code == f"{shop.agency.code}-260309-0001"
    assert dossier.status == Status.NEW
    second = submitted_dossier(shop, at=MONDAY_9AM)
    assert second.code == f"{shop.agency.code}-260309-0002"


def test_incomplete_draft_is_refused_with_every_problem_and_stays_a_draft() -> None:
    shop = one_stop_shop()
    draft = actions.create_draft(
        actor=shop.citizen, procedure=shop.procedure, agency=shop.agency, form_data={"so_ban": -1}
    )
    with pytest.raises(DomainError) as refused:
        actions.submit(draft, actor=shop.citizen)
    fields = {error.field for error in refused.value.errors}
    assert fields == {"ho_ten", "so_ban", f"documents.{shop.requirement.pk}"}
    messages = {error.field: str(error) for error in refused.value.errors}
    assert "Vui lòng nhập “Họ, chữ đệm và tên”." in messages["ho_ten"]
    draft.refresh_from_db()
    assert draft.status is None
    assert draft.code is None
    assert not DossierEvent.objects.exists()


def test_full_path_with_supplement_keeps_a_verifiable_chain() -> None:
    shop = one_stop_shop(requires_e_result=True, time_limit_value=3)
    dossier = submitted_dossier(shop, at=MONDAY_9AM)
    dossier = actions.receive(dossier, actor=shop.receiver, at=MONDAY_9AM.replace(hour=10))
    # 3 working days from Monday: Thursday at the end of office hours.
    assert dossier.due_at == datetime(2026, 3, 12, 17, 0, tzinfo=VIETNAM_TZ)
    dossier = actions.start_processing(dossier, actor=shop.specialist, at=MONDAY_9AM.replace(hour=11))
    dossier = actions.request_supplement(
        dossier,
        actor=shop.specialist,
        missing=["Bản sao giấy khai sinh"],
        at=datetime(2026, 3, 10, 8, 0, tzinfo=VIETNAM_TZ),
    )
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    # The citizen answers two working days later: the deadline moves by the paused working time.
    dossier = actions.supplement(
        dossier,
        actor=shop.citizen,
        files=[(None, pdf(), "khai-sinh.pdf")],
        at=datetime(2026, 3, 12, 8, 0, tzinfo=VIETNAM_TZ),
    )
    assert dossier.status == Status.PROCESSING
    assert dossier.due_at == datetime(2026, 3, 16, 17, 0, tzinfo=VIETNAM_TZ)
    with pytest.raises(DomainError) as no_result:
        actions.approve(dossier, actor=shop.leader)
    assert no_result.value.code == "result_missing"
    actions.attach_result(dossier, actor=shop.specialist, stream=pdf(), name="ket-qua.pdf")
    dossier = actions.approve(dossier, actor=shop.leader)
    dossier = actions.return_result(dossier)
    assert dossier.status == Status.RESULT_RETURNED

    events = list(dossier.events.order_by("sequence"))
    assert [e.command for e in events] == [
        "submit",
        "receive",
        "start_processing",
        "request_supplement",
        "supplement",
        "attach_result",
        "approve",
        "return_result",
    ]
    report = verify_chain([(e.hashed_payload(), e.hash) for e in events], expected_head=dossier.head_hash)
    assert report.ok, report.reason


def test_illegal_transition_is_refused_and_changes_nothing() -> None:
    shop = one_stop_shop()
    dossier = submitted_dossier(shop)
    before = (dossier.status, dossier.event_count, dossier.head_hash)
    with pytest.raises(DomainError) as refused:
        actions.approve(dossier, actor=shop.leader)
    assert refused.value.code == "illegal_transition"
    assert refused.value.status == 409
    assert (
        refused.value.as_dict()["message"]
        == "Không thể phê duyệt kết quả khi hồ sơ đang ở trạng thái “Mới đăng ký”."
    )
    dossier.refresh_from_db()
    assert (dossier.status, dossier.event_count, dossier.head_hash) == before


def test_officials_of_another_agency_and_other_citizens_cannot_act() -> None:
    shop = one_stop_shop()
    other = one_stop_shop()
    dossier = submitted_dossier(shop)
    with pytest.raises(PermissionDenied):
        actions.receive(dossier, actor=other.receiver)
    with pytest.raises(PermissionDenied):
        actions.withdraw(dossier, actor=other.citizen, reason="Không cần nữa")
    dossier = actions.withdraw(dossier, actor=shop.citizen, reason="Không cần nữa")
    assert dossier.status == DossierStatus.WITHDRAWN


def test_events_are_append_only() -> None:
    shop = one_stop_shop()
    dossier = submitted_dossier(shop)
    event = dossier.events.get()
    event.note = "sửa"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_valid_form_helper_matches_the_factory_schema() -> None:
    from mekong.dossiers.validation import form_errors

    assert form_errors(one_stop_shop().procedure.form_schema, valid_form()) == []


def test_a_rescheduled_appointment_survives_a_later_supplement() -> None:
    shop = one_stop_shop(time_limit_value=3)
    dossier = actions.receive(submitted_dossier(shop, at=MONDAY_9AM), actor=shop.receiver, at=MONDAY_9AM)
    dossier = actions.start_processing(dossier, actor=shop.specialist, at=MONDAY_9AM)
    apology_date = datetime(2026, 3, 18, 17, 0, tzinfo=VIETNAM_TZ)  # Wednesday of the next week
    dossier = actions.reschedule(
        dossier,
        actor=shop.receiver,
        new_due_at=apology_date,
        reason="Cần xác minh thêm",
        at=datetime(2026, 3, 11, 9, 0, tzinfo=VIETNAM_TZ),
    )
    assert dossier.due_at == apology_date
    dossier = actions.request_supplement(
        dossier, actor=shop.specialist, missing=["Ảnh 4x6"], at=datetime(2026, 3, 12, 7, 0, tzinfo=VIETNAM_TZ)
    )
    # One full working day with the citizen (Thursday 07:00 → Friday 07:00) moves the new date by one day.
    dossier = actions.supplement(
        dossier, actor=shop.citizen, note="Đã gửi ảnh", at=datetime(2026, 3, 13, 7, 0, tzinfo=VIETNAM_TZ)
    )
    assert dossier.due_at == datetime(2026, 3, 19, 17, 0, tzinfo=VIETNAM_TZ)
