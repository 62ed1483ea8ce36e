"""Xero's rate limits (xero-facts §2), counted on the emulated clock.

Per tenant *and app* (Xero counts per connection): at most 5 calls in flight, 60 calls per
minute window, the day limit (5,000; 1,000 for Starter orgs) per day window. Per app: 10,000
calls per minute window across all tenants.

Windows are fixed, not rolling, and — like Xero's — they do not start at clock minutes/midnight:
each tenant (and each app) has its own offset, derived from its id so it is stable across resets.
A request refused with 429 is not counted; everything that gets past the limiter is, including
idempotent replays and requests that then fail (xero-facts §4: "replays still consume quota").
"""

from __future__ import annotations

import hashlib
import math
import threading
from dataclasses import dataclass, field

from .options import APP_MINUTE_LIMIT, CONCURRENT_LIMIT, MINUTE_LIMIT

MINUTE = 60.0
DAY = 86_400.0
# Xero documents no Retry-After for the concurrent limit; a short pause is what a client needs.
CONCURRENT_RETRY_AFTER = 1


def window_offset(key: str, period: float) -> float:
    """A stable offset in [0, period) for ``key``: where this key's fixed windows start."""
    digest = hashlib.sha256(f"{key}:{period}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % int(period)


@dataclass
class FixedWindow:
    """A fixed-window counter: ``limit`` calls per ``period`` seconds, windows starting at ``offset``."""

    limit: int
    period: float
    offset: float
    window_start: float = -math.inf
    count: int = 0

    def _roll(self, now: float) -> None:
        start = self.offset + math.floor((now - self.offset) / self.period) * self.period
        if start != self.window_start:
            self.window_start = start
            self.count = 0

    def remaining(self, now: float) -> int:
        self._roll(now)
        return max(0, self.limit - self.count)

    def seconds_until_reset(self, now: float) -> int:
        self._roll(now)
        return max(1, math.ceil(self.window_start + self.period - now))

    def take(self, now: float) -> None:
        self._roll(now)
        self.count += 1


@dataclass
class TenantCounters:
    minute: FixedWindow
    day: FixedWindow
    in_flight: int = 0


@dataclass
class Decision:
    """The limiter's answer for one request. ``problem`` is None when the call may proceed."""

    problem: str | None  # "concurrent" | "minute" | "day" | "appminute"
    retry_after: int | None
    headers: dict[str, str] = field(default_factory=dict)


class RateLimiter:
    def __init__(self, default_day_limit: int) -> None:
        self._lock = threading.Lock()
        self._default_day_limit = default_day_limit
        self._tenants: dict[tuple[str, str], TenantCounters] = {}
        self._apps: dict[str, FixedWindow] = {}

    def _tenant(self, client_id: str, tenant_id: str, day_limit: int | None) -> TenantCounters:
        key = (client_id, tenant_id)
        counters = self._tenants.get(key)
        if counters is None:
            seed = f"{client_id}/{tenant_id}"
            counters = TenantCounters(
                minute=FixedWindow(MINUTE_LIMIT, MINUTE, window_offset(seed, MINUTE)),
                day=FixedWindow(day_limit or self._default_day_limit, DAY, window_offset(seed, DAY)),
            )
            self._tenants[key] = counters
        elif day_limit is not None:
            counters.day.limit = day_limit
        return counters

    def _app(self, client_id: str) -> FixedWindow:
        window = self._apps.get(client_id)
        if window is None:
            window = FixedWindow(APP_MINUTE_LIMIT, MINUTE, window_offset(client_id, MINUTE))
            self._apps[client_id] = window
        return window

    def _headers(self, counters: TenantCounters, app: FixedWindow, now: float) -> dict[str, str]:
        return {
            "X-DayLimit-Remaining": str(counters.day.remaining(now)),
            "X-MinLimit-Remaining": str(counters.minute.remaining(now)),
            "X-AppMinLimit-Remaining": str(app.remaining(now)),
        }

    def acquire(self, client_id: str, tenant_id: str, day_limit: int | None, now: float) -> Decision:
        """Count one call and take an in-flight slot, or refuse it (nothing counted).

        The caller must call ``release`` once the call is over when ``problem`` is None.
        Order of checks: concurrent, then day, then minute, then app minute.
        """
        with self._lock:
            counters = self._tenant(client_id, tenant_id, day_limit)
            app = self._app(client_id)
            problem: str | None = None
            retry_after: int | None = None
            if counters.in_flight >= CONCURRENT_LIMIT:
                problem, retry_after = "concurrent", CONCURRENT_RETRY_AFTER
            elif counters.day.remaining(now) == 0:
                problem, retry_after = "day", counters.day.seconds_until_reset(now)
            elif counters.minute.remaining(now) == 0:
                problem, retry_after = "minute", counters.minute.seconds_until_reset(now)
            elif app.remaining(now) == 0:
                problem, retry_after = "appminute", app.seconds_until_reset(now)
            else:
                counters.in_flight += 1
                counters.day.take(now)
                counters.minute.take(now)
                app.take(now)
            return Decision(problem, retry_after, self._headers(counters, app, now))

    def release(self, client_id: str, tenant_id: str) -> None:
        with self._lock:
            counters = self._tenants.get((client_id, tenant_id))
            if counters is not None and counters.in_flight > 0:
                counters.in_flight -= 1

    def peek_headers(
        self, client_id: str | None, tenant_id: str | None, day_limit: int | None, now: float
    ) -> dict[str, str]:
        """The three X-*-Remaining headers without counting anything (for responses refused before
        the limiter, e.g. 401/403). Unknown client or tenant → the full allowance."""
        with self._lock:
            app = self._app(client_id) if client_id else FixedWindow(APP_MINUTE_LIMIT, MINUTE, 0)
            if client_id and tenant_id:
                counters = self._tenant(client_id, tenant_id, day_limit)
            else:
                counters = TenantCounters(
                    minute=FixedWindow(MINUTE_LIMIT, MINUTE, 0),
                    day=FixedWindow(day_limit or self._default_day_limit, DAY, 0),
                )
            return self._headers(counters, app, now)

    def windows(self, client_id: str, tenant_id: str, now: float) -> dict[str, object]:
        """Where the tenant's windows stand (control plane and tests)."""
        with self._lock:
            counters = self._tenant(client_id, tenant_id, None)
            return {
                "in_flight": counters.in_flight,
                "minute_remaining": counters.minute.remaining(now),
                "minute_resets_in": counters.minute.seconds_until_reset(now),
                "day_remaining": counters.day.remaining(now),
                "day_resets_in": counters.day.seconds_until_reset(now),
            }
