"""Read-only queries: officer queues (filters, scope, search, counts, query cost), a citizen's dossiers, the
detail view with its timeline and what each reader may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from accounts.factories import CitizenFactory, OfficialFactory, RoleAssignmentFactory
from catalog.factories import AgencyFactory, ProcedureFactory
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.core.errors import PermissionDenied
from mekong.dossiers import actions
from mekong.dossiers.models import CalendarDay, CalendarDayKind, Dossier
from mekong.dossiers.selectors import (
    QueueFilter,
    available_actions,
    canonical_code,
    dossier_view,
    due_soon_horizon,
    is_late,
    my_dossiers,
    my_drafts,
    queue,
    queue_counts,
)
from mekong.dossiers.states import Status
from mekong.dossiers.workdays import VIETNAM_TZ

from .api_support import media_in_tmp
from .factories import OneStopShop, one_stop_shop, pdf, submitted_dossier

__all__ = ["media_in_tmp"]

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 9) -> datetime:
    """A moment in March 2026 (no public holiday that month), Vietnam time."""
    return datetime(2026, 3, day, hour, 0, tzinfo=VIETNAM_TZ)


WEDNESDAY = at(11, 10)


def dossier_of(shop: OneStopShop, *, time_limit: int, received: datetime) -> Dossier:
    """A dossier of another procedure of the shop's agency (no mandatory document), received at `received`."""
    procedure = ProcedureFactory(time_limit_value=time_limit)
    procedure.agencies.add(shop.agency)
    draft = actions.create_draft(
        actor=shop.citizen, procedure=procedure, agency=shop.agency, form_data={"ho_ten": "Trần Thị Bình"}
    )
    dossier = actions.submit(draft, actor=shop.citizen, at=received.replace(hour=8))
    return actions.receive(dossier, actor=shop.receiver, at=received)


@pytest.fixture
def board() -> dict[str, Any]:
    """One dossier per queue of one agency, seen on Wednesday 11 March 2026 at 10:00."""
    shop = one_stop_shop()
    new = submitted_dossier(shop, at=at(10))
    due_soon = dossier_of(shop, time_limit=3, received=at(9))  # due Thursday 12, 17:00
    friday = dossier_of(
        shop, time_limit=4, received=at(9)
    )  # due Friday 13, 17:00: after the next working day
    late = dossier_of(shop, time_limit=3, received=at(2))  # due Thursday 5, 17:00
    far = dossier_of(shop, time_limit=20, received=at(9))
    waiting = actions.request_supplement(
        dossier_of(shop, time_limit=3, received=at(2)), actor=shop.receiver, missing=["Ảnh"], at=at(3)
    )
    done = actions.approve(
        actions.start_processing(
            dossier_of(shop, time_limit=3, received=at(2)), actor=shop.specialist, at=at(3)
        ),
        actor=shop.leader,
        at=at(4),
    )
    return {
        "shop": shop,
        "new": new,
        "due_soon": due_soon,
        "late": late,
        "far": far,
        "friday": friday,
        "waiting": waiting,
        "done": done,
    }


def codes(dossiers: Any) -> list[str]:
    return [dossier.code for dossier in dossiers]


def test_each_filter_holds_what_it_says(board: dict[str, Any]) -> None:
    receiver: User = board["shop"].receiver

    def view(name: str) -> set[str]:
        return set(codes(queue(receiver, filter=name, now=WEDNESDAY)))

    assert view("new") == {board["new"].code}
    assert view("due_soon") == {board["due_soon"].code}
    assert view("late") == {board["late"].code}
    assert view("waiting_for_citizen") == {board["waiting"].code}
    assert view("processing") == {
        board["due_soon"].code,
        board["late"].code,
        board["friday"].code,
        board["far"].code,
    }
    assert view("processed") == {board["done"].code}
    assert len(view("all")) == 7
    assert is_late(board["late"], WEDNESDAY)
    assert not is_late(board["far"], WEDNESDAY)
    assert not is_late(board["waiting"], WEDNESDAY)  # the citizen's time does not count


def test_deadline_queues_come_in_appointment_order(board: dict[str, Any]) -> None:
    processing = list(queue(board["shop"].receiver, filter=QueueFilter.PROCESSING, now=WEDNESDAY))
    by_due = [board[key].code for key in ("late", "due_soon", "friday", "far")]
    assert codes(processing) == by_due


