"""Django admin for accounts, in Vietnamese.

Province admins are not superusers: `actions.sync_staff_permissions` gives them admin access and the model
permissions of the configuration apps. So that those permissions cannot be turned into more, a
non-superuser here never sees superuser accounts and cannot edit the privilege fields; role assignments
go through `actions.assign_role` / `revoke_role`, which check who is asking.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UsernameField
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mekong.accounts import actions
from mekong.accounts.identifiers import is_reserved_username, normalize_phone
from mekong.accounts.models import ApiToken, RoleAssignment, User, UserKind
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency
from mekong.core.errors import DomainError

PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
ROLE_NEEDS_OFFICIAL = _("Chỉ tài khoản cán bộ, công chức mới được giao vai trò này.")


class UserFormRules:
    """Checks shared by the add and change forms."""

    cleaned_data: dict[str, Any]

    def clean_phone(self) -> str:
        phone = (self.cleaned_data.get("phone") or "").strip()
        if not phone:
            return ""
        national = normalize_phone(phone)
        if national is None:
            raise forms.ValidationError(
                _("Số điện thoại di động không hợp lệ: 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.")
            )
        return national

    def clean_personal_id(self) -> str | None:
        return (
            self.cleaned_data.get("personal_id") or ""
        ).strip() or None  # empty → NULL (unique allows many)

    def check_username(self) -> None:
        username = self.cleaned_data.get("username") or ""
        if self.cleaned_data.get("kind") == UserKind.OFFICIAL and is_reserved_username(username):
            self.add_error(  # type: ignore[attr-defined]
                "username",
                _("Tên đăng nhập không được chỉ gồm chữ số (dễ nhầm với số định danh hoặc số điện thoại)."),
            )


class MekongUserCreationForm(UserFormRules, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "kind", "full_name", "personal_id", "phone", "email")
        field_classes = {"username": UsernameField}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        self.check_username()
        return cleaned


class MekongUserChangeForm(UserFormRules, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"username": UsernameField}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        self.check_username()
        return cleaned


class RoleAssignmentFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        user: User = self.instance
        for form in self.forms:
            if not form.has_changed() or form.cleaned_data.get("DELETE"):
                continue
            role = form.cleaned_data.get("role")
            if role and role != Role.COMMUNITY_MEMBER and user.kind != UserKind.OFFICIAL:
                form.add_error("role", ROLE_NEEDS_OFFICIAL)


class RoleAssignmentInline(admin.TabularInline):
    """Existing assignments are shown read-only: change a role by revoking it and assigning another."""

    model = RoleAssignment
    formset = RoleAssignmentFormSet
    fields = ("role", "agency", "created_at")
    readonly_fields = ("created_at",)
    extra = 0
    verbose_name = _("vai trò")
    verbose_name_plural = _("vai trò tại các cơ quan")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.filter(is_active=True).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = MekongUserChangeForm
    add_form = MekongUserCreationForm
    inlines = [RoleAssignmentInline]
    list_display = ("username", "full_name", "kind", "personal_id", "phone", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "is_staff", "role_assignments__role")
    search_fields = ("username", "full_name", "personal_id", "phone", "email")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("kind", "full_name", "personal_id", "phone", "email")}),
        (
            _("Trạng thái và quyền"),
            {
                "fields": ("is_active", *PRIVILEGE_FIELDS),
                "description": _(
                    "Quyền vào trang quản trị do vai trò quyết định: người có vai trò Quản trị cấp tỉnh được "
                    "cấp tự động."
                ),
            },
        ),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "kind",
                    "full_name",
                    "personal_id",
                    "phone",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += PRIVILEGE_FIELDS
        return readonly

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        user: User = form.instance
        formset.save(commit=False)  # fills new_objects and deleted_objects without writing
        try:
            for assignment in formset.deleted_objects:
                actions.revoke_role(request.user, user, assignment.role, assignment.agency)
            for assignment in formset.new_objects:
                actions.assign_role(request.user, user, assignment.role, assignment.agency)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "agency")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        user, role = cleaned.get("user"), cleaned.get("role")
        if isinstance(user, User) and role and role != Role.COMMUNITY_MEMBER and not user.is_official:
            self.add_error("role", ROLE_NEEDS_OFFICIAL)
        return cleaned


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ("user", "role", "agency", "created_at")
    list_filter = ("role", "agency__kind", "agency")
    search_fields = ("user__username", "user__full_name", "agency__name", "agency__code")
    list_select_related = ("user", "agency")
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An assignment is a fact: revoke it and assign another rather than edit it.
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Nobody but a superuser may remove their own administrator role (and lock themselves out).
        own_admin_role = (
            isinstance(obj, RoleAssignment)
            and obj.user_id == request.user.pk
            and obj.role == Role.PROVINCE_ADMIN
            and not request.user.is_superuser
        )
        return not own_admin_role and super().has_delete_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(user__is_superuser=False)
        return queryset

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.filter(is_active=True).order_by("name")
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User.objects.filter(is_superuser=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool) -> None:
        saved = actions.assign_role(request.user, obj.user, obj.role, obj.agency)
        obj.pk, obj.created_at = saved.pk, saved.created_at

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        actions.revoke_role(request.user, obj.user, obj.role, obj.agency)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for assignment in queryset.select_related("user", "agency"):
            try:
                actions.revoke_role(request.user, assignment.user, assignment.role, assignment.agency)
            except DomainError as error:
                self.message_user(request, str(error), messages.ERROR)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are issued through the API; here they can only be revoked."""

    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("prefix", "name", "user__username", "user__full_name")
    list_select_related = ("user",)
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(user__is_superuser=False)
        return queryset

    @admin.action(description=_("Thu hồi các mã truy cập đã chọn"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True))
        for token in live:
            actions.revoke_api_token(token)
        self.message_user(
            request, _("Đã thu hồi {count} mã truy cập.").format(count=len(live)), messages.SUCCESS
        )
