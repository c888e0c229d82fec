"""State changes for accounts, roles and API tokens. Each function runs in one transaction and, when it
refuses, raises a DomainError having changed nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Permission
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from mekong.accounts import permissions
from mekong.accounts.identifiers import is_personal_id, is_reserved_username, normalize_phone
from mekong.accounts.models import ApiToken, RoleAssignment, User, UserKind
from mekong.accounts.roles import Role
from mekong.accounts.tokens import display_prefix, hash_secret, new_secret
from mekong.catalog.models import Agency
from mekong.core.errors import DomainError, FieldError, PermissionDenied

log = structlog.get_logger(__name__)

# Apps whose models a province admin configures through the Django admin.
CONFIGURATION_APPS = ("catalog", "geo", "accounts")
# Refresh last_used_at at most this often: one write per minute per token, not one per request.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)

FULL_NAME_MAX_LENGTH = User._meta.get_field("full_name").max_length or 200


# --- Validation helpers ---------------------------------------------------------------------------------


# Vietnamese for Django's password validators, by error code: Django's own `vi` catalogue lags behind its
# messages (5.2 reworded "too short"). Other languages use Django's text.
_PASSWORD_PROBLEMS_VI: dict[str, Promise] = {
    "password_too_short": _("Mật khẩu quá ngắn: cần ít nhất {min_length} ký tự."),
    "password_too_common": _("Mật khẩu này quá phổ biến, dễ bị đoán."),
    "password_entirely_numeric": _("Mật khẩu không được chỉ gồm chữ số."),
    "password_too_similar": _("Mật khẩu quá giống thông tin cá nhân ({verbose_name})."),
}


def _render_password_problem(validator: Any, password: str, user: User) -> str:
    try:
        validator.validate(password, user)
    except ValidationError as error:
        parts = []
        for problem in error.error_list:
            vietnamese = _PASSWORD_PROBLEMS_VI.get(problem.code or "")
            if vietnamese is not None and translation.get_language() == "vi":
                params = {key: str(value) for key, value in (problem.params or {}).items()}
                parts.append(str(vietnamese).format_map(defaultdict(str, params)))
            else:
                parts.extend(ValidationError([problem]).messages)
        return " ".join(parts)
    return ""


# Django's validators format their message when they raise; re-running the validator in the language
# asked for gives the Vietnamese and the English text of the same problem.
_password_problem = lazy(_render_password_problem, str)


def _password_errors(password: str, user: User, field: str = "password") -> list[FieldError]:
    if not password:
        return [FieldError(field, _("Vui lòng nhập mật khẩu."))]
    problems: list[FieldError] = []
    for validator in password_validation.get_default_password_validators():
        try:
            validator.validate(password, user)
        except ValidationError:
            problems.append(FieldError(field, _password_problem(validator, password, user)))
    return problems


def _full_name_errors(full_name: str) -> list[FieldError]:
    if not full_name:
        return [FieldError("full_name", _("Vui lòng nhập họ và tên."))]
    if len(full_name) > FULL_NAME_MAX_LENGTH:
        return [
            FieldError(
                "full_name", _("Họ và tên dài quá {limit} ký tự."), params={"limit": FULL_NAME_MAX_LENGTH}
            )
        ]
    return []


def _clean_text(value: str) -> str:
    return " ".join(value.split())


# --- Citizens and officials -----------------------------------------------------------------------------


def citizen_registration_errors(
    personal_id: str, phone: str, full_name: str, password: str
) -> list[FieldError]:
    """Every reason `register_citizen` would refuse these values (reads only; forms use it to show all
    problems at once)."""
    return _check_citizen(personal_id, phone, full_name, password)[1]


def _check_citizen(
    personal_id: str, phone: str, full_name: str, password: str | None
) -> tuple[User, list[FieldError]]:
    """The account these values would make and every problem with them (`password` None: an account
    without a password, whose password is not checked)."""
    personal_id = personal_id.strip()
    full_name = _clean_text(full_name)
    errors: list[FieldError] = []

    if not personal_id:
        errors.append(FieldError("personal_id", _("Vui lòng nhập số định danh cá nhân.")))
    elif not is_personal_id(personal_id):
        errors.append(FieldError("personal_id", _("Số định danh cá nhân gồm đúng 12 chữ số.")))
    elif (existing := User.objects.filter(personal_id=personal_id).first()) is not None:
        if password is not None and is_awaiting_activation(existing):
            # Made when a community team filed a dossier for them: they activate it instead.
            errors.append(
                FieldError(
                    "personal_id",
                    _(
                        "Đã có tài khoản mang số định danh này, được tạo khi tổ công nghệ số cộng đồng nộp hồ "
                        "sơ giúp bạn. Hãy kích hoạt tài khoản tại trang /tai-khoan/kich-hoat/."
                    ),
                )
            )
        else:
            errors.append(FieldError("personal_id", _("Số định danh cá nhân này đã được đăng ký.")))

    national_phone = normalize_phone(phone)
    if not phone.strip():
        errors.append(FieldError("phone", _("Vui lòng nhập số điện thoại di động.")))
    elif national_phone is None:
        errors.append(
            FieldError(
                "phone",
                _("Số điện thoại di động không hợp lệ: 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09."),
            )
        )
    elif User.objects.filter(kind=UserKind.CITIZEN, phone=national_phone).exists():
        errors.append(FieldError("phone", _("Số điện thoại này đã được dùng cho một tài khoản khác.")))

    errors += _full_name_errors(full_name)

    user = User(
        username=personal_id,
        kind=UserKind.CITIZEN,
        personal_id=personal_id,
        phone=national_phone or "",
        full_name=full_name,
    )
    if password is not None:
        errors += _password_errors(password, user)
    return user, errors


@transaction.atomic
def register_citizen(personal_id: str, phone: str, full_name: str, password: str) -> User:
    """Create a citizen account signed in with the 12-digit personal ID (or the phone) and a password.
    Every problem is reported at once."""
    user, errors = _check_citizen(personal_id, phone, full_name, password)
    if errors:
        raise DomainError(_("Chưa đăng ký được tài khoản: vui lòng sửa các mục bên dưới."), errors=errors)

    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        # Someone registered the same ID or phone between our check and the insert.
        raise DomainError(
            _("Số định danh cá nhân hoặc số điện thoại này đã được đăng ký."), code="conflict", status=409
        ) from error
    log.info("citizen_registered", user_id=user.pk)
    return user


@transaction.atomic
def register_assisted_citizen(personal_id: str, phone: str, full_name: str) -> User:
    """An account for a citizen who had none, made when a community team member files a dossier for
    them (`community.actions`), so that the dossier is theirs and its notifications reach their phone.
    It has no usable password: nobody signs in to it until the citizen sets one with a code sent to
    this phone (`activate_citizen`)."""
    user, errors = _check_citizen(personal_id, phone, full_name, None)
    if errors:
        raise DomainError(
            _("Chưa tạo được tài khoản cho công dân: vui lòng sửa các mục bên dưới."), errors=errors
        )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise DomainError(
            _("Số định danh cá nhân hoặc số điện thoại này đã được đăng ký."), code="conflict", status=409
        ) from error
    log.info("citizen_registered", user_id=user.pk, assisted=True)
    return user


def is_awaiting_activation(user: User) -> bool:
    """A citizen account made for them (`register_assisted_citizen`) whose first password is not set."""
    return user.is_citizen and user.is_active and not user.has_usable_password()


@transaction.atomic
def activate_citizen(user: User, password: str) -> User:
    """Set the first password of an account made without one. The caller has checked a code sent to the
    account's phone (`community.actions.activate_account`)."""
    if not is_awaiting_activation(user):
        raise DomainError(_("Tài khoản này đã được kích hoạt."), code="already_active", status=409)
    errors = _password_errors(password, user, field="password1")
    if errors:
        raise DomainError(_("Mật khẩu chưa phù hợp."), errors=errors)
    user.set_password(password)
    user.save(update_fields=["password"])
    log.info("citizen_activated", user_id=user.pk)
    return user


