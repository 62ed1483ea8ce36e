"""The app-wide budget's counters in the RateLimits table (N2; the rules: domain/app_budget.py).

* A tenant's calls of one class: item ``(<tenant id>, budget#<class>)`` with ``window`` (the
  slice counted) and ``calls``. Counting is one conditional ``UpdateItem`` within the slice
  (``window = slice AND calls < quota``); the first call of a new slice resets the count with a
  second one (``window < slice``).
* A slice's shard: item ``(app-budget#<slice>#<shard>, calls)`` with ``calls`` (every class)
  and ``active_<class>`` (tenants that made calls of the class in the slice). Counting a call is
  one conditional ``UpdateItem`` (``calls < cap``); reading the active tenants of a slice is one
  ``BatchGetItem`` of its shards.

Every item expires through ``expires_at``: a slice is read for one slice after it, never later.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from xero_sync.dal.models import RateLimitModel
from xero_sync.dal.rate_limits import utc_from_epoch
from xero_sync.domain.app_budget import CallPriority, TenantCount

SHARD_KIND = "calls"


def tenant_kind(priority: CallPriority) -> str:
    return f"budget#{priority.value}"


def shard_bucket(slice_no: int, shard: int) -> str:
    return f"app-budget#{slice_no}#{shard}"


class DynamoAppBudgetStore:
    """``AppBudgetStore`` on the RateLimits table; safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = {"update": 0, "update_conflict": 0, "batch_get": 0}

    def count_tenant_call(
        self, tenant_id: str, priority: CallPriority, slice_no: int, *, quota: int, expires_at: float
    ) -> TenantCount:
        model = RateLimitModel
        kind = tenant_kind(priority)
        ttl = model.expires_at.set(utc_from_epoch(expires_at))
        in_slice = (model.window == slice_no) & (model.calls < quota)
        if self._update(tenant_id, kind, [model.calls.add(1), ttl], in_slice):
            return TenantCount(granted=True)
        # A new slice for this tenant (or its share is used up: then this write fails too).
        new_slice = model.window.does_not_exist() | (model.window < slice_no)
        if self._update(tenant_id, kind, [model.window.set(slice_no), model.calls.set(1), ttl], new_slice):
            return TenantCount(granted=True, first_in_slice=True)
        # Another call of the tenant started the slice between our two writes (the tenant's calls
        # wake together at a slice's start): count in it, or every such call but one would be
        # refused — and wait for the next slice, meeting the same race there.
        if self._update(tenant_id, kind, [model.calls.add(1), ttl], in_slice):
            return TenantCount(granted=True)
        return TenantCount(granted=False)

    def count_call(self, slice_no: int, shard: int, *, cap: int, expires_at: float) -> bool:
        model = RateLimitModel
        actions = [model.calls.add(1), model.expires_at.set(utc_from_epoch(expires_at))]
        return self._update(
            shard_bucket(slice_no, shard), SHARD_KIND, actions, model.calls.does_not_exist() | (model.calls < cap)
        )

    def mark_active(self, slice_no: int, shard: int, priority: CallPriority, *, expires_at: float) -> None:
        counter = getattr(RateLimitModel, f"active_{priority.value}")
        actions = [counter.add(1), RateLimitModel.expires_at.set(utc_from_epoch(expires_at))]
        self._update(shard_bucket(slice_no, shard), SHARD_KIND, actions, None)

    def active_tenants(self, slice_no: int, shards: int) -> dict[CallPriority, int]:
        self._count("batch_get")
        keys = [(shard_bucket(slice_no, shard), SHARD_KIND) for shard in range(shards)]
        active = dict.fromkeys(CallPriority, 0)
        for item in RateLimitModel.batch_get(keys):
            for priority in CallPriority:
                active[priority] += int(getattr(item, f"active_{priority.value}") or 0)
        return active

    def _update(self, bucket: str, kind: str, actions: Sequence[Action], condition: Condition | None) -> bool:
        """One UpdateItem; False when its condition did not hold."""
        try:
            RateLimitModel(bucket, kind).update(actions=list(actions), condition=condition)
        except UpdateError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                self._count("update_conflict")
                return False
            raise
        self._count("update")
        return True

    def _count(self, name: str) -> None:
        with self._lock:
            self.requests[name] += 1
