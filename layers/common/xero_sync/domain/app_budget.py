"""The app-wide budget of Xero calls (N2, xero-facts §2): the rules, the classes of work and the
contract of the store that counts the calls. The counting itself is in ``xero/app_budget.py``
(what a call does), ``dal/app_budget.py`` (DynamoDB) and ``tests/fakes`` (in memory).

Xero allows an app 10,000 calls a minute across all its tenants, in a window whose start we do
not know. We count our own calls in **slices** of 10 seconds and let each slice hold at most a
sixth of a *usable* budget (the limit less a headroom). Any 60 seconds overlap at most seven
slices, so they hold at most ``7/6`` of the usable budget: with the default 15 % headroom, 9,912
calls, under 10,000 wherever Xero's window starts.

Calls come in three classes, in this order of priority:

* ``INTERACTIVE`` — a person waits: the read view, "Copy to Xero";
* ``REALTIME`` — exports of what changed (pushes, the scheduled sync, retries, wake-ups);
* ``BACKGROUND`` — backfills (a sync of a large backlog) and imports from Xero.

A class may fill a slice only up to its *share*: background work 60 %, real-time 85 %,
interactive 100 %. So no backfill can take the last 40 % of a slice, which real-time and
interactive calls always find; and the last 15 % is only ever used by a person waiting.

Within a class the slice is shared **fairly between tenants**: a tenant may make at most its
fair share of the class's calls in a slice — the class's calls divided by the tenants that made
calls of that class in the slice before (each tenant is also held to Xero's own 60 a minute and
5 in flight by the rate governor). One tenant's backfill therefore takes no more than any other
tenant's, however many workers it runs.

The counters are **sharded**: a slice's count is kept in ``shards`` items, each allowed its part
of the share, so that no single item takes every write of the app.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

SLICE_SECONDS = 10.0
SLICES_PER_MINUTE = 6


class CallPriority(StrEnum):
    """The class of work a Xero call belongs to (see the module docstring for the order)."""

    INTERACTIVE = "interactive"  # a person waits for the answer: short waits, cached data otherwise
    REALTIME = "realtime"  # exports of what changed: pushes, the scheduled sync, retries
    BACKGROUND = "background"  # backfills and imports: may wait their turn


DEFAULT_SHARES = {CallPriority.INTERACTIVE: 1.0, CallPriority.REALTIME: 0.85, CallPriority.BACKGROUND: 0.6}


@dataclass(frozen=True)
class AppBudgetPolicy:
    calls_per_minute: int = 10_000  # Xero's app-wide limit
    headroom: float = 0.15  # kept back: the slices' worst case (7/6) and calls not counted here
    shards: int = 8
    shares: dict[CallPriority, float] = field(default_factory=lambda: dict(DEFAULT_SHARES))

    def __post_init__(self) -> None:
        if self.calls_per_minute <= 0 or self.shards <= 0:
            raise ValueError("calls_per_minute and shards must be positive")
        if not 0 <= self.headroom < 1:
            raise ValueError("headroom must be a fraction below 1")
        if self.worst_minute > self.calls_per_minute:
            raise ValueError("the headroom is too small: seven slices could exceed the minute's limit")

    @property
    def slice_budget(self) -> int:
        """Calls of every class together in one slice."""
        return math.floor(self.calls_per_minute * (1 - self.headroom) / SLICES_PER_MINUTE)

    @property
    def worst_minute(self) -> int:
        """The most calls any 60 seconds can hold: seven slices, full."""
        return (SLICES_PER_MINUTE + 1) * self.slice_budget

    def class_budget(self, priority: CallPriority) -> int:
        """How far calls of this class may fill a slice (counting every class's calls)."""
        return math.floor(self.slice_budget * self.shares[priority])

    def shard_cap(self, priority: CallPriority) -> int:
        """The same, for one of the slice's shards."""
        return max(1, self.class_budget(priority) // self.shards)

    def tenant_quota(self, priority: CallPriority, active_tenants: int) -> int:
        """A tenant's fair share of its class in a slice, when ``active_tenants`` made calls of
        that class in the slice before (at least one call, so that no tenant is starved)."""
        return max(1, self.class_budget(priority) // max(1, active_tenants))

    @staticmethod
    def slice_of(now: float) -> int:
        return math.floor(now / SLICE_SECONDS)

    @staticmethod
    def slice_end(slice_no: int) -> float:
        return (slice_no + 1) * SLICE_SECONDS


@dataclass(frozen=True)
class TenantCount:
    granted: bool  # within the tenant's fair share of the slice
    first_in_slice: bool = False  # the tenant's first call of this class in the slice


class AppBudgetStore(Protocol):
    """Where the app's calls are counted, shared by every Lambda (the RateLimits table)."""

    def count_tenant_call(
        self, tenant_id: str, priority: CallPriority, slice_no: int, *, quota: int, expires_at: float
    ) -> TenantCount:
        """Count one call of the tenant in the slice, unless it already made ``quota``."""
        ...

    def count_call(self, slice_no: int, shard: int, *, cap: int, expires_at: float) -> bool:
        """Count one call in the slice's shard, unless the shard already holds ``cap``."""
        ...

    def mark_active(self, slice_no: int, shard: int, priority: CallPriority, *, expires_at: float) -> None:
        """One more tenant made calls of this class in the slice."""
        ...

    def active_tenants(self, slice_no: int, shards: int) -> dict[CallPriority, int]:
        """Tenants that made calls of each class in the slice (summed over its shards)."""
        ...
