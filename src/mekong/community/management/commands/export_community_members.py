"""`mekong export_community_members <out.xlsx|out.csv>`: every team member, in the shape the import reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Xuất danh sách thành viên tổ công nghệ số cộng đồng ra tệp .xlsx hoặc .csv (đúng mẫu để nhập lại)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Tệp .xlsx hoặc .csv sẽ ghi.")

    def handle(self, *args: Any, **options: Any) -> None:
        from mekong.community.models import Member
        from mekong.community.tables import write_members_csv, write_members_workbook
        from mekong.community.transfer import members_for_export

        path = Path(options["path"])
        rows = members_for_export(Member.objects.all())
        if path.suffix.lower() == ".csv":
            content = write_members_csv(rows)
        elif path.suffix.lower() == ".xlsx":
            content = write_members_workbook(rows, f"{len(rows)} thành viên")
        else:
            raise CommandError("Chỉ ghi được tệp .xlsx hoặc .csv.")
        path.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {len(rows)} thành viên vào {path}."))
