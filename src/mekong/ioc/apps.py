from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class IocConfig(AppConfig):
    name = "mekong.ioc"
    label = "ioc"
    verbose_name = _("Trung tâm điều hành (IOC)")

    def ready(self) -> None:
        # The dossier event hook, the rating signal, and the built-in panels (they register themselves).
        from mekong.ioc import hooks  # noqa: F401
        from mekong.ioc.contrib import payments  # noqa: F401

        if apps.is_installed("mekong.community"):
            from mekong.ioc.contrib import community  # noqa: F401
