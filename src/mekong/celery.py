"""Celery application.

With REDIS_URL set, tasks go through Redis to a worker (`mekong-worker`). Without it they run inline
in the calling process (`task_always_eager`), so a laptop needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")

app = Celery("mekong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
