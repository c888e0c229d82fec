"""Load the demo tenant (Hậu Giang): units, hamlets, agencies, procedures and demo accounts.

Safe to run again: every loader updates in place. Demo passwords are generated on first creation and kept
in var/demo_accounts.json (never in the repository) so each `make run` can print them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from mekong.core.errors import DomainError


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu của tỉnh Hậu Giang (đơn vị hành chính, cơ quan, thủ tục, tài khoản mẫu)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-accounts", action="store_true", help="Không in mật khẩu tài khoản mẫu.")
        parser.add_argument(
            "--dossiers", type=int, default=2000, help="Số hồ sơ mẫu (0: không tạo). Mặc định 2000."
        )

    def step(self, label: str) -> float:
        self.stdout.write(f"• {label}…", ending="")
        self.stdout.flush()
        return time.perf_counter()

    def done(self, started: float, detail: str) -> None:
        self.stdout.write(f" {detail} ({time.perf_counter() - started:.1f} s)")

    def handle(self, *args: Any, **options: Any) -> None:
        from mekong.accounts.demo import create_demo_accounts
        from mekong.catalog.actions import import_catalog
        from mekong.catalog.agencies import load_agencies
        from mekong.catalog.importer import DEMO_CATALOG_PATH, read_catalog_file
        from mekong.geo.loaders import load_all_units

        try:
            started = self.step("Đơn vị hành chính (2025 và trước sắp xếp), ấp / khu vực")
            units = load_all_units()
            self.done(started, str(units))

            started = self.step("Cơ quan")
            agencies = load_agencies()
            self.done(started, f"{agencies} cơ quan")

            started = self.step("Thủ tục hành chính")
            report = import_catalog(read_catalog_file(DEMO_CATALOG_PATH))
            self.done(started, str(report))

            started = self.step("Tài khoản mẫu")
            accounts = create_demo_accounts()
            self.done(started, f"{len(accounts)} tài khoản")

            if options["dossiers"]:
                self.stdout.write("• Hồ sơ mẫu (tạo qua đúng các thao tác của hệ thống):")
                call_command("load_demo_dossiers", count=options["dossiers"], stdout=self.stdout)

            self.stdout.write("• Tổ công nghệ số cộng đồng…", ending="")
            call_command("load_demo_community", assisted=36 if options["dossiers"] else 0, stdout=self.stdout)
        except DomainError as error:
            for item in error.errors:
                self.stderr.write(f"  - {item}")
            raise CommandError(str(error)) from error

        passwords_file = Path(settings.VAR_DIR) / "demo_accounts.json"
        known: dict[str, str] = json.loads(passwords_file.read_text()) if passwords_file.exists() else {}
        for account in accounts:
            if account.password:
                known[account.identifier] = account.password
        passwords_file.write_text(json.dumps(known, ensure_ascii=False, indent=2))
        passwords_file.chmod(0o600)

        if options["quiet_accounts"]:
            return
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS("Tài khoản mẫu (đăng nhập tại http://127.0.0.1:8000/tai-khoan/dang-nhap/):")
        )
        for account in accounts:
            password = known.get(account.identifier, "(đã đổi — đặt lại bằng `mekong changepassword`)")
            self.stdout.write(
                f"  {account.role_label:<38} {account.identifier:<16} {password:<22} {account.agency}"
            )
