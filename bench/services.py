"""Processes the benchmarks run beside the server, as production does (docs/operations.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def celery_worker(env: dict[str, str], concurrency: int = 1) -> subprocess.Popen[bytes]:
    """`celery -A mekong worker`, in its own process group so that `stop` ends its pool too."""
    return subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "mekong",
            "worker",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "warning",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
