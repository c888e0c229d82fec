"""Administrative units: province → district (legacy only) → commune → hamlet (ấp / khu vực).

Vietnam reorganised its units on 1 July 2025 (34 provinces, no district level). Both editions live
side by side so a dossier filed in a legacy commune keeps its place; `UnitSuccession` says which 2025
unit(s) each legacy unit became.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.core.text import fold


class Edition(models.TextChoices):
    LEGACY = "legacy", _("Trước 01/07/2025 (ba cấp)")
    Y2025 = "2025", _("Từ 01/07/2025 (hai cấp)")


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh / thành phố")
    DISTRICT = "district", _("Huyện / thị xã / thành phố thuộc tỉnh")
    COMMUNE = "commune", _("Xã / phường / thị trấn / đặc khu")
    HAMLET = "hamlet", _("Ấp / khu vực")


class AdministrativeUnit(models.Model):
    edition = models.CharField(_("phiên bản"), max_length=10, choices=Edition.choices)
    code = models.CharField(_("mã"), max_length=20, help_text=_("Mã đơn vị hành chính (mã thống kê)."))
    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    kind = models.CharField(_("loại"), max_length=40, help_text=_("Ví dụ: Tỉnh, Huyện, Xã, Phường, Ấp."))
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    former_parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc trước sắp xếp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="former_children",
        help_text=_("Với ấp / khu vực: xã, phường trước ngày 01/07/2025."),
    )
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    search_key = models.CharField(max_length=250, editable=False, db_index=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["edition", "code"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="geo_unit_edition_code")]
        indexes = [models.Index(fields=["edition", "level"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_key = fold(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class UnitSuccession(models.Model):
    """A legacy unit (wholly or partly) became this 2025 unit. `is_primary` marks the unit a record
    moves to by default when the legacy unit was divided among several."""

    predecessor = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("đơn vị cũ"), on_delete=models.CASCADE, related_name="successions"
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("đơn vị mới"),
        on_delete=models.CASCADE,
        related_name="predecessions",
    )
    is_primary = models.BooleanField(_("đơn vị mặc định"), default=True)
    effective_date = models.DateField(_("ngày hiệu lực"))

    class Meta:
        verbose_name = _("sắp xếp đơn vị hành chính")
        verbose_name_plural = _("sắp xếp đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="geo_succession_pair"),
            models.UniqueConstraint(
                fields=["predecessor"], condition=models.Q(is_primary=True), name="geo_succession_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
