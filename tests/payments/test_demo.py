"""The demo data pays through real payment records: online through the sandbox protocol, at the counter
by the officer; the demo citizen has a dossier waiting for payment and one paid with its e-receipt."""

from __future__ import annotations

from typing import Any

import pytest

from dossiers.test_demo_dossiers import NOW, tenant
from mekong.accounts.demo import DEMO_CITIZEN_PERSONAL_ID
from mekong.dossiers.demo import generate_demo_dossiers
from mekong.dossiers.models import Dossier, DossierEvent, IssuedDocument, IssuedDocumentKind
from mekong.dossiers.states import Status
from mekong.payments.models import Payment, PaymentStatus

__all__ = ["tenant"]


@pytest.mark.django_db
def test_demo_payments_are_real_records(tenant: None, settings: Any) -> None:
    settings.MEKONG_PAYMENT_SANDBOX = False  # the demo pays through the protocol even where it is not offered
    generate_demo_dossiers(20, now=NOW)

    pay_events = list(DossierEvent.objects.filter(command="pay").select_related("dossier"))
    assert pay_events
    for event in pay_events:
        payment = Payment.objects.get(txn_ref=event.data["payment"])
        assert payment.status == PaymentStatus.PAID
        assert payment.dossier_id == event.dossier_id
        assert payment.paid_at is not None
        assert payment.paid_at <= event.created_at <= NOW
        if payment.channel == "online":
            assert payment.gateway == "sandbox"
            assert payment.transaction_no.isdigit()
            assert [e.kind for e in payment.events.order_by("sequence")] == ["created", "gateway_result"]
        assert IssuedDocument.objects.filter(event=event, kind=IssuedDocumentKind.FEE_RECEIPT).exists()

    citizen_dossiers = Dossier.objects.filter(applicant__personal_id=DEMO_CITIZEN_PERSONAL_ID)
    waiting = citizen_dossiers.get(status=Status.PAYMENT_REQUESTED)
    assert waiting.events.get(command="request_payment").data["amount"] > 0
    paid = Payment.objects.get(dossier__in=citizen_dossiers, channel="online", status=PaymentStatus.PAID)
    assert (
        IssuedDocument.objects.filter(dossier=paid.dossier, kind=IssuedDocumentKind.FEE_RECEIPT).count() == 1
    )
