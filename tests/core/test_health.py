import socket

import pytest
from django.core.cache import caches
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert body["cache"]["ok"] is True
    assert body["cache"]["backend"] in {"LocMemCache", "RedisCache"}
    assert response["Cache-Control"].startswith("max-age=0")


def _closed_local_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once the socket is closed


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_is_down(client: Client, settings: object) -> None:
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_local_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    try:
        response = client.get("/healthz")
    finally:
        caches.close_all()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["cache"]["ok"] is False
    assert body["database"]["ok"] is True


def test_healthz_rejects_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
