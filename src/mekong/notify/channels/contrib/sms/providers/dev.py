"""Development SMS provider: appends each message as one line to a log file instead of sending it.

Line format (tab-separated): time, idempotency key, phone number, text. The file is locked while a
message is checked and written, so a key already in the file is never written again, by any process.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from mekong.notify.channels.contrib.sms.providers.base import SmsError, SmsProvider, SmsReceipt


def _one_field(value: str) -> str:
    return " ".join(value.split())


class LogFileSmsProvider(SmsProvider):
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.MEKONG_SMS_LOG)

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        key = _one_field(idempotency_key)
        reference = f"dev-sms:{key}"
        line = "\t".join(
            [timezone.now().isoformat(timespec="seconds"), key, _one_field(to), _one_field(text)]
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+", encoding="utf-8") as log:
                fcntl.flock(log, fcntl.LOCK_EX)  # released when the file is closed
                log.seek(0)
                if any(_key_of(existing) == key for existing in log):
                    return SmsReceipt(reference=reference, duplicate=True)
                log.write(line + "\n")
                log.flush()
                os.fsync(log.fileno())
        except OSError as error:
            raise SmsError(f"cannot write {self.path}: {error}") from error
        return SmsReceipt(reference=reference)


def _key_of(line: str) -> str | None:
    fields = line.split("\t", 2)
    return fields[1] if len(fields) > 2 else None


def read_log(path: str | Path) -> list[dict[str, str]]:
    """The messages in a log file, oldest first (for the demo and the tests)."""
    file = Path(path)
    if not file.exists():
        return []
    messages = []
    for line in file.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) == 4:
            messages.append(dict(zip(("at", "key", "to", "text"), fields, strict=True)))
    return messages
