"""The app-wide budget (issue 13, N2): slices, classes of work, fair shares between tenants —
with the in-memory store and a fake clock, never the wall clock."""

from __future__ import annotations

import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xero_unit_helpers import FakeClock

from tests.fakes import InMemoryAppBudgetStore, InMemoryRateLimitStore
from xero_sync.domain.app_budget import SLICE_SECONDS, AppBudgetPolicy, CallPriority
from xero_sync.models.messages import EnqueueReason, ExportMessage, RecordRef
from xero_sync.services.export.worker import call_priority
from xero_sync.xero.app_budget import AppBudget
from xero_sync.xero.governor import GovernorWait, RateGovernor

BACKGROUND, REALTIME, INTERACTIVE = CallPriority.BACKGROUND, CallPriority.REALTIME, CallPriority.INTERACTIVE
# A small app (600 calls a minute) so that tests fill slices with few calls: 85 a slice, of which
# background work may take 51, real-time calls 72, a person the rest. One shard: exact counts.
SMALL = AppBudgetPolicy(calls_per_minute=600, shards=1)
T0 = 1_800_000_000.0  # the start of a slice (a multiple of 10 s)


def _budget(policy: AppBudgetPolicy = SMALL) -> tuple[AppBudget, InMemoryAppBudgetStore]:
    store = InMemoryAppBudgetStore()
    return AppBudget(store, policy, rng=lambda: 0.0), store


def _granted(budget: AppBudget, tenant: str, priority: CallPriority, now: float, calls: int) -> int:
    return sum(budget.take(tenant, priority, now) is None for _ in range(calls))


# --- the rules -----------------------------------------------------------------------------------


def test_the_default_policy_keeps_any_minute_under_xeros_app_limit():
    policy = AppBudgetPolicy()
    assert policy.slice_budget == 1_416
    assert policy.worst_minute == 9_912 <= 10_000
    assert [policy.class_budget(p) for p in (BACKGROUND, REALTIME, INTERACTIVE)] == [849, 1_203, 1_416]
    assert policy.shard_cap(REALTIME) == 150  # eight shards: no item takes every write


def test_a_headroom_too_small_for_the_slices_worst_case_is_refused():
    with pytest.raises(ValueError, match="headroom"):
        AppBudgetPolicy(headroom=0.0)


@settings(max_examples=40, deadline=None)
@given(offsets=st.lists(st.floats(min_value=0, max_value=9.99), min_size=1, max_size=30))
def test_calls_as_fast_as_the_budget_allows_never_exceed_the_limit_in_any_60_seconds(offsets):
    """Greedy callers at arbitrary moments: whatever window Xero counts in, at most 600."""
    budget, _ = _budget()
    sent: list[float] = []
    for slice_index in range(12):
        for offset in sorted(offsets):
            now = T0 + slice_index * SLICE_SECONDS + offset
            for tenant in range(10):
                while budget.take(f"t{tenant}", INTERACTIVE, now) is None:
                    sent.append(now)
    sent.sort()
    busiest = max(bisect.bisect_left(sent, t + 60.0) - i for i, t in enumerate(sent))
    assert busiest <= SMALL.worst_minute <= 600


# --- classes of work ------------------------------------------------------------------------------


def test_a_backfill_cannot_take_the_share_kept_for_real_time_and_interactive_calls():
    budget, store = _budget()
    # Many backfilling tenants, as greedy as they can be: background work fills 51 of 85.
    assert sum(_granted(budget, f"backfill-{n}", BACKGROUND, T0, 20) for n in range(10)) == 51
    # Another org's real-time export still goes in the same slice, without waiting.
    assert budget.take("realtime-org", REALTIME, T0 + 1) is None
    assert _granted(budget, "realtime-org-2", REALTIME, T0 + 1, 100) == 72 - 52
    # And a person waiting on the read view gets the last 15 %.
    assert _granted(budget, "reader", INTERACTIVE, T0 + 2, 100) == 85 - 72
    assert store.calls_in(SMALL.slice_of(T0)) == 85


def test_interactive_calls_go_first_when_the_slice_is_nearly_full():
    budget, _ = _budget()
    _granted(budget, "realtime-org", REALTIME, T0, 100)
    assert budget.take("backfill-org", BACKGROUND, T0 + 1) == T0 + SLICE_SECONDS  # wait for the next slice
    assert budget.take("another-org", REALTIME, T0 + 1) == T0 + SLICE_SECONDS
    assert budget.take("reader", INTERACTIVE, T0 + 1) is None


def test_a_refused_class_goes_again_in_the_next_slice():
    budget, _ = _budget()
    _granted(budget, "backfill-org", BACKGROUND, T0, 100)
    assert budget.take("backfill-org-2", BACKGROUND, T0 + 9.9) == T0 + SLICE_SECONDS
    assert budget.take("backfill-org-2", BACKGROUND, T0 + SLICE_SECONDS) is None


def _message(reason: EnqueueReason, *, background: bool = False) -> ExportMessage:
    return ExportMessage(
        org_id="org", records=[RecordRef(entity="invoice", record_id="1")], reason=reason, background=background
    )


