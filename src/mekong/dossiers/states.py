"""The national dossier statuses as an explicit state machine. Pure module, no Django.

Every change of status is a ``Command`` given by an ``Actor``; ``transition`` says where it leads or raises
``IllegalTransition``. The table ``TRANSITIONS`` is the whole graph::

    (draft) ─submit→ 1 Mới đăng ký ─receive→ 2 Được tiếp nhận ─start_processing/assign→ 4 Đang xử lý
    1 ─refuse→ 3 Không được tiếp nhận
    1, 2, 4 ─request_supplement→ 5 Yêu cầu bổ sung ─supplement→ back to the status it was requested from
    2, 4 ─request_payment→ 6 Yêu cầu thực hiện nghĩa vụ tài chính ─pay→ back to the status it came from
    4 ─assign→ 4 (reassign)   4 ─send_back→ 4 (leader returns it to the specialist)
    4 ─approve→ 9 Đã xử lý xong ─return_result→ 10 Đã trả kết quả
    1, 2, 4, 5, 6 ─withdraw→ 7 Công dân yêu cầu rút hồ sơ
    2, 4, 5, 6 ─stop→ 8 Dừng xử lý

``supplement`` and ``pay`` resume where the dossier was paused, so the caller passes ``paused_from`` (the
status recorded on the event that paused it): a supplement asked for before receipt goes back to 1 for the
receiving officer to check again, one asked for during processing goes back to 4.

Terminal statuses (3, 7, 8, 10) accept no command. Statuses 5 and 6 wait for the citizen: their time does
not count against the deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType


class Status(IntEnum):
    NEW = 1
    RECEIVED = 2
    NOT_RECEIVED = 3
    PROCESSING = 4
    SUPPLEMENT_REQUESTED = 5
    PAYMENT_REQUESTED = 6
    WITHDRAWN = 7
    STOPPED = 8
    PROCESSED = 9
    RESULT_RETURNED = 10

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: Mapping[Status, str] = MappingProxyType(
    {
        Status.NEW: "Mới đăng ký",
        Status.RECEIVED: "Được tiếp nhận",
        Status.NOT_RECEIVED: "Không được tiếp nhận",
        Status.PROCESSING: "Đang xử lý",
        Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
        Status.PAYMENT_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
        Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
        Status.STOPPED: "Dừng xử lý",
        Status.PROCESSED: "Đã xử lý xong",
        Status.RESULT_RETURNED: "Đã trả kết quả",
    }
)


class Actor(StrEnum):
    """Who gives a command. Officer values are the same as ``accounts.roles.Role``."""

    CITIZEN = "citizen"
    RECEIVING_OFFICER = "receiving_officer"
    SPECIALIST = "specialist"
    LEADER = "leader"
    # A community digital technology team member filing for a citizen who consented (community app).
    COMMUNITY_MEMBER = "community_member"
    SYSTEM = "system"

    @property
    def label(self) -> str:
        return ACTOR_LABELS[self]


ACTOR_LABELS: Mapping[Actor, str] = MappingProxyType(
    {
        Actor.CITIZEN: "Công dân",
        Actor.RECEIVING_OFFICER: "Cán bộ tiếp nhận",
        Actor.SPECIALIST: "Chuyên viên xử lý",
        Actor.LEADER: "Lãnh đạo",
        Actor.COMMUNITY_MEMBER: "Thành viên tổ công nghệ số cộng đồng",
        Actor.SYSTEM: "Hệ thống",
    }
)


class Command(StrEnum):
    SUBMIT = "submit"
    RECEIVE = "receive"
    REFUSE = "refuse"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    START_PROCESSING = "start_processing"
    ASSIGN = "assign"
    REQUEST_PAYMENT = "request_payment"
    PAY = "pay"
    WITHDRAW = "withdraw"
    STOP = "stop"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    RETURN_RESULT = "return_result"

    @property
    def label(self) -> str:
        return COMMAND_LABELS[self]


COMMAND_LABELS: Mapping[Command, str] = MappingProxyType(
    {
        Command.SUBMIT: "nộp hồ sơ",
        Command.RECEIVE: "tiếp nhận hồ sơ",
        Command.REFUSE: "từ chối tiếp nhận hồ sơ",
        Command.REQUEST_SUPPLEMENT: "yêu cầu bổ sung giấy tờ",
        Command.SUPPLEMENT: "bổ sung giấy tờ",
        Command.START_PROCESSING: "bắt đầu xử lý hồ sơ",
        Command.ASSIGN: "phân công xử lý hồ sơ",
        Command.REQUEST_PAYMENT: "yêu cầu thực hiện nghĩa vụ tài chính",
        Command.PAY: "xác nhận thực hiện nghĩa vụ tài chính",
        Command.WITHDRAW: "rút hồ sơ",
        Command.STOP: "dừng xử lý hồ sơ",
        Command.APPROVE: "phê duyệt kết quả",
        Command.SEND_BACK: "trả lại hồ sơ để xử lý lại",
        Command.RETURN_RESULT: "trả kết quả",
    }
)


@dataclass(frozen=True)
class Rule:
    """Where a command may be given (``None`` = a draft not yet submitted), where it leads, and by whom.
    ``target is None`` means "back to the status recorded when ``resumes`` paused the dossier"."""

    sources: frozenset[Status | None]
    target: Status | None
    actors: frozenset[Actor]
    resumes: Command | None = None


def _rule(
    sources: set[Status | None], target: Status | None, actors: set[Actor], resumes: Command | None = None
) -> Rule:
    return Rule(frozenset(sources), target, frozenset(actors), resumes)


S, A = Status, Actor
TRANSITIONS: Mapping[Command, Rule] = MappingProxyType(
    {
        # An officer registers the dossiers brought to the one-stop-shop counter; a community team member
        # files online for a citizen who consented.
        Command.SUBMIT: _rule({None}, S.NEW, {A.CITIZEN, A.RECEIVING_OFFICER, A.COMMUNITY_MEMBER}),
        Command.RECEIVE: _rule({S.NEW}, S.RECEIVED, {A.RECEIVING_OFFICER}),
        Command.REFUSE: _rule({S.NEW}, S.NOT_RECEIVED, {A.RECEIVING_OFFICER}),
        Command.REQUEST_SUPPLEMENT: _rule(
            {S.NEW, S.RECEIVED, S.PROCESSING}, S.SUPPLEMENT_REQUESTED, {A.RECEIVING_OFFICER, A.SPECIALIST}
        ),
        # The officer may record a supplement handed in at the counter.
        Command.SUPPLEMENT: _rule(
            {S.SUPPLEMENT_REQUESTED}, None, {A.CITIZEN, A.RECEIVING_OFFICER}, Command.REQUEST_SUPPLEMENT
        ),
        Command.START_PROCESSING: _rule({S.RECEIVED}, S.PROCESSING, {A.SPECIALIST}),
        Command.ASSIGN: _rule({S.RECEIVED, S.PROCESSING}, S.PROCESSING, {A.RECEIVING_OFFICER, A.LEADER}),
        Command.REQUEST_PAYMENT: _rule(
            {S.RECEIVED, S.PROCESSING}, S.PAYMENT_REQUESTED, {A.RECEIVING_OFFICER, A.SPECIALIST}
        ),
        # The payment gateway confirms online payments; the officer confirms payments at the counter.
        Command.PAY: _rule(
            {S.PAYMENT_REQUESTED}, None, {A.CITIZEN, A.RECEIVING_OFFICER, A.SYSTEM}, Command.REQUEST_PAYMENT
        ),
        Command.WITHDRAW: _rule(
            {S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED},
            S.WITHDRAWN,
            {A.CITIZEN, A.RECEIVING_OFFICER},
        ),
        # The system stops dossiers whose supplement or payment never came.
        Command.STOP: _rule(
            {S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED},
            S.STOPPED,
            {A.SPECIALIST, A.LEADER, A.SYSTEM},
        ),
        Command.APPROVE: _rule({S.PROCESSING}, S.PROCESSED, {A.LEADER}),
        Command.SEND_BACK: _rule({S.PROCESSING}, S.PROCESSING, {A.LEADER}),
        # Online results are returned by the system; paper ones by the officer at the counter.
        Command.RETURN_RESULT: _rule({S.PROCESSED}, S.RESULT_RETURNED, {A.RECEIVING_OFFICER, A.SYSTEM}),
    }
)
del S, A

TERMINAL: frozenset[Status] = frozenset(
    {Status.NOT_RECEIVED, Status.WITHDRAWN, Status.STOPPED, Status.RESULT_RETURNED}
)
WAITING_FOR_CITIZEN: frozenset[Status] = frozenset({Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED})


def is_terminal(status: Status) -> bool:
    return status in TERMINAL


def is_waiting_for_citizen(status: Status) -> bool:
    return status in WAITING_FOR_CITIZEN


def _describe(status: Status | None) -> str:
    return "khi hồ sơ chưa được nộp" if status is None else f"khi hồ sơ đang ở trạng thái “{status.label}”"


class IllegalTransition(Exception):
    """A command that the state machine refuses. ``template``/``params`` let the app build a translated
    message; ``str(exc)`` is the Vietnamese text."""

    template = "Không thể {command} {where}."

    def __init__(self, current: Status | None, command: Command, **extra: str) -> None:
        self.current = current
        self.command = command
        self.params = {"command": command.label, "where": _describe(current), **extra}
        super().__init__(self.template.format(**self.params))


class ActorNotAllowed(IllegalTransition):
    """The command is possible from this status, but not for this kind of user."""

    template = "{actor} không có quyền {command}."

    def __init__(self, current: Status | None, command: Command, actor: Actor) -> None:
        self.actor = actor
        super().__init__(current, command, actor=actor.label)


def transition(
    current: Status | None, command: Command, actor: Actor, *, paused_from: Status | None = None
) -> Status:
    """The status after ``actor`` gives ``command`` to a dossier in ``current`` (``None``: a draft).

    ``paused_from`` is required for ``supplement`` and ``pay``: the status the dossier had when the
    supplement or payment was requested. Raises ``IllegalTransition`` (or its subclass ``ActorNotAllowed``).
    """
    command, actor = Command(command), Actor(actor)
    rule = TRANSITIONS[command]
    if current not in rule.sources:
        raise IllegalTransition(current, command)
    if actor not in rule.actors:
        raise ActorNotAllowed(current, command, actor)
    if rule.target is not None:
        return rule.target
    assert rule.resumes is not None
    if paused_from is None or paused_from not in TRANSITIONS[rule.resumes].sources:
        raise ValueError(f"{command} needs the status the dossier was paused from, got {paused_from!r}")
    return paused_from


def allowed_commands(current: Status | None, actor: Actor) -> frozenset[Command]:
    """Commands ``actor`` may give in ``current`` — for showing only the buttons that will work."""
    return frozenset(
        command for command, rule in TRANSITIONS.items() if current in rule.sources and actor in rule.actors
    )
