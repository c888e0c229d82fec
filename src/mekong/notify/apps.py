from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

DEV_SMS_PROVIDER = "mekong.notify.channels.contrib.sms.providers.dev.LogFileSmsProvider"
LOCAL_EMAIL_BACKENDS = (
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
)


class NotifyConfig(AppConfig):
    name = "mekong.notify"
    label = "notify"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        # The dossier event hook, and the built-in channels (they register themselves).
        from mekong.notify import hooks  # noqa: F401
        from mekong.notify.channels.contrib import email, inapp, sms  # noqa: F401

        checks.register(check_delivery_settings, checks.Tags.compatibility, deploy=True)


def check_delivery_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`mekong check --deploy`: say so when SMS and email would only go to local files."""
    if settings.DEBUG:
        return []
    found: list[checks.CheckMessage] = []
    if settings.MEKONG_SMS_PROVIDER == DEV_SMS_PROVIDER:
        found.append(
            checks.Warning(
                "SMS notifications are written to a local log file, not sent.",
                hint="Set MEKONG_SMS_PROVIDER to a real gateway adapter (docs/operations.md).",
                id="notify.W001",
            )
        )
    if settings.EMAIL_BACKEND in LOCAL_EMAIL_BACKENDS:
        found.append(
            checks.Warning(
                "Email notifications are written locally, not sent.",
                hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER…) to send through SMTP.",
                id="notify.W002",
            )
        )
    return found