@transaction.atomic
def create_official(
    username: str,
    full_name: str,
    password: str,
    roles: Iterable[tuple[Role | str, Agency]] = (),
    *,
    email: str = "",
) -> User:
    """Create an official's account with their roles. Called by administrators' tools and the demo loader;
    an administrator in the web interface goes through the admin, which checks its own permissions."""
    username = username.strip()
    full_name = _clean_text(full_name)
    errors: list[FieldError] = []

    if not username:
        errors.append(FieldError("username", _("Vui lòng nhập tên đăng nhập.")))
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors.append(FieldError("username", _("Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _.")))
        if is_reserved_username(username):
            errors.append(
                FieldError(
                    "username",
                    _(
                        "Tên đăng nhập không được chỉ gồm chữ số (dễ nhầm với số định danh hoặc số điện thoại)."
                    ),
                )
            )
        if User.objects.filter(username__iexact=username).exists():
            errors.append(FieldError("username", _("Tên đăng nhập này đã được dùng.")))

    errors += _full_name_errors(full_name)
    user = User(username=username, kind=UserKind.OFFICIAL, full_name=full_name, email=email.strip())
    errors += _password_errors(password, user)

    grants: list[tuple[Role, Agency]] = []
    for index, (role, agency) in enumerate(roles, start=1):
        parsed = _parse_role(role)
        if parsed is None:
            errors.append(
                FieldError("roles", _("Vai trò không hợp lệ: {role}."), row=index, params={"role": role})
            )
        else:
            grants.append((parsed, agency))
    if errors:
        raise DomainError(_("Chưa tạo được tài khoản cán bộ: vui lòng sửa các mục bên dưới."), errors=errors)

    user.set_password(password)
    user.save()
    for role, agency in grants:
        _grant(user, role, agency)
    sync_staff_permissions(user)
    log.info("official_created", user_id=user.pk, roles=[(str(r), a.code) for r, a in grants])
    return user


