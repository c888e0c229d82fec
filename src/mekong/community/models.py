"""Community digital technology teams (tổ công nghệ số cộng đồng) and what they do.

- `Team`: a team of one hamlet or residential area (ấp, khu vực), run by the commune's People's Committee
  (its `agency`). A hamlet may have several teams.
- `Member`: a person in a team, with their role, phone (which identifies them in imports), skills and
  active period; linked to an account when they sign in to the platform.
- `Activity`: one support a member gave a household (installing the app, an electronic identification
  account…). Its `client_id` is made by the phone that recorded it, so an entry sent twice (offline queue,
  lost answer) is stored once.
- `AssistedSubmission`: a dossier a member filed for a citizen, with how the citizen consented (a code sent
  to their phone, or a signature drawn on the screen).
- `OneTimeCode`: a code sent by SMS (consent to an assisted submission, activating an account made then).
  Only a keyed hash of the code is stored.
- `CommunityEvent`: the append-only history of every change made through `community.actions`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mekong.core.models import AppendOnly
from mekong.core.text import fold


class MemberRole(models.TextChoices):
    LEADER = "leader", _("Tổ trưởng")
    DEPUTY = "deputy", _("Tổ phó")
    MEMBER = "member", _("Thành viên")


class ActivityKind(models.TextChoices):
    INSTALL_APP = "install_app", _("Cài đặt ứng dụng")
    EID_ACCOUNT = "eid_account", _("Tạo tài khoản định danh điện tử")
    ONLINE_FILING = "online_filing", _("Nộp hồ sơ trực tuyến")
    CASHLESS_PAYMENT = "cashless_payment", _("Thanh toán không dùng tiền mặt")
    EHEALTH_CARD = "ehealth_card", _("Thẻ bảo hiểm y tế điện tử")
    OTHER = "other", _("Khác")


class ConsentMethod(models.TextChoices):
    OTP = "otp", _("Mã xác nhận gửi qua SMS")
    SIGNATURE = "signature", _("Chữ ký trên màn hình")


class CodePurpose(models.TextChoices):
    ASSISTED_CONSENT = "assisted_consent", _("Đồng ý nộp hồ sơ hộ")
    ACCOUNT_ACTIVATION = "account_activation", _("Kích hoạt tài khoản")


def active_on(day: date, prefix: str = "") -> Q:
    """Members (or, with `prefix`, the members of a relation) active on `day`."""
    return Q(**{f"{prefix}active_from__lte": day}) & (
        Q(**{f"{prefix}active_until__isnull": True}) | Q(**{f"{prefix}active_until__gte": day})
    )


def team_active_on(day: date, prefix: str = "") -> Q:
    """Teams (or the teams of a relation) not dissolved on `day`."""
    return Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": day})


class Team(models.Model):
    code = models.CharField(_("mã tổ"), max_length=40)
    name = models.CharField(_("tên tổ"), max_length=200)
    hamlet = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("ấp, khu vực"),
        on_delete=models.PROTECT,
        related_name="community_teams",
        limit_choices_to={"level": "hamlet"},
    )
    agency = models.ForeignKey(
        "catalog.Agency",
        verbose_name=_("UBND xã quản lý"),
        on_delete=models.PROTECT,
        related_name="community_teams",
    )
    established_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tổ công nghệ số cộng đồng")
        verbose_name_plural = _("tổ công nghệ số cộng đồng")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="community_team_code"),
            models.UniqueConstraint(fields=["hamlet", "name"], name="community_team_hamlet_name"),
        ]
        indexes = [models.Index(fields=["agency", "code"])]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: date) -> bool:
        return self.dissolved_on is None or self.dissolved_on > day


class Member(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("tổ"), on_delete=models.PROTECT, related_name="members")
    full_name = models.CharField(_("họ và tên"), max_length=200)
    role = models.CharField(_("chức vụ trong tổ"), max_length=10, choices=MemberRole.choices)
    phone = models.CharField(_("số điện thoại"), max_length=15)
    skills = models.CharField(_("kỹ năng"), max_length=300, blank=True)
    active_from = models.DateField(_("ngày bắt đầu"))
    active_until = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_memberships",
    )
    search_key = models.CharField(max_length=250, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thành viên tổ công nghệ số")
        verbose_name_plural = _("thành viên tổ công nghệ số")
        ordering = ["team", "role", "full_name"]
        constraints = [
            # The phone names the person in the communes' lists: one member per phone.
            models.UniqueConstraint(
                fields=["phone"],
                name="community_member_phone",
                violation_error_message=_("Số điện thoại này đã là của một thành viên khác."),
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False), name="community_member_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = fold(f"{self.full_name} {self.phone}")
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    def is_active_on(self, day: date) -> bool:
        return self.active_from <= day and (self.active_until is None or self.active_until >= day)


class Activity(models.Model):
    client_id = models.UUIDField(_("mã ghi nhận"), help_text=_("Do điện thoại tạo khi ghi nhận."))
    team = models.ForeignKey(Team, verbose_name=_("tổ"), on_delete=models.PROTECT, related_name="activities")
    member = models.ForeignKey(
        Member, verbose_name=_("thành viên hỗ trợ"), on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(_("nội dung hỗ trợ"), max_length=20, choices=ActivityKind.choices)
    household = models.CharField(_("hộ gia đình"), max_length=200)
    hamlet = models.ForeignKey(
        "geo.AdministrativeUnit", verbose_name=_("ấp, khu vực"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("ngày hỗ trợ"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("thời điểm ghi trên điện thoại"), null=True, blank=True)
    created_at = models.DateTimeField(_("thời điểm nhận"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hoạt động hỗ trợ")
        verbose_name_plural = _("hoạt động hỗ trợ")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["client_id"], name="community_activity_client_id")]
        indexes = [models.Index(fields=["team", "-date"]), models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.household} ({self.date:%d/%m/%Y})"


def signature_path(instance: AssistedSubmission, filename: str) -> str:
    return f"community/signatures/{uuid.uuid4().hex}.png"


class AssistedSubmission(models.Model):
    """A dossier a team member prepares and files for a citizen. Until it is filed the dossier is a draft
    without an owner account; filing needs the citizen's consent and makes the dossier theirs."""

    # Empty once the citizen declined: the draft and its files are deleted (nothing kept about them).
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assistance",
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, verbose_name=_("tổ"), on_delete=models.PROTECT, related_name="assisted_submissions"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("thành viên hỗ trợ"),
        on_delete=models.PROTECT,
        related_name="assisted_submissions",
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Where the consent code and the notifications go: the phone of the citizen's account, or the one given.
    notify_phone = models.CharField(_("số điện thoại nhận thông báo"), max_length=15)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản công dân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assisted_dossiers",
    )
    account_created = models.BooleanField(_("tạo tài khoản mới cho công dân"), default=False)
    consent_method = models.CharField(
        _("cách xác nhận đồng ý"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    consent_text = models.TextField(_("nội dung công dân đồng ý"), blank=True)
    consented_at = models.DateTimeField(_("thời điểm đồng ý"), null=True, blank=True)
    signature = models.FileField(_("chữ ký"), upload_to=signature_path, null=True, blank=True)
    signature_sha256 = models.CharField(max_length=64, blank=True)
    declined_at = models.DateTimeField(_("thời điểm từ chối"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("thời điểm nộp"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ nộp với hỗ trợ của tổ")
        verbose_name_plural = _("hồ sơ nộp với hỗ trợ của tổ")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.dossier or self.procedure} — {self.team}"

    @property
    def is_open(self) -> bool:
        """Still being prepared: neither filed nor refused by the citizen."""
        return self.submitted_at is None and self.declined_at is None


class OneTimeCode(models.Model):
    purpose = models.CharField(max_length=20, choices=CodePurpose.choices)
    assisted = models.ForeignKey(
        AssistedSubmission, null=True, blank=True, on_delete=models.CASCADE, related_name="codes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    phone = models.CharField(max_length=15)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    sms_key = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác nhận")
        verbose_name_plural = _("mã xác nhận")
        indexes = [models.Index(fields=["phone", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.phone}"


class EventKind(models.TextChoices):
    IMPORT_MEMBERS = "import_members", _("Nhập danh sách thành viên")
    LINK_ACCOUNT = "link_account", _("Gắn tài khoản cho thành viên")
    RECORD_ACTIVITY = "record_activity", _("Ghi nhận hoạt động hỗ trợ")
    EDIT_ACTIVITY = "edit_activity", _("Sửa hoạt động hỗ trợ")
    START_ASSISTED = "start_assisted", _("Bắt đầu nộp hồ sơ hộ")
    SEND_CODE = "send_code", _("Gửi mã xác nhận")
    WRONG_CODE = "wrong_code", _("Nhập sai mã xác nhận")
    SUBMIT_ASSISTED = "submit_assisted", _("Nộp hồ sơ hộ")
    DECLINE_ASSISTED = "decline_assisted", _("Công dân không đồng ý nộp hồ sơ")
    ACTIVATE_ACCOUNT = "activate_account", _("Kích hoạt tài khoản công dân")


class CommunityEvent(AppendOnly):
    """One change made through `community.actions`. Append-only: `save` refuses updates, `delete` refuses."""

    kind = models.CharField(_("thao tác"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    data = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhật ký tổ công nghệ số")
        verbose_name_plural = _("nhật ký tổ công nghệ số")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%d/%m/%Y %H:%M})"
