"""The IOC's refresh after commit (MEKONG_IOC_DEFERRED): one task for the dossier events of the last
MEKONG_IOC_DELAY_SECONDS, and Celery beat every minute as a net (`settings.CELERY_BEAT_SCHEDULE`)."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from mekong.ioc import aggregates


@shared_task(name="mekong.ioc.refresh_pending", acks_late=True, ignore_result=True)
def refresh_pending_task() -> int:
    # Forget the schedule before claiming: an event that commits from now on queues a task of its own.
    cache.delete(aggregates.SCHEDULED_KEY)
    return aggregates.process_pending()
