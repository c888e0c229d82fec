from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "mekong.payments"
    label = "payments"
    verbose_name = _("Thanh toán phí, lệ phí")

    def ready(self) -> None:
        # Register the gateways and the fee receipt hook.
        from mekong.payments import receipts  # noqa: F401
        from mekong.payments.gateways.contrib.sandbox import plugin as sandbox  # noqa: F401
        from mekong.payments.gateways.contrib.vnpay import plugin as vnpay  # noqa: F401
