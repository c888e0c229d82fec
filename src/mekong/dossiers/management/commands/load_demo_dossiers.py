"""Load the demo dossiers (about 2,000 over the last 12 months), through the dossier actions.

Safe to run again: it tops the demo dossiers up to --count and creates nothing when they are there.
Needs the demo tenant first (`mekong load_demo`: agencies, procedures, demo accounts).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mekong.core.errors import DomainError


class Command(BaseCommand):
    help = "Nạp khoảng 2.000 hồ sơ mẫu (12 tháng gần nhất) qua đúng các thao tác của hệ thống."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--count", type=int, default=2000, help="Tổng số hồ sơ mẫu cần có (mặc định 2000)."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Hạt giống ngẫu nhiên (mặc định 2026).")

    def handle(self, *args: Any, **options: Any) -> None:
        from mekong.dossiers.demo import generate_demo_dossiers

        if options["count"] < 0:
            raise CommandError("--count phải là số không âm.")
        started = time.perf_counter()
        last_shown = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if done == total or now - last_shown[0] >= 2:
                last_shown[0] = now
                self.stdout.write(f"  … {done}/{total} hồ sơ ({now - started:.0f} s)")

        self.stdout.write("• Hồ sơ mẫu…")
        try:
            report = generate_demo_dossiers(options["count"], seed=options["seed"], progress=progress)
        except DomainError as error:
            for item in error.errors:
                self.stderr.write(f"  - {item}")
            raise CommandError(str(error)) from error
        if report.created == 0:
            self.stdout.write(f"  Đã có {report.already_there} hồ sơ mẫu, không tạo thêm.")
            if report.ratings.ratings:  # a database loaded before the demo had ratings
                self.stdout.write(f"  {report.ratings}")
            return
        self.stdout.write(self.style.SUCCESS(f"  {report}"))