def test_export_messages_carry_their_class():
    assert call_priority([_message(EnqueueReason.BACKFILL, background=True)]) is BACKGROUND
    assert call_priority([_message(EnqueueReason.BACKFILL)]) is BACKGROUND  # sent before the backfill queue
    # what a backfill's export sends on stays background: its wake-ups, deferrals, nudged contacts
    assert call_priority([_message(EnqueueReason.WAKE, background=True)]) is BACKGROUND
    assert call_priority([_message(EnqueueReason.DEPENDENCY, background=True)]) is BACKGROUND
    assert call_priority([_message(EnqueueReason.BACKFILL, background=True), _message(EnqueueReason.PUSH)]) is REALTIME
    assert call_priority([_message(EnqueueReason.SYNC)]) is REALTIME
    assert call_priority([_message(EnqueueReason.WAKE)]) is REALTIME
    assert call_priority([_message(EnqueueReason.RETRY), _message(EnqueueReason.COPY, background=True)]) is INTERACTIVE


# --- fair shares between tenants -------------------------------------------------------------------------


def test_tenants_that_want_calls_share_their_class_fairly():
    """Three backfilling tenants, one with far more workers: after a slice in which all three
    were active, each gets a third of the background share, however hard it pushes."""
    budget, _ = _budget()
    for tenant in ("a", "b", "c"):
        budget.take(tenant, BACKGROUND, T0)  # all three active in the first slice
    second = T0 + SLICE_SECONDS
    greedy = _granted(budget, "a", BACKGROUND, second, 200)  # many workers of one tenant
    others = [_granted(budget, tenant, BACKGROUND, second, 10) for tenant in ("b", "c")]
    assert greedy == 51 // 3 == 17
    assert others == [10, 10]  # the others got what they asked for, and had room for 17


def test_a_lone_tenant_may_use_its_whole_class():
    budget, _ = _budget()
    budget.take("a", BACKGROUND, T0)
    assert _granted(budget, "a", BACKGROUND, T0 + SLICE_SECONDS, 100) == 51


def test_every_tenant_gets_at_least_one_call_a_slice_however_many_want_one():
    budget, _ = _budget()
    tenants = [f"t{n}" for n in range(200)]
    for tenant in tenants:
        budget.take(tenant, BACKGROUND, T0)
    second = T0 + SLICE_SECONDS
    assert SMALL.tenant_quota(BACKGROUND, 200) == 1
    granted = [_granted(budget, tenant, BACKGROUND, second, 3) for tenant in tenants[:51]]
    assert granted == [1] * 51  # one each: the first 51 fill the class, nobody takes two


def test_a_backfill_never_delays_another_orgs_real_time_export_by_the_app_budget():
    """The stated bound (README): with background work at most 60 % of any slice, a real-time
    export of another org waits for the app budget 0 s as long as real-time demand stays under its
    25 % — here a minute of a greedy backfill of 20 tenants beside one real-time org that makes
    a call a second (Xero's own pace for one tenant)."""
    budget, _ = _budget()
    waits = []
    for second in range(60):
        now = T0 + second
        for n in range(20):
            _granted(budget, f"backfill-{n}", BACKGROUND, now, 5)
        retry_at = budget.take("shop", REALTIME, now)
        waits.append(0.0 if retry_at is None else retry_at - now)
    assert waits == [0.0] * 60


# --- in the governor --------------------------------------------------------------------------------


def _governor(clock: FakeClock, budget: AppBudget) -> tuple[RateGovernor, InMemoryRateLimitStore]:
    store = InMemoryRateLimitStore()
    governor = RateGovernor(store, app_budget=budget, clock=clock, sleep=clock.sleep, rng=lambda: 0.0)
    return governor, store


def test_the_governor_waits_for_the_next_slice_when_the_app_budget_refuses():
    clock = FakeClock(start=T0 + 5)
    budget, _ = _budget()
    _granted(budget, "others", BACKGROUND, clock.now, 100)  # the slice's background share is used
    governor, store = _governor(clock, budget)
    permit = governor.acquire("tenant-1", max_wait_seconds=20, priority=BACKGROUND)
    assert clock.now == pytest.approx(T0 + SLICE_SECONDS)  # slept into the next slice
    assert permit.send_at == pytest.approx(clock.now)
    state = store.read("tenant-1")
    assert state is not None and len(state.holders) == 1  # the first slot was given back


def test_the_governor_hands_the_work_back_when_the_next_slice_is_beyond_its_wait():
    clock = FakeClock(start=T0 + 5)
    budget, _ = _budget()
    _granted(budget, "others", REALTIME, clock.now, 100)
    governor, store = _governor(clock, budget)
    with pytest.raises(GovernorWait) as raised:
        governor.acquire("tenant-1", max_wait_seconds=2, priority=REALTIME)
    assert raised.value.retry_after == pytest.approx(5.0)
    assert "appbudget" in str(raised.value)
    state = store.read("tenant-1")
    assert state is not None and state.holders == {}  # nothing held, nothing sent


def test_the_governor_passes_an_interactive_call_while_real_time_work_waits():
    clock = FakeClock(start=T0)
    budget, _ = _budget()
    _granted(budget, "others", REALTIME, clock.now, 100)
    governor, _ = _governor(clock, budget)
    permit = governor.acquire("reader-tenant", max_wait_seconds=2, priority=INTERACTIVE)
    assert permit.send_at == T0 and clock.slept == []
