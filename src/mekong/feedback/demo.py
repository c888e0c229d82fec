"""Ratings in the demo data: citizens rate some of their returned dossiers and officers answer the feedback,
all through `feedback.actions` at chosen instants, so that the IOC's satisfaction indicators (6.1 feedback
handled on time, 6.3 satisfaction) and the back office's feedback page have something real to show.

Each dossier's fate is drawn from its own seeded generator (the seed and its code): whether it is rated,
the score (lower after a late return), whether the citizen writes feedback, and whether an officer answered
it on time, late, or not yet. A second run finds the same answers, skips the dossiers rated already and so
creates nothing; dossiers added by a top-up run get their own draws.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet

from mekong.accounts.models import RoleAssignment, User
from mekong.dossiers.models import Dossier
from mekong.dossiers.states import Status
from mekong.feedback import actions
from mekong.feedback.models import Rating

BATCH = 25  # dossiers per transaction, as the demo dossiers
RATED_SHARE = 0.4  # of the returned dossiers filed online (only their applicant's account can rate)
SCORE_WEIGHTS = {False: (52, 28, 11, 6, 3), True: (10, 20, 30, 25, 15)}  # 5..1 stars; True: returned late
FEEDBACK_SHARE = {5: 0.12, 4: 0.2, 3: 0.5, 2: 0.85, 1: 0.9}  # how often a score comes with feedback
ANSWERED_ON_TIME, ANSWERED_LATE = 0.72, 0.16  # the rest stays unanswered

COMPLAINTS = (
    "Hồ sơ trả kết quả trễ hẹn mà không được báo trước.",
    "Phải đi lại nhiều lần mới bổ sung xong giấy tờ.",
    "Cán bộ hướng dẫn chưa rõ, tôi phải hỏi lại nhiều lần.",
    "Gọi điện thoại đến bộ phận một cửa nhưng không ai nghe máy.",
    "Thời gian chờ tại bộ phận một cửa quá lâu.",
    "Không nhận được tin nhắn báo kết quả, phải tự lên hỏi.",
)
SUGGESTIONS = (
    "Đề nghị gửi tin nhắn khi hồ sơ có kết quả.",
    "Nên hướng dẫn rõ hơn các giấy tờ cần nộp trên Cổng dịch vụ công.",
    "Biểu mẫu trực tuyến còn khó điền trên điện thoại.",
    "Mong cơ quan bố trí thêm chỗ ngồi chờ.",
    "Đề nghị cho thanh toán phí, lệ phí qua ví điện tử.",
)
PRAISE = (
    "Cán bộ nhiệt tình, hướng dẫn chu đáo. Cảm ơn.",
    "Nhận kết quả sớm hơn hẹn, rất hài lòng.",
    "Nộp trực tuyến nhanh, không phải đi lại.",
)
ANSWERS_TO_COMPLAINTS = (
    "Cơ quan xin lỗi ông/bà về sự bất tiện. Bộ phận một cửa đã được chấn chỉnh và sẽ báo trước khi hồ sơ "
    "có thể trễ hẹn.",
    "Cảm ơn ông/bà đã phản ánh. Cơ quan đã kiểm tra, nhắc nhở cán bộ liên quan và bổ sung hướng dẫn trên "
    "Cổng dịch vụ công.",
    "Cơ quan ghi nhận phản ánh; bộ phận một cửa đã bố trí cán bộ trực điện thoại trong giờ hành chính.",
)
ANSWERS_TO_SUGGESTIONS = (
    "Cảm ơn ông/bà đã góp ý. Cơ quan ghi nhận và sẽ cải tiến trong thời gian tới.",
    "Cơ quan tiếp thu kiến nghị và đã chuyển bộ phận phụ trách xem xét.",
)
ANSWERS_TO_PRAISE = ("Cảm ơn ông/bà đã tin tưởng và sử dụng dịch vụ công trực tuyến.",)


@dataclass(frozen=True)
class RatingReport:
    ratings: int
    feedback: int
    answered_on_time: int
    answered_late: int
    unanswered: int

    def __str__(self) -> str:
        return (
            f"{self.ratings} đánh giá mới, {self.feedback} có phản ánh ({self.answered_on_time} trả lời đúng "
            f"hạn, {self.answered_late} trễ hạn, {self.unanswered} chưa trả lời)"
        )


def _texts(score: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a citizen giving `score` stars writes, and what the agency answers."""
    if score <= 2:
        return COMPLAINTS, ANSWERS_TO_COMPLAINTS
    if score <= 4:
        return SUGGESTIONS, ANSWERS_TO_SUGGESTIONS
    return PRAISE, ANSWERS_TO_PRAISE


