"""The per-tenant rate governor (N2, xero-facts §2), shared by every concurrent Lambda.

Xero allows, per tenant and app: 5 calls in flight, 60 calls per minute window, 5,000 (Starter:
1,000) per day window; and 10,000 calls per minute per app across all tenants. Its windows are
*fixed* but start at an unknown offset per tenant, so "60 in the current clock minute" is not
something we can count. Instead the governor keeps **any** 60-second span under the limit by
pacing: every call reserves the next send time, one per ``60 / (limit - headroom)`` seconds
(GCRA). Spacing calls at least that far apart puts at most ``limit - headroom`` sends into any
60 seconds, wherever Xero's window starts; the headroom absorbs network jitter between our send
and Xero's count.

Per call:

* ``acquire(tenant_id, max_wait_seconds=..., priority=...)`` checks the app-wide back-off, then makes one
  conditional reservation in the store: not blocked, day allowance left, and a send time within
  ``max_wait``. Reservations queue callers in order (first come, first served across every
  Lambda), so waiting for one's turn is a plain sleep, without polling the table. At its send
  time the caller takes one of the 5 in-flight slots — in the same write as the reservation when
  the tenant is idle. Slots are leases that expire, so a Lambda that dies mid-call cannot keep
  one. If the call cannot go within ``max_wait``, ``GovernorWait(retry_after)`` is raised
  instead — nothing sent, the caller re-queues (e.g. a day limit that is used up: retry after
  the day resets).
* with an app-wide budget (``xero/app_budget.py``; every deployed function has one), the call is
  then counted against the app's 10,000 a minute, in its class of work (``priority``:
  interactive, real-time, background) and within the tenant's fair share. A call the budget
  refuses gives its slot back and waits for the next 10-second slice (or raises
  ``GovernorWait("appbudget")`` when that is beyond ``max_wait``).
* ``release(permit, headers=..., status=...)`` frees the slot and learns from Xero's answer:
  ``X-DayLimit-Remaining`` corrects the day count, ``X-MinLimit-Remaining: 0`` holds the tenant
  until the current window must have reset (60 s), ``X-AppMinLimit-Remaining`` below a low
  watermark makes every tenant back off briefly (the ``app`` bucket), and a 429 holds the tenant
  (or the app) for ``Retry-After`` according to ``X-Rate-Limit-Problem``.

The store is DynamoDB (``dal.rate_limits.DynamoRateLimitStore``: two writes per call for an
idle tenant, three for a busy one — see that module); unit tests use an in-memory one. Clock
and sleep are injectable; the clock is epoch seconds (shared across Lambdas through the table).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from xero_sync.domain.app_budget import CallPriority
from xero_sync.domain.rate_limits import (
    APP_BUCKET,
    BucketState,
    RateLimitStore,
    holder_lease,
    holder_token,
    refusal_reason,
)
from xero_sync.observability import logger
from xero_sync.settings import XeroSettings
from xero_sync.xero.app_budget import AppBudget
from xero_sync.xero.errors import XeroRateLimited, parse_retry_after

MINUTE_WINDOW_SECONDS = 60.0
STATE_TTL_SECONDS = 2 * 86_400  # an idle tenant's state may go: every Xero window has reset by then


class GovernorWait(XeroRateLimited):
    """The call could not be sent within ``max_wait_seconds``; nothing was sent to Xero.
    ``problem`` says why (minute, day, concurrent, appminute, contended; invocation: the Lambda
    invocation has too little time left to wait, call and record the answer)."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason, retry_after)
        self.message = f"rate governor: wait {retry_after:.1f}s before calling Xero ({reason})"
        self.args = (self.message,)


@dataclass(frozen=True)
class Permit:
    tenant_id: str
    holder: str  # the in-flight slot entry ("<lease end>|<permit id>")
    send_at: float
    lease_until: float


