"""`mekong import_community_members <file.xlsx|file.csv> --user <username>`: a member list as communes send
it, checked as a whole (every bad line listed, nothing written) and imported in one transaction, in the
name of an account allowed to manage those communes' teams."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mekong.accounts.models import User
from mekong.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Nhập danh sách thành viên tổ công nghệ số cộng đồng từ tệp .xlsx hoặc .csv. Kiểm tra toàn bộ tệp "
        "trước; có lỗi thì liệt kê mọi dòng sai và không nhập gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Tệp .xlsx hoặc .csv.")
        parser.add_argument(
            "--user", required=True, help="Tên đăng nhập của người nhập (cán bộ xã, tỉnh hoặc quản trị)."
        )
        parser.add_argument("--check", action="store_true", help="Chỉ kiểm tra tệp, không ghi gì.")

    def handle(self, *args: Any, **options: Any) -> None:
        from mekong.community.actions import import_members
        from mekong.community.transfer import read_members

        user = User.objects.filter(username__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Không có tài khoản đang hoạt động «{options['user']}».")
        path = Path(options["path"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Không đọc được tệp «{path}»: {error.strerror or error}") from error
        try:
            data = read_members(content, path.name, user)
            if options["check"]:
                self.stdout.write(
                    self.style.SUCCESS(f"Tệp hợp lệ: {len(data.rows)} dòng thành viên. Chưa ghi gì.")
                )
                return
            report = import_members(user, data)
        except DomainError as error:
            for item in error.errors:
                where = f"dòng {item.row}" if item.row is not None else "-"
                self.stderr.write(f"  [{where}] {item.field}: {item.as_dict()['message']}")
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Đã nhập {path}: {report}."))
