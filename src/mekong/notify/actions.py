"""Every change to notifications: creating them with a dossier event (the outbox), delivering them
(claim → send → record), marking them read, and a citizen's choice of channels.

Delivery, exactly once per channel (docs/decisions/0003-notification-delivery.md):
1. *claim* — one conditional UPDATE moves the row from "pending" (due) or "sending" with an expired lease
   to "sending", with a fresh claim token, a lease, and one more attempt. Only one worker can win it;
   a redelivered or duplicated task finds it claimed or finished and sends nothing;
2. *send* — outside any transaction, with the delivery's key as idempotency key;
3. *record* — "sent" (or a retry time, or "failed"), only if the claim token is still ours.
A worker killed between 1 and 3 leaves the row "sending"; when the lease runs out the next attempt
claims it again, and the provider recognises the key if the first attempt had reached it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mekong.accounts.models import User
from mekong.core.errors import DomainError, FieldError, NotFound
from mekong.dossiers.actions import RESCHEDULE
from mekong.dossiers.models import Dossier, DossierEvent
from mekong.dossiers.states import Command
from mekong.notify import policy
from mekong.notify.channels.base import OutgoingMessage, PermanentDeliveryError
from mekong.notify.channels.registry import registry
from mekong.notify.models import (
    Delivery,
    DeliveryStatus,
    InboxMessage,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from mekong.notify.rendering import render_notification
from mekong.notify.selectors import preferences_of

log = structlog.get_logger(__name__)

KIND_BY_COMMAND: dict[str, NotificationKind] = {
    Command.RECEIVE: NotificationKind.RECEIVED,
    Command.REQUEST_SUPPLEMENT: NotificationKind.SUPPLEMENT_REQUESTED,
    Command.REFUSE: NotificationKind.REFUSED,
    Command.REQUEST_PAYMENT: NotificationKind.PAYMENT_DUE,
    Command.PAY: NotificationKind.PAID,
    Command.APPROVE: NotificationKind.RESULT_READY,
    Command.RETURN_RESULT: NotificationKind.RETURNED,
}
# A `reschedule` event tells the citizen only when it comes from a confirmed apology letter.
NOTIFIED_COMMANDS = (*KIND_BY_COMMAND, RESCHEDULE)


def kind_for(event: DossierEvent) -> NotificationKind | None:
    if event.command == RESCHEDULE:
        return NotificationKind.APOLOGY if (event.data or {}).get("apology") else None
    return KIND_BY_COMMAND.get(event.command)


def lease() -> timedelta:
    return timedelta(seconds=settings.MEKONG_NOTIFY_LEASE_SECONDS)


def max_age() -> timedelta:
    return timedelta(hours=settings.MEKONG_NOTIFY_MAX_AGE_HOURS)


# --- the outbox: a notification with its dossier event ---------------------------------------------------


def notify_event(
    dossier: Dossier, event: DossierEvent, *, now: datetime | None = None
) -> Notification | None:
    """Create the notification of `event` for the dossier's applicant, in the caller's transaction (the
    dossier event hook). The inbox copy is written now; the other channels are queued when the
    transaction commits. Returns None when the event tells the citizen nothing or there is nobody to tell.
    """
    kind = kind_for(event)
    if kind is None or dossier.applicant_id is None:
        return None
    recipient = User.objects.filter(pk=dossier.applicant_id, is_active=True).first()
    if recipient is None:
        return None
    now = now or timezone.now()
    preferences = preferences_of(recipient)
    rendered = render_notification(
        kind,
        dossier,
        event,
        name=recipient.full_name or dossier.applicant_name,
        language=preferences.language,
    )
    notification = Notification.objects.create(
        recipient=recipient,
        dossier=dossier,
        event=event,
        kind=kind,
        language=preferences.language,
        subject=rendered.subject,
        body=rendered.body,
        email_body=rendered.email_body,
        sms_text=rendered.sms_text,
        link=rendered.link,
        event_at=event.created_at,
        created_at=now,
    )
    stale = policy.is_stale(event.created_at, now, max_age())
    deliveries = []
    for name in preferences.channels:
        channel = registry[name]
        if channel.in_transaction:
            status = DeliveryStatus.SENT
        else:
            status = DeliveryStatus.EXPIRED if stale else DeliveryStatus.PENDING
        deliveries.append(
            Delivery(
                notification=notification,
                channel=name,
                address=channel.address_for(recipient) or "",
                status=status,
                attempts=1 if status == DeliveryStatus.SENT else 0,
                sent_at=now if status == DeliveryStatus.SENT else None,
                created_at=now,
            )
        )
    Delivery.objects.bulk_create(deliveries)
    queued = []
    for delivery in deliveries:
        channel = registry[delivery.channel]
        if channel.in_transaction:
            channel.send(_outgoing(delivery, notification))
        elif delivery.status == DeliveryStatus.PENDING:
            queued.append(delivery.pk)
    if queued:
        transaction.on_commit(partial(dispatch, queued), robust=True)
    return notification


def dispatch(delivery_ids: Sequence[int]) -> None:
    """Queue one delivery task per id (run inline when there is no broker). A delivery whose task cannot
    be queued stays pending: `send_due` finds it."""
    from mekong.notify.tasks import deliver_task

    queue = settings.MEKONG_NOTIFY_QUEUE or None
    for delivery_id in delivery_ids:
        try:
            deliver_task.apply_async((delivery_id,), queue=queue)
        except Exception:
            log.exception("notification_dispatch_failed", delivery=delivery_id)


def _outgoing(delivery: Delivery, notification: Notification) -> OutgoingMessage:
    return OutgoingMessage(
        key=str(delivery.key),
        address=delivery.address,
        subject=notification.subject,
        body=notification.body,
        email_body=notification.email_body,
        sms_text=notification.sms_text,
        link=notification.link,
        language=notification.language,
        delivery_id=delivery.pk,
        notification_id=notification.pk,
        recipient_id=notification.recipient_id,
        event_at=notification.event_at,
    )


# --- delivery --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # the delivery's status afterwards ("missing" for an unknown id)
    retry_in: float | None = None  # seconds until it is worth trying again, when it is


def _claimable(now: datetime) -> Q:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return (Q(status=DeliveryStatus.PENDING) & due) | Q(status=DeliveryStatus.SENDING, lease_until__lt=now)


def _record(delivery_id: int, token: uuid.UUID, **changes: object) -> bool:
    """Write the outcome of our attempt, unless another attempt has claimed the row since."""
    updated = Delivery.objects.filter(
        pk=delivery_id, claim_token=token, status=DeliveryStatus.SENDING
    ).update(claim_token=None, lease_until=None, updated_at=timezone.now(), **changes)
    if not updated:
        log.warning("notification_claim_lost", delivery=delivery_id)
    return bool(updated)


def deliver(delivery_id: int, *, now: datetime | None = None) -> Outcome:
    """Send one delivery if it is due and nobody else is sending it. Never raises for a provider's
    failure: it is recorded, with the time to try again."""
    now = now or timezone.now()
    token = uuid.uuid4()
    claimed = (
        Delivery.objects.filter(_claimable(now), pk=delivery_id).update(
            status=DeliveryStatus.SENDING,
            claim_token=token,
            lease_until=now + lease(),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        == 1
    )
    if not claimed:
        return _not_claimed(delivery_id, now)

    delivery = Delivery.objects.select_related("notification").get(pk=delivery_id)
    notification = delivery.notification
    channel = registry.get(delivery.channel)
    if channel is None:
        _record(
            delivery_id, token, status=DeliveryStatus.FAILED, last_error=f"unknown channel {delivery.channel}"
        )
        return Outcome(DeliveryStatus.FAILED)
    if policy.is_stale(notification.event_at, now, max_age()):
        _record(delivery_id, token, status=DeliveryStatus.EXPIRED)
        log.info("notification_expired", delivery=delivery_id, channel=delivery.channel)
        return Outcome(DeliveryStatus.EXPIRED)

    try:
        sent = channel.send(_outgoing(delivery, notification))
    except PermanentDeliveryError as error:
        _record(delivery_id, token, status=DeliveryStatus.FAILED, last_error=_describe(error))
        log.warning("notification_failed", delivery=delivery_id, channel=delivery.channel, error=str(error))
        return Outcome(DeliveryStatus.FAILED)
    except Exception as error:  # anything else may pass: try again later
        return _failed_attempt(delivery, token, error, now)

    _record(
        delivery_id,
        token,
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        provider_reference=sent.reference[:200],
        last_error="",
    )
    log.info(
        "notification_sent",
        delivery=delivery_id,
        channel=delivery.channel,
        attempt=delivery.attempts,
        duplicate=sent.duplicate,
    )
    return Outcome(DeliveryStatus.SENT)


def _not_claimed(delivery_id: int, now: datetime) -> Outcome:
    current = (
        Delivery.objects.filter(pk=delivery_id).values("status", "lease_until", "next_attempt_at").first()
    )
    if current is None:
        return Outcome("missing")
    status = current["status"]
    if status == DeliveryStatus.SENDING and current["lease_until"] is not None:
        # Another attempt holds it (or held it and died): look again once its lease has run out.
        return Outcome(status, retry_in=(current["lease_until"] - now).total_seconds() + 1)
    if status == DeliveryStatus.PENDING and current["next_attempt_at"] is not None:
        return Outcome(status, retry_in=max(0.0, (current["next_attempt_at"] - now).total_seconds()))
    return Outcome(status)  # sent, failed or expired: nothing left to do


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _failed_attempt(delivery: Delivery, token: uuid.UUID, error: Exception, now: datetime) -> Outcome:
    attempts = delivery.attempts
    if attempts >= settings.MEKONG_NOTIFY_MAX_ATTEMPTS:
        _record(delivery.pk, token, status=DeliveryStatus.FAILED, last_error=_describe(error))
        log.warning("notification_gave_up", delivery=delivery.pk, attempts=attempts, error=str(error))
        return Outcome(DeliveryStatus.FAILED)
    wait = policy.backoff_seconds(attempts)
    _record(
        delivery.pk,
        token,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now + timedelta(seconds=wait),
        last_error=_describe(error),
    )
    log.warning(
        "notification_attempt_failed",
        delivery=delivery.pk,
        attempts=attempts,
        retry_in=wait,
        error=str(error),
    )
    return Outcome(DeliveryStatus.PENDING, retry_in=wait)


# Deliveries created less than this long ago are left to the task queued when they were created.
DISPATCH_GRACE = timedelta(minutes=2)


def due_deliveries(now: datetime | None = None, *, limit: int = 500) -> list[int]:
    """Deliveries that should be on their way and may not be: a retry time passed, a lease expired (the
    worker died), or a fresh delivery whose task was never queued."""
    now = now or timezone.now()
    due = (
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.PENDING, next_attempt_at__isnull=True, created_at__lte=now - DISPATCH_GRACE)
        | Q(status=DeliveryStatus.SENDING, lease_until__lt=now)
    )
    return list(Delivery.objects.filter(due).order_by("pk").values_list("pk", flat=True)[:limit])


def send_due(now: datetime | None = None, *, limit: int = 500) -> int:
    """Queue every due delivery again (periodically, from Celery beat or `mekong send_notifications`).
    Harmless when a task for it is already on its way: whichever comes second finds it claimed."""
    ids = due_deliveries(now, limit=limit)
    dispatch(ids)
    return len(ids)


def retry_failed(delivery_ids: Iterable[int]) -> int:
    """Give failed deliveries a fresh set of attempts (an administrator fixed the address or the
    provider) and queue them."""
    ids = list(
        Delivery.objects.filter(pk__in=list(delivery_ids), status=DeliveryStatus.FAILED).values_list(
            "pk", flat=True
        )
    )
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None, updated_at=timezone.now()
    )
    transaction.on_commit(partial(dispatch, ids), robust=True)
    return len(ids)


# --- the citizen's side ------------------------------------------------------------------------------------

MESSAGE_NOT_FOUND = _("Không tìm thấy thông báo số {id}.")


def mark_read(user: User, message_id: int, *, at: datetime | None = None) -> InboxMessage:
    """Mark one of the user's inbox messages read (again: nothing changes)."""
    at = at or timezone.now()
    with transaction.atomic():
        message = (
            InboxMessage.objects.select_for_update(of=("self",))
            .select_related("notification", "notification__dossier")
            .filter(pk=message_id, recipient_id=user.pk)
            .first()
        )
        if message is None:
            raise NotFound(MESSAGE_NOT_FOUND, id=message_id)
        if message.read_at is None:
            message.read_at = at
            message.save(update_fields=["read_at"])
    return message


