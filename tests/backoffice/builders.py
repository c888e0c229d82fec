"""Dossiers in every status for the back-office tests, made through `dossiers.actions` at chosen instants."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from catalog.factories import ProcedureFactory, RequiredDocumentFactory
from dossiers.factories import OneStopShop, pdf, valid_form
from mekong.dossiers import actions
from mekong.dossiers.actions import Applicant
from mekong.dossiers.models import Dossier

HOUR = timedelta(hours=1)


def with_procedure(shop: OneStopShop, **fields: Any) -> OneStopShop:
    """The same agency and staff with another procedure (another time limit, steps...)."""
    procedure = ProcedureFactory.create(**fields)
    procedure.agencies.add(shop.agency)
    requirement = RequiredDocumentFactory.create(procedure=procedure, name="Tờ khai theo mẫu", mandatory=True)
    return dataclasses.replace(shop, procedure=procedure, requirement=requirement)


def submitted(shop: OneStopShop, at: datetime, *, name: str | None = None, personal_id: str = "") -> Dossier:
    draft = actions.create_draft(
        actor=shop.citizen,
        procedure=shop.procedure,
        agency=shop.agency,
        form_data=valid_form(),
        applicant=Applicant(name=name, personal_id=personal_id) if name else None,
    )
    actions.attach_file(
        draft, actor=shop.citizen, stream=pdf(), name="to-khai.pdf", requirement=shop.requirement
    )
    return actions.submit(draft, actor=shop.citizen, at=at)


def received(shop: OneStopShop, at: datetime, **kwargs: Any) -> Dossier:
    dossier = submitted(shop, at - HOUR, **kwargs)
    return actions.receive(dossier, actor=shop.receiver, at=at)


def processing(shop: OneStopShop, at: datetime, **kwargs: Any) -> Dossier:
    dossier = received(shop, at, **kwargs)
    return actions.start_processing(dossier, actor=shop.specialist, at=at + HOUR)


def waiting(shop: OneStopShop, at: datetime, **kwargs: Any) -> Dossier:
    dossier = received(shop, at, **kwargs)
    return actions.request_supplement(
        dossier, actor=shop.receiver, missing=["Bản sao giấy khai sinh"], at=at + HOUR
    )


def processed(shop: OneStopShop, at: datetime, **kwargs: Any) -> Dossier:
    dossier = processing(shop, at, **kwargs)
    return actions.approve(dossier, actor=shop.leader, at=at + 2 * HOUR)


def returned(shop: OneStopShop, at: datetime, **kwargs: Any) -> Dossier:
    dossier = processed(shop, at, **kwargs)
    return actions.return_result(dossier, actor=shop.receiver, at=at + 3 * HOUR)