def test_any_queue_sorts_by_due_or_submitted_date_both_ways() -> None:
    shop = one_stop_shop()
    # Submitted first but due last, and the other way round: the two sorts disagree.
    early_long = dossier_of(shop, time_limit=20, received=at(2))
    late_short = dossier_of(shop, time_limit=3, received=at(9))
    fresh = submitted_dossier(shop, at=at(10))  # no appointment before it is received

    def ordered(queue_filter: str, sort: str | None = None) -> list[str]:
        return codes(queue(shop.receiver, filter=queue_filter, sort=sort, now=WEDNESDAY))

    assert ordered("processing", "due") == [late_short.code, early_long.code]
    assert ordered("processing", "-due") == [early_long.code, late_short.code]
    assert ordered("processing", "submitted") == [early_long.code, late_short.code]
    assert ordered("processing", "-submitted") == [late_short.code, early_long.code]
    assert ordered("all", "due") == [late_short.code, early_long.code, fresh.code]  # no date: last
    assert ordered("all", "-due") == [early_long.code, late_short.code, fresh.code]
    # Defaults: the most urgent appointment first where there is one; newest first in "all".
    assert ordered("processing") == [late_short.code, early_long.code]
    assert ordered("all") == [fresh.code, late_short.code, early_long.code]
    with pytest.raises(ValueError, match="'name' is not a valid QueueSort"):
        queue(shop.receiver, sort="name")


def test_due_soon_horizon_is_the_end_of_the_next_working_day_in_the_province_calendar() -> None:
    assert due_soon_horizon(at(11, 10)) == at(12, 17)  # Wednesday → end of Thursday
    assert due_soon_horizon(at(11, 20)) == at(12, 17)  # after office hours: still the next day
    assert due_soon_horizon(at(13, 10)) == at(16, 17)  # Friday → end of Monday, over the weekend
    assert due_soon_horizon(at(14, 10)) == at(16, 17)  # Saturday → end of Monday
    assert due_soon_horizon(at(11, 10), 2) == at(13, 17)
    CalendarDay.objects.create(date=at(16).date(), kind=CalendarDayKind.DAY_OFF, note="Bão")
    assert due_soon_horizon(at(13, 10)) == at(17, 17)


def test_scope_follows_the_permissions() -> None:
    shop = one_stop_shop()
    parent = AgencyFactory()
    shop.agency.parent = parent
    shop.agency.save()
    dossier = submitted_dossier(shop)
    other = one_stop_shop()
    supervisor = OfficialFactory()
    RoleAssignmentFactory(user=supervisor, role=Role.LEADER, agency=parent)
    admin = OfficialFactory()
    RoleAssignmentFactory(user=admin, role=Role.PROVINCE_ADMIN, agency=parent)

    assert codes(queue(shop.receiver)) == [dossier.code]
    assert codes(queue(other.receiver)) == []
    assert codes(queue(supervisor)) == [dossier.code]
    assert codes(queue(admin)) == [dossier.code]
    assert codes(queue(shop.citizen)) == []
    # Narrowed to the agencies where the user acts with a role: the supervisor acts only in the parent.
    assert codes(queue(supervisor, role=Role.LEADER)) == []
    assert codes(queue(shop.specialist, role=Role.RECEIVING_OFFICER)) == []
    assert codes(queue(shop.specialist, role=Role.SPECIALIST)) == [dossier.code]
    assert codes(queue(supervisor, agency=shop.agency)) == [dossier.code]
    with pytest.raises(PermissionDenied):
        queue(other.receiver, agency=shop.agency)
    with pytest.raises(PermissionDenied):
        queue(shop.receiver, agency=other.agency.pk)


def test_search_by_code_name_phone_and_personal_id() -> None:
    shop = one_stop_shop()
    citizen = CitizenFactory(full_name="Lê Văn Tám", phone="0987654321", personal_id="093123456789")
    mine = actions.submit(
        _with_file(
            shop,
            actions.create_draft(
                actor=citizen,
                procedure=shop.procedure,
                agency=shop.agency,
                form_data={"ho_ten": "Lê Văn Tám"},
            ),
            citizen,
        ),
        actor=citizen,
    )
    submitted_dossier(shop)
    assert mine.code is not None

    for text in (
        mine.code.lower(),
        mine.code[-11:],
        "Văn Tám",
        "le van tam",  # without accents
        "TÁM LÊ",  # any case, any order
        "+84 987 654 321",
        "0987.654.321",
        "093123456789",
    ):
        assert codes(queue(shop.receiver, q=text)) == [mine.code], text
    assert codes(queue(shop.receiver, q="Không Ai")) == []
    assert codes(queue(shop.receiver, q="tam nguyen")) == []  # every word must match


