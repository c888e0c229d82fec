"""Work that must happen in the same transaction as a dossier event (issuing the receipt when a dossier is
received, say). Modules register a handler per command; `actions` runs them after writing the event.
A handler that raises rolls the whole action back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mekong.dossiers.models import Dossier, DossierEvent

Handler = Callable[["Dossier", "DossierEvent"], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def on_event(*commands: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for command in commands:
            if handler not in _handlers[command]:
                _handlers[command].append(handler)
        return handler

    return register


def run(dossier: Dossier, event: DossierEvent) -> None:
    for handler in _handlers.get(event.command, ()):
        handler(dossier, event)