# --- Roles ----------------------------------------------------------------------------------------------


def _parse_role(role: Role | str) -> Role | None:
    try:
        return Role(role)
    except ValueError:
        return None


def _grant(user: User, role: Role, agency: Agency) -> RoleAssignment:
    if role != Role.COMMUNITY_MEMBER and not user.is_official:
        raise DomainError(
            _("Chỉ tài khoản cán bộ, công chức mới được giao vai trò này."),
            errors=[FieldError("user", _("Đây là tài khoản công dân."))],
        )
    if not agency.is_active:
        raise DomainError(
            _("Không giao vai trò tại cơ quan đã ngừng hoạt động."),
            errors=[
                FieldError(
                    "agency", _("Cơ quan {agency} đã ngừng hoạt động."), params={"agency": agency.name}
                )
            ],
        )
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, agency=agency)
    permissions.forget_cached_grants(user)
    return assignment


def _require_account_manager(actor: permissions.Actor) -> None:
    permissions.require(
        permissions.can_manage_accounts(actor),
        _("Chỉ quản trị cấp tỉnh mới được giao hoặc thu hồi vai trò."),
    )


@transaction.atomic
def assign_role(actor: permissions.Actor, user: User, role: Role | str, agency: Agency) -> RoleAssignment:
    """Give `user` a role in `agency` (nothing changes if they already hold it)."""
    _require_account_manager(actor)
    parsed = _parse_role(role)
    if parsed is None:
        raise DomainError(
            _("Vai trò không hợp lệ: {role}."),
            errors=[FieldError("role", _("Vai trò không hợp lệ."))],
            role=role,
        )
    assignment = _grant(user, parsed, agency)
    sync_staff_permissions(user)
    log.info("role_assigned", actor_id=actor.pk, user_id=user.pk, role=str(parsed), agency=agency.code)
    return assignment


