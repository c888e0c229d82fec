"""People who use the platform.

Citizens sign in with their 12-digit personal identification number (số định danh cá nhân, as on
the chip-based ID card) and a password; an OIDC provider such as VNeID can be added as another
authentication backend. Officials sign in with a username and hold roles bound to an agency.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.accounts.roles import Role

personal_id_validator = RegexValidator(r"^\d{12}$", _("Số định danh cá nhân gồm đúng 12 chữ số."))
phone_validator = RegexValidator(
    r"^(0|\+84)\d{9}$", _("Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).")
)


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân, tổ chức")
    OFFICIAL = "official", _("Cán bộ, công chức")


class User(AbstractUser):
    kind = models.CharField(
        _("loại tài khoản"), max_length=10, choices=UserKind.choices, default=UserKind.CITIZEN
    )
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    personal_id = models.CharField(
        _("số định danh cá nhân"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[personal_id_validator],
    )
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True, validators=[phone_validator])
    # Asked for by the face lookup, where the citizen types it to narrow the search (faceid).
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            # Citizens sign in with their phone, so it names one citizen account. An official may use the
            # same phone on their own citizen account.
            models.UniqueConstraint(
                fields=["phone"],
                condition=models.Q(kind="citizen") & ~models.Q(phone=""),
                name="accounts_citizen_phone_unique",
                violation_error_message=_("Số điện thoại này đã được dùng cho một tài khoản công dân khác."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_citizen(self) -> bool:
        return self.kind == UserKind.CITIZEN

    @property
    def is_official(self) -> bool:
        return self.kind == UserKind.OFFICIAL


class RoleAssignment(models.Model):
    """An official holds a role in one agency. Several assignments are allowed (a commune officer may
    receive and process)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        "catalog.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân công vai trò")
        verbose_name_plural = _("phân công vai trò")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "agency"],
                name="accounts_role_once_per_agency",
                violation_error_message=_("Người này đã có vai trò này tại cơ quan này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency}"


class ApiToken(models.Model):
    """Bearer token for the API. Only a SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
