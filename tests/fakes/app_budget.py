"""The app-wide budget's counters in one process: the same rules as the DynamoDB store
(dal/app_budget.py), for unit tests."""

from __future__ import annotations

import threading
from collections import defaultdict

from xero_sync.domain.app_budget import CallPriority, TenantCount


class InMemoryAppBudgetStore:
    """``AppBudgetStore`` in dicts; ``writes`` counts what the DynamoDB store would write."""

    def __init__(self) -> None:
        self._tenants: dict[tuple[str, CallPriority], tuple[int, int]] = {}  # -> (slice, calls)
        self._shards: dict[tuple[int, int], int] = defaultdict(int)  # (slice, shard) -> calls
        self._active: dict[tuple[int, int, CallPriority], int] = defaultdict(int)
        self._lock = threading.Lock()
        self.writes = 0

    def count_tenant_call(
        self, tenant_id: str, priority: CallPriority, slice_no: int, *, quota: int, expires_at: float
    ) -> TenantCount:
        with self._lock:
            self.writes += 1
            window, calls = self._tenants.get((tenant_id, priority), (None, 0))
            if window == slice_no:
                if calls >= quota:
                    self.writes += 1  # the DynamoDB store tries the new-slice write too
                    return TenantCount(granted=False)
                self._tenants[(tenant_id, priority)] = (slice_no, calls + 1)
                return TenantCount(granted=True)
            if window is not None and window > slice_no:
                return TenantCount(granted=False)
            self._tenants[(tenant_id, priority)] = (slice_no, 1)
            return TenantCount(granted=True, first_in_slice=True)

    def count_call(self, slice_no: int, shard: int, *, cap: int, expires_at: float) -> bool:
        with self._lock:
            self.writes += 1
            if self._shards[(slice_no, shard)] >= cap:
                return False
            self._shards[(slice_no, shard)] += 1
            return True

    def mark_active(self, slice_no: int, shard: int, priority: CallPriority, *, expires_at: float) -> None:
        with self._lock:
            self.writes += 1
            self._active[(slice_no, shard, priority)] += 1

    def active_tenants(self, slice_no: int, shards: int) -> dict[CallPriority, int]:
        with self._lock:
            return {
                priority: sum(self._active[(slice_no, shard, priority)] for shard in range(shards))
                for priority in CallPriority
            }

    def calls_in(self, slice_no: int) -> int:
        """Every class's calls counted in the slice (for tests)."""
        with self._lock:
            return sum(calls for (counted, _), calls in self._shards.items() if counted == slice_no)
