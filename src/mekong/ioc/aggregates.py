"""Keeping the IOC's aggregates: one SQL definition of a dossier's fact, used both ways.

* `refresh(dossier_id)` runs in the transaction of a dossier event (`ioc.hooks`): it reads the dossier's
  fact with `fact_sql` (one dossier), compares it with the stored one, and adds the difference of their
  contributions to `AgencyDay` and `ProcedureDay` (upserts that add). Nothing else is read or rescanned.
* `rebuild()` (`mekong rebuild_ioc`) empties the three tables and fills them with set-based SQL: the same
  `fact_sql` over every dossier, then the contributions grouped by day.

A dossier's fact comes from its record (status, dates, appointment and supplement count — the projection of
its events, written in the same transaction as each event), its events (the start of a pending pause), its
files (components, e-result), its paid payments, its apology letters (the appointment before an apology) and
its rating. Rules in docs/decisions/0007-ioc-aggregates.md; tests prove refresh and rebuild agree.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from mekong.catalog.models import FeeItem, Procedure
from mekong.dossiers.models import ApologyLetter, Dossier, DossierEvent, DossierFile
from mekong.feedback.models import Rating
from mekong.ioc.models import COUNTER_COLUMNS, FACT_COLUMNS, AgencyDay, DossierFact, PendingFact, ProcedureDay
from mekong.payments.models import Payment

log = structlog.get_logger(__name__)

VIETNAM_OFFSET_HOURS = 7  # Asia/Ho_Chi_Minh has had no daylight saving since 1975


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _local_day(expression: str) -> str:
    if _postgres():
        # A fixed offset rather than AT TIME ZONE 'Asia/Ho_Chi_Minh' (the zone's rules looked up for every
        # value: 10 % of the rebuild's fact query); the same dates since 1975.
        return f"(({expression}) AT TIME ZONE 'UTC' + interval '{VIETNAM_OFFSET_HOURS} hours')::date"
    return f"date({expression}, '+{VIETNAM_OFFSET_HOURS} hours')"


def _next_day(expression: str) -> str:
    if _postgres():
        return f"(({expression}) + 1)"
    return f"date({expression}, '+1 day')"


def _days_between(earlier: str, later: str) -> str:
    """Calendar days from the date `earlier` to the date `later` (both SQL date expressions), an integer."""
    if _postgres():
        return f"(({later}) - ({earlier}))"  # date − date is an integer in PostgreSQL
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _timestamp_param() -> str:
    return "CAST(%(due)s AS timestamptz)" if _postgres() else "%(due)s"


@dataclass(frozen=True)
class Known:
    """What an event's hook knows before the record shows it: the appointment the action stores right after
    the event (supplement, pay), a result file attached right after the event, the apology being sent."""

    due_at: datetime | None = None
    e_result: bool = False
    apology_id: int | None = None


def _among(column: str) -> str:
    """`column` is one of the dossier ids of the parameter `%(dossiers)s` (see `fact_params`)."""
    if _postgres():
        return f"{column} = ANY(%(dossiers)s)"
    return f"{column} IN (SELECT value FROM json_each(%(dossiers)s))"  # noqa: S608 (our column names)


def fact_sql(*, subset: bool) -> str:
    """SELECT of FACT_COLUMNS for every submitted dossier, or (subset) for the dossiers `%(dossiers)s`.
    Parameters: `fact_params`. Every source is joined once as a derived table (grouped by dossier), so the
    whole-table form is a handful of hash joins, and the subset form, index look-ups."""
    d, e, f, a = _table(Dossier), _table(DossierEvent), _table(DossierFile), _table(ApologyLetter)
    p, fee, pay, r = _table(Procedure), _table(FeeItem), _table(Payment), _table(Rating)
    only = f"AND {_among('d.id')}" if subset else ""
    of_dossier = f"AND {_among('dossier_id')}" if subset else ""
    of_file = f"AND {_among('cf.dossier_id')}" if subset else ""
    fence = "OFFSET 0" if _postgres() else ""  # keep PostgreSQL from inlining x into every use of its columns
    # Table names and SQL fragments are ours; values are parameters.
    inner = f"""
        SELECT d.id AS dossier_id, d.agency_id, d.procedure_id, d.supplement_count, d.channel,
          d.finished_at AS ended_at,
          {_local_day("d.submitted_at")} AS start_day,
          {_local_day("d.finished_at")} AS end_day,
          CASE WHEN d.status IN (9, 10) THEN 9 WHEN d.status IN (3, 7, 8) THEN d.status END AS end_status,
          COALESCE(ap.first_due, {_timestamp_param()}, d.due_at) AS due,
          CASE WHEN d.status IN (5, 6) THEN
            (SELECT MAX(ev.created_at) FROM {e} ev
              WHERE ev.dossier_id = d.id AND ev.command IN ('request_supplement', 'request_payment'))
          END AS paused_at,
          CASE WHEN p.requires_e_result THEN 1 ELSE 0 END AS requires_e_result,
          CASE WHEN %(e_result)s = 1 OR COALESCE(fl.results, 0) > 0 THEN 1 ELSE 0 END AS e_result,
          CASE WHEN COALESCE(fl.components, 0) > 0 THEN 1 ELSE 0 END AS digitised,
          CASE WHEN ru.dossier_id IS NULL THEN 0 ELSE 1 END AS reused,
          CASE WHEN fb.procedure_id IS NULL THEN 0 ELSE 1 END AS fee_bearing,
          paid.paid_at, COALESCE(paid.payments_online, 0) AS payments_online,
          COALESCE(paid.payments_counter, 0) AS payments_counter,
          COALESCE(paid.amount_online, 0) AS amount_online, COALESCE(paid.amount_counter, 0) AS amount_counter,
          r.score AS rating, r.created_at AS rated_at, r.feedback_due_at, r.handled_at
        FROM {d} d
        JOIN {p} p ON p.id = d.procedure_id
        LEFT JOIN (SELECT DISTINCT procedure_id FROM {fee} WHERE amount > 0) fb ON fb.procedure_id = d.procedure_id
        LEFT JOIN (
          SELECT dossier_id, MIN(previous_due_at) AS first_due FROM {a}
          WHERE (status = 'sent' OR id = %(apology)s) {of_dossier} GROUP BY dossier_id
        ) ap ON ap.dossier_id = d.id
        LEFT JOIN (
          SELECT dossier_id,
            SUM(CASE WHEN kind = 'result' THEN 1 ELSE 0 END) AS results,
            SUM(CASE WHEN kind = 'component' THEN 1 ELSE 0 END) AS components
          FROM {f} WHERE kind IN ('result', 'component') {of_dossier} GROUP BY dossier_id
        ) fl ON fl.dossier_id = d.id
        LEFT JOIN (
          SELECT DISTINCT cf.dossier_id FROM {f} cf JOIN {f} earlier
            ON earlier.sha256 = cf.sha256 AND earlier.id < cf.id AND earlier.dossier_id <> cf.dossier_id
          WHERE cf.kind = 'component' {of_file}
        ) ru ON ru.dossier_id = d.id
        LEFT JOIN (
          SELECT dossier_id, MAX(paid_at) AS paid_at,
            SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END) AS payments_online,
            SUM(CASE WHEN channel = 'online' THEN 0 ELSE 1 END) AS payments_counter,
            SUM(CASE WHEN channel = 'online' THEN amount ELSE 0 END) AS amount_online,
            SUM(CASE WHEN channel = 'online' THEN 0 ELSE amount END) AS amount_counter
          FROM {pay} WHERE status = 'paid' {of_dossier} GROUP BY dossier_id
        ) paid ON paid.dossier_id = d.id
        LEFT JOIN {r} r ON r.dossier_id = d.id
        WHERE d.status IS NOT NULL AND d.submitted_at IS NOT NULL {only}
        {fence}
    """  # noqa: S608
    due_day = _local_day("x.due")
    late_from = _next_day(due_day)
    return f"""
        SELECT x.dossier_id, x.agency_id, x.procedure_id, x.start_day, x.end_day,
          CASE
            WHEN x.supplement_count > 1 THEN x.start_day
            WHEN x.end_day IS NULL AND x.paused_at IS NOT NULL AND (x.due IS NULL OR x.paused_at <= x.due)
              THEN NULL
            WHEN x.due IS NULL THEN x.end_day
            WHEN x.end_day IS NOT NULL AND x.end_day < {late_from} THEN x.end_day
            ELSE {late_from}
          END AS stop_day,
          x.end_status,
          CASE WHEN x.end_day IS NOT NULL AND x.supplement_count <= 1 AND (x.due IS NULL OR x.ended_at <= x.due)
            THEN 1 ELSE 0 END AS on_time,
          CASE WHEN x.end_status = 9 THEN 1 ELSE 0 END AS processed,
          CASE WHEN x.end_status = 9 THEN COALESCE({_days_between("x.start_day", "x.end_day")}, 0) ELSE 0 END
            AS handling_days,
          x.e_result,
          CASE WHEN x.channel = 2 THEN 1 ELSE 0 END AS online,
          CASE WHEN x.channel = 2 AND (x.requires_e_result = 0 OR x.e_result = 1) THEN 1 ELSE 0 END
            AS online_counted,
          x.digitised, x.reused, x.fee_bearing,
          CASE WHEN x.fee_bearing = 1 AND x.payments_online > 0 THEN 1 ELSE 0 END AS paid_online,
          {_local_day("x.paid_at")} AS paid_day,
          x.payments_online, x.payments_counter, x.amount_online, x.amount_counter,
          {_local_day("x.rated_at")} AS rated_day, x.rating,
          {_local_day("x.feedback_due_at")} AS feedback_due_day,
          CASE WHEN x.handled_at IS NOT NULL AND x.feedback_due_at IS NOT NULL AND x.handled_at <= x.feedback_due_at
            THEN 1 ELSE 0 END AS feedback_on_time
        FROM ({inner}) x
    """  # noqa: S608


def fact_params(known: Known = Known(), dossier_ids: Sequence[int] = ()) -> dict[str, Any]:
    due = connection.ops.adapt_datetimefield_value(known.due_at) if known.due_at else None
    ids = [int(i) for i in dossier_ids]
    return {
        "apology": known.apology_id or 0,
        "due": due,
        "e_result": 1 if known.e_result else 0,
        "dossiers": ids if _postgres() else json.dumps(ids),
    }


# --- contributions --------------------------------------------------------------------------------------

Key = tuple[date, int, int]  # day, agency, procedure


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def contributions(fact: Mapping[str, Any]) -> dict[Key, dict[str, int]]:
    """What one fact adds to the day counters. Mirrors `_CONTRIBUTIONS` (the rebuild's SQL)."""
    out: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    agency, procedure = int(fact["agency_id"]), int(fact["procedure_id"])

    def add(day: Any, **values: int) -> None:
        parsed = _as_date(day)
        if parsed is None:
            return
        bucket = out[(parsed, agency, procedure)]
        for name, value in values.items():
            bucket[name] += int(value or 0)

    add(
        fact["start_day"],
        received=1,
        ontrack=1,
        online=fact["online"],
        online_counted=fact["online_counted"],
        digitised=fact["digitised"],
        reused=fact["reused"],
        fee_bearing=fact["fee_bearing"],
        paid_online=fact["paid_online"],
    )
    end_status = fact["end_status"]
    add(
        fact["end_day"],
        ended=1,
        ended_on_time=fact["on_time"],
        refused=1 if end_status == 3 else 0,
        withdrawn=1 if end_status == 7 else 0,
        stopped=1 if end_status == 8 else 0,
        processed=fact["processed"],
        processed_days=fact["handling_days"] if fact["processed"] else 0,
        e_result=1 if fact["processed"] and fact["e_result"] else 0,
    )
    add(fact["stop_day"], ontrack=-1)
    add(
        fact["paid_day"],
        payments_online=fact["payments_online"],
        payments_counter=fact["payments_counter"],
        amount_online=fact["amount_online"],
        amount_counter=fact["amount_counter"],
    )
    if fact["rating"] is not None:
        rating = int(fact["rating"])
        add(fact["rated_day"], ratings=1, rating_sum=rating, dissatisfied=1 if rating <= 2 else 0)
    add(fact["feedback_due_day"], feedback_due=1, feedback_on_time=fact["feedback_on_time"])
    return out


def _contribution_selects() -> str:
    """The same contributions as `contributions`, in SQL over the fact table (one SELECT per kind of day)."""
    facts = _table(DossierFact)
    zero = dict.fromkeys(COUNTER_COLUMNS, "0")
    kinds = [
        (
            "start_day",
            {
                "received": "1",
                "ontrack": "1",
                **{c: c for c in ("online", "online_counted", "digitised", "reused", "fee_bearing")},
                "paid_online": "paid_online",
            },
        ),
        (
            "end_day",
            {
                "ended": "1",
                "ended_on_time": "on_time",
                "refused": "CASE WHEN end_status = 3 THEN 1 ELSE 0 END",
                "withdrawn": "CASE WHEN end_status = 7 THEN 1 ELSE 0 END",
                "stopped": "CASE WHEN end_status = 8 THEN 1 ELSE 0 END",
                "processed": "processed",
                "processed_days": "processed * handling_days",
                "e_result": "processed * e_result",
            },
        ),
        ("stop_day", {"ontrack": "-1"}),
        (
            "paid_day",
            {c: c for c in ("payments_online", "payments_counter", "amount_online", "amount_counter")},
        ),
        (
            "rated_day",
            {
                "ratings": "1",
                "rating_sum": "rating",
                "dissatisfied": "CASE WHEN rating <= 2 THEN 1 ELSE 0 END",
            },
        ),
        ("feedback_due_day", {"feedback_due": "1", "feedback_on_time": "feedback_on_time"}),
    ]
    selects = []
    for day_column, values in kinds:
        columns = ", ".join(f"{values.get(c, zero[c])} AS {c}" for c in COUNTER_COLUMNS)
        selects.append(
            f"SELECT {day_column} AS day, agency_id, procedure_id, {columns} FROM {facts} "  # noqa: S608
            f"WHERE {day_column} IS NOT NULL"
        )
    return " UNION ALL ".join(selects)


# --- incremental -----------------------------------------------------------------------------------------


def _typed(row: Sequence[Any]) -> dict[str, Any]:
    fact = dict(zip(FACT_COLUMNS, row, strict=True))
    for column in FACT_COLUMNS:
        value = fact[column]
        if column.endswith("_day"):
            fact[column] = _as_date(value)
        elif value is not None or column not in ("rating", "end_status"):
            fact[column] = int(value or 0)
    return fact


def _read_facts(dossier_ids: Sequence[int], known: Known) -> dict[int, dict[str, Any]]:
    with connection.cursor() as cursor:
        if _postgres():
            # Planning the eight joins costs PostgreSQL ~3 ms, running them for a few dossiers ~0.2 ms: keep
            # the written join order for this statement (each derived table is already cut to these
            # dossiers), in the same round trip (Django's cursors bind on the client, so several statements
            # may go).
            cursor.execute(
                "SET LOCAL join_collapse_limit = 1; SET LOCAL from_collapse_limit = 1; "
                f"{fact_sql(subset=True)}; RESET join_collapse_limit; RESET from_collapse_limit",
                fact_params(known, dossier_ids),
            )
            while cursor.description is None and cursor.nextset():
                pass
        else:
            cursor.execute(fact_sql(subset=True), fact_params(known, dossier_ids))
        rows = cursor.fetchall()
    return {int(row[0]): _typed(row) for row in rows}


def _stored_facts(dossier_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    # FOR UPDATE: a rebuild holds the fact table in EXCLUSIVE mode while it works; this read waits for it
    # and then sees the rebuilt facts, so the difference below is taken against what the counters hold.
    rows = (
        DossierFact.objects.select_for_update()
        .filter(dossier_id__in=dossier_ids)
        .order_by("dossier_id")
        .values_list(*FACT_COLUMNS)
    )
    return {int(row[0]): dict(zip(FACT_COLUMNS, row, strict=True)) for row in rows}


def _difference(
    pairs: Iterable[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]],
) -> dict[Key, dict[str, int]]:
    total: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for old, new in pairs:
        for fact, sign in ((old, -1), (new, 1)):
            if fact is None:
                continue
            for key, values in contributions(fact).items():
                for name, value in values.items():
                    total[key][name] += sign * value
    return {
        key: {n: v for n, v in values.items() if v} for key, values in total.items() if any(values.values())
    }


def _upsert_counters(model: Any, conflict: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    table = _table(model)
    columns = (*conflict, *COUNTER_COLUMNS)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTER_COLUMNS)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholders] * len(rows))} "  # noqa: S608
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def _apply(difference: Mapping[Key, Mapping[str, int]]) -> None:
    by_procedure: list[tuple[Any, ...]] = []
    by_agency: dict[tuple[date, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (day, agency, procedure), values in sorted(difference.items()):
        by_procedure.append(
            (day.isoformat(), agency, procedure, *(values.get(c, 0) for c in COUNTER_COLUMNS))
        )
        for name, value in values.items():
            by_agency[(day, agency)][name] += value
    # Always the same order (procedure rows, then agency rows, each sorted): concurrent refreshes of
    # different dossiers lock the shared rows in one order and cannot deadlock.
    _upsert_counters(ProcedureDay, ("day", "agency_id", "procedure_id"), by_procedure)
    _upsert_counters(
        AgencyDay,
        ("day", "agency_id"),
        [
            (day.isoformat(), agency, *(values.get(c, 0) for c in COUNTER_COLUMNS))
            for (day, agency), values in sorted(by_agency.items())
        ],
    )


def refresh_many(dossier_ids: Iterable[int], known: Known = Known(), *, are_new: bool = False) -> int:
    """Bring these dossiers' facts and their day counters up to date; call inside a transaction. `are_new`:
    just submitted in this transaction, so there is no stored fact to read. `known` is for one dossier
    inside its event's transaction (`hooks`). Returns how many facts moved."""
    ids = sorted({int(i) for i in dossier_ids})
    if not ids:
        return 0
    old = {} if are_new else _stored_facts(ids)
    new = _read_facts(ids, known)
    moved = [i for i in ids if new.get(i) != old.get(i)]
    if not moved:
        return 0
    _apply(_difference((old.get(i), new.get(i)) for i in moved))
    replaced = [i for i in moved if i in old]
    if replaced:
        DossierFact.objects.filter(dossier_id__in=replaced).delete()
    DossierFact.objects.bulk_create([DossierFact(**new[i]) for i in moved if i in new])
    return len(moved)


def refresh(dossier_id: int, known: Known = Known(), *, is_new: bool = False) -> bool:
    """`refresh_many` for one dossier, in its event's transaction. True if anything moved."""
    return refresh_many([dossier_id], known, are_new=is_new) > 0


# --- after commit (MEKONG_IOC_DEFERRED) ----------------------------------------------------------------------

SCHEDULED_KEY = "ioc:refresh-scheduled"
# Until when (this process's monotonic clock) a task this process queued has certainly not started: events
# committed before then need not even ask the cache. Half the delay, to allow for clock differences.
_queued_window_ends = 0.0


def mark_pending(dossier_id: int) -> None:
    """In an event's transaction: the dossier's fact is to be refreshed after commit, by `process_pending`
    (a Celery task, or inline without a broker). One short insert instead of the refresh itself."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_table(PendingFact)} (dossier_id) VALUES (%s)", [dossier_id])  # noqa: S608
    transaction.on_commit(schedule_pending, robust=True)


def schedule_pending() -> None:
    """After an event's commit: run `process_pending` inline without a broker; otherwise queue the task
    unless one is already waiting. Events within MEKONG_IOC_DELAY_SECONDS share one task."""
    from mekong.ioc.tasks import refresh_pending_task

    if settings.CELERY_TASK_ALWAYS_EAGER:
        process_pending()
        return
    global _queued_window_ends
    delay = settings.MEKONG_IOC_DELAY_SECONDS
    now = time.monotonic()
    if now < _queued_window_ends:
        return
    # The task forgets this key before it claims anything (`refresh_pending_task`): an event committed
    # after that schedules another task; one committed before it is claimed by this one. None is lost.
    if cache.add(SCHEDULED_KEY, 1, timeout=max(1, math.ceil(delay))):
        try:
            queue = settings.MEKONG_IOC_QUEUE
            refresh_pending_task.apply_async(countdown=delay, **({"queue": queue} if queue else {}))
        except Exception:
            cache.delete(SCHEDULED_KEY)
            log.exception("ioc_refresh_not_queued")  # the rows stay pending for the next task or beat
        else:
            _queued_window_ends = now + delay / 2


def _claim(batch: int) -> list[int]:
    """Take up to `batch` pending rows (SKIP LOCKED: rows another worker holds are left to it), then lock
    their dossiers in id order: an event of one of them still in flight commits first, and none starts
    until this batch commits — so the facts read next include every event whose row was claimed, and two
    workers never refresh one dossier at once."""
    table = _table(PendingFact)
    skip = "FOR UPDATE SKIP LOCKED" if _postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN "  # noqa: S608 (our table)
            f"(SELECT id FROM {table} ORDER BY id LIMIT %s {skip}) RETURNING dossier_id",
            [batch],
        )
        ids = sorted({int(row[0]) for row in cursor.fetchall()})
    if ids:
        list(Dossier.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    return ids


def process_pending(batch: int = 500) -> int:
    """Refresh every pending dossier, a batch per transaction. A batch that fails rolls back and stays
    pending. Returns how many dossiers were refreshed (one refreshed twice counts twice)."""
    done = 0
    while True:
        with transaction.atomic():
            claimed = _claim(batch)
            if not claimed:
                return done
            refresh_many(claimed)
            done += len(claimed)
        log.debug("ioc_pending_refreshed", dossiers=len(claimed))


# --- full rebuild ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RebuildReport:
    dossiers: int
    procedure_days: int
    agency_days: int
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step, in order


def _without_indexes(cursor: Any, tables: Sequence[str]) -> list[str]:
    """PostgreSQL: drop the primary keys, unique constraints and indexes of these (just emptied) tables and
    return the statements that make them again. Building an index once over the loaded rows is faster than
    keeping it row by row (PostgreSQL's advice for populating a database): 9.6 → 7 s for the procedure-day
    counters, 10.5 → 9.4 s for the facts, whose keys arrive in no order. The caller's transaction holds the
    tables (TRUNCATE): nobody sees them without their indexes."""
    recreate: list[str] = []
    for table in tables:
        name = table.strip('"')
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY contype, conname",
            [name],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname",
            [name],
        )
        indexes = cursor.fetchall()
        for constraint, definition in constraints:
            quoted = connection.ops.quote_name(constraint)
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted}")
            recreate.append(f"ALTER TABLE {table} ADD CONSTRAINT {quoted} {definition}")
        for index, definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(index)}")
            recreate.append(definition)
    return recreate


def rebuild() -> RebuildReport:
    """Recompute every fact and counter from the dossiers and their events, in one transaction. Dossiers
    marked pending meanwhile are refreshed after it, against the rebuilt facts (a no-op when it saw them).
    Measured at a million dossiers in docs/benchmarks.md; why it cannot approach a single scan, decision 0010."""
    started = time.perf_counter()
    facts, procedure_days, agency_days = _table(DossierFact), _table(ProcedureDay), _table(AgencyDay)
    counters = ", ".join(COUNTER_COLUMNS)
    sums = ", ".join(f"SUM({c})" for c in COUNTER_COLUMNS)
    recreate: list[str] = []
    steps: dict[str, float] = {}
    lap = time.perf_counter()

    def done(step: str) -> None:
        nonlocal lap
        now = time.perf_counter()
        steps[step] = round(now - lap, 3)
        lap = now

    with transaction.atomic(), connection.cursor() as cursor:
        if _postgres():
            # TRUNCATE rather than DELETE (a million dead rows cost more than the work itself). It holds the
            # three tables until commit: dashboards wait for the new figures instead of reading the old, and
            # a worker refreshing pending dossiers waits too, then diffs against the rebuilt facts
            # (`_stored_facts`). More memory for the big sorts; no JIT, whose compilation of these wide
            # statements costs more than it saves (14 → 10 s for the facts under load).
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"TRUNCATE {procedure_days}, {agency_days}, {facts}")
            recreate = _without_indexes(cursor, (facts, procedure_days, agency_days))
        else:
            for table in (procedure_days, agency_days, facts):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (our tables)
        done("empty")
        cursor.execute(
            f"INSERT INTO {facts} ({', '.join(FACT_COLUMNS)}) {fact_sql(subset=False)}",
            fact_params(),
        )
        dossiers = cursor.rowcount
        done("facts")
        cursor.execute(
            f"INSERT INTO {procedure_days} (day, agency_id, procedure_id, {counters}) "  # noqa: S608
            f"SELECT day, agency_id, procedure_id, {sums} FROM ({_contribution_selects()}) c "
            "GROUP BY day, agency_id, procedure_id"
        )
        procedure_rows = cursor.rowcount
        done("procedure_days")
        cursor.execute(
            f"INSERT INTO {agency_days} (day, agency_id, {counters}) "  # noqa: S608
            f"SELECT day, agency_id, {sums} FROM {procedure_days} GROUP BY day, agency_id"
        )
        agency_rows = cursor.rowcount
        done("agency_days")
        for statement in recreate:
            cursor.execute(statement)
        done("indexes")
    done("commit")
    if _postgres():
        # Fresh statistics for the planner; outside a transaction also the visibility map, so that the
        # dashboard's index-only scans need not visit the table.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in (facts, procedure_days, agency_days):
                cursor.execute(f"{command} {table}")
        done("analyze")
    report = RebuildReport(
        dossiers, procedure_rows, agency_rows, round(time.perf_counter() - started, 3), steps
    )
    log.info("ioc_rebuilt", **report.__dict__)
    return report


def nonzero_rows(model: Any, keys: Iterable[str]) -> set[tuple[Any, ...]]:
    """Every stored counter row that is not all zeros, as plain tuples (compares incremental with rebuilt)."""
    columns = (*keys, *COUNTER_COLUMNS)
    return {
        tuple(str(v) if isinstance(v, date) else v for v in row)
        for row in model.objects.values_list(*columns)
        if any(row[len(tuple(keys)) :])
    }