def test_search_by_procedure_name_without_accents() -> None:
    shop = one_stop_shop()
    other = dossier_of(shop, time_limit=3, received=at(9))
    mine = submitted_dossier(shop)
    other.procedure.name = "Đăng ký khai sinh"
    other.procedure.save()

    assert codes(queue(shop.receiver, q="dang ky KHAI SINH")) == [other.code]
    assert mine.code not in codes(queue(shop.receiver, q="khai sinh"))


def test_counts_follow_the_search_and_the_assignee(board: dict[str, Any]) -> None:
    shop: OneStopShop = board["shop"]
    late: Dossier = board["late"]
    counts = queue_counts(shop.receiver, q=str(late.code).lower(), now=WEDNESDAY)
    assert counts == {
        f: queue(shop.receiver, filter=f, q=str(late.code), now=WEDNESDAY).count() for f in QueueFilter
    }
    assert counts[QueueFilter.ALL] == counts[QueueFilter.LATE] == counts[QueueFilter.PROCESSING] == 1
    assert counts[QueueFilter.NEW] == 0
    assert queue_counts(shop.receiver, q="không ai", now=WEDNESDAY)[QueueFilter.ALL] == 0
    actions.assign(late, actor=shop.receiver, specialist=shop.specialist)
    assigned = queue_counts(shop.specialist, assigned_to_me=True, now=WEDNESDAY)
    assert assigned == {
        f: queue(shop.specialist, filter=f, assigned_to_me=True, now=WEDNESDAY).count() for f in QueueFilter
    }
    assert assigned[QueueFilter.LATE] == 1  # the one just assigned; not the other late one
    assert assigned[QueueFilter.ALL] < queue_counts(shop.specialist, now=WEDNESDAY)[QueueFilter.ALL]


def _with_file(shop: OneStopShop, draft: Dossier, user: User) -> Dossier:
    actions.attach_file(draft, actor=user, stream=pdf(), name="a.pdf", requirement=shop.requirement)
    return draft


def test_assigned_to_me() -> None:
    shop = one_stop_shop()
    mine = actions.assign(
        actions.receive(submitted_dossier(shop), actor=shop.receiver),
        actor=shop.receiver,
        specialist=shop.specialist,
    )
    actions.receive(submitted_dossier(shop), actor=shop.receiver)
    assert codes(queue(shop.specialist, assigned_to_me=True)) == [mine.code]


def test_counts_match_the_lists(board: dict[str, Any]) -> None:
    receiver = board["shop"].receiver
    counts = queue_counts(receiver, now=WEDNESDAY)
    assert counts == {f: queue(receiver, filter=f, now=WEDNESDAY).count() for f in QueueFilter}
    assert counts[QueueFilter.ALL] == 7
    assert queue_counts(board["shop"].receiver, agency=board["shop"].agency, now=WEDNESDAY) == counts


def test_a_queue_page_costs_one_query_however_long(django_assert_num_queries: Any) -> None:
    shop = one_stop_shop()
    for _ in range(6):
        actions.assign(
            actions.receive(submitted_dossier(shop), actor=shop.receiver),
            actor=shop.receiver,
            specialist=shop.specialist,
        )
    list(queue(shop.receiver))  # loads and caches the user's grants
    with django_assert_num_queries(1):
        rows = [(d.code, d.procedure.name, d.agency.name, str(d.assigned_to)) for d in queue(shop.receiver)]
    assert len(rows) == 6
    assert {row[3] for row in rows} == {str(shop.specialist)}
    # Narrowing to an agency and searching are checked and done in that same query.
    named = str(rows[0][0])
    with django_assert_num_queries(1):
        found = list(queue(shop.receiver, agency=shop.agency, q=named.lower(), filter="processing"))
    assert [d.code for d in found] == [named]
    with django_assert_num_queries(1):
        queue_counts(shop.receiver, agency=shop.agency, q="nguyen", due_soon_until=WEDNESDAY)


