"""Background work on dossiers (Celery). Without REDIS_URL, tasks run inline (see mekong.celery).

Periodic schedule (docs/operations.md): `draft_apologies_task` every 30 minutes during office hours, from
Celery beat or from cron through `mekong draft_apologies`.
"""

from __future__ import annotations

from celery import shared_task

from mekong.dossiers.apology import DEFAULT_WITHIN_WORKING_HOURS, draft_apologies


@shared_task(name="mekong.dossiers.draft_apologies")
def draft_apologies_task(within_working_hours: float = DEFAULT_WITHIN_WORKING_HOURS) -> int:
    """Draft the apology letters of the dossiers about to be late; returns how many were drafted."""
    return len(draft_apologies(within_working_hours=within_working_hours))
