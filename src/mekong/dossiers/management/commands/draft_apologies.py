"""Draft the apology letters of dossiers about to be late (for cron; Celery beat runs the same task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mekong.dossiers.apology import DEFAULT_WITHIN_WORKING_HOURS, draft_apologies


class Command(BaseCommand):
    help = "Lập dự thảo phiếu xin lỗi và hẹn lại ngày trả kết quả cho các hồ sơ sắp trễ hạn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--within-hours",
            type=float,
            default=DEFAULT_WITHIN_WORKING_HOURS,
            help="Hồ sơ đến hạn trong số giờ làm việc này (mặc định 4).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        letters = draft_apologies(within_working_hours=options["within_hours"])
        for letter in letters:
            self.stdout.write(f"  - {letter.dossier.code}")
        self.stdout.write(f"Đã lập {len(letters)} dự thảo phiếu xin lỗi.")
