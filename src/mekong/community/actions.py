"""Every change to community teams and what they do. Each action checks who may do it, runs in one
transaction, records a `CommunityEvent`, and refuses with a DomainError having changed nothing.

* the registry: `import_members` (a validated file, all or nothing), `grant_member_access`;
* support activities: `record_activity` (idempotent on the phone-made `client_id`), `edit_activity`;
* assisted submission: `start_assisted` → the draft is prepared through `dossiers.actions` →
  `send_consent_code` then `submit_with_code`, or `submit_with_signature`; or `decline_assisted`;
* the citizen's account made at that moment: `send_activation_code`, `activate_account`.

One-time codes (consent, activation) are sent through the notify app's SMS provider; only an HMAC of the
code is stored; a code expires (MEKONG_OTP_TTL_SECONDS), is void after MEKONG_OTP_MAX_ATTEMPTS wrong
tries, and sending is limited per subject and per phone. A wrong guess is counted even though the action
then refuses: that count is committed on its own.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import structlog
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from mekong.accounts import actions as account_actions
from mekong.accounts import permissions
from mekong.accounts.identifiers import is_personal_id, normalize_phone
from mekong.accounts.models import User, UserKind
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, OnlineLevel, Procedure
from mekong.community import otp
from mekong.community.models import (
    Activity,
    ActivityKind,
    AssistedSubmission,
    CodePurpose,
    CommunityEvent,
    ConsentMethod,
    EventKind,
    Member,
    OneTimeCode,
    Team,
)
from mekong.community.selectors import commune_hamlets, membership, today
from mekong.community.signature import check_signature
from mekong.community.transfer import MembersData
from mekong.core.errors import DomainError, FieldError, PermissionDenied
from mekong.core.text import fold
from mekong.dossiers import actions as dossier_actions
from mekong.dossiers.models import Dossier
from mekong.geo.models import AdministrativeUnit
from mekong.notify.channels.base import DeliveryError
from mekong.notify.channels.contrib.sms import provider as sms_provider
from mekong.notify.policy import is_stale, sms_text
from mekong.notify.selectors import preferences_of

log = structlog.get_logger(__name__)

CONSENT_TEXT_VERSION = "1"
# Seen in the admin and the event data; the code is never logged.
_OTP_KEY_LABEL = b"mekong.community.otp"


def _event(
    kind: EventKind, *, actor: User | None, team: Team | None = None, data: dict[str, Any] | None = None
) -> CommunityEvent:
    return CommunityEvent.objects.create(kind=kind, actor=actor, team=team, data=data or {})


def _user(actor: permissions.Actor | None) -> User | None:
    return actor if isinstance(actor, User) else None


# --- the registry -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    teams_created: int = 0

    def __str__(self) -> str:
        return (
            f"{self.created} thành viên mới, {self.updated} cập nhật, {self.unchanged} không đổi; "
            f"{self.teams_created} tổ mới"
        )


def _member_search_key(member: Member) -> str:
    return fold(f"{member.full_name} {member.phone}")


def _team_code(hamlet_code: str, taken: set[str]) -> str:
    number = 1
    while f"{hamlet_code}-T{number}" in taken:
        number += 1
    code = f"{hamlet_code}-T{number}"
    taken.add(code)
    return code


def import_members(actor: permissions.Actor, data: MembersData) -> ImportReport:
    """Write a validated member list (`transfer.read_members`): teams found or created by hamlet and name,
    members created or updated by phone. Members missing from the file are left as they are (an end date
    in the file ends a membership)."""
    managed = permissions.team_manager_agency_ids(actor)
    outside = {row.agency_id for row in data.rows} - managed if managed is not None else set()
    if outside or (managed is not None and not managed):
        raise PermissionDenied(_("Bạn không quản lý các tổ công nghệ số trong tệp này."))
    with transaction.atomic():
        hamlet_ids = {row.hamlet_id for row in data.rows}
        hamlets = {h.pk: h for h in AdministrativeUnit.objects.filter(pk__in=hamlet_ids)}
        teams: dict[tuple[int, str], Team] = {
            (team.hamlet_id, fold(team.name)): team for team in Team.objects.filter(hamlet_id__in=hamlet_ids)
        }
        taken = set(Team.objects.filter(hamlet_id__in=hamlet_ids).values_list("code", flat=True))
        teams_created = 0
        for row in data.rows:
            key = (row.hamlet_id, fold(row.team_name))
            if key not in teams:
                hamlet = hamlets[row.hamlet_id]
                teams[key] = Team.objects.create(
                    code=_team_code(hamlet.code, taken),
                    name=row.team_name,
                    hamlet=hamlet,
                    agency_id=row.agency_id,
                    established_on=row.active_from or today(),
                )
                teams_created += 1

        existing = {
            member.phone: member
            for member in Member.objects.select_for_update().filter(
                phone__in=[row.phone for row in data.rows]
            )
        }
        new: list[Member] = []
        changed: list[Member] = []
        unchanged = 0
        fields = ("team_id", "full_name", "role", "skills", "note", "active_from", "active_until")
        for row in data.rows:
            team = teams[(row.hamlet_id, fold(row.team_name))]
            member = existing.get(row.phone)
            if member is None:
                member = Member(phone=row.phone, active_from=row.active_from or today())
                new.append(member)
            before = tuple(getattr(member, name) for name in fields)
            member.team_id = team.pk
            member.full_name = row.full_name
            member.role = row.role
            member.skills = row.skills
            member.note = row.note
            member.active_from = row.active_from or member.active_from
            member.active_until = row.active_until
            member.search_key = _member_search_key(member)
            if member.pk is not None:
                if tuple(getattr(member, name) for name in fields) != before:
                    member.updated_at = timezone.now()  # bulk_update does not run auto_now
                    changed.append(member)
                else:
                    unchanged += 1
        Member.objects.bulk_create(new)
        if changed:
            Member.objects.bulk_update(changed, [*fields, "search_key", "updated_at"])
        report = ImportReport(
            created=len(new), updated=len(changed), unchanged=unchanged, teams_created=teams_created
        )
        _event(
            EventKind.IMPORT_MEMBERS,
            actor=_user(actor),
            data={
                "file": data.file_name,
                "sha256": data.sha256,
                "format": data.format,
                "encoding": data.encoding,
                "rows": len(data.rows),
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "teams_created": report.teams_created,
            },
        )
    # Memberships changed: cached team grants of accounts in this process are stale.
    log.info("community_members_imported", file=data.file_name, **report.__dict__)
    return report


@dataclass
class AccessReport:
    linked: list[Member] = field(default_factory=list)
    already: list[Member] = field(default_factory=list)
    without_account: list[Member] = field(default_factory=list)


def grant_member_access(actor: permissions.Actor, members: Iterable[Member]) -> AccessReport:
    """Let members sign in as members of their team: link each to the citizen account with their phone
    (when not linked yet) and give that account the community member role in the team's agency. Members
    without an account are listed; they register on the portal with their phone first."""
    permissions.require(
        permissions.can_manage_accounts(actor),
        _("Chỉ quản trị cấp tỉnh mới được cấp quyền đăng nhập cho thành viên."),
    )
    report = AccessReport()
    with transaction.atomic():
        for member in (
            Member.objects.select_for_update()
            .select_related("team__agency")
            .filter(pk__in=[m.pk for m in members])
        ):
            account = member.user or User.objects.filter(kind=UserKind.CITIZEN, phone=member.phone).first()
            if account is None:
                report.without_account.append(member)
                continue
            holds = account.role_assignments.filter(
                role=Role.COMMUNITY_MEMBER, agency=member.team.agency
            ).exists()
            if member.user_id == account.pk and holds:
                report.already.append(member)
                continue
            if member.user_id != account.pk:
                if Member.objects.filter(user=account).exclude(pk=member.pk).exists():
                    report.without_account.append(member)  # that account is another member's
                    continue
                member.user = account
                member.save(update_fields=["user", "updated_at"])
            account_actions.assign_role(actor, account, Role.COMMUNITY_MEMBER, member.team.agency)
            permissions.forget_cached_grants(account)
            report.linked.append(member)
            _event(
                EventKind.LINK_ACCOUNT,
                actor=_user(actor),
                team=member.team,
                data={"member": member.pk, "user": account.pk},
            )
    return report


# --- support activities -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityInput:
    client_id: uuid.UUID
    kind: str
    household: str
    hamlet_id: int | None
    date: date | None
    note: str = ""
    recorded_at: datetime | None = None


HOUSEHOLD_LIMIT = Activity._meta.get_field("household").max_length or 200
ACTIVITY_NOTE_LIMIT = Activity._meta.get_field("note").max_length or 500
OLDEST_ACTIVITY_DAYS = 366


def _acting_member(actor: permissions.Actor | None, team: Team) -> Member:
    member = membership(actor, team)
    if member is None:
        raise PermissionDenied(_("Bạn không phải thành viên đang hoạt động của tổ này."))
    return member


def activity_errors(team: Team, entry: ActivityInput) -> list[FieldError]:
    errors: list[FieldError] = []
    if entry.kind not in ActivityKind.values:
        errors.append(FieldError("kind", _("Chọn nội dung hỗ trợ.")))
    household = " ".join(entry.household.split())
    if not household:
        errors.append(FieldError("household", _("Ghi tên chủ hộ hoặc hộ gia đình được hỗ trợ.")))
    elif len(household) > HOUSEHOLD_LIMIT:
        errors.append(FieldError("household", _("Dài quá {limit} ký tự."), params={"limit": HOUSEHOLD_LIMIT}))
    if len(entry.note) > ACTIVITY_NOTE_LIMIT:
        errors.append(FieldError("note", _("Dài quá {limit} ký tự."), params={"limit": ACTIVITY_NOTE_LIMIT}))
    if entry.hamlet_id is None or not commune_hamlets(team.agency).filter(pk=entry.hamlet_id).exists():
        errors.append(FieldError("hamlet", _("Chọn một ấp, khu vực của xã.")))
    current = today()
    if entry.date is None:
        errors.append(FieldError("date", _("Chọn ngày hỗ trợ.")))
    elif entry.date > current:
        errors.append(FieldError("date", _("Ngày hỗ trợ không được sau hôm nay.")))
    elif entry.date < current - timedelta(days=OLDEST_ACTIVITY_DAYS):
        errors.append(FieldError("date", _("Chỉ ghi nhận hoạt động trong vòng một năm.")))
    return errors


def _same_activity(existing: Activity, team: Team) -> tuple[Activity, bool]:
    if existing.team_id != team.pk:
        # Someone else's entry: never say whose, nor that it exists.
        raise DomainError(_("Mã ghi nhận này đã được dùng."), code="conflict", status=409)
    return existing, False


def record_activity(
    actor: permissions.Actor | None, team: Team, entry: ActivityInput
) -> tuple[Activity, bool]:
    """Record one support activity for `team`; returns it and whether it is new. The same `client_id`
    sent again (a queued entry resent after a lost answer) gives back the stored entry, unchanged."""
    member = _acting_member(actor, team)
    existing = Activity.objects.filter(client_id=entry.client_id).first()
    if existing is not None:
        return _same_activity(existing, team)
    errors = activity_errors(team, entry)
    if errors:
        raise DomainError(_("Chưa ghi nhận được: vui lòng sửa các mục bên dưới."), errors=errors)
    assert entry.date is not None
    assert entry.hamlet_id is not None
    try:
        with transaction.atomic():
            activity = Activity.objects.create(
                client_id=entry.client_id,
                team=team,
                member=member,
                kind=entry.kind,
                household=" ".join(entry.household.split()),
                hamlet_id=entry.hamlet_id,
                date=entry.date,
                note=entry.note.strip(),
                recorded_at=entry.recorded_at,
            )
            _event(
                EventKind.RECORD_ACTIVITY,
                actor=_user(actor),
                team=team,
                data={"activity": activity.pk, "client_id": str(entry.client_id), "kind": entry.kind},
            )
    except IntegrityError:
        # The same entry arrived twice at once: the other request stored it.
        return _same_activity(Activity.objects.get(client_id=entry.client_id), team)
    log.info("community_activity_recorded", team=team.pk, activity=activity.pk, kind=entry.kind)
    return activity, True


def edit_activity(actor: permissions.Actor | None, activity: Activity, entry: ActivityInput) -> Activity:
    """Correct an activity of one's own team (kind, household, hamlet, date, note)."""
    team = activity.team
    _acting_member(actor, team)
    errors = activity_errors(team, entry)
    if errors:
        raise DomainError(_("Chưa lưu được: vui lòng sửa các mục bên dưới."), errors=errors)
    assert entry.date is not None
    assert entry.hamlet_id is not None
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        before = {
            "kind": locked.kind,
            "household": locked.household,
            "hamlet": locked.hamlet_id,
            "date": str(locked.date),
            "note": locked.note,
        }
        locked.kind = entry.kind
        locked.household = " ".join(entry.household.split())
        locked.hamlet_id = entry.hamlet_id
        locked.date = entry.date
        locked.note = entry.note.strip()
        locked.save()
        _event(
            EventKind.EDIT_ACTIVITY,
            actor=_user(actor),
            team=team,
            data={"activity": locked.pk, "before": before},
        )
    return locked


