"""/api/v1/community: teams and their members, support activities, and the figures.

Every operation needs a bearer token and answers only what the token's user may read (a member their
team, the commune its teams, the province all; figures by the IOC rule). Recording an activity is
idempotent on its `client_id`: 201 the first time, 200 with the stored entry after.
"""

# No `from __future__ import annotations`: django-ninja resolves the annotations at import time.

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from mekong.accounts.auth import bearer_token
from mekong.accounts.models import ApiToken, User
from mekong.community import actions, figures, selectors
from mekong.community.models import Activity, Team
from mekong.community.schemas import ActivityIn, ActivityOut, Error, FiguresOut, TeamDetailOut, TeamOut
from mekong.core.errors import DomainError, NotFound, PermissionDenied

router = Router(auth=bearer_token)


def _user(request: HttpRequest) -> User:
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):  # bearer_token guards these operations; this only narrows the type
        raise DomainError(_("Cần đăng nhập: thiếu hoặc sai mã truy cập."), code="unauthorized", status=401)
    return token.user


class TeamFilters(Schema):
    agency: int | None = Field(None, description="Chỉ các tổ của cơ quan (UBND xã) này.")


@router.get(
    "/teams",
    response={200: list[TeamOut], 401: Error, 422: Error},
    summary="Các tổ công nghệ số",
    url_name="community_teams",
)
@paginate(PageNumberPagination, page_size=50, max_page_size=200)
def list_teams(request: HttpRequest, filters: Query[TeamFilters]) -> QuerySet[Team]:
    return selectors.teams_with_counts(_user(request), agency_id=filters.agency)


@router.get(
    "/teams/{team_id}", response={200: TeamDetailOut, 401: Error, 404: Error}, summary="Một tổ và thành viên"
)
def get_team(request: HttpRequest, team_id: int) -> Team:
    user = _user(request)
    team = selectors.teams_with_counts(user).filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("Không tìm thấy tổ số {id}."), id=team_id)
    return team


class ActivityFilters(Schema):
    team: int | None = None
    since: date | None = None
    until: date | None = None


@router.get(
    "/activities",
    response={200: list[ActivityOut], 401: Error, 422: Error},
    summary="Hoạt động hỗ trợ",
    url_name="community_activities",
)
@paginate(PageNumberPagination, page_size=50, max_page_size=200)
def list_activities(request: HttpRequest, filters: Query[ActivityFilters]) -> QuerySet[Activity]:
    rows = selectors.readable_activities(_user(request))
    if filters.team is not None:
        rows = rows.filter(team_id=filters.team)
    if filters.since is not None:
        rows = rows.filter(date__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(date__lte=filters.until)
    return rows.order_by("-date", "-id")


@router.post(
    "/activities",
    response={200: ActivityOut, 201: ActivityOut, 400: Error, 401: Error, 403: Error, 409: Error, 422: Error},
    summary="Ghi nhận một lượt hỗ trợ (gửi lại cùng client_id không tạo bản ghi mới)",
)
def record_activity(request: HttpRequest, payload: ActivityIn) -> Status[Activity]:
    user = _user(request)
    team = next((t for t in selectors.my_teams(user) if t.pk == payload.team), None)
    if team is None:
        raise PermissionDenied(_("Bạn không phải thành viên đang hoạt động của tổ này."))
    activity, created = actions.record_activity(
        user,
        team,
        actions.ActivityInput(
            client_id=payload.client_id,
            kind=payload.kind,
            household=payload.household,
            hamlet_id=payload.hamlet,
            date=payload.date,
            note=payload.note,
            recorded_at=payload.recorded_at,
        ),
    )
    return Status(201 if created else 200, activity)


class FigureFilters(Schema):
    commune: int | None = Field(None, description="Mã cơ quan UBND xã để xem riêng một xã.")
    since: date | None = Field(None, description="Từ ngày (mặc định: đầu tháng, 11 tháng trước).")
    until: date | None = Field(None, description="Đến ngày (mặc định: hôm nay).")


@router.get(
    "/figures",
    response={200: FiguresOut, 401: Error, 403: Error, 422: Error},
    summary="Số liệu tổ công nghệ số",
    url_name="community_figures",
)
def get_figures(request: HttpRequest, filters: Query[FigureFilters]) -> dict[str, Any]:
    scope = figures.scope_for(_user(request), commune=filters.commune)
    summary = figures.summary(scope, since=filters.since, until=filters.until)
    sizes = summary.team_sizes
    return {
        "on": summary.on,
        "since": summary.since,
        "until": summary.until,
        "coverage": {
            "hamlets": summary.coverage.hamlets,
            "covered": summary.coverage.covered,
            "percent": summary.coverage.percent,
        },
        "coverage_by_commune": [
            {
                "agency_id": row.agency_id,
                "commune": row.commune,
                "hamlets": row.coverage.hamlets,
                "covered": row.coverage.covered,
                "uncovered_hamlets": list(row.uncovered_hamlets),
            }
            for row in summary.coverage_by_commune
        ],
        "teams": {
            "teams": sizes.team_count,
            "members": sizes.member_count,
            "average_members": sizes.average,
            "teams_without_members": sizes.without_members,
            "distribution": sizes.distribution(),
        },
        "activities": summary.activity_total,
        "activities_by_kind": [{"key": k, "label": label, "count": n} for k, label, n in summary.by_kind],
        "activities_by_commune": [
            {"key": str(agency_id), "label": name, "count": n} for agency_id, name, n in summary.by_commune
        ],
        "activities_by_month": [{"month": month, "count": n} for month, n in summary.by_month],
        "assisted": {
            "online": summary.assisted.online,
            "assisted": summary.assisted.assisted,
            "percent": summary.assisted.percent,
        },
    }
