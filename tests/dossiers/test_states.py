"""The dossier state machine against the table the issue and the module docstring document, written out
here independently of `mekong.dossiers.states.TRANSITIONS`."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.dossiers.states import (
    TERMINAL,
    TRANSITIONS,
    WAITING_FOR_CITIZEN,
    Actor,
    ActorNotAllowed,
    Command,
    IllegalTransition,
    Status,
    allowed_commands,
    is_terminal,
    is_waiting_for_citizen,
    transition,
)

S, C, A = Status, Command, Actor
RESUME = "resume"  # supplement / pay go back to the status recorded when the dossier was paused

# (source, command) → target; None as source is a draft that has not been submitted.
EXPECTED: dict[tuple[Status | None, Command], Status | str] = {
    (None, C.SUBMIT): S.NEW,
    (S.NEW, C.RECEIVE): S.RECEIVED,
    (S.NEW, C.REFUSE): S.NOT_RECEIVED,
    (S.NEW, C.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,
    (S.RECEIVED, C.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,
    (S.PROCESSING, C.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,
    (S.SUPPLEMENT_REQUESTED, C.SUPPLEMENT): RESUME,
    (S.RECEIVED, C.START_PROCESSING): S.PROCESSING,
    (S.RECEIVED, C.ASSIGN): S.PROCESSING,
    (S.PROCESSING, C.ASSIGN): S.PROCESSING,
    (S.RECEIVED, C.REQUEST_PAYMENT): S.PAYMENT_REQUESTED,
    (S.PROCESSING, C.REQUEST_PAYMENT): S.PAYMENT_REQUESTED,
    (S.PAYMENT_REQUESTED, C.PAY): RESUME,
    **{
        (source, C.WITHDRAW): S.WITHDRAWN
        for source in (S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED)
    },
    **{
        (source, C.STOP): S.STOPPED
        for source in (S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED)
    },
    (S.PROCESSING, C.APPROVE): S.PROCESSED,
    (S.PROCESSING, C.SEND_BACK): S.PROCESSING,
    (S.PROCESSED, C.RETURN_RESULT): S.RESULT_RETURNED,
}
ACTORS: dict[Command, set[Actor]] = {
    C.SUBMIT: {A.CITIZEN, A.RECEIVING_OFFICER, A.COMMUNITY_MEMBER},
    C.RECEIVE: {A.RECEIVING_OFFICER},
    C.REFUSE: {A.RECEIVING_OFFICER},
    C.REQUEST_SUPPLEMENT: {A.RECEIVING_OFFICER, A.SPECIALIST},
    C.SUPPLEMENT: {A.CITIZEN, A.RECEIVING_OFFICER},
    C.START_PROCESSING: {A.SPECIALIST},
    C.ASSIGN: {A.RECEIVING_OFFICER, A.LEADER},
    C.REQUEST_PAYMENT: {A.RECEIVING_OFFICER, A.SPECIALIST},
    C.PAY: {A.CITIZEN, A.RECEIVING_OFFICER, A.SYSTEM},
    C.WITHDRAW: {A.CITIZEN, A.RECEIVING_OFFICER},
    C.STOP: {A.SPECIALIST, A.LEADER, A.SYSTEM},
    C.APPROVE: {A.LEADER},
    C.SEND_BACK: {A.LEADER},
    C.RETURN_RESULT: {A.RECEIVING_OFFICER, A.SYSTEM},
}
PAUSED_FROM = {
    C.SUPPLEMENT: (S.NEW, S.RECEIVED, S.PROCESSING),
    C.PAY: (S.RECEIVED, S.PROCESSING),
}
SOURCES: list[Status | None] = [None, *Status]


def test_statuses_are_the_national_ones() -> None:
    assert {status.value: status.label for status in Status} == {
        1: "Mới đăng ký",
        2: "Được tiếp nhận",
        3: "Không được tiếp nhận",
        4: "Đang xử lý",
        5: "Yêu cầu bổ sung giấy tờ",
        6: "Yêu cầu thực hiện nghĩa vụ tài chính",
        7: "Công dân yêu cầu rút hồ sơ",
        8: "Dừng xử lý",
        9: "Đã xử lý xong",
        10: "Đã trả kết quả",
    }
    assert all(command.label and actor.label for command in Command for actor in Actor)


def test_every_pair_outside_the_table_is_refused_and_every_pair_inside_gives_its_target() -> None:
    checked = 0
    for source in SOURCES:
        for command in Command:
            for actor in Actor:
                expected = EXPECTED.get((source, command))
                if expected is None:
                    with pytest.raises(IllegalTransition) as refused:
                        transition(source, command, actor, paused_from=S.PROCESSING)
                    assert type(refused.value) is IllegalTransition
                    assert (refused.value.current, refused.value.command) == (source, command)
                elif actor not in ACTORS[command]:
                    with pytest.raises(ActorNotAllowed) as refused_actor:
                        transition(source, command, actor, paused_from=S.PROCESSING)
                    assert refused_actor.value.actor is actor
                elif expected == RESUME:
                    for paused_from in PAUSED_FROM[command]:
                        assert transition(source, command, actor, paused_from=paused_from) is paused_from
                else:
                    assert transition(source, command, actor) is expected
                checked += 1
    assert checked == len(SOURCES) * len(Command) * len(Actor)


def test_the_module_table_has_nothing_the_documented_table_lacks() -> None:
    edges = {(source, command) for command, rule in TRANSITIONS.items() for source in rule.sources}
    assert edges == set(EXPECTED)
    assert {command: set(rule.actors) for command, rule in TRANSITIONS.items()} == ACTORS


@pytest.mark.parametrize("command", [C.SUPPLEMENT, C.PAY])
def test_resuming_needs_a_status_the_dossier_could_have_been_paused_from(command: Command) -> None:
    paused = S.SUPPLEMENT_REQUESTED if command is C.SUPPLEMENT else S.PAYMENT_REQUESTED
    with pytest.raises(ValueError, match="paused"):
        transition(paused, command, A.CITIZEN)
    for wrong in set(Status) - set(PAUSED_FROM[command]):
        with pytest.raises(ValueError, match="paused"):
            transition(paused, command, A.CITIZEN, paused_from=wrong)


def test_terminal_statuses_accept_nothing() -> None:
    assert {S.NOT_RECEIVED, S.WITHDRAWN, S.STOPPED, S.RESULT_RETURNED} == TERMINAL
    for status in Status:
        assert is_terminal(status) == (status in TERMINAL)
        if is_terminal(status):
            for command in Command:
                for actor in Actor:
                    with pytest.raises(IllegalTransition):
                        transition(status, command, actor, paused_from=S.PROCESSING)
                assert not allowed_commands(status, A.LEADER)
        else:
            # A non-terminal status always has a way forward for someone.
            assert any(allowed_commands(status, actor) for actor in Actor)


def test_waiting_for_citizen() -> None:
    assert {S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED} == WAITING_FOR_CITIZEN
    assert [status for status in Status if is_waiting_for_citizen(status)] == [5, 6]


def test_every_status_is_reachable_and_every_open_dossier_can_end() -> None:
    successors: dict[Status | None, set[Status]] = {source: set() for source in SOURCES}
    for (source, command), target in EXPECTED.items():
        successors[source] |= set(PAUSED_FROM[command]) if target == RESUME else {target}  # type: ignore[arg-type]
    seen: set[Status] = set()
    queue: deque[Status | None] = deque([None])
    while queue:
        for target in successors[queue.popleft()] - seen:
            seen.add(target)
            queue.append(target)
    assert seen == set(Status)
    for status in set(Status) - TERMINAL:
        reachable, frontier = {status}, [status]
        while frontier:
            for target in successors[frontier.pop()] - reachable:
                reachable.add(target)
                frontier.append(target)
        assert reachable & TERMINAL


def test_messages_are_vietnamese() -> None:
    with pytest.raises(
        IllegalTransition, match="Không thể phê duyệt kết quả khi hồ sơ đang ở trạng thái “Mới đăng ký”"
    ):
        transition(S.NEW, C.APPROVE, A.LEADER)
    with pytest.raises(IllegalTransition, match="Không thể tiếp nhận hồ sơ khi hồ sơ chưa được nộp"):
        transition(None, C.RECEIVE, A.RECEIVING_OFFICER)
    with pytest.raises(ActorNotAllowed, match="Công dân không có quyền phê duyệt kết quả"):
        transition(S.PROCESSING, C.APPROVE, A.CITIZEN)
    with pytest.raises(IllegalTransition) as refused:
        transition(S.PROCESSED, C.WITHDRAW, A.CITIZEN)
    assert refused.value.template.format(**refused.value.params) == str(refused.value)
    assert refused.value.params["where"] == "khi hồ sơ đang ở trạng thái “Đã xử lý xong”"


def test_allowed_commands_match_transition() -> None:
    for source in SOURCES:
        for actor in Actor:
            allowed = allowed_commands(source, actor)
            for command in Command:
                try:
                    transition(source, command, actor, paused_from=S.PROCESSING)
                    works = True
                except IllegalTransition:
                    works = False
                assert (command in allowed) == works


@given(st.lists(st.tuples(st.sampled_from(list(Command)), st.sampled_from(list(Actor))), max_size=60))
def test_random_walks_stay_in_the_graph(steps: list[tuple[Command, Actor]]) -> None:
    current: Status | None = None
    paused_from: Status | None = None
    for command, actor in steps:
        edge = EXPECTED.get((current, command))
        try:
            new = transition(current, command, actor, paused_from=paused_from)
        except IllegalTransition:
            assert edge is None or actor not in ACTORS[command]
            continue  # refused: nothing changes
        assert edge is not None
        assert actor in ACTORS[command]
        assert new == (paused_from if edge == RESUME else edge)
        paused_from = current if new in WAITING_FOR_CITIZEN else paused_from
        current = new
        assert isinstance(current, Status)
        if is_terminal(current):
            assert not any(allowed_commands(current, someone) for someone in Actor)
