"""`mekong purge_face_data`: delete the face vectors whose consent has run its course (daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mekong.faceid.actions import purge_expired


class Command(BaseCommand):
    help = "Xóa đặc trưng khuôn mặt đã hết thời hạn lưu theo sự đồng ý (chạy hằng ngày)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Đã xóa {purge_expired()} đặc trưng khuôn mặt hết hạn lưu.")
