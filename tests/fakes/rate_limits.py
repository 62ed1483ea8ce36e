"""The rate governor with its state in one process: the same rules as the DynamoDB store
(dal/rate_limits.py), for unit tests and tests that need no shared table."""

from __future__ import annotations

import copy
import threading

from xero_sync.domain.rate_limits import BucketState, RateLimitStore, Reservation, holder_lease, refusal_reason
from xero_sync.settings.everything import Settings
from xero_sync.xero.governor import RateGovernor


class InMemoryRateLimitStore:
    """``RateLimitStore`` in a dict: the same rules as the DynamoDB store, for one process."""

    def __init__(self) -> None:
        self._states: dict[str, BucketState] = {}
        self._lock = threading.Lock()

    def reserve(
        self,
        bucket: str,
        *,
        holder: str,
        now: float,
        interval: float,
        concurrency: int,
        day_limit: int,
        latest_send_at: float,
        expires_at: float,
    ) -> Reservation:
        with self._lock:
            state = self._states.setdefault(bucket, BucketState())
            self._drop_expired(state, now)
            if refusal_reason(state, now=now, latest_send_at=latest_send_at):
                return Reservation(False, None, copy.deepcopy(state))
            send_at = max(state.tat or now, now)
            holds_slot = send_at == now and len(state.holders) < concurrency
            if holds_slot:
                state.holders[holder] = holder_lease(holder)
            state.tat = send_at + interval
            state.remaining_day = (state.remaining_day if state.remaining_day is not None else day_limit) - 1
            return Reservation(True, send_at, copy.deepcopy(state), holds_slot)

    def take_slot(self, bucket: str, *, holder: str, now: float, concurrency: int) -> bool:
        with self._lock:
            state = self._states.setdefault(bucket, BucketState())
            self._drop_expired(state, now)
            if len(state.holders) >= concurrency:
                return False
            state.holders[holder] = holder_lease(holder)
            return True

    @staticmethod
    def _drop_expired(state: BucketState, now: float) -> None:
        state.holders = {token: end for token, end in state.holders.items() if end >= now}

    def release(
        self,
        bucket: str,
        *,
        holder: str,
        now: float,
        remaining_day: int | None,
        remaining_minute: int | None,
    ) -> None:
        with self._lock:
            state = self._states.setdefault(bucket, BucketState())
            state.holders.pop(holder, None)
            if remaining_day is not None:
                state.remaining_day = remaining_day
            if remaining_minute is not None:
                state.remaining_minute = remaining_minute

    def block(
        self,
        bucket: str,
        *,
        until: float,
        reason: str,
        expires_at: float,
        remaining_day: int | None = None,
    ) -> None:
        with self._lock:
            state = self._states.setdefault(bucket, BucketState())
            if state.blocked_until is None or state.blocked_until < until:
                state.blocked_until = until
                state.block_reason = reason
                if remaining_day is not None:
                    state.remaining_day = remaining_day

    def read(self, bucket: str) -> BucketState | None:
        with self._lock:
            state = self._states.get(bucket)
            return copy.deepcopy(state) if state is not None else None


class InMemoryGovernor(RateGovernor):
    """The governor with its state in this process only."""

    def __init__(self, **options: object) -> None:
        super().__init__(InMemoryRateLimitStore(), **options)  # type: ignore[arg-type]

    @classmethod
    def from_settings(cls, settings: Settings, store: RateLimitStore | None = None, **options: object) -> RateGovernor:
        return RateGovernor.from_settings(settings, store or InMemoryRateLimitStore(), **options)
