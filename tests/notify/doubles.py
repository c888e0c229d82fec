"""Stand-ins for the third parties a notification goes through (an SMS gateway, an SMTP server), for the
failures we cannot provoke in the real ones. Selected through settings like any provider or backend."""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from mekong.notify.channels.contrib.sms.providers.base import SmsError, SmsProvider, SmsReceipt, SmsRejected
from mekong.notify.channels.contrib.sms.providers.dev import LogFileSmsProvider


class GatewayDown(SmsProvider):
    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        raise SmsError("503 Service Unavailable")


class GatewayRefuses(SmsProvider):
    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        raise SmsRejected(f"invalid number {to}")


class WorkerKilled(BaseException):
    """What a worker dying looks like from inside: nothing after it runs (not an Exception, so no handler
    of ours catches it)."""


class DiesAfterSending(LogFileSmsProvider):
    """Hands the text to the log, then the process 'dies' before anyone records that it was sent."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        super().send(to=to, text=text, idempotency_key=idempotency_key)
        raise WorkerKilled


class DiesBeforeSending(SmsProvider):
    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        raise WorkerKilled


class SlowGateway(LogFileSmsProvider):
    """Counts the texts handed to it, slowly, without deduplicating: shows what the claim alone prevents."""

    calls = 0
    lock = threading.Lock()

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        with SlowGateway.lock:
            SlowGateway.calls += 1
        threading.Event().wait(0.2)
        return SmsReceipt(reference=f"slow:{idempotency_key}")


class RecipientRefused(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        recipients = {address: (550, b"5.1.1 No such user") for m in email_messages for address in m.to}
        raise smtplib.SMTPRecipientsRefused(recipients)  # type: ignore[arg-type]
