"""The sandbox gateway, merchant side: VNPAY's protocol with a local payment page.

Enabled by `MEKONG_PAYMENT_SANDBOX` (on by default only with DEBUG): its pages approve payments that no
bank has made, so it must never be enabled where real fees are collected. Its secret is
`MEKONG_SANDBOX_HASH_SECRET`, or else derived from SECRET_KEY — per installation, never in the repository.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mekong.dossiers.documents.issue import public_url
from mekong.payments.gateways.contrib.vnpay.plugin import VnpayGateway
from mekong.payments.gateways.registry import registry

TMN_CODE = "MEKONGSB"


class SandboxGateway(VnpayGateway):
    name = "sandbox"
    label = _("Cổng thanh toán thử nghiệm")

    def tmn_code(self) -> str:
        return TMN_CODE

    def secret(self) -> str:
        configured = str(getattr(settings, "MEKONG_SANDBOX_HASH_SECRET", ""))
        if configured:
            return configured
        derived = hmac.new(settings.SECRET_KEY.encode(), b"mekong.payments.sandbox", hashlib.sha256)
        return derived.hexdigest()[:32].upper()

    def base_url(self) -> str:
        return public_url() + reverse("sandbox_gateway:pay")

    def is_enabled(self) -> bool:
        return bool(getattr(settings, "MEKONG_PAYMENT_SANDBOX", False))

    def ipn_url(self) -> str:
        """Where the sandbox's server side notifies the merchant (VNPAY keeps this in its merchant portal)."""
        return public_url() + reverse("payments:ipn", args=[self.name])


sandbox = registry.register(SandboxGateway())
