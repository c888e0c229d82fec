"""`mekong import_catalog <path.json|path.xlsx>`: validate a catalogue file and write it in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mekong.catalog.actions import import_catalog
from mekong.catalog.importer import read_catalog_file
from mekong.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục hành chính từ tệp JSON (mekong.catalog/1) hoặc Excel (.xlsx). "
        "Kiểm tra toàn bộ tệp trước; có lỗi thì liệt kê mọi lỗi và không nhập gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Đường dẫn tệp .json hoặc .xlsx.")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Ngừng áp dụng các thủ tục đang có trong hệ thống nhưng không có trong tệp "
            "(mặc định: giữ nguyên các thủ tục đó).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra tệp, không ghi gì.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        try:
            data = read_catalog_file(path)
            if options["dry_run"]:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Tệp hợp lệ: {len(data.fields)} lĩnh vực, {len(data.procedures)} thủ tục. "
                        "Chưa ghi gì (--dry-run)."
                    )
                )
                return
            report = import_catalog(data, deactivate_missing=options["deactivate_missing"])
        except DomainError as error:
            for item in error.errors:
                where = f"dòng {item.row}" if item.row is not None else "-"
                self.stderr.write(f"  [{where}] {item.field}: {item.as_dict()['message']}")
            raise CommandError(str(error)) from error

        self.stdout.write(self.style.SUCCESS(f"Đã nhập danh mục từ {path}: {report}."))
        if not options["deactivate_missing"]:
            self.stdout.write(
                "Các thủ tục không có trong tệp được giữ nguyên (dùng --deactivate-missing để ngừng áp dụng)."
            )
        if options["verbosity"] >= 2:
            for label, codes in (
                ("Mới", report.created_codes),
                ("Cập nhật", report.updated_codes),
                ("Ngừng áp dụng", report.deactivated_codes),
            ):
                for code in codes:
                    self.stdout.write(f"  {label}: {code}")
