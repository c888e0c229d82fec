"""`make bench-dossiers`: throughput and latency of the dossier endpoints on PostgreSQL under concurrent load.

Starts the application under gunicorn with several worker processes on a PostgreSQL database of its own
(default postgres://postgres@127.0.0.1:5432/mekong_bench, or BENCH_DATABASE_URL) and Redis as its cache, as in
production (default redis://127.0.0.1:6379/15, or BENCH_REDIS_URL; that database is flushed), loads the demo
tenant with demo dossiers into it, then drives it from a separate process (locust, headless) one scenario at
a time:
  healthz   the bare health check (one database and three cache round trips) — the reference on the same
            server in the same run
  lookup    public status lookup by code + phone (rate-limited through the cache)
  submit    a citizen's one-shot submission without files (API, bearer token, Idempotency-Key)
  queue     the officer queue page of the busiest agency (signed-in session)
in two phases with the same 50 clients:
  capacity  each client sends its next request as soon as the last is answered (no think time): the
            throughput of each endpoint and its ratio to /healthz; latency here is mostly queueing
            (Little's law: clients ÷ throughput)
  paced     each client thinks about a second (0.5–1.5 s, --pace) after each answer: the latency a busy
            office would see
Prints each scenario's throughput, p50 and p99, the ratios to /healthz, and the goals; the last line is JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from services import celery_worker, flush_redis, production_env, stop

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCENARIOS = {"healthz": "Health", "lookup": "Lookup", "submit": "Submit", "queue": "Queue"}
GOALS = {"lookup": 0.50, "submit": 0.25}
P99_GOAL_MS = 200
RAMP_SECONDS = 5


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def step(label: str) -> None:
    print(f"• {label}", flush=True)


def run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local server we started)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer {url} within {seconds} s")


def ioc_backlog(url: str, limit_s: float = 120) -> dict[str, Any]:
    """Dossiers still waiting for the IOC's worker when the load stops, and how long it takes to clear them:
    the figures must keep up with submissions, not only the submissions be fast."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        at_end = connection.execute("SELECT COUNT(*) FROM ioc_pendingfact").fetchone()[0]
        left = at_end
        while left and time.perf_counter() - started < limit_s:
            time.sleep(0.1)
            left = connection.execute("SELECT COUNT(*) FROM ioc_pendingfact").fetchone()[0]
        facts = connection.execute("SELECT COUNT(*) FROM ioc_dossierfact").fetchone()[0]
        filed = connection.execute(
            "SELECT COUNT(*) FROM dossiers_dossier WHERE status IS NOT NULL"
        ).fetchone()[0]
    return {
        "pending_rows_at_end": at_end,
        "pending_rows_left": left,
        "caught_up_s": round(time.perf_counter() - started, 2) if not left else None,
        "facts": facts,
        "submitted_dossiers": filed,
    }


