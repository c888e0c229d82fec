"""`make bench-ioc`: the operations centre at a million dossiers, on PostgreSQL.

1. A database of its own (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/mekong_ioc_bench),
   emptied, migrated, the demo tenant loaded (catalogue, agencies, accounts; no demo dossiers).
2. `--dossiers` dossiers (default 1,000,000) over the last year with realistic event histories, files,
   payments and ratings, written with COPY (bench/ioc_data.py), with a progress bar.
3. The reference: one raw SQL query computing the on-time rate of the last 12 months by scanning the
   dossiers table (best of 3 runs).
4. A full rebuild of the IOC's aggregates from the dossiers and their events (`mekong rebuild_ioc`).
5. The dashboard API under gunicorn, one client at a time: p50/p99 of `GET /api/v1/ioc/summary` for the
   province (this month, and this year) and for the busiest district.
6. Event to dashboard: a citizen submits a dossier through the API; the time until the agency's
   summary shows it (polled every 10 ms).
7. The submission hook's cost: `actions.create_and_submit` timed with the figures refreshed in its
   transaction, with the dossier only marked for the worker, and without the IOC.

Prints each measure and the goals; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GOALS = {"dashboard_p50_ms": 100, "rebuild_to_scan": 3, "event_to_dashboard_s": 2}


def step(label: str) -> None:
    print(f"• {label}", flush=True)


def reset_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index], 1)


def get(url: str, token: str) -> tuple[float, dict[str, Any]]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (our local server)
        body = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, body


def post(url: str, token: str, payload: dict[str, Any]) -> int:
    request = urllib.request.Request(  # noqa: S310
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return int(response.status)


def latency(url: str, token: str, count: int) -> dict[str, Any]:
    get(url, token)  # warm the worker
    samples = [get(url, token)[0] for _ in range(count)]
    return {"requests": count, "p50_ms": percentile(samples, 0.5), "p99_ms": percentile(samples, 0.99)}


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url} within {seconds} s")


RAW_SCAN = """
SELECT COUNT(*) FILTER (WHERE supplement_count <= 1 AND (
         (finished_at IS NOT NULL AND finished_at <= %(end)s AND (due_at IS NULL OR finished_at <= due_at))
         OR ((finished_at IS NULL OR finished_at > %(end)s) AND (due_at IS NULL OR due_at >= %(end)s)))),
       COUNT(*)
FROM dossiers_dossier
WHERE status IS NOT NULL AND submitted_at <= %(end)s AND (finished_at IS NULL OR finished_at >= %(start)s)
"""


RAW_SCAN_EVENTS = """
SELECT COUNT(*) FILTER (WHERE e.requests <= 1 AND (
         (e.ended_at IS NOT NULL AND e.ended_at <= %(end)s AND (d.due_at IS NULL OR e.ended_at <= d.due_at))
         OR ((e.ended_at IS NULL OR e.ended_at > %(end)s) AND (d.due_at IS NULL OR d.due_at >= %(end)s)))),
       COUNT(*)
FROM dossiers_dossier d
JOIN (SELECT dossier_id, MIN(created_at) FILTER (WHERE to_status IN (3, 7, 8, 9)) AS ended_at,
             COUNT(*) FILTER (WHERE command = 'request_supplement') AS requests
      FROM dossiers_dossierevent GROUP BY dossier_id) e ON e.dossier_id = d.id
