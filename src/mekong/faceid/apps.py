from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaceidConfig(AppConfig):
    name = "mekong.faceid"
    label = "faceid"
    verbose_name = _("Tra cứu bằng khuôn mặt")
