"""Demo community digital technology teams over the Hậu Giang hamlets, generated deterministically.

* One team per hamlet, a second team in every `SECOND_TEAM_EVERY`-th hamlet (a big residential area):
  about 615 teams. The only team of every `DISSOLVED_EVERY`-th hamlet was dissolved last year and not
  replaced yet, so coverage shows a few hamlets to follow up (about 99 %).
* 5–9 members a team (about 4,300): a leader, one or two deputies, members, Vietnamese names, unique
  mobile numbers, skills; some left during the year (an end date) and were replaced.
* Support activities over the last twelve months, a few a month per team, more in recent months, kinds
  weighted as teams report them. Their ids are derived from the team and the month, so a later run adds
  the new months only.
* The demo account `congdong.xa` is the leader of the first team of its commune, and files a few dozen
  dossiers for citizens with their on-screen signature, through the same actions as the pages
  (`community.actions`), spread over the year.

Idempotent and quick: rows are keyed (team code, member phone, activity id) and only missing ones are
inserted, in bulk.
"""

from __future__ import annotations

import io
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw

from mekong.accounts.models import RoleAssignment, User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, AgencyKind, OnlineLevel, Procedure, ProcedureLevel
from mekong.community import actions
from mekong.community.models import Activity, ActivityKind, AssistedSubmission, Member, MemberRole, Team
from mekong.community.selectors import today
from mekong.community.transfer import DEFAULT_TEAM_NAME
from mekong.core.text import fold
from mekong.dossiers import actions as dossier_actions
from mekong.dossiers.demo import (
    MOBILE_PREFIXES,
    RESULT_PDF,
    SCAN_PDF,
    FormContext,
    NameMaker,
    Person,
    _file_name,
    _quiet,
    demo_personal_id,
    form_for,
)
from mekong.dossiers.models import Dossier, ResultDelivery
from mekong.dossiers.workdays import VIETNAM_TZ
from mekong.geo.models import AdministrativeUnit, UnitLevel

SEED = "mekong-community-1"
SECOND_TEAM_EVERY = 40
DISSOLVED_EVERY = 150
ESTABLISHED = date(2023, 3, 26)  # the province launched its community digital technology teams in 2023
NAMESPACE = uuid.UUID("5d1f0c3e-1b9e-4c55-9c1b-6f1e0f0a2c11")
DEMO_MEMBER_ACCOUNT = "congdong.xa"
DEMO_MEMBER_NAME = "Lý Thị Oanh"
ASSISTED_DEFAULT = 36
ASSISTED_ID_MARKER = "98"  # positions 7–8 of the personal ID of the people the demo team files for

SKILLS = (
    "Cài đặt và hướng dẫn VNeID",
    "Dịch vụ công trực tuyến",
    "Thanh toán không dùng tiền mặt",
    "Sổ sức khỏe điện tử, BHYT trên VssID",
    "Kỹ năng số cơ bản",
    "An toàn trên mạng",
    "Thương mại điện tử",
)
KIND_WEIGHTS = (
    (ActivityKind.INSTALL_APP, 24),
    (ActivityKind.EID_ACCOUNT, 26),
    (ActivityKind.ONLINE_FILING, 14),
    (ActivityKind.CASHLESS_PAYMENT, 16),
    (ActivityKind.EHEALTH_CARD, 15),
    (ActivityKind.OTHER, 5),
)
NOTES = {
    ActivityKind.OTHER: ("Hướng dẫn nhận tin nhắn cảnh báo lừa đảo", "Cài Zalo cho người cao tuổi", "Hướng dẫn xem điện kế điện tử"),
    ActivityKind.ONLINE_FILING: ("Đăng ký khai sinh", "Cấp bản sao trích lục", "Đăng ký thường trú"),
}  # fmt: skip


@dataclass(frozen=True)
class TeamPlan:
    code: str
    name: str
    hamlet_id: int
    agency_id: int
    established_on: date
    dissolved_on: date | None


@dataclass(frozen=True)
class MemberPlan:
    team_code: str
    full_name: str
    role: str
    phone: str
    skills: str
    active_from: date
    active_until: date | None


@dataclass
class DemoReport:
    teams_created: int = 0
    members_created: int = 0
    activities_created: int = 0
    assisted_created: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"{self.teams_created} tổ, {self.members_created} thành viên, {self.activities_created} hoạt động, "
            f"{self.assisted_created} hồ sơ nộp hộ mới ({self.seconds:.1f} s)"
        )