WHERE d.submitted_at <= %(end)s AND (e.ended_at IS NULL OR e.ended_at >= %(start)s)
"""


# Lower bounds for any rebuild of per-day aggregates (docs/decisions/0010-ioc-rebuild-bound.md): the
# cheapest counter that custom date ranges need, one count per agency and local day over the dossier record
# alone, written nowhere; and writing one narrow row per dossier, unlogged and unindexed.
FLOOR_AGENCY_DAY = """
SELECT COUNT(*) FROM (
  SELECT agency_id, (submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, COUNT(*)
  FROM dossiers_dossier WHERE submitted_at IS NOT NULL GROUP BY 1, 2) per_day
"""
FLOOR_WRITE = (
    "CREATE UNLOGGED TABLE bench_floor_write AS SELECT id, agency_id, procedure_id FROM dossiers_dossier"
)


def floor_seconds(connection: Any, runs: int = 3) -> dict[str, float]:
    """Best of `runs` for each lower bound, without JIT (as the rebuild runs)."""
    best = {"agency_day_count_s": float("inf"), "write_one_row_per_dossier_s": float("inf")}
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(FLOOR_AGENCY_DAY)
            cursor.fetchone()
            best["agency_day_count_s"] = min(best["agency_day_count_s"], time.perf_counter() - started)
            cursor.execute("DROP TABLE IF EXISTS bench_floor_write")
            started = time.perf_counter()
            cursor.execute(FLOOR_WRITE)
            best["write_one_row_per_dossier_s"] = min(
                best["write_one_row_per_dossier_s"], time.perf_counter() - started
            )
            cursor.execute("DROP TABLE bench_floor_write")
        cursor.execute("RESET jit")
    return {name: round(value, 3) for name, value in best.items()}


def timed_query(connection: Any, sql: str, params: dict[str, Any], runs: int = 3) -> tuple[float, float, int]:
    """Best of `runs`: seconds, on-time rate, dossiers counted."""
    best = float("inf")
    rate, handled = 0.0, 0
    for _ in range(runs):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            on_time, handled = cursor.fetchone()
        best = min(best, time.perf_counter() - started)
        rate = on_time / handled if handled else 0.0
    return round(best, 3), rate, handled


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mekong_ioc_bench"),
    )
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per dashboard view")
    parser.add_argument("--events", type=int, default=20, help="event-to-dashboard samples")
    parser.add_argument("--submissions", type=int, default=200, help="submissions per side of the hook test")
    parser.add_argument("--port", type=int, default=8110)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of the last run (no generation)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mekong-bench-ioc-"))
    sys.path.insert(0, str(ROOT / "bench"))
    from services import production_env

    env = production_env(args.database_url, work)
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mekong.settings"

    if not args.reuse:
        step(f"Cơ sở dữ liệu mới {args.database_url}")
        reset_database(args.database_url)
    subprocess.run([str(BIN / "mekong"), "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    if not args.reuse:
        subprocess.run(
            [str(BIN / "mekong"), "load_demo", "--quiet-accounts", "--dossiers", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
    import django

    django.setup()
    import ioc_data  # bench/ioc_data.py
    from django.db import connection
    from tqdm import tqdm

    from mekong.accounts.actions import issue_api_token
    from mekong.accounts.models import User
    from mekong.catalog.models import Agency
    from mekong.ioc import aggregates
    from mekong.ioc.indicators import last_months

    rows: dict[str, int] = {}
    if not args.reuse:
        step(f"Sinh {args.dossiers:,} hồ sơ (COPY)")
        started = time.perf_counter()
        with tqdm(total=args.dossiers, unit="hồ sơ", unit_scale=True, mininterval=1.0) as bar:
            rows = ioc_data.generate(args.dossiers, progress=bar.update)
        print(f"  {json.dumps(rows)} in {time.perf_counter() - started:.0f} s", flush=True)

    step("Tham chiếu: một truy vấn SQL quét bảng hồ sơ để tính tỷ lệ đúng hạn 12 tháng")
    months = last_months(ioc_data.timezone.now().date(), 12)
    from datetime import datetime
    from datetime import time as dtime

    from mekong.dossiers.workdays import VIETNAM_TZ

    bounds = {
        "start": datetime.combine(months[0].start, dtime.min, VIETNAM_TZ),
        "end": datetime.combine(months[-1].end, dtime.max, VIETNAM_TZ),
    }
    raw_scan_s, scan_rate, handled = timed_query(connection, RAW_SCAN, bounds)
    print(f"  {raw_scan_s} s (on-time {scan_rate:.4f} of {handled:,})", flush=True)
    step("Tham chiếu phụ: cùng tỷ lệ, lấy điểm kết thúc và số lần yêu cầu bổ sung từ bảng sự kiện")
    events_scan_s, events_rate, events_handled = timed_query(connection, RAW_SCAN_EVENTS, bounds, runs=1)
    print(f"  {events_scan_s} s (on-time {events_rate:.4f} of {events_handled:,})", flush=True)

    step("Cận dưới của mọi lần tính lại theo ngày: đếm hồ sơ theo cơ quan và ngày; ghi một dòng mỗi hồ sơ")
    floor = floor_seconds(connection)
    print(f"  {floor} (quét tham chiếu {raw_scan_s} s)", flush=True)

    step("Tính lại toàn bộ số liệu tổng hợp (rebuild), lần 1: bảng trống")
    first = aggregates.rebuild()
    print(f"  {first}", flush=True)
    step("Tính lại lần 2: thay toàn bộ số liệu đang có")
    report = aggregates.rebuild()
    print(f"  {report}", flush=True)
    from mekong.ioc import selectors
    from mekong.ioc.indicators import Period, on_time_rate

    year = Period(months[0].start, months[-1].end)
    totals = selectors.total(
        selectors.counters_by([year], today_=selectors.today(), agency_ids=None),
        list(selectors.Directory.load().nodes),
        0,
    )
    aggregate_rate = on_time_rate(totals).value or 0.0
    print(
        f"  on-time rate from the aggregates, same 12 months: {aggregate_rate:.4f} of {totals.handled:,}",
        flush=True,
    )

    ioc_user = User.objects.get(username="ioc.tinh")
    ioc_token = issue_api_token(ioc_user, "bench-ioc")[1]
    citizen, procedure, agency, form = submission_fixture()
    citizen_token = issue_api_token(citizen, "bench-ioc")[1]
    busiest = Agency.objects.filter(kind="district_pc").order_by("code").values_list("pk", flat=True).first()
    connection.close()

    # As in production: Redis for the cache and the queue, and a Celery worker that refreshes the figures
    # after each event's commit (MEKONG_IOC_DEFERRED, on with a broker).
    from services import celery_worker, flush_redis, stop

    flush_redis(args.redis_url)
    server_env = {**env, "REDIS_URL": args.redis_url}
    worker = celery_worker(server_env)
    host = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "mekong.wsgi",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            str(args.workers),
            "-k",
            "gthread",
            "--threads",
            "2",
            "--log-level",
            "warning",
        ],
        env=server_env,
        cwd=ROOT,
    )
    results: dict[str, Any] = {}
    try:
        wait_until_up(f"{host}/healthz")
        api = f"{host}/api/v1/ioc"
        step(f"Độ trễ API bảng điều khiển ({args.requests} yêu cầu mỗi loại, tuần tự)")
        results["province_month"] = latency(f"{api}/summary", ioc_token, args.requests)
        results["province_year"] = latency(f"{api}/summary?period=year", ioc_token, args.requests // 2)
        results["agency_month"] = latency(f"{api}/summary?agency={busiest}", ioc_token, args.requests)
        results["trend_province"] = latency(f"{api}/trend", ioc_token, args.requests // 4)
        for name in ("province_month", "province_year", "agency_month", "trend_province"):
            print(f"  {name}: {results[name]}", flush=True)

        step(
            f"Từ sự kiện đến bảng điều khiển ({args.events} hồ sơ nộp qua API; số liệu cập nhật sau khi giao "
            "dịch hoàn tất, bởi worker Celery)"
        )
        delays = []
        summary_url = f"{api}/summary?agency={agency.pk}"
        submission = {"procedure": procedure.code, "agency": agency.code, "form_data": form}
        for _ in range(args.events):
            before = get(summary_url, ioc_token)[1]["counts"]["received"]
            started = time.perf_counter()
            post(f"{host}/api/v1/dossiers/submit", citizen_token, submission)
            while get(summary_url, ioc_token)[1]["counts"]["received"] == before:
                if time.perf_counter() - started > 30:
                    raise SystemExit("the dashboard never showed the event")
                time.sleep(0.01)
            delays.append(time.perf_counter() - started)
        results["event_to_dashboard_s"] = {
            "samples": len(delays),
            "p50": round(statistics.median(delays), 3) if delays else None,
            "max": round(max(delays), 3) if delays else None,
        }
        print(f"  {results['event_to_dashboard_s']}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        stop(worker)

    step(f"Chi phí của hook IOC khi nộp hồ sơ ({args.submissions} lần mỗi bên)")
    results["submission_hook"] = submission_overhead(args.submissions)
    print(f"  {results['submission_hook']}", flush=True)

    p50 = max(results["province_month"]["p50_ms"], results["agency_month"]["p50_ms"])
    ratio = round(report.seconds / raw_scan_s, 2) if raw_scan_s else None
    delay = results["event_to_dashboard_s"]["max"]
    summary = {
        "benchmark": "ioc",
        "dossiers": args.dossiers,
        "rows": rows,
        "raw_scan_s": raw_scan_s,
        "raw_scan_on_time_rate": round(scan_rate, 4),
        "raw_scan_events_s": events_scan_s,
        "aggregate_on_time_rate": round(aggregate_rate, 4),
        "rebuild_empty_s": first.seconds,
        "rebuild_s": report.seconds,
        "rebuild_rows": {
            "facts": report.dossiers,
            "procedure_days": report.procedure_days,
            "agency_days": report.agency_days,
        },
        "rebuild_to_scan": ratio,
        "rebuild_floor": {
            **floor,
            "agency_day_count_to_scan": round(floor["agency_day_count_s"] / raw_scan_s, 2)
            if raw_scan_s
            else None,
            "write_to_scan": round(floor["write_one_row_per_dossier_s"] / raw_scan_s, 2)
            if raw_scan_s
            else None,
        },
        **results,
        "goals": {
            "dashboard_p50_ms": {
                "goal": GOALS["dashboard_p50_ms"],
                "measured": p50,
                "met": p50 <= GOALS["dashboard_p50_ms"],
            },
            "rebuild_to_scan": {
                "goal": GOALS["rebuild_to_scan"],
                "measured": ratio,
                "met": ratio is not None and ratio <= GOALS["rebuild_to_scan"],
            },
            "event_to_dashboard_s": {
                "goal": GOALS["event_to_dashboard_s"],
                "measured": delay,
                "met": delay is not None and delay <= GOALS["event_to_dashboard_s"],
            },
        },
    }
    print(json.dumps(summary, ensure_ascii=False))


def submission_overhead(count: int) -> dict[str, Any]:
    """Milliseconds per `create_and_submit` on this database: with the figures refreshed in the submission's
    transaction, with the dossier only marked for the worker (MEKONG_IOC_DEFERRED; the refresh itself runs
    after commit, elsewhere), and without the IOC at all. Rounds of 20 in turn, so that every side sees the
    same cache and load."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from mekong.dossiers import actions, hooks
    from mekong.ioc import aggregates
    from mekong.ioc.hooks import COUNTED_COMMANDS, keep_figures

    citizen, procedure, agency, form = submission_fixture()
    sides = ("in_transaction", "deferred", "without")
    timings: dict[str, list[float]] = {side: [] for side in sides}
    queries: dict[str, int] = {}
    # The deferred side must not run the refresh inline after each commit (this process has no broker):
    # a scheduled task is pretended, so only the mark and the schedule check are timed.
    cache.set(aggregates.SCHEDULED_KEY, 1, timeout=3600)
    for round_ in range(max(1, count // 20) * len(sides)):
        side = sides[round_ % len(sides)]
        if side == "without":
            for command in COUNTED_COMMANDS:
                hooks._handlers[command].remove(keep_figures)
        try:
            with override_settings(
                MEKONG_IOC_DEFERRED=side == "deferred", CELERY_TASK_ALWAYS_EAGER=side != "deferred"
            ):
                for _ in range(20):
                    started = time.perf_counter()
                    actions.create_and_submit(
                        actor=citizen, procedure=procedure, agency=agency, form_data=form
                    )
                    timings[side].append(time.perf_counter() - started)
                with CaptureQueriesContext(connection) as captured:
                    actions.create_and_submit(
                        actor=citizen, procedure=procedure, agency=agency, form_data=form
                    )
                queries[side] = len(captured.captured_queries)
        finally:
            if side == "without":
                for command in COUNTED_COMMANDS:
                    hooks.on_event(command)(keep_figures)
    cache.delete(aggregates.SCHEDULED_KEY)
    aggregates.process_pending()
    ms = {side: statistics.median(timings[side]) * 1000 for side in sides}
    return {
        "submissions": sum(len(t) for t in timings.values()),
        **{f"{side}_ms_p50": round(ms[side], 2) for side in sides},
        **{f"queries_{side}": queries.get(side) for side in sides},
    }


def submission_fixture() -> tuple[Any, Any, Any, dict[str, Any]]:
    """The citizen, a procedure without mandatory documents, an agency receiving it, a valid form — as the
    submission benchmark (bench/prepare.py) chooses them."""
    import prepare  # bench/prepare.py
    from django.db.models import Count, Q

    from mekong.accounts.models import User, UserKind
    from mekong.catalog.models import Procedure
    from mekong.dossiers.validation import form_errors

    candidates = (
        Procedure.objects.filter(is_active=True)
        .annotate(
            mandatory=Count("documents", filter=Q(documents__mandatory=True)), receivers=Count("agencies")
        )
        .filter(mandatory=0, receivers__gt=0)
        .order_by("-receivers")
    )
    procedure = (
        next(
            (p for p in candidates if not form_errors(p.form_schema, prepare.sample_form(p.form_schema))),
            None,
        )
        or prepare.bench_procedure()
    )
    citizen = User.objects.filter(kind=UserKind.CITIZEN, is_active=True).order_by("pk").first()
    agency = procedure.agencies.order_by("code").first()
    return citizen, procedure, agency, prepare.sample_form(procedure.form_schema)


if __name__ == "__main__":
    main()
