"""The rate governor's shared state and the contract of the store that keeps it (N2).

The rules of pacing and slots are in ``xero/governor.py``; the DynamoDB store in
``dal/rate_limits.py``; an in-memory one for tests in ``tests/fakes``. Times are epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

APP_BUCKET = "app"
"""The bucket of the app-wide limit (10,000 calls a minute across all tenants)."""


@dataclass
class BucketState:
    tat: float | None = None
    holders: dict[str, float] = field(default_factory=dict)  # holder token -> lease end
    remaining_day: float | None = None
    remaining_minute: float | None = None
    blocked_until: float | None = None
    block_reason: str | None = None

    def live_holders(self, now: float) -> int:
        return sum(1 for lease_end in self.holders.values() if lease_end >= now)


@dataclass(frozen=True)
class Reservation:
    granted: bool
    send_at: float | None  # when the caller may send (granted only)
    state: BucketState  # after the reservation, or as found when refused
    holds_slot: bool = False  # the reservation also took an in-flight slot (idle tenant)


class RateLimitStore(Protocol):
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
        """Reserve the next send time ``max(tat, now)`` if it is no later than
        ``latest_send_at``, the bucket is not blocked and the day allowance is not used up. When
        the send time is *now* and a slot is free, take the slot (``holder``) in the same write."""
        ...

    def take_slot(self, bucket: str, *, holder: str, now: float, concurrency: int) -> bool:
        """Take an in-flight slot if fewer than ``concurrency`` live holders have one."""
        ...

    def release(
        self,
        bucket: str,
        *,
        holder: str,
        now: float,
        remaining_day: int | None,
        remaining_minute: int | None,
    ) -> None: ...

    def block(
        self,
        bucket: str,
        *,
        until: float,
        reason: str,
        expires_at: float,
        remaining_day: int | None = None,
    ) -> None: ...

    def read(self, bucket: str) -> BucketState | None: ...


def holder_token(permit_id: str, lease_until: float) -> str:
    return f"{lease_until:.3f}|{permit_id}"


def holder_lease(token: str) -> float:
    try:
        return float(token.split("|", 1)[0])
    except ValueError:
        return 0.0  # malformed: treat as expired so it gets cleaned up


def refusal_reason(state: BucketState, *, now: float, latest_send_at: float) -> str | None:
    """Why no send time can be reserved now, or None if one can. The order matters: a block or
    an exhausted day is reported before a send time beyond the caller's patience."""
    if state.blocked_until is not None and state.blocked_until > now:
        return "blocked"
    if state.remaining_day is not None and state.remaining_day <= 0:
        return "day"
    if max(state.tat or now, now) > latest_send_at:
        return "pace"
    return None
