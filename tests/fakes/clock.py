"""A clock the test moves by hand: services take ``clock()`` and never read the real time."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


class ManualClock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def sleep(self, seconds: float) -> None:
        """For code that sleeps: time passes, nobody waits."""
        self.now += timedelta(seconds=seconds)


class VirtualTime:
    """Virtual time shared by several threads, in epoch seconds: it stands still while any
    participant works and moves only when every participant sleeps — then straight to the earliest
    wake-up. Code that reads ``clock()`` and calls ``sleep()`` (the rate governor, a worker's
    back-off) then sees exactly the times it asked for, however loaded the real machine is, and
    nothing waits in real time. A Xero emulator given :meth:`emulator_clock` counts each call at
    the virtual time it was sent: a call takes no virtual time at all.

    Each participant thread must call :meth:`leave` when it is done (or use :meth:`run`), or the
    others would wait for it forever. Threads that are not participants (servers, the test) only
    read the time."""

    def __init__(self, participants: int, start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._start = start
        self._running = participants
        self._wakeups: list[float] = []
        self._changed = threading.Condition()

    def __call__(self) -> float:
        with self._changed:
            return self._now

    def elapsed(self) -> float:
        """Seconds since the start (a ``monotonic`` for the emulator's clock)."""
        with self._changed:
            return self._now - self._start

    def emulator_clock(self) -> Any:
        """The Xero emulator's clock on this time line."""
        from local.xero_emulator.clock import Clock

        return Clock(start=datetime.fromtimestamp(self._start, UTC), time_scale=1.0, monotonic=self.elapsed)

    def sleep(self, seconds: float) -> None:
        with self._changed:
            if seconds <= 0:
                return
            wake = self._now + seconds
            heapq.heappush(self._wakeups, wake)
            self._running -= 1
            self._move_on()
            while self._now < wake:
                self._changed.wait()
            self._wakeups.remove(wake)
            heapq.heapify(self._wakeups)
            self._running += 1

    def leave(self) -> None:
        """A participant is done: it no longer holds time back."""
        with self._changed:
            self._running -= 1
            self._move_on()

    def run(self, work: Callable[[], object]) -> Callable[[], None]:
        """``work`` as a participant thread's target, leaving when it ends (also by an error)."""

        def target() -> None:
            try:
                work()
            finally:
                self.leave()

        return target

    def _move_on(self) -> None:
        if self._running == 0 and self._wakeups:
            self._now = max(self._now, self._wakeups[0])
            self._changed.notify_all()