def test_my_dossiers_and_drafts() -> None:
    shop = one_stop_shop()
    first = submitted_dossier(shop, at=at(2))
    second = submitted_dossier(shop, at=at(3))
    draft = actions.create_draft(actor=shop.citizen, procedure=shop.procedure, agency=shop.agency)
    submitted_dossier(one_stop_shop())

    assert codes(my_dossiers(shop.citizen)) == [second.code, first.code]
    assert codes(my_dossiers(shop.citizen, status=Status.NEW)) == [second.code, first.code]
    assert codes(my_dossiers(shop.citizen, status=Status.RECEIVED)) == []
    assert [d.pk for d in my_drafts(shop.citizen)] == [draft.pk]


def test_dossier_view_timeline_and_what_each_reader_sees() -> None:
    shop = one_stop_shop()
    dossier = actions.start_processing(
        actions.receive(submitted_dossier(shop), actor=shop.receiver, note="Đủ"), actor=shop.specialist
    )
    actions.attach_result(dossier, actor=shop.specialist, stream=pdf(), name="ket-qua.pdf")
    assert dossier.code is not None

    citizen_view = dossier_view(shop.citizen, dossier.code.lower())
    assert citizen_view is not None
    assert [entry.action for entry in citizen_view.timeline] == [
        "submit",
        "receive",
        "start_processing",
        "attach_result",
    ]
    receive = citizen_view.timeline[1]
    assert (receive.status_label, receive.actor_role_label, receive.note) == (
        "Được tiếp nhận",
        "Cán bộ tiếp nhận (một cửa)",
        "Đủ",
    )
    assert receive.action_label == "tiếp nhận hồ sơ"
    # The result is a draft until approved: the citizen does not see it yet, the agency does.
    assert [f.kind for f in citizen_view.files] == ["component"]
    assert citizen_view.actions == ["withdraw"]
    specialist_view = dossier_view(shop.specialist, dossier.code)
    assert specialist_view is not None
    assert sorted(f.kind for f in specialist_view.files) == ["component", "result"]
    assert "attach_result" in specialist_view.actions
    assert specialist_view.code == dossier.code  # the view passes the dossier's fields through

    assert dossier_view(CitizenFactory(), dossier.code) is None
    assert dossier_view(one_stop_shop().receiver, dossier.code) is None
    assert dossier_view(None, dossier.code) is None

    actions.approve(dossier, actor=shop.leader)
    approved = dossier_view(shop.citizen, dossier.code)
    assert approved is not None
    assert sorted(f.kind for f in approved.files) == ["component", "result"]


def test_citizens_do_not_read_notes_officers_write_to_each_other() -> None:
    shop = one_stop_shop()
    dossier = actions.receive(submitted_dossier(shop), actor=shop.receiver, note="Hẹn trả đúng hạn")
    dossier = actions.assign(dossier, actor=shop.receiver, specialist=shop.specialist, note="Giao anh Bình")
    dossier = actions.send_back(dossier, actor=shop.leader, note="Thiếu chữ ký")
    assert dossier.code is not None

    def notes(user: User) -> list[str]:
        view = dossier_view(user, str(dossier.code))
        assert view is not None
        return [entry.note for entry in view.timeline]

    assert notes(shop.citizen) == ["", "Hẹn trả đúng hạn", "", ""]
    assert notes(shop.specialist) == ["", "Hẹn trả đúng hạn", "Giao anh Bình", "Thiếu chữ ký"]


def test_available_actions_by_role() -> None:
    shop = one_stop_shop()
    dossier = submitted_dossier(shop)
    assert available_actions(shop.citizen, dossier) == ["withdraw"]
    assert available_actions(shop.receiver, dossier) == [
        "receive",
        "refuse",
        "request_supplement",
        "withdraw",
    ]
    assert available_actions(shop.leader, dossier) == []
    assert available_actions(CitizenFactory(), dossier) == []


def test_canonical_code() -> None:
    assert canonical_code("  000.00.17.h56-210531-0001 ") == "000.00.17.H56-210531-0001"
    assert canonical_code("not a code") == "NOT A CODE"
