"""Liveness and readiness: is the database reachable, does the cache answer."""

from __future__ import annotations

import secrets
import time
from typing import Any

import structlog
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import mekong

log = structlog.get_logger(__name__)


def check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        log.warning("healthz.database_failed", error=str(exc))
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_cache() -> dict[str, Any]:
    key = f"healthz:{secrets.token_hex(8)}"
    cache = caches["default"]
    backend = cache.__class__.__name__
    try:
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:  # a down Redis raises ConnectionError and friends
        log.warning("healthz.cache_failed", error=str(exc))
        return {"ok": False, "backend": backend, "error": exc.__class__.__name__}
    return {"ok": ok, "backend": backend}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    cache_status = check_cache()
    healthy = database["ok"] and cache_status["ok"]
    body = {
        "status": "ok" if healthy else "unavailable",
        "version": mekong.__version__,
        "database": database,
        "cache": cache_status,
    }
    return JsonResponse(body, status=200 if healthy else 503)