@transaction.atomic
def revoke_role(actor: permissions.Actor, user: User, role: Role | str, agency: Agency) -> bool:
    """Take a role in `agency` away from `user`. Returns whether they held it."""
    _require_account_manager(actor)
    if (
        actor.pk == user.pk
        and role == Role.PROVINCE_ADMIN
        and not user.is_superuser
        and not RoleAssignment.objects.filter(user=user, role=Role.PROVINCE_ADMIN)
        .exclude(agency=agency)
        .exists()
    ):
        raise PermissionDenied(_("Không thể tự thu hồi quyền quản trị cấp tỉnh cuối cùng của chính mình."))
    deleted, _details = RoleAssignment.objects.filter(user=user, role=role, agency=agency).delete()
    permissions.forget_cached_grants(user)
    sync_staff_permissions(user)
    log.info(
        "role_revoked",
        actor_id=actor.pk,
        user_id=user.pk,
        role=str(role),
        agency=agency.code,
        held=bool(deleted),
    )
    return bool(deleted)


# From the dossiers app a province admin edits the working calendar and may look at (never change) the rest.
DOSSIER_CONFIGURATION_PERMISSIONS = (
    "add_calendarday",
    "change_calendarday",
    "delete_calendarday",
    "view_calendarday",
    "view_dossier",
    "view_apologyletter",
    "view_issueddocument",
)
# From the payments app: payments, their history and the refused gateway calls, to look at only.
PAYMENT_CONFIGURATION_PERMISSIONS = ("view_payment", "view_paymentevent", "view_refusedcallback")
# From the community app: the team registry; support activities and assisted dossiers to look at only.
COMMUNITY_CONFIGURATION_PERMISSIONS = (
    "add_team",
    "change_team",
    "view_team",
    "add_member",
    "change_member",
    "view_member",
    "view_activity",
    "view_assistedsubmission",
    "view_communityevent",
)


def configuration_permissions() -> list[Permission]:
    """The Django model permissions that make up "configure the tenant" in the admin."""
    return list(
        Permission.objects.filter(
            Q(content_type__app_label__in=CONFIGURATION_APPS)
            | Q(content_type__app_label="dossiers", codename__in=DOSSIER_CONFIGURATION_PERMISSIONS)
            | Q(content_type__app_label="payments", codename__in=PAYMENT_CONFIGURATION_PERMISSIONS)
            | Q(content_type__app_label="community", codename__in=COMMUNITY_CONFIGURATION_PERMISSIONS)
        )
    )


@transaction.atomic
def sync_staff_permissions(user: User) -> None:
    """Province admins are not superusers; they configure the tenant through the Django admin with
    ordinary model permissions. Grant those (and admin access) while the user holds province_admin, and
    take them away when they no longer do. Superusers keep admin access regardless."""
    is_admin = RoleAssignment.objects.filter(user=user, role=Role.PROVINCE_ADMIN).exists()
    managed = configuration_permissions()
    if is_admin:
        user.user_permissions.add(*managed)
    else:
        user.user_permissions.remove(*managed)
    should_be_staff = is_admin or user.is_superuser
    if user.is_staff != should_be_staff:
        user.is_staff = should_be_staff
        user.save(update_fields=["is_staff"])
    # Django caches permissions on the instance.
    for cache_name in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache_name, None)


# --- API tokens -----------------------------------------------------------------------------------------


@transaction.atomic
def issue_api_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token for `user`. Returns the token row and the secret, which is shown once and
    stored only as its SHA-256."""
    if not user.is_active:
        raise PermissionDenied(_("Tài khoản đã bị khóa."))
    secret = new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=_clean_text(name)[: ApiToken._meta.get_field("name").max_length or 100],
        prefix=display_prefix(secret),
        key_hash=hash_secret(secret),
        expires_at=timezone.now() + timedelta(days=settings.MEKONG_API_TOKEN_TTL_DAYS),
    )
    log.info("api_token_issued", user_id=user.pk, token_id=token.pk)
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken) -> ApiToken:
    """Revoke `token` now (revoking twice keeps the first time)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
        log.info("api_token_revoked", user_id=token.user_id, token_id=token.pk)
    return token


def record_api_token_use(token: ApiToken, now: datetime | None = None) -> None:
    """Remember when a token was last used, at most once per minute (a single UPDATE, no transaction
    needed)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_RESOLUTION:
        return
    token.last_used_at = now
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