class RateGovernor:
    def __init__(
        self,
        store: RateLimitStore,
        *,
        concurrency_limit: int = 5,
        minute_limit: int = 60,
        day_limit: int = 5000,
        minute_headroom: int = 1,
        call_lease_seconds: float = 60.0,
        slot_poll_seconds: float = 0.2,
        slot_poll_max_seconds: float = 2.0,
        day_probe_seconds: float = 600.0,
        app_low_watermark: int = 200,
        app_backoff_seconds: float = 2.0,
        app_429_backoff_seconds: float = 10.0,
        app_check_seconds: float = 5.0,
        app_budget: AppBudget | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if minute_limit - minute_headroom < 1:
            raise ValueError("minute_limit must exceed minute_headroom")
        self._store = store
        self.concurrency_limit = concurrency_limit
        self.minute_limit = minute_limit
        self.day_limit = day_limit
        self.interval = MINUTE_WINDOW_SECONDS / (minute_limit - minute_headroom)
        self._call_lease = call_lease_seconds
        self._slot_poll = slot_poll_seconds
        self._slot_poll_max = slot_poll_max_seconds
        self._day_probe = day_probe_seconds
        self._app_low_watermark = app_low_watermark
        self._app_backoff = app_backoff_seconds
        self._app_429_backoff = app_429_backoff_seconds
        self._app_check = app_check_seconds
        self._app_budget = app_budget  # None: the app-wide minute is only reacted to (429, headers)
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        # The app bucket is read at most every ``app_check_seconds`` per process, not per call.
        self._app_lock = threading.Lock()
        self._app_blocked_until = 0.0
        self._app_next_check = float("-inf")

    @classmethod
    def from_settings(cls, settings: XeroSettings, store: RateLimitStore, **options: object) -> RateGovernor:
        """The governor for a deployment: limits from settings, state in ``store`` (the
        RateLimits table in AWS, see wiring.py)."""
        defaults: dict[str, object] = {
            "concurrency_limit": settings.xero_concurrency_limit,
            "minute_limit": settings.xero_minute_limit,
            "day_limit": settings.xero_day_limit,
            # a slot outlives the longest call: time-out plus a margin
            "call_lease_seconds": settings.xero_timeout_seconds + 15.0,
        }
        defaults.update(options)
        return cls(store, **defaults)  # type: ignore[arg-type]

    # --- acquire -----------------------------------------------------------------------------------

    def acquire(
        self,
        tenant_id: str,
        *,
        max_wait_seconds: float = 20.0,
        priority: CallPriority = CallPriority.BACKGROUND,
    ) -> Permit:
        deadline = self._clock() + max_wait_seconds
        while True:
            permit = self._acquire_for_tenant(tenant_id, deadline)
            if self._app_budget is None:
                return permit
            # Counted at the send time, so that the slices hold what is really sent.
            retry_at = self._app_budget.take(tenant_id, priority, self._clock())
            if retry_at is None:
                return permit
            # The app's budget for this class (or the tenant's fair share of it) is used up
            # in this slice: give the slot back and wait for the next slice.
            now = self._clock()
            self._store.release(tenant_id, holder=permit.holder, now=now, remaining_day=None, remaining_minute=None)
            if retry_at > deadline:
                raise GovernorWait("appbudget", max(0.0, retry_at - now))
            self._sleep(max(0.0, retry_at - now) + self._rng() * 0.5)  # not every waiter at once

    def _acquire_for_tenant(self, tenant_id: str, deadline: float) -> Permit:
        """A send time and an in-flight slot under the tenant's own limits."""
        permit_id = uuid.uuid4().hex[:16]
        while True:
            now = self._clock()
            self._wait_for_app(now, deadline)
            now = self._clock()
            holder = holder_token(permit_id, now + self._call_lease)
            reservation = self._store.reserve(
                tenant_id,
                holder=holder,
                now=now,
                interval=self.interval,
                concurrency=self.concurrency_limit,
                day_limit=self.day_limit,
                latest_send_at=deadline,
                expires_at=now + STATE_TTL_SECONDS,
            )
            if reservation.granted:
                break
            reason, retry_at = self._why_not(tenant_id, reservation.state, now)
            if retry_at > deadline:
                raise GovernorWait(reason, max(0.0, retry_at - now))
            self._sleep(max(0.0, retry_at - self._clock()))

        assert reservation.send_at is not None
        if not reservation.holds_slot:
            # A busy tenant: our turn is at send_at. Wait for it holding nothing, then take an
            # in-flight slot (held only while the call is out).
            delay = reservation.send_at - self._clock()
            if delay > 0:
                self._sleep(delay)
            holder = self._take_slot(tenant_id, permit_id, deadline)
        return Permit(tenant_id, holder, reservation.send_at, holder_lease(holder))

    def _take_slot(self, tenant_id: str, permit_id: str, deadline: float) -> str:
        waits = 0
        while True:
            now = self._clock()
            holder = holder_token(permit_id, now + self._call_lease)
            if self._store.take_slot(tenant_id, holder=holder, now=now, concurrency=self.concurrency_limit):
                return holder
            # Five calls are out (slow calls, e.g. big batches): a slot frees when one answers.
            # Back off exponentially — every try costs DynamoDB requests.
            delay = min(self._slot_poll * 2**waits, self._slot_poll_max) * (0.5 + self._rng())
            waits += 1
            if now + delay > deadline:
                raise GovernorWait("concurrent", delay)
            self._sleep(delay)

    def _why_not(self, tenant_id: str, state: BucketState, now: float) -> tuple[str, float]:
        """Why no send time was reserved and when trying again makes sense."""
        reason = refusal_reason(state, now=now, latest_send_at=float("inf"))
        if reason == "blocked":
            assert state.blocked_until is not None
            return state.block_reason or "blocked", state.blocked_until
        if reason == "day":
            # Our count says the day allowance is used up; when Xero's day window resets is
            # unknown. Hold the tenant, then let one probe call through: its headers (or a 429
            # with Retry-After) tell the truth.
            until = now + self._day_probe
            self._block(tenant_id, until, "day", remaining_day=1)
            return "day", until
        if state.tat is not None and state.tat > now:
            return "minute", state.tat  # the paced backlog reaches beyond our deadline
        return "contended", now + 0.05 * (0.5 + self._rng())  # lost a race: try again at once

    def _wait_for_app(self, now: float, deadline: float) -> None:
        blocked_until = self._app_blocked(now)
        if blocked_until <= now:
            return
        if blocked_until > deadline:
            raise GovernorWait("appminute", blocked_until - now)
        self._sleep(blocked_until - now)

    def _app_blocked(self, now: float) -> float:
        with self._app_lock:
            if now >= self._app_next_check:
                state = self._store.read(APP_BUCKET)
                self._app_blocked_until = (state.blocked_until or 0.0) if state else 0.0
                self._app_next_check = now + self._app_check
            return self._app_blocked_until

    # --- release -----------------------------------------------------------------------------------

    def release(self, permit: Permit, *, headers: Mapping[str, str] | None = None, status: int | None = None) -> None:
        """Free the permit's slot and learn from Xero's answer (``headers``/``status`` are None
        when no answer came)."""
        now = self._clock()
        lowered = {name.lower(): value for name, value in (headers or {}).items()}
        day_left = _int(lowered.get("x-daylimit-remaining"))
        minute_left = _int(lowered.get("x-minlimit-remaining"))
        app_left = _int(lowered.get("x-appminlimit-remaining"))
        self._store.release(
            permit.tenant_id, holder=permit.holder, now=now, remaining_day=day_left, remaining_minute=minute_left
        )
        if status == 429:
            self._after_429(permit.tenant_id, lowered, now)
        else:
            if minute_left is not None and minute_left <= 0:
                # The window is used up (someone else spent it, or jitter bunched our calls):
                # the current fixed window must have reset 60 s from now.
                self._block(permit.tenant_id, now + MINUTE_WINDOW_SECONDS, "minute")
            if day_left is not None and day_left <= 0:
                self._block(permit.tenant_id, now + self._day_probe, "day", remaining_day=1)
        if app_left is not None and app_left <= self._app_low_watermark:
            self._block(APP_BUCKET, now + self._app_backoff * (1 + self._rng()), "appminute")

    def _after_429(self, tenant_id: str, headers: Mapping[str, str], now: float) -> None:
        problem = (headers.get("x-rate-limit-problem") or "minute").strip().lower()
        retry_after = parse_retry_after(headers.get("retry-after"))
        if problem.startswith("app"):
            self._block(APP_BUCKET, now + (retry_after or self._app_429_backoff), "appminute")
        elif problem == "day":
            self._block(tenant_id, now + (retry_after or self._day_probe), "day", remaining_day=1)
        elif problem == "concurrent":
            self._block(tenant_id, now + (retry_after or 1.0), "concurrent")
        else:  # "minute", or a problem we do not know: the window resets within 60 s
            self._block(tenant_id, now + (retry_after or MINUTE_WINDOW_SECONDS), problem)

    def _block(self, bucket: str, until: float, reason: str, *, remaining_day: int | None = None) -> None:
        logger.info(
            "rate governor holds calls",
            extra={"bucket": bucket, "reason": reason, "seconds": round(until - self._clock(), 2)},
        )
        self._store.block(
            bucket, until=until, reason=reason, expires_at=until + STATE_TTL_SECONDS, remaining_day=remaining_day
        )
        if bucket == APP_BUCKET:
            with self._app_lock:
                self._app_blocked_until = max(self._app_blocked_until, until)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None
