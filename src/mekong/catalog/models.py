"""Agencies and the procedure catalogue (thủ tục hành chính).

Everything here is configuration as data: imported and exported by `catalog.transfer` (JSON, Excel),
written by `catalog.actions.import_catalog`, edited in the admin, never hard-coded.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.accounts.roles import Role
from mekong.catalog.codes import AGENCY_CODE, PROCEDURE_CODE
from mekong.core.text import fold

agency_code_validator = RegexValidator(
    AGENCY_CODE, _("Mã cơ quan phải có dạng 000.00.17.H56 (bốn phần, kết thúc bằng mã tỉnh).")
)
procedure_code_validator = RegexValidator(
    PROCEDURE_CODE, _("Mã thủ tục phải có dạng 1.000494.000.00.00.H29.")
)


class AgencyKind(models.TextChoices):
    PROVINCE_PC = "province_pc", _("UBND cấp tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    DISTRICT_PC = "district_pc", _("UBND cấp huyện")
    COMMUNE_PC = "commune_pc", _("UBND cấp xã")
    OTHER = "other", _("Đơn vị khác")


class Agency(models.Model):
    code = models.CharField(_("mã định danh"), max_length=20, unique=True, validators=[agency_code_validator])
    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    unit = models.ForeignKey(
        "geo.AdministrativeUnit",
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    search_key = models.CharField(max_length=300, editable=False, db_index=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_key = fold(f"{self.name} {self.short_name}")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ProcedureField(models.Model):
    """Lĩnh vực: the subject area a procedure belongs to (civil status, land, construction, ...)."""

    code = models.SlugField(_("mã lĩnh vực"), max_length=60, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProcedureLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class TimeUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("ngày làm việc")
    DAY = "day", _("ngày")
    HOUR = "hour", _("giờ làm việc")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")


class Procedure(models.Model):
    code = models.CharField(
        _("mã thủ tục"), max_length=30, unique=True, validators=[procedure_code_validator]
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(
        ProcedureField, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=ProcedureLevel.choices)
    implementing_agency = models.CharField(
        _("cơ quan thực hiện"), max_length=255, help_text=_("Như công bố, ví dụ: Ủy ban nhân dân cấp xã.")
    )
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan tiếp nhận"), related_name="procedures", blank=True
    )
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    description = models.TextField(_("trình tự, điều kiện"), blank=True)
    result_name = models.CharField(_("kết quả thực hiện"), max_length=500, blank=True)
    time_limit_value = models.PositiveIntegerField(_("thời hạn giải quyết"))
    time_limit_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    online_level = models.CharField(_("mức độ trực tuyến"), max_length=10, choices=OnlineLevel.choices)
    requires_e_result = models.BooleanField(_("bắt buộc trả kết quả điện tử"), default=False)
    form_schema = models.JSONField(_("biểu mẫu (JSON Schema)"), default=dict, blank=True)
    source = models.TextField(
        _("nguồn số liệu"),
        blank=True,
        help_text=_("Nơi công bố thủ tục (Cổng DVC quốc gia, quyết định công bố...)."),
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    search_key = models.TextField(editable=False)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["field__name", "name"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_key = fold(f"{self.name} {self.code}")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def total_fixed_fee(self) -> int:
        """Sum of the fee items that do not depend on a form value (prefetch `fee_items` for lists)."""
        return sum(item.amount for item in self.fee_items.all() if not item.quantity_field)


class RequiredDocument(models.Model):
    """Thành phần hồ sơ."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    mandatory = models.BooleanField(_("bắt buộc"), default=True)
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)
    template = models.FileField(_("mẫu đơn, tờ khai"), upload_to="catalog/templates/", blank=True)
    template_name = models.CharField(_("tên mẫu"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "position"]

    def __str__(self) -> str:
        return self.name


class FeeKind(models.TextChoices):
    CHARGE = "le_phi", _("Lệ phí")
    FEE = "phi", _("Phí")


class FeeItem(models.Model):
    """A fee line in VND. `quantity_field` names a form field that multiplies the amount
    (for example the number of copies requested); empty means a fixed amount."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fee_items")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    kind = models.CharField(_("loại"), max_length=10, choices=FeeKind.choices)
    name = models.CharField(_("nội dung"), max_length=500)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"))
    quantity_field = models.CharField(_("nhân theo trường"), max_length=100, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ["procedure", "position"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount:,} đ".replace(",", ".")


class ProcessingStep(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("bước"), max_length=255)
    role = models.CharField(_("vai trò thực hiện"), max_length=30, choices=Role.choices)
    duration_value = models.DecimalField(_("thời gian"), max_digits=6, decimal_places=2)
    duration_unit = models.CharField(
        _("đơn vị"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["procedure", "position"]

    def __str__(self) -> str:
        return self.name