def measure(
    scenario: str, host: str, users: int, seconds: int, env: dict[str, str], out: Path, pace: float = 0
) -> dict[str, Any]:
    prefix = out / f"{scenario}-{'paced' if pace else 'capacity'}"
    env = {**env, "MEKONG_BENCH_PACE": str(pace)}
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--loglevel",
            "WARNING",
            "-u",
            str(users),
            # Clients join over RAMP_SECONDS and the statistics start once all are in: fifty clients
            # sending their first request in the same instant measure the harness, not the server.
            "-r",
            str(max(1, users // RAMP_SECONDS)),
            "--reset-stats",
            "-t",
            f"{seconds + RAMP_SECONDS}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            SCENARIOS[scenario],
        ],
        env=env,
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    row = rows[scenario]
    requests = int(row["Request Count"])
    if scenario != "healthz" and int(row["Failure Count"]):
        print(f"  ! {row['Failure Count']} failed requests: see {prefix}_failures.csv", flush=True)
    return {
        "requests": requests,
        "failures": int(row["Failure Count"]),
        "rps": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p99_ms": float(row["99%"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mekong_bench"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    # One process per core measured best on 2 cores (docs/benchmarks.md): more processes only add
    # context switches, and threads hide the database round trips.
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per scenario and phase")
    parser.add_argument(
        "--pace", type=float, default=1.0, help="a client's mean think time in the paced phase (seconds)"
    )
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--dossiers", type=int, default=300)
    parser.add_argument(
        "--wsgi",
        default="mekong.wsgi",
        help="WSGI module to serve (bench/no_ioc_wsgi.py: the same without the IOC's dossier-event hook)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="mekong-bench-"))
    # Without REDIS_URL: setting up runs its tasks inline; only the server below uses Redis.
    env = production_env(
        args.database_url,
        work,
        MEKONG_LOOKUP_LIMIT="1000000000",  # the benchmark is one client address
        MEKONG_BENCH_FIXTURE=str(work / "fixture.json"),
    )
    step(f"Cơ sở dữ liệu {args.database_url}")
    ensure_database(args.database_url)
    run([str(BIN / "mekong"), "migrate", "--noinput", "-v0"], env)
    step(f"Dữ liệu mẫu ({args.dossiers} hồ sơ)")
    run([str(BIN / "mekong"), "load_demo", "--quiet-accounts", "--dossiers", str(args.dossiers)], env)
    run([str(BIN / "mekong"), "collectstatic", "--noinput", "-v0"], env)
    run([str(BIN / "python"), str(ROOT / "bench" / "prepare.py"), env["MEKONG_BENCH_FIXTURE"]], env)

    flush_redis(args.redis_url)
    server_env = {**env, "REDIS_URL": args.redis_url}
    # As in production, a Celery worker beside the server: with a broker the operations centre's figures
    # follow each submission after its commit (MEKONG_IOC_DEFERRED), and that work is counted here too.
    worker = celery_worker(server_env)
    host = f"http://127.0.0.1:{args.port}"
    step(f"gunicorn: {args.workers} tiến trình × {args.threads} luồng tại {host}, bộ đệm {args.redis_url}")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--pythonpath",
            str(ROOT / "bench"),
            args.wsgi,
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            str(args.workers),
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        env=server_env,
        cwd=ROOT,
    )
    capacity: dict[str, Any] = {}
    paced: dict[str, Any] = {}
    try:
        wait_until_up(f"{host}/healthz")
        for scenario in SCENARIOS:
            step(f"Sức chịu tải — {scenario}: {args.users} người dùng liên tục, {args.seconds} s")
            capacity[scenario] = measure(scenario, host, args.users, args.seconds, env, work)
            print(f"  {capacity[scenario]}", flush=True)
            if scenario == "submit":
                step("IOC: hồ sơ còn chờ worker khi tải dừng, và thời gian để worker cập nhật hết")
                backlog = ioc_backlog(args.database_url)
                print(f"  {backlog}", flush=True)
        for scenario in SCENARIOS:
            step(f"Độ trễ — {scenario}: {args.users} người dùng, nghỉ ~{args.pace:g} s giữa hai yêu cầu")
            paced[scenario] = measure(scenario, host, args.users, args.seconds, env, work, pace=args.pace)
            print(f"  {paced[scenario]}", flush=True)
        step("IOC: mọi hồ sơ đã nộp đều có số liệu")
        final = ioc_backlog(args.database_url)
        print(f"  {final}", flush=True)
        if final["facts"] != final["submitted_dossiers"]:
            raise SystemExit("the IOC worker did not keep every submitted dossier's figures")
    finally:
        server.terminate()
        server.wait(timeout=30)
        stop(worker)

    reference = capacity["healthz"]["rps"] or 1.0
    for scenario in ("lookup", "submit", "queue"):
        capacity[scenario]["ratio_to_healthz"] = round(capacity[scenario]["rps"] / reference, 3)
    measured = ("lookup", "submit", "queue")
    summary = {
        "benchmark": "dossiers",
        "database": "postgresql",
        "cache": "redis",
        "workers": args.workers,
        "threads": args.threads,
        "concurrent_users": args.users,
        "seconds_per_scenario": args.seconds,
        "paced_seconds_between_requests": args.pace,
        "cpu_count": os.cpu_count(),
        "capacity": capacity,
        "paced": paced,
        "ioc_backlog": backlog,
        "ioc_at_end": final,
        "goals": {
            "lookup_ratio_min": GOALS["lookup"],
            "submit_ratio_min": GOALS["submit"],
            "p99_ms_max": P99_GOAL_MS,
            "lookup_ratio_met": capacity["lookup"]["ratio_to_healthz"] >= GOALS["lookup"],
            "submit_ratio_met": capacity["submit"]["ratio_to_healthz"] >= GOALS["submit"],
            "p99_met_paced": all(paced[s]["p99_ms"] < P99_GOAL_MS for s in measured),
            "p99_met_at_capacity": all(capacity[s]["p99_ms"] < P99_GOAL_MS for s in measured),
        },
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
