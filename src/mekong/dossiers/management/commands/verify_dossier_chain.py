"""Check the tamper-evident event trail of every dossier (or one, with --code).

Each dossier's events are re-hashed in sequence order and the last hash is compared with the head hash
kept on the dossier, so an edited, inserted, reordered or deleted event — even the last one — is found.
Dossiers are read in chunks by primary key with their events in one query per chunk, so memory stays flat
on a large database. Exit code 1 when anything is wrong.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mekong.dossiers.chain import verify_chain
from mekong.dossiers.models import Dossier, DossierEvent

CHUNK_SIZE = 500
# Below this many dossiers a progress line is noise.
PROGRESS_FROM = 2000


@dataclass(frozen=True)
class BrokenDossier:
    code: str
    sequence: int | None  # of the first bad event; None when the trail ends too early or too late
    command: str
    reason: str


def _label(dossier: tuple[int, str | None]) -> str:
    pk, code = dossier
    return code or f"#{pk}"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của chuỗi sự kiện (mã băm) của các hồ sơ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", help="Chỉ kiểm tra hồ sơ có mã này.")
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK_SIZE, help="Số hồ sơ đọc mỗi lần (mặc định 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dossiers = Dossier.objects.all()
        if options["code"]:
            dossiers = dossiers.filter(code=options["code"].strip())
            if not dossiers.exists():
                raise CommandError(f"Không tìm thấy hồ sơ mã {options['code']}.")
        total = dossiers.count()
        chunk_size = max(1, options["chunk_size"])
        show_progress = total >= PROGRESS_FROM
        started = time.perf_counter()
        checked = events = 0
        broken: list[BrokenDossier] = []

        for chunk in _chunks(dossiers, chunk_size):
            trails = _events_of([pk for pk, _code, _head in chunk])
            for pk, code, head in chunk:
                trail = trails.get(pk, [])
                report = verify_chain(
                    ((event.hashed_payload(), event.hash) for event in trail), expected_head=head
                )
                events += len(trail)
                if not report.ok:
                    bad = (
                        trail[report.first_bad_index]
                        if report.first_bad_index is not None and (report.first_bad_index < len(trail))
                        else None
                    )
                    broken.append(
                        BrokenDossier(
                            code=_label((pk, code)),
                            sequence=bad.sequence if bad else None,
                            command=bad.command if bad else "",
                            reason=report.reason or "",
                        )
                    )
            checked += len(chunk)
            if show_progress:
                self.stdout.write(f"  … đã kiểm tra {_number(checked)}/{_number(total)} hồ sơ")

        elapsed = time.perf_counter() - started
        summary = f"Đã kiểm tra {_number(checked)} hồ sơ, {_number(events)} sự kiện trong {elapsed:.1f} giây."
        if not broken:
            self.stdout.write(self.style.SUCCESS(f"{summary} Chuỗi sự kiện toàn vẹn."))
            return
        self.stdout.write(summary)
        for item in broken:
            where = (
                f"sự kiện số {item.sequence} ({item.command})"
                if item.sequence is not None
                else "cuối chuỗi sự kiện"
            )
            self.stderr.write(f"  - Hồ sơ {item.code}: hỏng từ {where}. {item.reason}")
        raise CommandError(
            f"{_number(len(broken))} hồ sơ có chuỗi sự kiện bị sửa đổi hoặc không đầy đủ.", returncode=1
        )


def _chunks(dossiers: Any, size: int) -> Iterator[list[tuple[int, str | None, str]]]:
    """(pk, code, head_hash) in primary-key order, `size` at a time (keyset pagination, no OFFSET)."""
    last = 0
    while True:
        chunk = list(
            dossiers.filter(pk__gt=last).order_by("pk").values_list("pk", "code", "head_hash")[:size]
        )
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def _events_of(dossier_ids: list[int]) -> dict[int, list[DossierEvent]]:
    trails: dict[int, list[DossierEvent]] = {}
    events = (
        DossierEvent.objects.filter(dossier_id__in=dossier_ids)
        .order_by("dossier_id", "sequence")
        .defer("previous_hash")
    )
    for event in events.iterator(chunk_size=2000):
        trails.setdefault(event.dossier_id, []).append(event)
    return trails
