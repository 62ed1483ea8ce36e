"""The emulator's clock: every rule that depends on time (token lifetimes, code expiry, rate-limit
windows, idempotency retention, webhook retry give-up) reads this clock, never the wall clock.

Emulated time starts at ``start`` (default: the real time when the clock is made) and runs
``time_scale`` times faster than real time, so ``--time-scale 1440`` lets an emulated day pass in
one real minute. ``advance(seconds)`` jumps forward at once (tests). ``time_scale=0`` freezes the
clock: it then moves only through ``advance``. Time never goes backwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(
        self,
        start: datetime | None = None,
        time_scale: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if time_scale < 0:
            raise ValueError("time_scale must be >= 0")
        if start is not None and start.tzinfo is None:
            raise ValueError("start must be timezone-aware (UTC)")
        self._start = (start or datetime.now(UTC)).astimezone(UTC)
        self._monotonic = monotonic
        self._real_origin = monotonic()
        self._time_scale = time_scale
        self._advanced_seconds = 0.0
        self._lock = threading.Lock()

    @property
    def time_scale(self) -> float:
        return self._time_scale

    def now(self) -> datetime:
        """The emulated "now", timezone-aware UTC."""
        with self._lock:
            elapsed = (self._monotonic() - self._real_origin) * self._time_scale
            return self._start + timedelta(seconds=elapsed + self._advanced_seconds)

    def timestamp(self) -> float:
        """The emulated "now" as seconds since the epoch (what the rate limiter counts in)."""
        return self.now().timestamp()

    def advance(self, seconds: float) -> datetime:
        """Jump forward by ``seconds`` of emulated time; returns the new "now"."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._advanced_seconds += seconds
        return self.now()

    def real_seconds(self, emulated_seconds: float) -> float:
        """How long, in real seconds, ``emulated_seconds`` of emulated time take to pass
        (infinity for a frozen clock)."""
        if self._time_scale == 0:
            return float("inf")
        return emulated_seconds / self._time_scale

    def describe(self) -> dict[str, object]:
        return {
            "now": self.now().isoformat().replace("+00:00", "Z"),
            "time_scale": self._time_scale,
            "advanced_seconds": self._advanced_seconds,
        }
