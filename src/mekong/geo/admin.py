"""Django admin for administrative units (Vietnamese labels come from the models' verbose names)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mekong.geo.models import AdministrativeUnit, UnitSuccession


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = _("đơn vị mới")
    verbose_name_plural = _("sắp xếp thành đơn vị mới")


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "edition", "parent", "latitude", "longitude"]
    list_display_links = ["code", "name"]
    list_filter = ["edition", "level", "kind"]
    search_fields = ["name", "short_name", "search_key", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "former_parent"]
    readonly_fields = ["search_key"]
    inlines = [SuccessionInline]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["edition", "level", "kind", "code", "name", "short_name"]}),
        (_("Trực thuộc"), {"fields": ["parent", "former_parent"]}),
        (_("Vị trí"), {"fields": ["latitude", "longitude"]}),
        (_("Tìm kiếm"), {"fields": ["search_key"], "classes": ["collapse"]}),
    ]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "is_primary", "effective_date"]
    list_filter = ["is_primary", "effective_date", "predecessor__level"]
    search_fields = [
        "predecessor__name",
        "predecessor__search_key",
        "successor__name",
        "successor__search_key",
    ]
    list_select_related = ["predecessor", "successor"]
    autocomplete_fields = ["predecessor", "successor"]
