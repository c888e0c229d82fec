"""The IOC's figures move with each dossier event (`dossiers.hooks`) and each rating
(`feedback.signals.rating_changed`): in the event's transaction, or — with MEKONG_IOC_DEFERRED, the default
with a broker — by a task shortly after it commits (the transaction only marks the dossier pending).
Imported by `IocConfig.ready()`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver

from mekong.dossiers import hooks
from mekong.dossiers.actions import ATTACH_RESULT, RESCHEDULE, compute_due_at
from mekong.dossiers.models import Dossier, DossierEvent
from mekong.dossiers.states import Command
from mekong.feedback.models import Rating
from mekong.feedback.signals import rating_changed
from mekong.ioc.aggregates import Known, mark_pending, refresh

# Assigning, starting and sending back change nothing the index counts: no work on those events.
COUNTED_COMMANDS = (
    Command.SUBMIT,
    Command.RECEIVE,
    Command.REFUSE,
    Command.REQUEST_SUPPLEMENT,
    Command.SUPPLEMENT,
    Command.REQUEST_PAYMENT,
    Command.PAY,
    Command.WITHDRAW,
    Command.STOP,
    Command.APPROVE,
    Command.RETURN_RESULT,
    ATTACH_RESULT,
    RESCHEDULE,
)


@hooks.on_event(*COUNTED_COMMANDS)
def keep_figures(dossier: Dossier, event: DossierEvent) -> None:
    if settings.MEKONG_IOC_DEFERRED:
        mark_pending(dossier.pk)  # refreshed after commit, when the record shows everything
        return
    known = Known()
    if event.command in (Command.SUPPLEMENT, Command.PAY) and dossier.received_at is not None:
        # The action stores the appointment extended by the wait right after this event.
        known = Known(due_at=compute_due_at(dossier))
    elif event.command == ATTACH_RESULT:
        known = Known(e_result=True)  # the file is stored right after the event
    elif event.command == RESCHEDULE and event.data.get("apology"):
        known = Known(apology_id=int(event.data["apology"]))  # marked sent right after the event
    refresh(dossier.pk, known, is_new=event.command == Command.SUBMIT)


@receiver(rating_changed, dispatch_uid="ioc.keep_rating_figures")
def keep_rating_figures(sender: Any, rating: Rating, **kwargs: Any) -> None:
    if settings.MEKONG_IOC_DEFERRED:
        mark_pending(rating.dossier_id)
    else:
        refresh(rating.dossier_id)
