"""Issue documents as the workflow moves, inside the action's transaction (a failure rolls it back).
Imported by `DossiersConfig.ready()`.

receive → receipt; refuse → refusal; request_supplement → supplement request; approve → nothing new.
A result file (`actions.attach_result`, directly or through `issue.generate_result`) becomes an issued
result document too. `attach_result` runs the event hooks before it stores the file, so that one is caught
when the file row is saved, still inside the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from mekong.dossiers import hooks
from mekong.dossiers.actions import ATTACH_RESULT
from mekong.dossiers.documents.issue import issue_document, record_result_file
from mekong.dossiers.models import Dossier, DossierEvent, DossierFile, FileKind, IssuedDocumentKind
from mekong.dossiers.states import Command


@hooks.on_event(Command.RECEIVE)
def issue_receipt(dossier: Dossier, event: DossierEvent) -> None:
    issue_document(dossier, IssuedDocumentKind.RECEIPT, event=event)


@hooks.on_event(Command.REFUSE)
def issue_refusal(dossier: Dossier, event: DossierEvent) -> None:
    issue_document(dossier, IssuedDocumentKind.REFUSAL, event=event)


@hooks.on_event(Command.REQUEST_SUPPLEMENT)
def issue_supplement_request(dossier: Dossier, event: DossierEvent) -> None:
    issue_document(dossier, IssuedDocumentKind.SUPPLEMENT_REQUEST, event=event)


@receiver(post_save, sender=DossierFile, dispatch_uid="dossiers.documents.issue_for_result_file")
def issue_for_result_file(
    sender: type[DossierFile], instance: DossierFile, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw") or not created or instance.kind != FileKind.RESULT or instance.event is None:
        return
    if instance.event.command == ATTACH_RESULT:
        record_result_file(instance)
