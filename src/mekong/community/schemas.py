"""API shapes of community teams. Labels follow the request's language (Vietnamese by default)."""

# No `from __future__ import annotations`: django-ninja resolves the schema annotations at import time.

import uuid
from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from mekong.accounts.api import ErrorOut
from mekong.community.models import Activity, ActivityKind, Member, MemberRole, Team

Error = ErrorOut


class MemberOut(Schema):
    id: int
    full_name: str
    role: MemberRole
    role_label: str
    phone: str
    skills: str
    active_from: date
    active_until: date | None

    @staticmethod
    def resolve_role_label(obj: Member) -> str:
        return str(MemberRole(obj.role).label)


class TeamOut(Schema):
    id: int
    code: str
    name: str
    hamlet: str = Field(description="Ấp, khu vực.")
    hamlet_code: str
    agency_code: str = Field(description="Mã định danh của UBND xã quản lý tổ.")
    agency: str
    established_on: date | None
    dissolved_on: date | None
    active_members: int = Field(description="Số thành viên đang hoạt động hôm nay.")

    @staticmethod
    def resolve_hamlet(obj: Team) -> str:
        return obj.hamlet.name

    @staticmethod
    def resolve_hamlet_code(obj: Team) -> str:
        return obj.hamlet.code

    @staticmethod
    def resolve_agency_code(obj: Team) -> str:
        return obj.agency.code

    @staticmethod
    def resolve_agency(obj: Team) -> str:
        return obj.agency.name


class TeamDetailOut(TeamOut):
    members: list[MemberOut] = Field(
        description="Thành viên, kể cả người đã thôi tham gia (có ngày kết thúc)."
    )

    @staticmethod
    def resolve_members(obj: Team) -> list[Member]:
        return list(obj.members.order_by("role", "full_name"))


class ActivityIn(Schema):
    client_id: uuid.UUID = Field(
        description="Mã do ứng dụng tạo cho lượt ghi nhận; gửi lại cùng mã không tạo bản ghi mới."
    )
    team: int = Field(description="Mã tổ (một tổ người gửi là thành viên).")
    kind: ActivityKind
    household: str = Field(max_length=200, examples=["Hộ ông Nguyễn Văn Tư, số 12"])
    hamlet: int = Field(description="Mã ấp, khu vực (trong xã của tổ).")
    date: date
    note: str = Field("", max_length=500)
    recorded_at: datetime | None = Field(None, description="Lúc ghi trên điện thoại.")


class ActivityOut(Schema):
    id: int
    client_id: uuid.UUID
    team: int
    member: str
    kind: ActivityKind
    kind_label: str
    household: str
    hamlet: str
    date: date
    note: str
    created_at: datetime

    @staticmethod
    def resolve_team(obj: Activity) -> int:
        return obj.team_id

    @staticmethod
    def resolve_member(obj: Activity) -> str:
        return obj.member.full_name

    @staticmethod
    def resolve_kind_label(obj: Activity) -> str:
        return str(ActivityKind(obj.kind).label)

    @staticmethod
    def resolve_hamlet(obj: Activity) -> str:
        return obj.hamlet.name


class CoverageOut(Schema):
    hamlets: int
    covered: int
    percent: float | None = Field(description="Tỷ lệ ấp, khu vực có tổ đang hoạt động (mục tiêu 100).")


class CommuneCoverageOut(Schema):
    agency_id: int
    commune: str
    hamlets: int
    covered: int
    uncovered_hamlets: list[str]


class TeamsSummaryOut(Schema):
    teams: int
    members: int
    average_members: float | None
    teams_without_members: int
    distribution: list[tuple[int, int]] = Field(description="(số thành viên, số tổ).")


class CountOut(Schema):
    key: str
    label: str
    count: int


class MonthCountOut(Schema):
    month: date
    count: int


class AssistedOut(Schema):
    online: int = Field(description="Hồ sơ trực tuyến nộp trong kỳ (theo cơ quan tiếp nhận).")
    assisted: int = Field(description="Trong đó do tổ công nghệ số hỗ trợ nộp.")
    percent: float | None


class FiguresOut(Schema):
    on: date
    since: date
    until: date
    coverage: CoverageOut
    coverage_by_commune: list[CommuneCoverageOut]
    teams: TeamsSummaryOut
    activities: int
    activities_by_kind: list[CountOut]
    activities_by_commune: list[CountOut]
    activities_by_month: list[MonthCountOut]
    assisted: AssistedOut
