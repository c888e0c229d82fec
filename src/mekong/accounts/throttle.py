"""Slow down password guessing: failed sign-ins are counted per client address and identifier in
Django's cache (Redis in production, so every worker shares the count) over a fixed window that starts
with the first failure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from mekong.accounts.identifiers import normalize_identifier


@dataclass(frozen=True)
class FailureLimit:
    attempts: int
    window_seconds: int

    @property
    def window_minutes(self) -> int:
        return max(1, self.window_seconds // 60)


# 10 wrong passwords for one account from one address in 15 minutes, then wait.
SIGN_IN_LIMIT = FailureLimit(attempts=10, window_seconds=15 * 60)


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind N reverse proxies (setting MEKONG_TRUSTED_PROXY_COUNT, default 0) it is
    the N-th entry from the right of X-Forwarded-For: entries further left are written by the client and
    could be forged to escape the limit."""
    proxies = int(getattr(settings, "MEKONG_TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _key(scope: str, address: str, identifier: str) -> str:
    digest = hashlib.sha256(f"{address}|{normalize_identifier(identifier)}".encode()).hexdigest()
    return f"mekong:signin-failures:{scope}:{digest}"


class SignInThrottle:
    """Counts failures for one (address, identifier) pair."""

    def __init__(
        self,
        request: HttpRequest,
        identifier: str,
        *,
        scope: str = "default",
        limit: FailureLimit = SIGN_IN_LIMIT,
    ) -> None:
        self.limit = limit
        self.key = _key(scope, client_address(request), identifier)

    @classmethod
    def for_address(
        cls, address: str, identifier: str, *, scope: str = "default", limit: FailureLimit = SIGN_IN_LIMIT
    ) -> SignInThrottle:
        """The throttle of a client address already known (the caller has no request at hand)."""
        throttle = cls.__new__(cls)
        throttle.limit = limit
        throttle.key = _key(scope, address, identifier)
        return throttle

    def is_blocked(self) -> bool:
        return int(cache.get(self.key, 0)) >= self.limit.attempts

    def record_failure(self) -> None:
        self.record_attempt()

    def record_attempt(self) -> int:
        """Count one attempt; returns the count in the current window. The window starts with the first
        attempt and is not extended by later ones. One cache operation in the usual case (the key exists)."""
        try:
            return int(cache.incr(self.key))
        except ValueError:  # the first attempt of a window
            if cache.add(self.key, 1, timeout=self.limit.window_seconds):
                return 1
            return int(cache.incr(self.key))  # a concurrent request started the window first

    def allow_attempt(self) -> bool:
        """Count this attempt and say whether it is within the limit: `is_blocked` and `record_failure` in
        one step, for limits that count every attempt rather than failures (the public status lookup)."""
        return self.record_attempt() <= self.limit.attempts

    def reset(self) -> None:
        cache.delete(self.key)
