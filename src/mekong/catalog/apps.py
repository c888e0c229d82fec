from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "mekong.catalog"
    label = "catalog"
    verbose_name = _("Cơ quan và thủ tục hành chính")
