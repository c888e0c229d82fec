"""Dossiers with hand-made histories, made through the actions (every one has a real event trail)."""

from __future__ import annotations

from datetime import datetime

from dossiers.factories import OneStopShop, submitted_dossier
from mekong.dossiers import actions
from mekong.dossiers.models import Dossier


def received(shop: OneStopShop, at: datetime) -> Dossier:
    dossier = submitted_dossier(shop, at=at)
    return actions.receive(dossier, actor=shop.receiver, at=at)


def processed(
    shop: OneStopShop, dossier: Dossier, at: datetime, *, started: datetime | None = None
) -> Dossier:
    dossier = actions.start_processing(dossier, actor=shop.specialist, at=started or at)
    return actions.approve(dossier, actor=shop.leader, at=at)


def returned(shop: OneStopShop, dossier: Dossier, at: datetime) -> Dossier:
    return actions.return_result(dossier, actor=shop.receiver, at=at)


def supplement_round(shop: OneStopShop, dossier: Dossier, asked: datetime, answered: datetime) -> Dossier:
    dossier = actions.request_supplement(dossier, actor=shop.receiver, missing=["Bản sao CCCD"], at=asked)
    return actions.supplement(dossier, actor=shop.citizen, note="Đã bổ sung", at=answered)
