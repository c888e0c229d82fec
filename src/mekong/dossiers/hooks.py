"""Extension points of the dossier actions, for other apps.

* `on_event`: work that must happen in the same transaction as a dossier event (issuing the receipt when a
  dossier is received, say). Modules register a handler per command; `actions` runs them after writing
  the event. A handler that raises rolls the whole action back.
* `draft_access`: who, besides its owner and the agency's receiving officers, may prepare a draft that has
  no owner account yet (a community team member filling it in for a citizen: `community.hooks`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mekong.accounts.models import User
    from mekong.dossiers.models import Dossier, DossierEvent

Handler = Callable[["Dossier", "DossierEvent"], None]
DraftAccess = Callable[["Dossier", "User"], bool]
_handlers: dict[str, list[Handler]] = defaultdict(list)
_draft_access: list[DraftAccess] = []


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


def draft_access(check: DraftAccess) -> DraftAccess:
    """Register `check(draft, user) -> bool`: True lets `user` edit and submit an ownerless draft."""
    if check not in _draft_access:
        _draft_access.append(check)
    return check


def may_prepare_draft(dossier: Dossier, user: User) -> bool:
    return any(check(dossier, user) for check in _draft_access)