# --- one-time codes -----------------------------------------------------------------------------------------


def _otp_key() -> bytes:
    return hashlib.sha256(_OTP_KEY_LABEL + b":" + settings.SECRET_KEY.encode()).digest()


def _sms(phone: str, text: str, key: uuid.UUID) -> None:
    sms_provider().send(
        to=phone,
        text=sms_text(
            text, unaccented=settings.MEKONG_SMS_UNACCENTED, max_length=settings.MEKONG_SMS_MAX_LENGTH
        ),
        idempotency_key=str(key),
    )


@dataclass(frozen=True)
class SentCode:
    masked_phone: str
    expires_at: datetime


def _issue_code(
    purpose: CodePurpose,
    *,
    phone: str,
    message: Callable[[str], str],
    assisted: AssistedSubmission | None = None,
    user: User | None = None,
    now: datetime,
) -> SentCode:
    """Make a code for one subject (an assisted submission or an account), void its earlier ones, and
    text it. Limits: one per subject per MEKONG_OTP_RESEND_SECONDS, MEKONG_OTP_PER_PHONE_PER_HOUR per phone."""
    with transaction.atomic():
        subject = OneTimeCode.objects.filter(purpose=purpose, assisted=assisted, user=user)
        last = subject.order_by("-created_at").values_list("created_at", flat=True).first()
        wait = timedelta(seconds=settings.MEKONG_OTP_RESEND_SECONDS)
        if last is not None and now - last < wait:
            raise DomainError(
                _("Vui lòng chờ {seconds} giây rồi gửi lại mã."),
                code="too_soon",
                status=429,
                seconds=int((wait - (now - last)).total_seconds()) + 1,
            )
        sent_lately = OneTimeCode.objects.filter(phone=phone, created_at__gt=now - timedelta(hours=1)).count()
        if sent_lately >= settings.MEKONG_OTP_PER_PHONE_PER_HOUR:
            raise DomainError(
                _("Đã gửi quá nhiều mã đến số điện thoại này trong một giờ. Vui lòng thử lại sau."),
                code="too_many_codes",
                status=429,
            )
        subject.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        code = otp.new_code()
        salt = otp.new_salt()
        row = OneTimeCode.objects.create(
            purpose=purpose,
            assisted=assisted,
            user=user,
            phone=phone,
            salt=salt,
            code_hash=otp.code_hash(code, salt, _otp_key()),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.MEKONG_OTP_TTL_SECONDS),
        )
        if assisted is not None:
            _event(
                EventKind.SEND_CODE,
                actor=None,
                team=assisted.team,
                data={"assisted": assisted.pk, "phone": otp.mask_phone(phone)},
            )
    # Sent once the code is stored: a text never announces a code that does not exist.
    try:
        _sms(phone, message(code), row.sms_key)
    except DeliveryError as error:
        OneTimeCode.objects.filter(pk=row.pk).update(expires_at=now)
        log.warning("community_code_not_sent", purpose=str(purpose), error=str(error))
        raise DomainError(
            _("Chưa gửi được tin nhắn có mã xác nhận. Vui lòng thử lại sau ít phút."),
            code="sms_unavailable",
            status=503,
        ) from error
    log.info("community_code_sent", purpose=str(purpose), code_id=row.pk)
    return SentCode(masked_phone=otp.mask_phone(phone), expires_at=row.expires_at)


