"""Roles an official can hold in an agency. Pure module: the catalogue and the permission rules use it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RECEIVING_OFFICER = "receiving_officer", _("Cán bộ tiếp nhận (một cửa)")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    LEADER = "leader", _("Lãnh đạo phê duyệt")
    IOC_VIEWER = "ioc_viewer", _("Theo dõi điều hành (IOC)")
    PROVINCE_ADMIN = "province_admin", _("Quản trị cấp tỉnh")
    COMMUNITY_MEMBER = "community_member", _("Thành viên tổ công nghệ số cộng đồng")
