"""Taking a call from the app-wide budget (N2): the rules are in ``domain/app_budget.py``.

    budget = AppBudget(store, AppBudgetPolicy())
    retry_at = budget.take(tenant_id, CallPriority.REALTIME, now)   # None: send now

A call costs two conditional writes — the tenant's count in the slice (its fair share) and one
shard of the slice's count (the class's share) — plus one more on the tenant's first call of the
slice (it is counted as active) and, once per slice in each process, one read of the previous
slice's active tenants. A refused call waits for the next slice: the rate governor sleeps until
``retry_at`` or, if that is beyond the caller's wait, hands the work back (``GovernorWait``).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from xero_sync.domain.app_budget import AppBudgetPolicy, AppBudgetStore, CallPriority

SHARD_PROBES = 3  # shards tried before the slice counts as full for the class
STATE_TTL_SECONDS = 3_600.0  # a slice's counters are read for one slice after it; an hour is plenty


class AppBudget:
    def __init__(
        self,
        store: AppBudgetStore,
        policy: AppBudgetPolicy | None = None,
        *,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._store = store
        self.policy = policy or AppBudgetPolicy()
        self._rng = rng
        self._lock = threading.Lock()
        self._active: tuple[int, dict[CallPriority, int]] | None = None  # (slice, tenants per class)

    def take(self, tenant_id: str, priority: CallPriority, now: float) -> float | None:
        """Count one call of ``tenant_id`` now. ``None`` when it may be sent; otherwise the
        time to try again (the start of the next slice)."""
        policy = self.policy
        slice_no = policy.slice_of(now)
        expires_at = now + STATE_TTL_SECONDS
        quota = policy.tenant_quota(priority, self._active_before(slice_no).get(priority, 0))
        tenant = self._store.count_tenant_call(tenant_id, priority, slice_no, quota=quota, expires_at=expires_at)
        if not tenant.granted:
            return policy.slice_end(slice_no)
        if tenant.first_in_slice:
            self._store.mark_active(slice_no, self._shard(), priority, expires_at=expires_at)
        first = self._shard()
        for probe in range(min(SHARD_PROBES, policy.shards)):
            shard = (first + probe) % policy.shards
            if self._store.count_call(slice_no, shard, cap=policy.shard_cap(priority), expires_at=expires_at):
                return None
        return policy.slice_end(slice_no)

    def _active_before(self, slice_no: int) -> dict[CallPriority, int]:
        """Tenants active per class in the slice before this one (read once per slice)."""
        with self._lock:
            if self._active is not None and self._active[0] == slice_no:
                return self._active[1]
        active = self._store.active_tenants(slice_no - 1, self.policy.shards)
        with self._lock:
            self._active = (slice_no, active)
        return active

    def _shard(self) -> int:
        return min(self.policy.shards - 1, int(self._rng() * self.policy.shards))
