"""Processes the benchmarks run beside the server, as production does (docs/operations.md)."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def production_env(database_url: str, work: Path, **extra: str) -> dict[str, str]:
    """The environment of a benchmark's server and commands: DEBUG off, fresh secrets, a var folder in
    `work`, warnings only; no REDIS_URL (each benchmark passes its own to the processes that use it)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "MEKONG_FACEID_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "MEKONG_VAR_DIR": str(work / "var"),
        **extra,
    }
    env.pop("REDIS_URL", None)
    return env


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
