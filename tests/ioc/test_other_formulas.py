"""Hand-made cases for the online, e-result and catalogue indicators (3.1, 3.2, 3.3, 5.1, 1.3)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from catalog.factories import ProcedureFactory, ProcessingStepFactory, RequiredDocumentFactory
from dossiers.factories import OneStopShop, counter_dossier, pdf, submitted_dossier
from mekong.dossiers import actions
from mekong.ioc import selectors
from mekong.ioc.indicators import month_of

from .builders import received
from .conftest import vn

pytestmark = pytest.mark.django_db


def indicator(figures: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for g in figures["groups"] for i in g["indicators"] if i["code"] == code)


def test_online_dossiers_of_an_e_result_procedure_count_once_they_have_their_result(
    shop: OneStopShop, viewer: Any
) -> None:
    # A second procedure of the same agency that requires an electronic result.
    e_result = ProcedureFactory(requires_e_result=True, time_limit_value=3)
    e_result.agencies.add(shop.agency)
    RequiredDocumentFactory(procedure=e_result, name="Tờ khai", mandatory=False)
    ProcessingStepFactory(procedure=shop.procedure)  # the first procedure is now published complete
    # A third, offered online, that gets no dossier in March.
    ProcedureFactory().agencies.add(shop.agency)

    with_result = actions.start_processing(
        actions.receive(
            actions.submit(
                actions.create_draft(
                    actor=shop.citizen,
                    procedure=e_result,
                    agency=shop.agency,
                    form_data={"ho_ten": "A", "so_ban": 1},
                ),
                actor=shop.citizen,
                at=vn(2025, 3, 3),
            ),
            actor=shop.receiver,
            at=vn(2025, 3, 3, 10),
        ),
        actor=shop.specialist,
        at=vn(2025, 3, 3, 11),
    )
    actions.attach_result(
        with_result, actor=shop.specialist, stream=pdf(), name="ket-qua.pdf", at=vn(2025, 3, 4)
    )
    actions.approve(with_result, actor=shop.leader, at=vn(2025, 3, 4, 10))
    # Filed online for the same procedure, still without its result at the end of March.
    actions.receive(
        actions.submit(
            actions.create_draft(
                actor=shop.citizen,
                procedure=e_result,
                agency=shop.agency,
                form_data={"ho_ten": "B", "so_ban": 1},
            ),
            actor=shop.citizen,
            at=vn(2025, 3, 5),
        ),
        actor=shop.receiver,
        at=vn(2025, 3, 5, 10),
    )
    # Filed online for the first procedure, which needs no electronic result.
    received(shop, vn(2025, 3, 6))
    # A dossier processed without an e-result, to weigh 5.1.
    plain = received(shop, vn(2025, 3, 6))
    actions.approve(
        actions.start_processing(plain, actor=shop.specialist, at=vn(2025, 3, 6, 11)),
        actor=shop.leader,
        at=vn(2025, 3, 7),
    )

    figures = selectors.summary(viewer, None, month_of(date(2025, 3, 1)), now=date(2025, 4, 10))

    # 3.3: 4 filed online; the e-result procedure's open one does not count yet → 3 of 4.
    assert (indicator(figures, "3.3")["numerator"], indicator(figures, "3.3")["denominator"]) == (3, 4)
    # 5.1: 2 processed, 1 with its electronic result → 1 of 2; points 0.5 × 6 ÷ 0.8 = 3.75.
    assert (indicator(figures, "5.1")["numerator"], indicator(figures, "5.1")["denominator"]) == (1, 2)
    assert indicator(figures, "5.1")["points"] == 3.75
    # 3.1: the agency offers 3 procedures, all online; 3.2: 2 of them got an online dossier in March.
    assert (indicator(figures, "3.1")["numerator"], indicator(figures, "3.1")["denominator"]) == (3, 3)
    assert (indicator(figures, "3.2")["numerator"], indicator(figures, "3.2")["denominator"]) == (2, 3)
    # 1.3: only the first procedure now has legal basis, documents, steps, result and time limit.
    assert (indicator(figures, "1.3")["numerator"], indicator(figures, "1.3")["denominator"]) == (1, 3)
    # April: nothing filed online → 3.2 is 0 of 3 and its points 0.
    april = selectors.summary(viewer, None, month_of(date(2025, 4, 1)), now=date(2025, 4, 10))
    assert (indicator(april, "3.2")["numerator"], indicator(april, "3.2")["points"]) == (0, 0)


def test_a_dossier_filed_in_person_is_not_online(shop: OneStopShop, viewer: Any) -> None:
    counter_dossier(shop, at=vn(2025, 3, 3), applicant="Lê Thị Hoa")
    submitted_dossier(shop, at=vn(2025, 3, 3))
    figures = selectors.summary(viewer, None, month_of(date(2025, 3, 1)), now=date(2025, 4, 10))
    assert (indicator(figures, "3.3")["numerator"], indicator(figures, "3.3")["denominator"]) == (1, 2)
    # 0.5 × 4 ÷ 0.5: the 50 % target is reached, full points.
    assert indicator(figures, "3.3")["points"] == 4
