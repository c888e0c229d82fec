"""Background work for face lookup (Celery; inline without REDIS_URL)."""

from __future__ import annotations

from celery import shared_task

from mekong.faceid import actions


@shared_task(name="mekong.faceid.check_duplicates")
def check_duplicates_task(embedding_id: int) -> int:
    """After an enrolment: look for the same face under another identity; returns pairs recorded."""
    return len(actions.check_duplicates(embedding_id))


@shared_task(name="mekong.faceid.purge_expired")
def purge_expired_task() -> int:
    """Delete the face vectors whose consent has run its course; returns how many."""
    return actions.purge_expired()