def _answering_officers(agency_ids: set[int]) -> dict[int, list[User]]:
    """The receiving officers and leaders of each agency: those `handle_feedback` lets answer."""
    officers: dict[int, list[User]] = {}
    assignments = RoleAssignment.objects.filter(
        agency_id__in=sorted(agency_ids), role__in=list(actions.HANDLING_ROLES), user__is_active=True
    ).select_related("user")
    for assignment in assignments.order_by("agency_id", "user__username", "role"):
        found = officers.setdefault(assignment.agency_id, [])
        if assignment.user not in found:
            found.append(assignment.user)
    return officers


def _rated_at(rng: random.Random, returned: datetime, now: datetime) -> datetime:
    """Most citizens rate within hours or days of getting the result."""
    band = rng.random()
    if band < 0.4:
        later = timedelta(hours=rng.uniform(0.2, 6))
    elif band < 0.75:
        later = timedelta(days=rng.uniform(1, 3))
    else:
        later = timedelta(days=rng.uniform(3, 10))
    latest = now - timedelta(minutes=1)
    moment = returned + later
    return moment if moment <= latest else returned + (now - returned) / 2


def rate_demo_dossiers(dossiers: QuerySet[Dossier], *, seed: int, now: datetime) -> RatingReport:
    """Rate some of `dossiers` (the returned ones not rated yet, filed online) and answer some feedback."""
    candidates = list(
        dossiers.filter(
            status=Status.RESULT_RETURNED,
            applicant__isnull=False,
            rating__isnull=True,
            finished_at__isnull=False,
            finished_at__lt=now,
        )
        .select_related("applicant")
        .order_by("code")
    )
    officers = _answering_officers({d.agency_id for d in candidates})
    outcomes: Counter[str] = Counter()
    for start in range(0, len(candidates), BATCH):
        with transaction.atomic():
            for dossier in candidates[start : start + BATCH]:
                outcome = _rate_one(dossier, officers.get(dossier.agency_id, []), seed=seed, now=now)
                if outcome:
                    outcomes[outcome] += 1
    feedback = outcomes["on_time"] + outcomes["late"] + outcomes["unanswered"]
    return RatingReport(
        ratings=feedback + outcomes["no_feedback"],
        feedback=feedback,
        answered_on_time=outcomes["on_time"],
        answered_late=outcomes["late"],
        unanswered=outcomes["unanswered"],
    )


def _rate_one(dossier: Dossier, officers: list[User], *, seed: int, now: datetime) -> str:
    """The dossier's own story: '' (not rated), 'no_feedback', 'on_time', 'late' or 'unanswered'."""
    rng = random.Random(f"rating-{seed}-{dossier.code}")  # noqa: S311 (demo data, not security)
    if rng.random() >= RATED_SHARE:
        return ""
    assert dossier.finished_at is not None
    assert dossier.applicant is not None
    late = dossier.due_at is not None and dossier.finished_at > dossier.due_at
    score = rng.choices((5, 4, 3, 2, 1), SCORE_WEIGHTS[late])[0]
    written, answers = _texts(score)
    comment = rng.choice(written) if rng.random() < FEEDBACK_SHARE[score] else ""
    if late and comment and score <= 2 and rng.random() < 0.5:
        comment = COMPLAINTS[0]  # returned late: most likely what the complaint is about
    rated_at = _rated_at(rng, dossier.finished_at, now)
    rating = actions.rate(dossier, actor=dossier.applicant, score=score, comment=comment, at=rated_at)
    if not comment:
        return "no_feedback"
    return _answer(rating, rng, officers, answers, now=now)


def _answer(
    rating: Rating, rng: random.Random, officers: list[User], answers: tuple[str, ...], *, now: datetime
) -> str:
    due = rating.feedback_due_at
    draw = rng.random()
    if due is None or not officers or draw >= ANSWERED_ON_TIME + ANSWERED_LATE:
        return "unanswered"
    if draw < ANSWERED_ON_TIME:
        moment, outcome = rating.created_at + (due - rating.created_at) * rng.uniform(0.1, 0.9), "on_time"
    else:
        moment, outcome = due + timedelta(days=rng.uniform(1, 12)), "late"
    officer, response = rng.choice(officers), rng.choice(answers)
    if moment >= now:
        return "unanswered"  # not answered yet: still within its time, or overdue now
    actions.handle_feedback(rating, actor=officer, response=response, at=moment)
    return outcome
