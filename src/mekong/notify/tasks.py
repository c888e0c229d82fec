"""Delivery through Celery (inline when there is no broker, see mekong.celery).

`deliver_task` is queued once per delivery when the notification's transaction commits; it is safe to
run any number of times (see `notify.actions`). A provider failure is retried with back-off; inline
(eager) runs never wait — the delivery stays pending and `send_due_task` (Celery beat, every minute) or
`mekong send_notifications` (cron) picks it up.
"""

from __future__ import annotations

import math
from typing import Any

from celery import shared_task

from mekong.notify import actions


@shared_task(bind=True, name="mekong.notify.deliver", acks_late=True, ignore_result=True)
def deliver_task(self: Any, delivery_id: int) -> str:
    outcome = actions.deliver(delivery_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        # The database counts the attempts and decides when to give up; the queue only waits.
        raise self.retry(countdown=max(1, math.ceil(outcome.retry_in)), max_retries=None)
    return outcome.status


@shared_task(name="mekong.notify.send_due", ignore_result=True)
def send_due_task() -> int:
    """Queue again the deliveries that are due and may have no task (retries, dead workers)."""
    return actions.send_due()
