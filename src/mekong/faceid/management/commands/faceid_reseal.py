"""`mekong faceid_reseal`: re-encrypt every face vector under the first key of MEKONG_FACEID_KEYS.

Rotate a key: put the new key first in MEKONG_FACEID_KEYS (keep the old one after it), restart, run this
command, then remove the old key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from mekong.faceid import index, vault
from mekong.faceid.models import FaceEmbedding


class Command(BaseCommand):
    help = "Mã hóa lại mọi đặc trưng khuôn mặt bằng khóa mới nhất (khóa đầu tiên của MEKONG_FACEID_KEYS)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            for row in (
                FaceEmbedding.objects.select_for_update().only("pk", "vector").iterator(chunk_size=1000)
            ):
                FaceEmbedding.objects.filter(pk=row.pk).update(vector=vault.reseal(row.vector))
                count += 1
        index.forget()
        self.stdout.write(f"Đã mã hóa lại {count} đặc trưng khuôn mặt.")
