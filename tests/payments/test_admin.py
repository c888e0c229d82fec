"""The province admin sees payments, their history and the refused gateway calls in the admin, read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.factories import OfficialFactory, RoleAssignmentFactory
from mekong.accounts.actions import sync_staff_permissions
from mekong.accounts.roles import Role
from mekong.payments import actions
from mekong.payments.gateways.contrib.sandbox.plugin import sandbox
from mekong.payments.models import Payment, RefusedCallback

from .factories import awaiting_payment, fee_shop, gateway_result, started_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_admin() -> Client:
    admin = OfficialFactory()
    RoleAssignmentFactory(user=admin, role=Role.PROVINCE_ADMIN)
    sync_staff_permissions(admin)
    client = Client()
    client.force_login(admin)
    return client


def test_flagged_payments_and_forged_calls_are_visible_read_only(province_admin: Client) -> None:
    shop = fee_shop()
    payment = started_payment(shop, awaiting_payment(shop))
    actions.handle_notification(sandbox, gateway_result(payment, amount=1000))  # mismatch: flagged
    actions.handle_notification(sandbox, gateway_result(payment, secret="X" * 32), remote_addr="198.51.100.9")

    listing = province_admin.get(reverse("admin:payments_payment_changelist") + "?attention=amount_mismatch")
    assert listing.status_code == 200
    assert payment.txn_ref in listing.content.decode()
    detail = province_admin.get(reverse("admin:payments_payment_change", args=[payment.pk])).content.decode()
    assert "Cổng báo số tiền khác số phải nộp" in detail
    assert "gateway_result" not in detail
    assert "flagged" in detail

    refused = province_admin.get(reverse("admin:payments_refusedcallback_changelist")).content.decode()
    assert "Chữ ký không hợp lệ" in refused
    assert "198.51.100.9" in refused
    assert "Số tiền khác số phải nộp" in refused

    assert province_admin.get(reverse("admin:payments_payment_add")).status_code == 403
    changed = province_admin.post(
        reverse("admin:payments_payment_change", args=[payment.pk]), {"status": "paid"}
    )
    assert changed.status_code == 403
    assert Payment.objects.get(pk=payment.pk).status == "pending"
    assert RefusedCallback.objects.count() == 2


def test_officers_without_the_admin_role_do_not_get_in() -> None:
    client = Client()
    client.force_login(fee_shop().receiver)
    response = client.get(reverse("admin:payments_payment_changelist"))
    assert response.status_code == 302  # to the admin's sign-in page