def _hamlets_with_agencies() -> list[tuple[AdministrativeUnit, Agency]]:
    agencies = {
        agency.unit_id: agency
        for agency in Agency.objects.filter(kind=AgencyKind.COMMUNE_PC, is_active=True, unit__isnull=False)
    }
    pairs = []
    for hamlet in AdministrativeUnit.objects.filter(level=UnitLevel.HAMLET).order_by("code"):
        agency = agencies.get(hamlet.former_parent_id) or agencies.get(hamlet.parent_id)
        if agency is not None:
            pairs.append((hamlet, agency))
    return pairs


def plan_teams(pairs: list[tuple[AdministrativeUnit, Agency]]) -> list[TeamPlan]:
    plans: list[TeamPlan] = []
    for index, (hamlet, agency) in enumerate(pairs, start=1):
        rng = random.Random(f"{SEED}-team-{hamlet.code}")  # noqa: S311 (reproducible demo data)
        established = ESTABLISHED + timedelta(days=rng.randrange(0, 120))
        dissolved = date(today().year - 1, 11, 30) if index % DISSOLVED_EVERY == 0 else None
        plans.append(
            TeamPlan(
                f"{hamlet.code}-T1",
                DEFAULT_TEAM_NAME.format(hamlet=hamlet.name),
                hamlet.pk,
                agency.pk,
                established,
                dissolved,
            )
        )
        if index % SECOND_TEAM_EVERY == 0:
            plans.append(
                TeamPlan(
                    f"{hamlet.code}-T2",
                    DEFAULT_TEAM_NAME.format(hamlet=hamlet.name) + " (tổ 2)",
                    hamlet.pk,
                    agency.pk,
                    established + timedelta(days=200),
                    None,
                )
            )
    return plans


def plan_members(teams: list[TeamPlan]) -> list[MemberPlan]:
    rng = random.Random(f"{SEED}-members")  # noqa: S311 (reproducible demo data)
    names = NameMaker(rng)
    phones: set[str] = set()
    plans: list[MemberPlan] = []

    def phone() -> str:
        while True:
            number = f"0{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"
            if number not in phones:
                phones.add(number)
                return number

    for team in teams:
        size = rng.randint(5, 9)
        roles = [MemberRole.LEADER, MemberRole.DEPUTY] + ([MemberRole.DEPUTY] if size >= 8 else [])
        roles += [MemberRole.MEMBER] * (size - len(roles))
        for role in roles:
            skills = ", ".join(sorted(rng.sample(SKILLS, rng.randint(1, 3))))
            joined = team.established_on + timedelta(days=rng.randrange(0, 30))
            left = team.dissolved_on
            plans.append(MemberPlan(team.code, names.full(), role, phone(), skills, joined, left))
            # About one member in twenty left this year and was replaced (same role).
            if left is None and role == MemberRole.MEMBER and rng.random() < 0.05:
                end = today() - timedelta(days=rng.randrange(30, 300))
                plans[-1] = MemberPlan(
                    team.code, plans[-1].full_name, role, plans[-1].phone, skills, joined, end
                )
                plans.append(
                    MemberPlan(team.code, names.full(), role, phone(), skills, end + timedelta(days=1), None)
                )
    return plans


def _months(until: date, count: int = 12) -> Iterator[date]:
    for back in range(count - 1, -1, -1):
        month = until.month - back
        year = until.year + (month - 1) // 12
        yield date(year, (month - 1) % 12 + 1, 1)


def _households(rng: random.Random, names: NameMaker) -> str:
    title = rng.choice(("Hộ ông", "Hộ bà", "Hộ ông", "Hộ bà", "Gia đình ông", "Gia đình bà"))
    sex = "male" if title.endswith("ông") else "female"
    return f"{title} {names.full(sex)}"


def _activities(teams: dict[str, Team], members: dict[str, list[Member]], until: date) -> Iterator[Activity]:
    kinds = [kind for kind, _w in KIND_WEIGHTS]
    weights = [weight for _k, weight in KIND_WEIGHTS]
    months = list(_months(until))
    for code, team in sorted(teams.items()):
        for position, month in enumerate(months):
            rng = random.Random(f"{SEED}-activities-{code}-{month:%Y-%m}")  # noqa: S311 (reproducible)
            names = NameMaker(rng)
            last_day = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            if team.dissolved_on is not None and month > team.dissolved_on:
                continue
            # More help as the teams found their feet, busiest in the months of the e-ID campaign.
            count = rng.randint(1, 3) + (position * 3) // len(months)
            for number in range(count):
                day = month + timedelta(days=rng.randrange((min(last_day, until) - month).days + 1))
                active = [
                    m
                    for m in members.get(code, [])
                    if m.active_from <= day and (m.active_until is None or m.active_until >= day)
                ]
                if not active or day > until:
                    continue
                kind = rng.choices(kinds, weights)[0]
                note = rng.choice(NOTES[kind]) if kind in NOTES else ""
                yield Activity(
                    client_id=uuid.uuid5(NAMESPACE, f"activity:{code}:{month:%Y-%m}:{number}"),
                    team=team,
                    member=rng.choice(active),
                    kind=kind,
                    household=_households(rng, names),
                    hamlet_id=team.hamlet_id,
                    date=day,
                    note=note,
                )