WRONG_CODE = _("Mã xác nhận không đúng. Còn {left} lần thử.")
NO_CODE = _("Mã xác nhận đã hết hạn hoặc chưa được gửi. Vui lòng gửi mã mới.")
TOO_MANY_TRIES = _("Đã nhập sai mã quá số lần cho phép. Vui lòng gửi mã mới.")


def _check_code(
    purpose: CodePurpose,
    *,
    code: str,
    now: datetime,
    assisted: AssistedSubmission | None = None,
    user: User | None = None,
) -> int:
    """The id of the live code of this subject, if `code` is it. A wrong guess is counted and committed
    (this runs in its own transaction) before the refusal."""
    verdict: tuple[Any, dict[str, Any]] | None = None
    code = "".join((code or "").split())
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(purpose=purpose, assisted=assisted, user=user, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        limit = settings.MEKONG_OTP_MAX_ATTEMPTS
        if row is None:
            verdict = (NO_CODE, {})
        elif row.failed_attempts >= limit:
            verdict = (TOO_MANY_TRIES, {})
        elif not otp.matches(code, row.salt, row.code_hash, _otp_key()):
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts"])
            left = limit - row.failed_attempts
            verdict = (WRONG_CODE, {"left": left}) if left > 0 else (TOO_MANY_TRIES, {})
            if assisted is not None:
                _event(EventKind.WRONG_CODE, actor=None, team=assisted.team, data={"assisted": assisted.pk})
    if verdict is not None:
        message, params = verdict
        raise DomainError(
            message, errors=[FieldError("code", message, params=params)], code="bad_code", **params
        )
    assert row is not None
    return row.pk


def _use_code(code_id: int, now: datetime) -> None:
    """Inside the transaction that acts on it: the code is spent with the action, or not at all."""
    row = OneTimeCode.objects.select_for_update().get(pk=code_id)
    if row.used_at is not None or row.expires_at <= now:
        raise DomainError(NO_CODE, errors=[FieldError("code", NO_CODE)], code="bad_code")
    row.used_at = now
    row.save(update_fields=["used_at"])


# --- assisted submission -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitizenInput:
    full_name: str
    personal_id: str
    phone: str
    address: str = ""


def _citizen_errors(citizen: CitizenInput) -> tuple[CitizenInput, str, list[FieldError]]:
    """The cleaned values, the phone the citizen will be reached at, and every problem."""
    errors: list[FieldError] = []
    name = " ".join(citizen.full_name.split())
    personal_id = citizen.personal_id.strip()
    phone = normalize_phone(citizen.phone) or ""
    address = " ".join(citizen.address.split())
    if not name:
        errors.append(FieldError("full_name", _("Vui lòng nhập họ và tên người nộp.")))
    elif len(name) > 200:
        errors.append(FieldError("full_name", _("Họ và tên dài quá {limit} ký tự."), params={"limit": 200}))
    if not is_personal_id(personal_id):
        errors.append(FieldError("personal_id", _("Số định danh cá nhân gồm đúng 12 chữ số.")))
    if not phone:
        errors.append(
            FieldError(
                "phone",
                _("Số điện thoại di động không hợp lệ: 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."),
            )
        )
    if len(address) > 300:
        errors.append(FieldError("address", _("Địa chỉ dài quá {limit} ký tự."), params={"limit": 300}))
    notify_phone = phone
    if not errors:
        account = User.objects.filter(personal_id=personal_id).first()
        if account is not None:
            if not account.is_citizen or not account.is_active:
                errors.append(
                    FieldError("personal_id", _("Không nộp hộ được cho tài khoản mang số định danh này."))
                )
            notify_phone = account.phone or phone
        elif User.objects.filter(kind=UserKind.CITIZEN, phone=phone).exists():
            errors.append(
                FieldError(
                    "phone",
                    _(
                        "Số điện thoại này đã gắn với tài khoản của một công dân khác. Nhập số điện thoại "
                        "của chính người nộp hồ sơ."
                    ),
                )
            )
    cleaned = CitizenInput(full_name=name, personal_id=personal_id, phone=phone, address=address)
    return cleaned, notify_phone, errors


def start_assisted(
    actor: permissions.Actor | None,
    team: Team,
    *,
    procedure: Procedure,
    agency: Agency,
    citizen: CitizenInput,
) -> AssistedSubmission:
    """A member begins a dossier for a citizen: the draft (no owner account yet) and its record. The
    citizen's phone is where the consent code and, once filed, every notification go: that of their
    account when they have one."""
    member = _acting_member(actor, team)
    assert isinstance(actor, User)
    if not procedure.is_active or procedure.online_level not in (OnlineLevel.FULL, OnlineLevel.PARTIAL):
        raise DomainError(_("Thủ tục này không nộp trực tuyến được."), code="not_online")
    cleaned, notify_phone, errors = _citizen_errors(citizen)
    if errors:
        raise DomainError(_("Thông tin người nộp chưa đúng: vui lòng sửa các mục bên dưới."), errors=errors)
    with transaction.atomic():
        draft = dossier_actions.create_draft(
            actor=actor,
            procedure=procedure,
            agency=agency,
            applicant=dossier_actions.Applicant(
                name=cleaned.full_name,
                personal_id=cleaned.personal_id,
                phone=cleaned.phone,
                address=cleaned.address,
            ),
            assisted=True,
        )
        assisted = AssistedSubmission.objects.create(
            dossier=draft,
            procedure=procedure,
            team=team,
            member=member,
            started_by=actor,
            notify_phone=notify_phone,
        )
        _event(
            EventKind.START_ASSISTED,
            actor=actor,
            team=team,
            data={"assisted": assisted.pk, "dossier": draft.pk, "procedure": procedure.code},
        )
    return assisted


def _open(actor: permissions.Actor | None, assisted: AssistedSubmission) -> AssistedSubmission:
    """`assisted`, locked, if `actor` acts for its team and it is still being prepared."""
    locked = (
        AssistedSubmission.objects.select_for_update(of=("self",))
        .select_related("team", "team__hamlet", "member", "procedure", "dossier", "dossier__agency")
        .get(pk=assisted.pk)
    )
    if not permissions.can_act_for_team(actor, locked.team):
        raise PermissionDenied(_("Bạn không phải thành viên đang hoạt động của tổ này."))
    if locked.submitted_at is not None:
        raise DomainError(_("Hồ sơ này đã được nộp."), code="already_submitted", status=409)
    if locked.declined_at is not None or locked.dossier is None:
        raise DomainError(_("Người dân đã không đồng ý nộp hồ sơ này."), code="declined", status=409)
    return locked


def consent_text(assisted: AssistedSubmission) -> str:
    """What the citizen agrees to, in Vietnamese (kept with the consent as shown)."""
    dossier = assisted.dossier
    assert dossier is not None
    with translation.override("vi"):
        return str(
            _(
                "Tôi là {name}, số định danh cá nhân {personal_id}, đồng ý để {member} ({team}) nộp trực "
                "tuyến thay tôi hồ sơ «{procedure}» tại {agency}, với thông tin và giấy tờ đã xem lại trên "
                "màn hình; hồ sơ được ghi vào tài khoản của tôi và mọi thông báo về hồ sơ gửi đến số điện "
                "thoại {phone}."
            )
        ).format(
            name=dossier.applicant_name,
            personal_id=dossier.applicant_personal_id,
            member=assisted.member.full_name,
            team=assisted.team.name,
            procedure=assisted.procedure.name,
            agency=dossier.agency.name,
            phone=otp.mask_phone(assisted.notify_phone),
        )


def _require_complete(dossier: Dossier) -> None:
    errors = dossier_actions.submission_errors(dossier)
    if errors:
        raise DomainError(
            _("Hồ sơ chưa đầy đủ, vui lòng kiểm tra các mục được đánh dấu."), errors=errors, code="incomplete"
        )


def send_consent_code(
    actor: permissions.Actor | None, assisted: AssistedSubmission, *, now: datetime | None = None
) -> SentCode:
    """Text the citizen a code that, typed on the member's phone, says they agree to the filing. Sent only
    when the draft is complete, so a code is never spent on a dossier that cannot be filed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _open(actor, assisted)
        assert locked.dossier is not None
        _require_complete(locked.dossier)
    hamlet = locked.team.hamlet.name

    def message(code: str) -> str:
        with translation.override("vi"):
            return str(
                _(
                    "Ma xac nhan {code}. Nhap ma nay de dong y cho To cong nghe so {hamlet} nop ho so thay "
                    "ban. Het han sau {minutes} phut. Khong dua ma neu ban khong dong y."
                )
            ).format(code=code, hamlet=hamlet, minutes=settings.MEKONG_OTP_TTL_SECONDS // 60)

    return _issue_code(
        CodePurpose.ASSISTED_CONSENT, phone=locked.notify_phone, message=message, assisted=locked, now=now
    )


def _citizen_account(dossier: Dossier) -> tuple[User, bool]:
    """The citizen's account (by personal ID), made now — without a password — when they have none."""
    existing = User.objects.filter(personal_id=dossier.applicant_personal_id).first()
    if existing is not None:
        if not existing.is_citizen or not existing.is_active:
            raise DomainError(
                _("Không nộp hộ được cho tài khoản mang số định danh này."),
                errors=[FieldError("personal_id", _("Tài khoản không nhận hồ sơ nộp hộ."))],
            )
        return existing, False
    created = account_actions.register_assisted_citizen(
        dossier.applicant_personal_id, dossier.applicant_phone, dossier.applicant_name
    )
    return created, True


def _file(
    actor: permissions.Actor | None,
    assisted: AssistedSubmission,
    *,
    method: ConsentMethod,
    now: datetime,
    code_id: int | None = None,
    signature_png: bytes | None = None,
) -> Dossier:
    with transaction.atomic():
        locked = _open(actor, assisted)
        assert isinstance(actor, User)
        assert locked.dossier is not None
        if code_id is not None:
            _use_code(code_id, now)
        citizen, account_created = _citizen_account(locked.dossier)
        signature = check_signature(signature_png) if signature_png is not None else None
        text = consent_text(locked)
        assistance: dict[str, Any] = {
            "team": locked.team_id,
            "team_name": locked.team.name,
            "member": locked.member_id,
            "member_name": locked.member.full_name,
            "consent": method.value,
        }
        if signature is not None:
            assistance["signature_sha256"] = signature.sha256
        dossier = dossier_actions.submit_on_behalf(
            locked.dossier, actor=actor, applicant=citizen, assistance=assistance, at=now
        )
        locked.citizen = citizen
        locked.account_created = account_created
        locked.consent_method = method
        locked.consent_text = text
        locked.consented_at = now
        locked.submitted_at = now
        if signature is not None:
            # Written last: a refusal above leaves no file behind.
            locked.signature_sha256 = signature.sha256
            locked.signature.save("chu-ky.png", ContentFile(signature.png), save=False)
        locked.save()
        _event(
            EventKind.SUBMIT_ASSISTED,
            actor=actor,
            team=locked.team,
            data={
                "assisted": locked.pk,
                "dossier": dossier.code,
                "consent": method.value,
                "account_created": account_created,
                "consent_text_version": CONSENT_TEXT_VERSION,
            },
        )
        transaction.on_commit(partial(send_filed_message, locked.pk), robust=True)
    log.info("community_assisted_submitted", assisted=locked.pk, dossier=dossier.code, consent=method.value)
    return dossier


def submit_with_code(
    actor: permissions.Actor | None, assisted: AssistedSubmission, code: str, *, now: datetime | None = None
) -> Dossier:
    """File the dossier once the citizen has given the code texted to them."""
    now = now or timezone.now()
    with transaction.atomic():
        _open(actor, assisted)  # permission and state first: a stranger learns nothing about the code
    code_id = _check_code(CodePurpose.ASSISTED_CONSENT, code=code, now=now, assisted=assisted)
    return _file(actor, assisted, method=ConsentMethod.OTP, now=now, code_id=code_id)


def submit_with_signature(
    actor: permissions.Actor | None, assisted: AssistedSubmission, png: bytes, *, now: datetime | None = None
) -> Dossier:
    """File the dossier with the citizen's signature drawn on the screen (stored with its SHA-256)."""
    now = now or timezone.now()
    check_signature(png)  # a blank or broken drawing is refused before anything else
    return _file(actor, assisted, method=ConsentMethod.SIGNATURE, now=now, signature_png=png)


def decline_assisted(
    actor: permissions.Actor | None, assisted: AssistedSubmission, *, now: datetime | None = None
) -> AssistedSubmission:
    """The citizen does not agree: nothing is filed, and the draft with its files is deleted (nothing is
    kept about someone who said no). The record keeps the team, the procedure and when."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _open(actor, assisted)
        assert isinstance(actor, User)
        assert locked.dossier is not None
        # Deleted while the record still says "being prepared by this team" (the draft hook asks).
        dossier_actions.discard_draft(locked.dossier, actor=actor)
        locked.dossier = None
        locked.declined_at = now
        locked.save(update_fields=["dossier", "declined_at"])
        OneTimeCode.objects.filter(assisted=locked, used_at__isnull=True).update(expires_at=now)
        _event(EventKind.DECLINE_ASSISTED, actor=actor, team=locked.team, data={"assisted": locked.pk})
    return locked


def send_filed_message(assisted_id: int) -> None:
    """After filing: tell the citizen by SMS that their dossier was filed, and how to follow it — with the
    account activation page when their account was just made. Best effort: a failure is logged."""
    assisted = AssistedSubmission.objects.select_related("dossier", "citizen").filter(pk=assisted_id).first()
    if assisted is None or assisted.dossier is None or assisted.citizen is None:
        return
    submitted = assisted.submitted_at or timezone.now()
    if is_stale(submitted, timezone.now(), timedelta(hours=settings.MEKONG_NOTIFY_MAX_AGE_HOURS)):
        return  # as for notifications (decision 0003): old news is not texted
    citizen = assisted.citizen
    base = settings.MEKONG_PUBLIC_URL
    with translation.override(preferences_of(citizen).language):
        if account_actions.is_awaiting_activation(citizen):
            text = str(_("Ho so {code} da duoc nop thay ban. Kich hoat tai khoan de theo doi: {url}")).format(
                code=assisted.dossier.code, url=f"{base}/tai-khoan/kich-hoat/"
            )
        else:
            text = str(_("Ho so {code} da duoc nop thay ban. Theo doi tai: {url}")).format(
                code=assisted.dossier.code, url=f"{base}/ho-so/"
            )
    try:
        _sms(assisted.notify_phone, text, uuid.uuid5(uuid.NAMESPACE_URL, f"mekong:assisted:{assisted.pk}"))
    except Exception as error:  # a courtesy text: the dossier is filed either way
        log.warning("community_filed_message_not_sent", assisted=assisted.pk, error=str(error))


# --- activating an account made for a citizen ---------------------------------------------------------------


def _awaiting(personal_id: str, phone: str) -> User | None:
    national = normalize_phone(phone or "")
    user = User.objects.filter(personal_id=(personal_id or "").strip(), kind=UserKind.CITIZEN).first()
    if user is None or national is None or user.phone != national:
        return None
    return user if account_actions.is_awaiting_activation(user) else None


def send_activation_code(personal_id: str, phone: str, *, now: datetime | None = None) -> SentCode | None:
    """Text a code to the phone of an account waiting for activation with this personal ID and phone;
    None (and nothing sent) otherwise — the page answers the same either way."""
    now = now or timezone.now()
    user = _awaiting(personal_id, phone)
    if user is None:
        return None

    def message(code: str) -> str:
        with translation.override("vi"):
            return str(
                _(
                    "Ma kich hoat tai khoan dich vu cong: {code}. Het han sau {minutes} phut. Khong dua ma cho ai."
                )
            ).format(code=code, minutes=settings.MEKONG_OTP_TTL_SECONDS // 60)

    return _issue_code(CodePurpose.ACCOUNT_ACTIVATION, phone=user.phone, message=message, user=user, now=now)


def activate_account(
    personal_id: str, phone: str, code: str, password: str, *, now: datetime | None = None
) -> User:
    """Set the first password of the account made when a team member filed for the citizen."""
    now = now or timezone.now()
    user = _awaiting(personal_id, phone)
    if user is None:
        raise DomainError(NO_CODE, errors=[FieldError("code", NO_CODE)], code="bad_code")
    code_id = _check_code(CodePurpose.ACCOUNT_ACTIVATION, code=code, now=now, user=user)
    with transaction.atomic():
        _use_code(code_id, now)
        account_actions.activate_citizen(user, password)
        _event(EventKind.ACTIVATE_ACCOUNT, actor=user, data={"user": user.pk})
    return user
