"""`mekong rebuild_ioc`: recompute the IOC's facts and day counters from the dossiers and their events."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from mekong.ioc.aggregates import rebuild


class Command(BaseCommand):
    help = "Tính lại toàn bộ số liệu tổng hợp của IOC từ hồ sơ và sự kiện hồ sơ."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = rebuild()
        if options["json"]:
            self.stdout.write(json.dumps(report.__dict__))
        else:
            steps = ", ".join(f"{step} {seconds} s" for step, seconds in report.steps.items())
            self.stdout.write(
                f"Đã tính lại {report.dossiers} hồ sơ: {report.procedure_days} dòng theo thủ tục, "
                f"{report.agency_days} dòng theo cơ quan, {report.seconds} s ({steps})."
            )