def _link_demo_member(teams: dict[str, Team]) -> Member | None:
    """`congdong.xa` becomes the leader of the first team of the commune where it holds its role."""
    user = User.objects.filter(username__iexact=DEMO_MEMBER_ACCOUNT).first()
    if user is None:
        return None
    linked = Member.objects.filter(user=user).select_related("team").first()
    if linked is not None:
        return linked
    held = RoleAssignment.objects.filter(user=user, role=Role.COMMUNITY_MEMBER).values_list(
        "agency_id", flat=True
    )
    candidates = sorted(
        (t for t in teams.values() if t.agency_id in set(held) and t.dissolved_on is None),
        key=lambda t: t.code,
    )
    if not candidates:
        return None
    leader = (
        Member.objects.filter(team=candidates[0], role=MemberRole.LEADER, active_until__isnull=True)
        .order_by("pk")
        .first()
    )
    if leader is None:
        return None
    leader.user = user
    leader.full_name = user.full_name or DEMO_MEMBER_NAME
    leader.save(update_fields=["user", "full_name", "search_key", "updated_at"])
    return leader


def signature_png(seed: str) -> bytes:
    """A hand-drawn-looking scribble, as a phone's canvas would send it."""
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data)
    image = Image.new("RGB", (320, 120), "white")
    draw = ImageDraw.Draw(image)
    x, y = 20, 70
    points = [(x, y)]
    for _ in range(14):
        x += rng.randint(10, 22)
        y = max(20, min(100, y + rng.randint(-28, 28)))
        points.append((x, y))
    draw.line(points, fill="black", width=3, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _assisted(member: Member, count: int, now: datetime) -> int:
    """Dossiers the demo member files for citizens, spread over the year (signature consent)."""
    if member.user is None:
        return 0
    already = AssistedSubmission.objects.filter(member=member, submitted_at__isnull=False).count()
    wanted = count - already
    if wanted <= 0:
        return 0
    agency = member.team.agency
    procedures = list(
        Procedure.objects.filter(
            is_active=True,
            agencies=agency,
            level=ProcedureLevel.COMMUNE,
            online_level__in=(OnlineLevel.FULL, OnlineLevel.PARTIAL),
        )
        .prefetch_related("documents")
        .order_by("code")
    )
    if not procedures:
        return 0
    rng = random.Random(f"{SEED}-assisted-{already}")  # noqa: S311 (reproducible demo data)
    names = NameMaker(rng)
    actor = member.user
    staff = _staff(agency)
    created = 0
    with _quiet("mekong.dossiers", "mekong.community", "mekong.accounts", "mekong.notify"):
        for number in range(already, count):
            sex = rng.choice(("male", "female"))
            born = date(rng.randint(1940, 1975), rng.randint(1, 12), rng.randint(1, 28))
            personal_id = demo_personal_id(rng, sex, born)
            personal_id = personal_id[:6] + ASSISTED_ID_MARKER + personal_id[8:]
            phone = f"0{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"
            if User.objects.filter(Q(personal_id=personal_id) | Q(phone=phone)).exists():
                continue
            person = Person(names.full(sex), sex, born, personal_id, phone)
            procedure = rng.choice(procedures)
            at = now - timedelta(days=int(rng.random() ** 0.7 * 360), hours=rng.randint(0, 8))
            at = at.astimezone(VIETNAM_TZ).replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
            if at > now:
                at = now
            address = (
                f"{member.team.hamlet.name}, {agency.name.replace('Ủy ban nhân dân ', '')}, tỉnh Hậu Giang"
            )
            with transaction.atomic():
                assisted = actions.start_assisted(
                    actor,
                    member.team,
                    procedure=procedure,
                    agency=agency,
                    citizen=actions.CitizenInput(person.name, person.personal_id, person.phone, address),
                )
                draft = assisted.dossier
                assert draft is not None
                context = FormContext(
                    rng=rng,
                    names=names,
                    applicant=person,
                    address=address,
                    delivery="online",
                    submitted=at.date(),
                )
                dossier_actions.update_draft(
                    draft, actor=actor, form_data=form_for(procedure.form_schema, context)
                )
                for requirement in procedure.documents.all():
                    if requirement.mandatory:
                        dossier_actions.attach_file(
                            draft,
                            actor=actor,
                            stream=io.BytesIO(SCAN_PDF),
                            name=_file_name(requirement),
                            requirement=requirement,
                        )
                dossier = actions.submit_with_signature(
                    actor, assisted, signature_png(f"{SEED}-sig-{number}"), now=at
                )
                _follow_up(dossier, staff, at, now)
            created += 1
    return created


def _staff(agency: Agency) -> dict[Role, User]:
    staff: dict[Role, User] = {}
    for assignment in (
        RoleAssignment.objects.filter(
            agency=agency, role__in=[Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.LEADER]
        )
        .select_related("user")
        .order_by("pk")
    ):
        staff.setdefault(Role(assignment.role), assignment.user)
    return staff


def _follow_up(dossier: Dossier, staff: dict[Role, User], at: datetime, now: datetime) -> None:
    """The commune handles the older ones as it handles any online dossier: received the next working
    morning, processed, approved, the result returned online. The last few days' stay new."""
    if len(staff) < 3 or now - at < timedelta(days=4):
        return
    received = at + timedelta(hours=18)
    dossier = dossier_actions.receive(dossier, actor=staff[Role.RECEIVING_OFFICER], at=received)
    dossier = dossier_actions.start_processing(
        dossier, actor=staff[Role.SPECIALIST], at=received + timedelta(hours=2)
    )
    if dossier.procedure.requires_e_result:
        dossier_actions.attach_result(
            dossier,
            actor=staff[Role.SPECIALIST],
            stream=io.BytesIO(RESULT_PDF),
            name="ket-qua.pdf",
            at=received + timedelta(hours=20),
        )
    dossier = dossier_actions.approve(dossier, actor=staff[Role.LEADER], at=received + timedelta(hours=24))
    if dossier.result_delivery == ResultDelivery.ONLINE:
        dossier_actions.return_result(dossier, at=received + timedelta(hours=25))
    else:
        dossier_actions.return_result(
            dossier, actor=staff[Role.RECEIVING_OFFICER], at=received + timedelta(hours=48)
        )


def load_demo_community(*, assisted: int = ASSISTED_DEFAULT, now: datetime | None = None) -> DemoReport:
    started = time.perf_counter()
    now = now or timezone.now()
    report = DemoReport()
    pairs = _hamlets_with_agencies()
    if not pairs:
        return report
    team_plans = plan_teams(pairs)
    with transaction.atomic():
        existing = set(
            Team.objects.filter(code__in=[p.code for p in team_plans]).values_list("code", flat=True)
        )
        new_teams = [
            Team(
                code=p.code,
                name=p.name,
                hamlet_id=p.hamlet_id,
                agency_id=p.agency_id,
                established_on=p.established_on,
                dissolved_on=p.dissolved_on,
            )
            for p in team_plans
            if p.code not in existing
        ]
        Team.objects.bulk_create(new_teams, ignore_conflicts=True, batch_size=500)
        report.teams_created = len(new_teams)
        teams = {t.code: t for t in Team.objects.filter(code__in=[p.code for p in team_plans])}

        member_plans = plan_members(team_plans)
        known = set(
            Member.objects.filter(phone__in=[p.phone for p in member_plans]).values_list("phone", flat=True)
        )
        new_members = [
            Member(
                team=teams[p.team_code],
                full_name=p.full_name,
                role=p.role,
                phone=p.phone,
                skills=p.skills,
                active_from=p.active_from,
                active_until=p.active_until,
                search_key=fold(f"{p.full_name} {p.phone}"),
            )
            for p in member_plans
            if p.phone not in known and p.team_code in teams
        ]
        Member.objects.bulk_create(new_members, ignore_conflicts=True, batch_size=1000)
        report.members_created = len(new_members)
        demo_member = _link_demo_member(teams)

        members: dict[str, list[Member]] = {}
        for member in (
            Member.objects.filter(team__in=list(teams.values())).select_related("team").order_by("pk")
        ):
            members.setdefault(member.team.code, []).append(member)
        planned = list(_activities(teams, members, now.astimezone(VIETNAM_TZ).date()))
        ids = [activity.client_id for activity in planned]
        stored: set[uuid.UUID] = set()
        for start in range(0, len(ids), 900):
            stored |= set(
                Activity.objects.filter(client_id__in=ids[start : start + 900]).values_list(
                    "client_id", flat=True
                )
            )
        fresh = [activity for activity in planned if activity.client_id not in stored]
        Activity.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
        report.activities_created = len(fresh)

    if demo_member is not None and assisted:
        demo_member = Member.objects.select_related("team", "team__agency", "team__hamlet", "user").get(
            pk=demo_member.pk
        )
        report.assisted_created = _assisted(demo_member, assisted, now)
    report.seconds = time.perf_counter() - started
    return report
