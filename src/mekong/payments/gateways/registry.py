"""The payment gateways this installation knows. Plugins register an instance on import
(`PaymentsConfig.ready` imports `gateways.contrib.*`); the rest of the app asks the registry by name.

The default gateway for new payments is `settings.MEKONG_PAYMENT_GATEWAY`, else the sandbox where it is
enabled (development, the demo, the tests), else VNPAY.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from django.conf import settings

from mekong.payments.gateways.base import Gateway

G = TypeVar("G", bound=Gateway)


class UnknownGateway(KeyError):
    pass


class Registry:
    def __init__(self) -> None:
        self._gateways: dict[str, Gateway] = {}

    def register(self, gateway: G) -> G:
        if gateway.name in self._gateways and type(self._gateways[gateway.name]) is not type(gateway):
            raise ValueError(f"two gateways named {gateway.name!r}")
        self._gateways[gateway.name] = gateway
        return gateway

    def get(self, name: str) -> Gateway:
        try:
            return self._gateways[name]
        except KeyError:
            raise UnknownGateway(name) from None

    def __iter__(self) -> Iterator[Gateway]:
        return iter(self._gateways.values())

    def __contains__(self, name: object) -> bool:
        return name in self._gateways

    def enabled(self) -> list[Gateway]:
        return [gateway for gateway in self if gateway.is_enabled()]

    def default(self) -> Gateway | None:
        """The gateway new payments go through, or None when none is enabled."""
        wanted = getattr(settings, "MEKONG_PAYMENT_GATEWAY", "") or (
            "sandbox" if getattr(settings, "MEKONG_PAYMENT_SANDBOX", False) else "vnpay"
        )
        gateway = self._gateways.get(wanted)
        if gateway is not None and gateway.is_enabled():
            return gateway
        enabled = self.enabled()
        return enabled[0] if enabled else None


registry = Registry()
