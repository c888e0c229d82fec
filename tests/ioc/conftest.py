"""Fixtures for the IOC tests: a one-stop shop with an IOC viewer on its agency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from dossiers.factories import OneStopShop, one_stop_shop, submitted_dossier
from mekong.accounts.models import User
from mekong.accounts.roles import Role
from mekong.dossiers import actions
from mekong.dossiers.workdays import VIETNAM_TZ

from .builders import processed, received, returned, supplement_round


def vn(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in Vietnam time."""
    return datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TZ)


def local_day(moment: Any) -> date:
    return moment.astimezone(VIETNAM_TZ).date()


@pytest.fixture
def shop(db: None) -> OneStopShop:
    # Three working days, as many commune procedures.
    return one_stop_shop(time_limit_value=3)


@pytest.fixture
def viewer(shop: OneStopShop) -> User:
    user = OfficialFactory(username="ioc.thu")
    RoleAssignmentFactory(user=user, role=Role.IOC_VIEWER, agency=shop.agency)
    return user


@pytest.fixture
def march(shop: OneStopShop) -> dict[str, Any]:
    made: dict[str, Any] = {}
    # 1. Processed on the 5th (returned on the 6th): ends when processed, on time.
    d1 = received(shop, vn(2025, 3, 3))
    assert local_day(d1.due_at) == date(2025, 3, 6)
    made["d1"] = returned(shop, processed(shop, d1, vn(2025, 3, 5, 10)), vn(2025, 3, 6, 10))
    # 2. Processed on the 10th, after the 6th: late.
    made["d2"] = processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 10, 10))
    # 3. Waited for the citizen from Tue 4th to Tue 11th (5 working days): due moves to Thu 13th, processed
    #    on the 12th is on time (without subtracting the wait it would be 6 days late).
    d3 = supplement_round(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 4), vn(2025, 3, 11))
    assert local_day(d3.due_at) == date(2025, 3, 13)
    made["d3"] = processed(shop, d3, vn(2025, 3, 12, 10))
    # 4. Two supplement requests: late, although processed within a day.
    d4 = supplement_round(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 3, 10), vn(2025, 3, 3, 11))
    d4 = supplement_round(shop, d4, vn(2025, 3, 3, 14), vn(2025, 3, 4, 9))
    made["d4"] = processed(shop, d4, vn(2025, 3, 4, 15))
    # 5. Refused at reception: handled, no appointment yet, on time.
    made["d5"] = actions.refuse(
        submitted_dossier(shop, at=vn(2025, 3, 3)),
        actor=shop.receiver,
        reason="Sai thủ tục",
        at=vn(2025, 3, 3, 10),
    )
    # 6. Withdrawn by the citizen before the appointment: handled on time.
    made["d6"] = actions.withdraw(
        received(shop, vn(2025, 3, 3)), actor=shop.citizen, reason="Không còn nhu cầu", at=vn(2025, 3, 4)
    )
    # 7. Received Thu 27th, due Tue 1 April, open at the end of March: within its deadline then.
    d7 = received(shop, vn(2025, 3, 27))
    assert local_day(d7.due_at) == date(2025, 4, 1)
    made["d7"] = d7
    # 8. Carried over: received 20 February, due 25 February, still open: late at the end of March.
    made["d8"] = received(shop, vn(2025, 2, 20))
    # 9. Received and processed in February: not part of March.
    made["d9"] = processed(shop, received(shop, vn(2025, 2, 25)), vn(2025, 2, 26, 10))
    # 10. Boundaries: filed at 23:30 on 31 March (16:30 UTC) counts in March; at 00:30 on 1 April, in April.
    made["d10"] = submitted_dossier(shop, at=vn(2025, 3, 31, 23, 30))
    made["d11"] = submitted_dossier(shop, at=vn(2025, 4, 1, 0, 30))
    return made
