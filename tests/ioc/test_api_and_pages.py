"""The IOC over HTTP: the API (scope, periods, errors), the dashboard page, exports, the public page,
ratings and feedback, payments, and query counts that do not grow with the number of dossiers."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from accounts.factories import PASSWORD, CitizenFactory, OfficialFactory, RoleAssignmentFactory
from catalog.factories import AgencyFactory, FeeItemFactory
from dossiers.api_support import Api
from dossiers.factories import OneStopShop, one_stop_shop
from mekong.accounts.roles import Role
from mekong.catalog.models import AgencyKind
from mekong.feedback import actions as feedback
from mekong.payments import actions as payments
from mekong.payments.gateways.contrib.sandbox.plugin import sandbox
from payments.conftest import SANDBOX_SECRET
from payments.factories import gateway_result

from .builders import processed, received, returned
from .conftest import vn

pytestmark = pytest.mark.django_db


def indicator(figures: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for g in figures["groups"] for i in g["indicators"] if i["code"] == code)


def test_summary_for_march_through_the_api(shop: OneStopShop, viewer: Any) -> None:
    returned(shop, processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 4)), vn(2025, 3, 5))
    processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 12))  # late

    response = Api(viewer).client.get(
        "/api/v1/ioc/summary", {"period": "month", "date": "2025-03-15"}, **Api(viewer).headers
    )

    assert response.status_code == 200
    body = response.json()
    assert body["agency"]["id"] == shop.agency.pk
    assert body["period"] == {"kind": "month", "start": "2025-03-01", "end": "2025-03-31", "label": "03/2025"}
    assert (indicator(body, "2.1")["numerator"], indicator(body, "2.1")["denominator"]) == (1, 2)
    # 20 × 1/2 for 2.1; the catalogue's procedure is complete (1.3: 2), offered online (3.1: 4) and got an
    # online dossier in March (3.2: 4); 3.3: 2 online of 2 received (4); 5.1: no e-result (0); 5.2: both
    # have their form attached (4); 5.4: no reuse (0).
    # 2.1: 20 × 1/2 = 10. 1.3: the procedure has no processing steps published, so 0. 3.1, 3.2, 3.3: offered
    # online, got online dossiers, 2 of 2 filed online: 4 each. 5.1: no e-result, 0. 5.2: both have their
    # form attached: 4. 5.4: the second dossier's form is the same file (SHA-256) as the first's, already
    # digitised: 1/2 reused, 0.5 × 2 ÷ 0.8 = 1.25. No fees (4.1) and no ratings (6.x): not measured.
    assert indicator(body, "1.3")["points"] == 0
    assert indicator(body, "5.4")["points"] == 1.25
    assert indicator(body, "4.1")["measured"] is False
    assert body["total"] == pytest.approx(10 + 0 + 4 + 4 + 4 + 0 + 4 + 1.25)
    assert indicator(body, "1.1")["measured"] is False


def test_custom_period_and_bad_periods(shop: OneStopShop, viewer: Any) -> None:
    received(shop, vn(2025, 3, 10))
    api = Api(viewer)
    ok = api.client.get(
        "/api/v1/ioc/summary", {"period": "custom", "start": "2025-03-10", "end": "2025-03-10"}, **api.headers
    )
    assert ok.json()["counts"]["received"] == 1
    assert ok.json()["previous_period"]["start"] == "2025-03-09"
    backwards = api.client.get(
        "/api/v1/ioc/summary", {"period": "custom", "start": "2025-03-10", "end": "2025-03-01"}, **api.headers
    )
    assert backwards.status_code == 422
    assert backwards.json()["message_en"]
    unknown = api.client.get("/api/v1/ioc/summary", {"period": "week"}, **api.headers)
    assert unknown.status_code == 422


def test_scope_a_district_leader_reads_its_communes_but_not_others(db: None) -> None:
    district = AgencyFactory(kind=AgencyKind.DISTRICT_PC)
    commune = one_stop_shop()
    commune.agency.parent = district
    commune.agency.save()
    elsewhere = one_stop_shop()
    received(commune, vn(2025, 3, 3))
    received(elsewhere, vn(2025, 3, 3))
    leader = OfficialFactory()
    RoleAssignmentFactory(user=leader, role=Role.LEADER, agency=district)
    api = Api(leader)

    mine = api.client.get("/api/v1/ioc/summary", {"date": "2025-03-01"}, **api.headers).json()
    assert mine["agency"]["id"] == district.pk
    assert mine["counts"]["received"] == 1
    assert [c["id"] for c in mine["children"]] == [commune.agency.pk]
    other = api.client.get("/api/v1/ioc/summary", {"agency": elsewhere.agency.pk}, **api.headers)
    assert other.status_code == 404
    citizen = Api(CitizenFactory()).client.get("/api/v1/ioc/summary", **Api(CitizenFactory()).headers)
    assert citizen.status_code == 403


def test_summary_queries_do_not_grow_with_dossiers(
    shop: OneStopShop, viewer: Any, django_assert_max_num_queries: Any
) -> None:
    for day in (3, 4, 5, 6, 7):
        received(shop, vn(2025, 3, day))
    from mekong.ioc import selectors
    from mekong.ioc.indicators import month_of

    with django_assert_max_num_queries(8):
        selectors.summary(viewer, None, month_of(date(2025, 3, 1)))


def test_ratings_and_feedback(shop: OneStopShop, viewer: Any) -> None:
    happy = returned(shop, processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 4)), vn(2025, 3, 5))
    unhappy = returned(shop, processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 4)), vn(2025, 3, 5))
    citizen = Api(shop.citizen)
    assert citizen.post(f"/{happy.code}/rating", {"score": 5}).status_code == 201
    answer = citizen.post(f"/{unhappy.code}/rating", {"score": 1, "comment": "Chờ lâu"})
    assert answer.status_code == 201
    rating_id = answer.json()["id"]
    assert citizen.post(f"/{unhappy.code}/rating", {"score": 3}).status_code == 409
    assert citizen.post(f"/{happy.code}/rating", {"score": 9}).status_code == 422
    handled = Api(shop.receiver).client.post(
        f"/api/v1/feedback/{rating_id}/handle",
        {"response": "Xin lỗi, chúng tôi đã chấn chỉnh."},
        content_type="application/json",
        **Api(shop.receiver).headers,
    )
    assert handled.status_code == 200

    from mekong.feedback.models import Rating
    from mekong.ioc import selectors
    from mekong.ioc.indicators import month_of

    rated_on = Rating.objects.get(pk=rating_id).created_at
    period = month_of(rated_on.date())
    figures = selectors.summary(
        viewer, None, period, now=Rating.objects.get(pk=rating_id).feedback_due_at.date()
    )
    assert figures["counts"]["ratings"] == 2
    assert figures["counts"]["average_rating"] == 3.0
    # 6.1: the feedback falls due 15 working days later; handled at once, so on time.
    due_period = month_of(Rating.objects.get(pk=rating_id).feedback_due_at.date())
    due_figures = selectors.summary(viewer, None, due_period, now=due_period.end)
    assert (indicator(due_figures, "6.1")["numerator"], indicator(due_figures, "6.1")["denominator"]) == (
        1,
        1,
    )


def test_a_rating_needs_a_returned_dossier_of_ones_own(shop: OneStopShop) -> None:
    dossier = received(shop, vn(2025, 3, 3))
    with pytest.raises(Exception, match="trả kết quả"):
        feedback.rate(dossier, actor=shop.citizen, score=4)
    done = returned(shop, processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 4)), vn(2025, 3, 5))
    with pytest.raises(Exception, match="người nộp"):
        feedback.rate(done, actor=CitizenFactory(), score=4)


def test_online_payment_rate_and_payment_panel(viewer: Any, shop: OneStopShop, settings: Any) -> None:
    settings.MEKONG_PAYMENT_SANDBOX = True
    settings.MEKONG_SANDBOX_HASH_SECRET = SANDBOX_SECRET
    settings.MEKONG_PAYMENT_GATEWAY = ""
    FeeItemFactory(procedure=shop.procedure, amount=50_000)
    paid_online = received(shop, vn(2025, 3, 3))
    paid_online = payments.request_payment(paid_online, actor=shop.receiver, at=vn(2025, 3, 3, 10))
    payment = payments.start_online_payment(paid_online, actor=shop.citizen, gateway=sandbox).payment
    payments.handle_notification(sandbox, gateway_result(payment))
    at_counter = received(shop, vn(2025, 3, 3))
    at_counter = payments.request_payment(at_counter, actor=shop.receiver, at=vn(2025, 3, 3, 10))
    payments.confirm_counter_payment(at_counter, actor=shop.receiver)
    received(shop, vn(2025, 3, 3))  # not paid yet

    from mekong.ioc import selectors
    from mekong.ioc.indicators import month_of

    # 4.1 counts dossiers by the day they were filed (March): 1 paid online of 3 with fees.
    figures = selectors.summary(viewer, None, month_of(date(2025, 3, 1)))
    assert (indicator(figures, "4.1")["numerator"], indicator(figures, "4.1")["denominator"]) == (1, 3)
    # The panel counts payments on the day they were paid (today): 2 payments, 50,000 đ each way.
    panel = next(
        p
        for p in selectors.summary(viewer, None, month_of(selectors.today()))["panels"]
        if p["key"] == "payments"
    )
    assert [f["value"] for f in panel["figures"]] == [2, 100_000, 50_000, 50_000, 50.0]


def test_dashboard_page_exports_and_public_page(client: Client, shop: OneStopShop, viewer: Any) -> None:
    from geo.factories import CommuneFactory

    shop.agency.unit = CommuneFactory(latitude=9.7845, longitude=105.4701)
    shop.agency.save()
    processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 4))
    assert client.login(username=viewer.username, password=PASSWORD)
    page = client.get("/dieu-hanh/", {"period": "month", "date": "2025-03-01"})
    assert page.status_code == 200
    api = client.get("/api/v1/ioc/summary", {"period": "month", "date": "2025-03-01"}).json()
    html = page.content.decode()
    assert f'data-ioc="total">{api["total"]:.2f}'.replace(".", ",") in html
    # The commune on the map, at coordinates SVG can read (no Vietnamese decimal comma).
    assert re.search(r'<circle cx="[0-9.]+" cy="[0-9.]+" r="[0-9.]+" class="tone-good">', html)

    exported = client.get("/dieu-hanh/xuat.csv", {"period": "month", "date": "2025-03-01"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[1][0] == "Mã"
    assert any(row[:1] == ["2.1"] and row[2:4] == ["1", "1"] for row in rows)
    workbook = load_workbook(io.BytesIO(client.get("/dieu-hanh/xuat.xlsx", {"date": "2025-03-01"}).content))
    assert workbook.active["A1"].value == "Chỉ số phục vụ người dân, doanh nghiệp"
    assert client.get("/dieu-hanh/xuat.pdf").status_code == 404

    anonymous = Client().get("/chi-so-phuc-vu/", {"period": "year", "date": "2025-01-01"})
    assert anonymous.status_code == 200
    assert "Chỉ số phục vụ người dân, doanh nghiệp của tỉnh" in anonymous.content.decode()
    assert Client().get("/dieu-hanh/").status_code == 302


def test_citizen_rates_through_the_portal_form(client: Client, shop: OneStopShop) -> None:
    done = returned(shop, processed(shop, received(shop, vn(2025, 3, 3)), vn(2025, 3, 4)), vn(2025, 3, 5))
    assert client.login(username=shop.citizen.username, password=PASSWORD)
    detail = client.get(f"/ho-so/{done.code}/")
    assert f"/ho-so/{done.code}/danh-gia/" in detail.content.decode()
    empty = client.post(f"/ho-so/{done.code}/danh-gia/", {})
    assert empty.status_code == 400
    sent = client.post(f"/ho-so/{done.code}/danh-gia/", {"score": "4", "comment": "Nhanh, đúng hẹn"})
    assert sent.status_code == 302
    from mekong.feedback.models import Rating

    rating = Rating.objects.get(dossier=done)
    assert (rating.score, rating.comment) == (4, "Nhanh, đúng hẹn")
    assert rating.feedback_due_at is not None
    again = client.get(f"/ho-so/{done.code}/danh-gia/")
    assert "4 sao" in again.content.decode()
