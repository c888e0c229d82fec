"""`mekong load_units`: load the 2025 units, one legacy province with its successions, and demo hamlets."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mekong.core.errors import DomainError
from mekong.geo.loaders import DEMO_LEGACY_PROVINCE, load_all_units


class Command(BaseCommand):
    help = (
        "Nạp đơn vị hành chính: 34 tỉnh, thành phố và các xã, phường (2025), đơn vị cũ của một tỉnh "
        "(trước 01/07/2025), quan hệ sắp xếp và ấp, khu vực mẫu. Chạy lại nhiều lần không tạo trùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tinh-cu",
            dest="province",
            default=DEMO_LEGACY_PROVINCE,
            help="Tên ngắn của tỉnh cũ (mặc định: %(default)s).",
        )
        parser.add_argument("--tep-ap", dest="hamlets", type=Path, default=None, help="Tệp CSV ấp, khu vực.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            report = load_all_units(options["province"], options["hamlets"])
        except DomainError as error:
            for item in error.errors:
                self.stderr.write(f"  - {item}")
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(f"• {line}")
        self.stdout.write(
            self.style.SUCCESS(f"Đã nạp đơn vị hành chính trong {time.perf_counter() - started:.1f} giây.")
        )
