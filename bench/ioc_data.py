"""Data for the IOC benchmark: dossiers with realistic event histories, written with PostgreSQL COPY.

Run inside a Django process configured for the bench database (bench/ioc.py does it). Each dossier follows
the national status machine from its submission (spread over the last `days` days) — received or refused
at reception, supplement requests and payments that pause the clock, processing with an e-result where the
procedure requires one, approval before or after the appointment, return; some withdrawn or stopped — and
stops wherever "now" cuts its history, so recent dossiers are open in every status. Alongside: component
files (some the same file as an earlier dossier's), result files, paid payments, ratings with feedback.

Shortcuts, said plainly: appointments are the time limit in calendar days × 1.4 (about the working days)
plus the waits, not the province's working calendar; event hashes are unique but not a valid chain (the
IOC never reads them); no PDF is rendered or stored.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from mekong.accounts.models import User, UserKind
from mekong.catalog.models import Agency, FeeItem, Procedure
from mekong.dossiers.models import DailySequence, Dossier, DossierEvent, DossierFile
from mekong.dossiers.workdays import VIETNAM_TZ
from mekong.feedback.models import Rating
from mekong.payments.models import Payment

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class Table:
    """Rows for one model, in its column order, as COPY text."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.columns = [field.column for field in model._meta.concrete_fields]
        self.lines: list[str] = []
        self.count = 0

    def add(self, **values: Any) -> None:
        self.lines.append("\t".join(_text(values.get(column)) for column in self.columns) + "\n")
        self.count += 1

    def flush(self, cursor: Any) -> None:
        if not self.lines:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        with cursor.copy(f"COPY {table} ({', '.join(self.columns)}) FROM STDIN") as copy:
            copy.write("".join(self.lines))
        self.lines = []


@dataclass(frozen=True)
class Catalogue:
    pairs: list[tuple[int, str, int]]  # (agency id, agency code, procedure id), weighted towards communes
    limits: dict[int, int]
    e_result: dict[int, bool]
    fees: dict[int, int]
    citizen_id: int
    officer_id: int


def load_catalogue() -> Catalogue:
    agencies = {a.pk: a for a in Agency.objects.all()}
    pairs = []
    for procedure_id, agency_id in Procedure.agencies.through.objects.values_list(
        "procedure_id", "agency_id"
    ):
        agency = agencies[agency_id]
        weight = 3 if agency.kind == "commune_pc" else 1
        pairs += [(agency_id, agency.code, procedure_id)] * weight
    procedures = Procedure.objects.filter(is_active=True)
    fees: dict[int, int] = {}
    for item in FeeItem.objects.filter(amount__gt=0):
        fees[item.procedure_id] = fees.get(item.procedure_id, 0) + int(item.amount)
    citizen = User.objects.filter(kind=UserKind.CITIZEN).order_by("pk").first()
    officer = User.objects.exclude(kind=UserKind.CITIZEN).order_by("pk").first()
    assert citizen is not None, "load the demo accounts first"
    assert officer is not None, "load the demo accounts first"
    return Catalogue(
        pairs=pairs,
        limits={p.pk: max(1, int(p.time_limit_value)) for p in procedures},
        e_result={p.pk: p.requires_e_result for p in procedures},
        fees=fees,
        citizen_id=citizen.pk,
        officer_id=officer.pk,
    )


