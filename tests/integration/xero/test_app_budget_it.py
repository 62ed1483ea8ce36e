"""The app-wide budget's counters on DynamoDB (moto server): the conditional writes of
``dal/app_budget.py`` keep the same rules as the in-memory store the unit tests use."""

from __future__ import annotations

import uuid

from xero_sync.dal.app_budget import DynamoAppBudgetStore
from xero_sync.domain.app_budget import SLICE_SECONDS, AppBudgetPolicy, CallPriority
from xero_sync.xero.app_budget import AppBudget

BACKGROUND, REALTIME = CallPriority.BACKGROUND, CallPriority.REALTIME


def _tenant() -> str:
    return f"tenant-{uuid.uuid4().hex[:10]}"


def _now() -> float:
    # A slice of its own per test (moto's tables outlive a test): far in the future, random.
    return 4_000_000_000.0 + uuid.uuid4().int % 1_000_000 * 100


def test_tenant_counts_hold_the_quota_and_start_again_in_a_new_slice(aws_settings):
    store = DynamoAppBudgetStore()
    tenant, slice_no = _tenant(), 7
    counts = [store.count_tenant_call(tenant, BACKGROUND, slice_no, quota=3, expires_at=_now()) for _ in range(4)]
    assert [(c.granted, c.first_in_slice) for c in counts] == [
        (True, True),
        (True, False),
        (True, False),
        (False, False),
    ]
    # Other classes and the next slice count on their own.
    assert store.count_tenant_call(tenant, REALTIME, slice_no, quota=1, expires_at=_now()).granted
    fresh = store.count_tenant_call(tenant, BACKGROUND, slice_no + 1, quota=3, expires_at=_now())
    assert (fresh.granted, fresh.first_in_slice) == (True, True)
    # A late caller still in an older slice is refused rather than resetting a newer count.
    assert not store.count_tenant_call(tenant, BACKGROUND, slice_no, quota=3, expires_at=_now()).granted


def test_a_call_that_loses_the_race_to_start_a_slice_counts_in_it(aws_settings):
    """Two calls of a tenant at a slice's start: both find last slice's count; one starts the
    new slice. The other must count in it, not be refused with room left (it would sleep to the
    next slice, where the calls that slept meet the same race again)."""

    class RacingStore(DynamoAppBudgetStore):
        armed, raced = False, False

        def _update(self, bucket, kind, actions, condition):
            if self.armed and not self.raced and kind.startswith("budget#") and len(actions) == 3:  # the reset
                self.raced = True
                DynamoAppBudgetStore().count_tenant_call(tenant, BACKGROUND, 8, quota=3, expires_at=_now())
            return super()._update(bucket, kind, actions, condition)

    tenant = _tenant()
    store = RacingStore()
    assert store.count_tenant_call(tenant, BACKGROUND, 7, quota=3, expires_at=_now()).granted  # last slice
    # When another call starts slice 8 between this call's two writes
    store.armed = True
    count = store.count_tenant_call(tenant, BACKGROUND, 8, quota=3, expires_at=_now())
    # Then this one is counted in slice 8 too (not its first call there), and the quota still holds
    assert store.raced and (count.granted, count.first_in_slice) == (True, False)
    assert store.count_tenant_call(tenant, BACKGROUND, 8, quota=3, expires_at=_now()).granted
    assert not store.count_tenant_call(tenant, BACKGROUND, 8, quota=3, expires_at=_now()).granted


def test_shard_counts_stop_at_their_cap_and_active_tenants_add_up_over_shards(aws_settings):
    store = DynamoAppBudgetStore()
    slice_no = int(_now())
    assert [store.count_call(slice_no, 0, cap=2, expires_at=_now()) for _ in range(3)] == [True, True, False]
    assert store.count_call(slice_no, 1, cap=2, expires_at=_now())  # another shard has room
    store.mark_active(slice_no, 0, BACKGROUND, expires_at=_now())
    store.mark_active(slice_no, 3, BACKGROUND, expires_at=_now())
    store.mark_active(slice_no, 3, REALTIME, expires_at=_now())
    active = store.active_tenants(slice_no, 8)
    assert active[BACKGROUND] == 2 and active[REALTIME] == 1 and active[CallPriority.INTERACTIVE] == 0


def test_a_backfill_and_a_real_time_org_share_the_app_budget_on_dynamodb(aws_settings):
    """The fairness rule end to end on the real store: background work stops at its share of a
    slice, a real-time org's call still goes at once."""
    policy = AppBudgetPolicy(calls_per_minute=120, shards=2)  # 17 a slice: background 10, real-time 14
    budget = AppBudget(DynamoAppBudgetStore(), policy)
    now = (_now() // SLICE_SECONDS) * SLICE_SECONDS
    backfill = [budget.take(f"backfill-{n}", BACKGROUND, now) for n in range(3) for _ in range(6)]
    granted = sum(retry_at is None for retry_at in backfill)
    assert 1 <= granted <= policy.class_budget(BACKGROUND)  # shards may fill unevenly: never more
    assert all(retry_at in (None, now + SLICE_SECONDS) for retry_at in backfill)
    assert budget.take(_tenant(), REALTIME, now + 1) is None
