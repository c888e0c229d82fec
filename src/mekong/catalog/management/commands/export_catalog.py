"""`mekong export_catalog <path.json|path.xlsx>`: write the active catalogue as JSON or Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mekong.catalog.models import Procedure
from mekong.catalog.transfer import SUFFIXES, export_catalog_json, export_catalog_workbook
from mekong.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Xuất danh mục thủ tục hành chính đang áp dụng ra tệp JSON (mekong.catalog/1) hoặc Excel (.xlsx), "
        "theo đuôi tên tệp. Tệp xuất ra nhập lại được bằng import_catalog."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Tệp đích, đuôi .json hoặc .xlsx; dùng - để in JSON ra màn hình.")

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["path"]
        try:
            if target == "-":
                self.stdout.write(export_catalog_json(), ending="")
                return
            path = Path(target)
            suffix = path.suffix.lower()
            if suffix not in SUFFIXES:
                raise CommandError(f"Tệp đích phải có đuôi .json hoặc .xlsx, không phải «{path.name}».")
            content = export_catalog_json().encode() if suffix == ".json" else export_catalog_workbook()
            path.write_bytes(content)
        except DomainError as error:
            for item in error.errors:
                self.stderr.write(f"  {item}")
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Không ghi được tệp «{target}»: {error.strerror or error}") from error
        count = Procedure.objects.filter(is_active=True).count()
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {count} thủ tục ra {path}."))
