"""Extra panels on the IOC dashboard, contributed by other apps through a registry.

An app defines a `Panel` subclass and registers an instance when it loads (in its `AppConfig.ready`):

    from mekong.ioc.panels import Figure, Panel, PanelContext, registry

    class TeamsPanel(Panel):
        key = "community"
        title = _("Tổ công nghệ số cộng đồng")

        def figures(self, context: PanelContext) -> list[Figure]:
            ...  # count what the app knows for context.agency_ids over context.period

    registry.register(TeamsPanel())

`figures` gets the agencies in view (None = the whole province), the period, and the period's counters
(so a panel about dossiers needs no query of its own). A panel returning no figures is not shown.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from django.utils.functional import Promise

from mekong.ioc.indicators import Counters, Period


@dataclass(frozen=True)
class Figure:
    label: str | Promise
    value: int | float | str
    unit: str | Promise = ""


@dataclass(frozen=True)
class PanelContext:
    agency_ids: frozenset[int] | None
    period: Period
    counters: Counters
    previous_counters: Counters


class Panel(ABC):
    key: ClassVar[str] = ""
    title: ClassVar[str | Promise] = ""
    order: ClassVar[int] = 100

    @abstractmethod
    def figures(self, context: PanelContext) -> list[Figure]:
        """The panel's figures for the agencies and period in view; none hides the panel."""


class PanelRegistry:
    def __init__(self) -> None:
        self._panels: dict[str, Panel] = {}

    def register(self, panel: Panel) -> Panel:
        if not panel.key:
            raise ValueError("a panel needs a key")
        self._panels[panel.key] = panel
        return panel

    def unregister(self, key: str) -> None:
        self._panels.pop(key, None)

    def __contains__(self, key: str) -> bool:
        return key in self._panels

    def panels(self) -> list[Panel]:
        return sorted(self._panels.values(), key=lambda panel: (panel.order, panel.key))


registry = PanelRegistry()
