"""Send the notification deliveries that are due (for cron when there is no Celery beat)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mekong.notify.actions import send_due


class Command(BaseCommand):
    help = "Gửi (hoặc xếp hàng gửi lại) các thông báo đến hạn: gửi lại sau lỗi, worker bị dừng giữa chừng."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="Tối đa bao nhiêu lần gửi (mặc định 500).")

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_due(limit=options["limit"])
        self.stdout.write(f"Đã xử lý {count} lần gửi thông báo đến hạn.")
