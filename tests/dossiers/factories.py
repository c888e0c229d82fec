"""Factories for dossiers: a commune with its one-stop-shop staff, a procedure it receives, and a citizen.

Dossiers are made through `dossiers.actions` (never by writing statuses directly), so every test dossier
has a real event trail.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts.factories import CitizenFactory, OfficialFactory, RoleAssignmentFactory
from catalog.factories import AgencyFactory, ProcedureFactory, RequiredDocumentFactory
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.catalog.models import Agency, Procedure, RequiredDocument
from mekong.dossiers import actions
from mekong.dossiers.models import Channel, Dossier

# The smallest well-formed files of each accepted type (magic number ... end marker).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16 + b"IEND\xaeB`\x82"
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 16 + b"\xff\xd9"


def pdf(content: bytes = PDF_BYTES) -> io.BytesIO:
    return io.BytesIO(content)


@dataclass
class OneStopShop:
    agency: Agency
    procedure: Procedure
    requirement: RequiredDocument
    receiver: User
    specialist: User
    leader: User
    citizen: User


def one_stop_shop(**procedure_fields: Any) -> OneStopShop:
    agency = AgencyFactory()
    procedure = ProcedureFactory(**procedure_fields)
    procedure.agencies.add(agency)
    requirement = RequiredDocumentFactory(procedure=procedure, name="Tờ khai theo mẫu", mandatory=True)
    staff = {}
    for role in (Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.LEADER):
        official = OfficialFactory()
        RoleAssignmentFactory(user=official, role=role, agency=agency)
        staff[role] = official
    return OneStopShop(
        agency=agency,
        procedure=procedure,
        requirement=requirement,
        receiver=staff[Role.RECEIVING_OFFICER],
        specialist=staff[Role.SPECIALIST],
        leader=staff[Role.LEADER],
        citizen=CitizenFactory(),
    )


def submitted_dossier(
    shop: OneStopShop, *, at: datetime | None = None, form_data: dict[str, Any] | None = None
) -> Dossier:
    draft = actions.create_draft(
        actor=shop.citizen, procedure=shop.procedure, agency=shop.agency, form_data=form_data or valid_form()
    )
    actions.attach_file(
        draft, actor=shop.citizen, stream=pdf(), name="to-khai.pdf", requirement=shop.requirement
    )
    return actions.submit(draft, actor=shop.citizen, at=at)


def counter_dossier(
    shop: OneStopShop, *, at: datetime | None = None, applicant: str = "Lê Thị Tám"
) -> Dossier:
    """Filed in person: the receiving officer enters it for the citizen at the counter."""
    draft = actions.create_draft(
        actor=shop.receiver,
        procedure=shop.procedure,
        agency=shop.agency,
        applicant=actions.Applicant(name=applicant),
        form_data={**valid_form(), "ho_ten": applicant},
        channel=Channel.IN_PERSON,
    )
    actions.attach_file(draft, actor=shop.receiver, stream=pdf(), name="a.pdf", requirement=shop.requirement)
    return actions.submit(draft, actor=shop.receiver, at=at)


def valid_form() -> dict[str, Any]:
    return {"ho_ten": "Nguyễn Văn An", "so_ban": 1}
