"""Load for `make bench-dossiers`. One user class per measured endpoint; bench/dossiers.py runs them one
at a time against the same server and compares each with /healthz.

MEKONG_BENCH_PACE (seconds, default 0): each simulated client thinks for a random 0.5–1.5 × PACE seconds
after each answer, so the clients do not fall into step. 0 is a closed loop with no think time (the
server's capacity); 1 is a client clicking about once a second."""

from __future__ import annotations

import json
import os
import random
import uuid

from locust import HttpUser, between, constant, task

with open(os.environ["MEKONG_BENCH_FIXTURE"], encoding="utf-8") as fixture_file:
    FIXTURE = json.load(fixture_file)

PACE = float(os.environ.get("MEKONG_BENCH_PACE", "0"))
WAIT = between(0.5 * PACE, 1.5 * PACE) if PACE > 0 else constant(0)


class Health(HttpUser):
    wait_time = WAIT

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="healthz")


class Lookup(HttpUser):
    wait_time = WAIT

    @task
    def lookup(self) -> None:
        code, secret = random.choice(FIXTURE["lookups"])
        with self.client.post(
            "/api/v1/dossiers/lookup",
            json={"code": code, "secret": secret},
            name="lookup",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Submit(HttpUser):
    wait_time = WAIT

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {random.choice(FIXTURE['citizen_tokens'])}"

    @task
    def submit(self) -> None:
        with self.client.post(
            "/api/v1/dossiers/submit",
            json={
                "procedure": FIXTURE["procedure"],
                "agency": random.choice(FIXTURE["agencies"]),
                "form_data": FIXTURE["form_data"],
            },
            headers={"Idempotency-Key": uuid.uuid4().hex},
            name="submit",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Queue(HttpUser):
    wait_time = WAIT

    def on_start(self) -> None:
        # A session signed in beforehand (bench/prepare.py): this measures the queue, not password hashing.
        self.client.cookies.set("sessionid", random.choice(FIXTURE["officer_sessions"]))

    @task
    def queue(self) -> None:
        with self.client.get(FIXTURE["queue_url"], name="queue", catch_response=True) as response:
            if response.status_code != 200 or FIXTURE["queue_marker"] not in response.text:
                response.failure(f"{response.status_code}")