def _next_id(model: type[Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _reset_sequence(model: type[Model]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
        )


class Ids:
    def __init__(self, model: type[Model]) -> None:
        self.value = _next_id(model)

    def take(self) -> int:
        value = self.value
        self.value += 1
        return value


@dataclass
class Step:
    command: str
    to_status: int
    at: datetime
    data: dict[str, Any]


def history(rng: random.Random, start: datetime, limit_days: int, e_result: bool, fee: int) -> list[Step]:
    """One dossier's whole planned life, before "now" cuts it."""
    steps = [Step("submit", 1, start, {})]
    fate = rng.random()
    t = start + timedelta(hours=rng.uniform(0.5, 20))
    if fate < 0.03:
        return [*steps, Step("refuse", 3, t, {})]
    if fate < 0.045:
        return [*steps, Step("withdraw", 7, t, {})]
    steps.append(Step("receive", 2, t, {}))
    due = t + timedelta(days=limit_days * 1.4)  # the appointment, moved by each wait below
    status = 2
    requests = 0
    if rng.random() < 0.17:
        requests = 2 if rng.random() < 0.12 else 1
    for _ in range(requests):
        t += timedelta(hours=rng.uniform(1, 8))
        steps.append(Step("request_supplement", 5, t, {"missing": ["Giấy tờ còn thiếu"]}))
        if rng.random() < 0.04:
            return [*steps, Step("stop", 8, t + timedelta(days=rng.uniform(10, 30)), {})]
        wait = timedelta(days=rng.uniform(0.5, 6))
        t += wait
        due += wait
        steps.append(Step("supplement", status, t, {}))
    if fee:
        t += timedelta(hours=rng.uniform(0.5, 6))
        steps.append(Step("request_payment", 6, t, {"amount": fee}))
        wait = timedelta(hours=rng.uniform(0.2, 48))
        t += wait
        due += wait
        channel = "online" if rng.random() < 0.55 else "counter"
        steps.append(Step("pay", status, t, {"channel": channel, "amount": fee}))
    t += timedelta(hours=rng.uniform(0.5, 4))
    steps.append(Step("start_processing", 4, t, {}))
    if rng.random() < 0.01:
        return [*steps, Step("stop", 8, t + DAY, {})]
    # About one in ten finishes after its appointment.
    if rng.random() < 0.1 or due <= t:
        t = max(t, due) + timedelta(days=rng.uniform(0.2, 8))
    else:
        t += (due - t) * rng.uniform(0.15, 0.98)
    if e_result and rng.random() < 0.92:
        steps.append(Step("attach_result", 4, t - timedelta(minutes=30), {"name": "ket-qua.pdf"}))
    steps.append(Step("approve", 9, t, {}))
    steps.append(Step("return_result", 10, t + timedelta(hours=rng.uniform(1, 48)), {}))
    return steps


def generate(
    count: int,
    *,
    days: int = 365,
    seed: int = 766,
    batch: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write `count` dossiers and everything around them. Returns the number of rows per table."""
    rng = random.Random(seed)
    catalogue = load_catalogue()
    now = timezone.now()
    first = now - timedelta(days=days)
    dossier_ids, event_ids, file_ids = Ids(Dossier), Ids(DossierEvent), Ids(DossierFile)
    payment_ids, rating_ids = Ids(Payment), Ids(Rating)
    tables = {m: Table(m) for m in (Dossier, DossierEvent, DossierFile, Payment, Rating)}
    daily: dict[tuple[int, str], int] = {}
    shared_hashes = [hashlib.sha256(f"giay-to-{n}".encode()).hexdigest() for n in range(2000)]
    raw = connection.connection
    assert raw is not None
    done = 0
    starts = sorted(first + timedelta(seconds=rng.uniform(0, days * 86400)) for _ in range(count))
    for index, start in enumerate(starts):
        agency_id, agency_code, procedure_id = rng.choice(catalogue.pairs)
        fee = catalogue.fees.get(procedure_id, 0)
        plan = history(rng, start, catalogue.limits[procedure_id], catalogue.e_result[procedure_id], fee)
        kept = [step for step in plan if step.at <= now]
        dossier_id = dossier_ids.take()
        local = start.astimezone(VIETNAM_TZ)
        key = (agency_id, f"{local:%y%m%d}")
        daily[key] = daily.get(key, 0) + 1
        code = f"{agency_code}-{key[1]}-{daily[key]:04d}"
        _write(
            tables,
            rng,
            catalogue,
            dossier_id,
            code,
            agency_id,
            procedure_id,
            kept,
            now,
            event_ids,
            file_ids,
            payment_ids,
            rating_ids,
            shared_hashes,
        )
        if (index + 1) % batch == 0 or index + 1 == count:
            with raw.cursor() as cursor:
                for table in tables.values():
                    table.flush(cursor)
            if progress:
                progress(index + 1 - done)
            done = index + 1
    # The agencies' daily numbers go on from the generated ones (new submissions get the next code).
    DailySequence.objects.bulk_create(
        [
            DailySequence(agency_id=agency_id, day=datetime.strptime(day, "%y%m%d").date(), last_value=value)
            for (agency_id, day), value in daily.items()
        ],
        batch_size=5000,
    )
    for model in tables:
        _reset_sequence(model)
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return {model._meta.db_table: table.count for model, table in tables.items()}


def _write(
    tables: dict[type[Model], Table],
    rng: random.Random,
    catalogue: Catalogue,
    dossier_id: int,
    code: str,
    agency_id: int,
    procedure_id: int,
    kept: list[Step],
    now: datetime,
    event_ids: Ids,
    file_ids: Ids,
    payment_ids: Ids,
    rating_ids: Ids,
    shared_hashes: list[str],
) -> None:
    limit = catalogue.limits[procedure_id]
    status: int | None = None
    received_at = due_at = finished_at = None
    paused_from: int | None = None
    pause_started: datetime | None = None
    waited = timedelta()
    supplements = 0
    previous_hash = "0" * 64
    request_event = 0
    online = rng.random() < 0.7
    events = tables[DossierEvent]
    for sequence, step in enumerate(kept, start=1):
        event_id = event_ids.take()
        digest = hashlib.sha256(f"{dossier_id}:{sequence}".encode()).hexdigest()
        actor = (
            catalogue.citizen_id
            if step.command in ("submit", "supplement", "withdraw") and online
            else catalogue.officer_id
        )
        data = dict(step.data)
        if step.command == "submit":
            data = {"code": code, "channel": 2 if online else 1}
        events.add(
            id=event_id,
            dossier_id=dossier_id,
            sequence=sequence,
            command=step.command,
            from_status=status,
            to_status=step.to_status,
            actor_id=actor,
            actor_role="citizen" if actor == catalogue.citizen_id else "receiving_officer",
            note="",
            data=data,
            created_at=step.at,
            previous_hash=previous_hash,
            hash=digest,
        )
        previous_hash = digest
        if step.command == "receive":
            received_at = step.at
        elif step.command in ("request_supplement", "request_payment"):
            paused_from, pause_started = status, step.at
            supplements += step.command == "request_supplement"
            request_event = event_id
        elif step.command in ("supplement", "pay"):
            waited += step.at - (pause_started or step.at)
            paused_from = pause_started = None
            if step.command == "pay":
                channel = str(step.data["channel"])
                tables[Payment].add(
                    id=payment_ids.take(),
                    dossier_id=dossier_id,
                    request_event_id=request_event,
                    channel=channel,
                    gateway="sandbox" if channel == "online" else "",
                    txn_ref=f"B{dossier_id:09d}",
                    amount=step.data["amount"],
                    status="paid",
                    transaction_no="",
                    bank_code="",
                    response_code="00",
                    paid_at=step.at,
                    attention="",
                    client_ip="",
                    locale="vi",
                    created_at=step.at - HOUR,
                    event_count=1,
                )
        elif step.command == "attach_result":
            tables[DossierFile].add(
                id=file_ids.take(),
                dossier_id=dossier_id,
                kind="result",
                file=f"bench/{dossier_id}-kq",
                original_name="ket-qua.pdf",
                content_type="application/pdf",
                size=52_000,
                sha256=hashlib.sha256(f"kq-{dossier_id}".encode()).hexdigest(),
                event_id=event_id,
                uploaded_at=step.at,
            )
        elif step.command in ("refuse", "withdraw", "stop", "approve"):
            finished_at = step.at
        status = step.to_status
        if received_at is not None:
            due_at = received_at + timedelta(days=limit * 1.4) + waited
    start = kept[0].at
    if rng.random() < 0.65:
        reused = rng.random() < 0.15
        sha = rng.choice(shared_hashes) if reused else hashlib.sha256(f"tp-{dossier_id}".encode()).hexdigest()
        tables[DossierFile].add(
            id=file_ids.take(),
            dossier_id=dossier_id,
            kind="component",
            file=f"bench/{dossier_id}-tp",
            original_name="to-khai.pdf",
            content_type="application/pdf",
            size=120_000,
            sha256=sha,
            uploaded_at=start,
        )
    if status == 10 and rng.random() < 0.2:
        rated_at = kept[-1].at + timedelta(hours=rng.uniform(1, 72))
        if rated_at <= now:
            score = rng.choices([5, 4, 3, 2, 1], weights=[55, 25, 10, 6, 4])[0]
            comment = "Cần giải quyết nhanh hơn" if score <= 2 or rng.random() < 0.05 else ""
            due = rated_at + timedelta(days=21) if comment else None
            handled = None
            if due is not None and rng.random() < 0.9:
                handled = rated_at + timedelta(days=rng.uniform(1, 25))
                handled = handled if handled <= now else None
            tables[Rating].add(
                id=rating_ids.take(),
                dossier_id=dossier_id,
                score=score,
                comment=comment,
                created_by_id=catalogue.citizen_id,
                created_at=rated_at,
                feedback_due_at=due,
                handled_at=handled,
                handled_by_id=catalogue.officer_id if handled else None,
                response="Đã tiếp thu" if handled else "",
            )
    tables[Dossier].add(
        id=dossier_id,
        code=code,
        procedure_id=procedure_id,
        agency_id=agency_id,
        applicant_id=catalogue.citizen_id if online else None,
        applicant_name="Nguyễn Văn An",
        applicant_personal_id="093090001234",
        applicant_phone="0912345678",
        applicant_email="",
        applicant_address="",
        unit_id=None,
        channel=2 if online else 1,
        result_delivery="online" if online else "counter",
        form_data={},
        search_key=code.lower(),
        status=status,
        paused_from=paused_from,
        assigned_to_id=None,
        submitted_at=start,
        received_at=received_at,
        due_at=due_at,
        finished_at=finished_at,
        supplement_count=supplements,
        event_count=len(kept),
        head_hash=previous_hash,
        created_at=start,
        updated_at=kept[-1].at,
    )
