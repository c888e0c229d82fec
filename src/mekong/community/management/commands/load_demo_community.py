"""Load the demo community digital technology teams: 600+ teams, 4,000+ members over the Hậu Giang hamlets,
a year of support activities, and dossiers the demo member (`congdong.xa`) filed for citizens.

Safe to run again: only what is missing is added (new months' activities, say). Needs the demo tenant
(`mekong load_demo`: hamlets, agencies, procedures, demo accounts).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mekong.core.errors import DomainError


class Command(BaseCommand):
    help = "Nạp tổ công nghệ số cộng đồng mẫu (hơn 600 tổ, hơn 4.000 thành viên, hoạt động hỗ trợ 12 tháng)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--assisted",
            type=int,
            default=36,
            help="Số hồ sơ mẫu nộp với hỗ trợ của tổ (mặc định 36; 0: không tạo).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from mekong.community.demo import load_demo_community

        if options["assisted"] < 0:
            raise CommandError("--assisted phải là số không âm.")
        try:
            report = load_demo_community(assisted=options["assisted"])
        except DomainError as error:
            for item in error.errors:
                self.stderr.write(f"  - {item}")
            raise CommandError(str(error)) from error
        self.stdout.write(f" {report}")
