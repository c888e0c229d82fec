"""Real Celery worker processes for the tests that need them (the notification crash test, the IOC's refresh
after commit): the test database's URL for the worker, a worker in its own process group, a per-test Redis
queue, polling with a deadline, and waiting for the workers' database sessions to end.

These tests need REDIS_URL (CI's PostgreSQL + Redis pass sets it) and a transactional test
(`django_db(transaction=True)`), so that what the test writes is committed and the workers can read it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

REDIS_URL = os.environ.get("REDIS_URL", "")
TESTS_DIR = Path(__file__).resolve().parent
WAIT_SECONDS = 120
WORKER_APPLICATION = "mekong-test-worker"  # names the workers' PostgreSQL sessions


def database_url() -> str:
    """The URL of the test database, for the worker processes."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(config["NAME"])
        if name.startswith(("file:memorydb", ":memory:")):
            pytest.fail("a worker process needs a file-backed SQLite test database (see tests/conftest.py)")
        return f"sqlite:///{Path(name).resolve()}"
    if connection.vendor == "postgresql":
        user = quote(str(config.get("USER") or ""), safe="")
        password = quote(str(config.get("PASSWORD") or ""), safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host, port = config.get("HOST") or "127.0.0.1", config.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{config['NAME']}?application_name={WORKER_APPLICATION}"
    pytest.fail(f"no worker database URL for {connection.vendor}")


def worker_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a worker process: this test's database, Redis, a var folder of its own."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS_DIR), os.environ.get("PYTHONPATH")])),
        "MEKONG_VAR_DIR": str(tmp_path / "var"),
        "MEKONG_ALLOW_DEV_SECRET": "1",
        "LOG_FORMAT": "console",
        **extra,
    }


class Worker:
    """A `celery worker` in its own process group, so killing it kills the pool's processes too."""

    def __init__(
        self, name: str, queue: str, env: dict[str, str], log: Path, *, app: str, concurrency: int = 4
    ) -> None:
        self.log = log
        command = [
            sys.executable,
            "-m",
            "celery",
            "--app",
            app,
            "worker",
            "--queues",
            queue,
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--hostname",
            f"{name}-{uuid.uuid4().hex[:8]}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ]
        self.output = log.open("wb")
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=TESTS_DIR,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.output.close()

    def tail(self) -> str:
        if not self.output.closed:
            self.output.flush()
        return self.log.read_text(errors="replace")[-4000:]


def wait_for(condition: Callable[[], bool], what: str, workers: list[Worker]) -> None:
    """Poll the database and files until `condition` holds; fail early if one of `workers` dies."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        for worker in workers:
            if worker.process.poll() is not None:
                pytest.fail(
                    f"the worker exited ({worker.process.returncode}) waiting for {what}:\n{worker.tail()}"
                )
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n" + "\n---\n".join(worker.tail() for worker in workers))


def sessions_gone(timeout: float = 30) -> None:
    """Wait until the killed workers' database sessions have ended, so the test database can be flushed
    and dropped (PostgreSQL ends a session when it notices its client is gone)."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = %s",
                [WORKER_APPLICATION],
            )
            if cursor.fetchone() == (0,):
                return
        time.sleep(0.1)
    pytest.fail("the killed workers' database sessions are still open")


@pytest.fixture
def redis_queue() -> Iterator[str]:
    """A Celery queue of this test's own in the local Redis, removed afterwards."""
    if not REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL (CI does) to run real Celery workers against it")
    import redis

    name = f"test-queue-{uuid.uuid4().hex}"
    yield name
    # The queue and kombu's records of its bindings.
    redis.Redis.from_url(REDIS_URL).delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