def mark_all_read(user: User, *, at: datetime | None = None) -> int:
    at = at or timezone.now()
    return InboxMessage.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(read_at=at)


def set_preferences(user: User, *, channels: Iterable[str], language: str) -> NotificationPreference:
    """Store the channels the user wants besides the always-on ones, and their language."""
    wanted = list(dict.fromkeys(str(name) for name in channels))
    errors = []
    for name in wanted:
        channel = registry.get(name)
        if channel is None:
            errors.append(
                FieldError("channels", _("Không có kênh thông báo “{name}”."), params={"name": name})
            )
        elif channel.address_for(user) is None:
            errors.append(
                FieldError(
                    "channels",
                    _("Tài khoản chưa có địa chỉ để nhận thông báo qua kênh “{channel}”."),
                    params={"channel": channel.label},
                )
            )
    languages = [code for code, _name in settings.LANGUAGES]
    if language not in languages:
        errors.append(
            FieldError(
                "language",
                _("Ngôn ngữ không hợp lệ: chọn một trong {choices}."),
                params={"choices": ", ".join(languages)},
            )
        )
    if errors:
        raise DomainError(
            _("Chưa lưu được tùy chọn nhận thông báo."), errors=errors, code="invalid_preferences"
        )
    chosen = [name for name in wanted if not registry[name].always_on]
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"channels": chosen, "language": language}
    )
    log.info("notification_preferences_set", user=user.pk, channels=chosen, language=language)
    return preference
