"""Notifications are written in the transaction of the dossier event they tell about. Imported by
`NotifyConfig.ready()`."""

from __future__ import annotations

from mekong.dossiers import hooks
from mekong.dossiers.models import Dossier, DossierEvent
from mekong.notify.actions import NOTIFIED_COMMANDS, notify_event


@hooks.on_event(*NOTIFIED_COMMANDS)
def notify_citizen(dossier: Dossier, event: DossierEvent) -> None:
    notify_event(dossier, event)
