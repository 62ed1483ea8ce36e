"""The rate governor's rules with the in-memory store and a fake clock (xero-facts §2)."""

from __future__ import annotations

import bisect
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xero_unit_helpers import FakeClock

from tests.fakes import InMemoryGovernor, InMemoryRateLimitStore
from xero_sync.domain.rate_limits import holder_token
from xero_sync.xero.governor import GovernorWait, RateGovernor

TENANT = "tenant-1"


def _governor(clock: FakeClock, **options) -> InMemoryGovernor:
    options.setdefault("rng", lambda: 0.5)
    return InMemoryGovernor(clock=clock, sleep=clock.sleep, **options)


def _max_in_any_window(times: list[float], window: float = 60.0) -> int:
    times = sorted(times)
    return max((bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0)


def test_calls_are_paced_one_interval_apart():
    clock = FakeClock()
    governor = _governor(clock)
    sends = []
    for _ in range(5):
        permit = governor.acquire(TENANT, max_wait_seconds=30)
        sends.append(permit.send_at)
        assert clock.now == pytest.approx(permit.send_at)  # acquire slept until the send time
        governor.release(permit)
    gaps = [b - a for a, b in itertools.pairwise(sends)]
    assert gaps == pytest.approx([60 / 59] * 4)


def test_an_idle_tenant_sends_at_once():
    clock = FakeClock()
    governor = _governor(clock)
    governor.release(governor.acquire(TENANT))
    clock.advance(10)
    permit = governor.acquire(TENANT)
    assert permit.send_at == clock.now
    assert clock.slept == []


def test_tenants_are_paced_independently():
    clock = FakeClock()
    governor = _governor(clock)
    first = governor.acquire("tenant-a")
    second = governor.acquire("tenant-b")
    assert first.send_at == second.send_at == clock.now


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=3),
            st.integers(min_value=1, max_value=8),
            st.floats(min_value=0, max_value=40),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_property_no_60_second_window_holds_more_than_the_limit(bursts):
    """Bursts of simultaneous callers (many Lambdas at the same instant), each willing to wait
    up to some seconds: whatever is granted, no 60-second span holds more than 60 sends."""
    clock = FakeClock()
    store = InMemoryRateLimitStore()
    interval = 60 / 59
    sends: list[float] = []
    serial = 0
    for gap, callers, max_wait in bursts:
        clock.advance(gap)
        for _ in range(callers):
            serial += 1
            reservation = store.reserve(
                TENANT,
                holder=holder_token(f"p{serial}", clock.now + 1),  # short calls: slots free up fast
                now=clock.now,
                interval=interval,
                concurrency=10**6,
                day_limit=10**6,
                latest_send_at=clock.now + max_wait,
                expires_at=clock.now + 100,
            )
            if reservation.granted:
                sends.append(reservation.send_at)
    assert _max_in_any_window(sends) <= 60
    assert _max_in_any_window(sends) <= 59  # with the default headroom of one call


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=2.5), min_size=60, max_size=200))
def test_property_sequential_governor_calls(gaps):
    clock = FakeClock()
    governor = _governor(clock)
    sends = []
    for gap in gaps:
        clock.advance(gap)
        permit = governor.acquire(TENANT, max_wait_seconds=120)
        sends.append(permit.send_at)
        governor.release(permit, headers={"X-MinLimit-Remaining": "30"})
    assert _max_in_any_window(sends) <= 59


def test_at_most_five_in_flight_and_a_sixth_waits_for_a_slot():
    clock = FakeClock()
    governor = _governor(clock)
    permits = [governor.acquire(TENANT, max_wait_seconds=30) for _ in range(5)]
    with pytest.raises(GovernorWait) as info:
        governor.acquire(TENANT, max_wait_seconds=2)
    assert info.value.problem == "concurrent"
    governor.release(permits[0])
    assert governor.acquire(TENANT, max_wait_seconds=5)


def test_a_crashed_callers_slot_expires():
    clock = FakeClock()
    governor = _governor(clock, call_lease_seconds=45)
    for _ in range(5):
        governor.acquire(TENANT, max_wait_seconds=10)  # never released: the Lambdas "died"
    clock.advance(10 + 45 + 1)
    permit = governor.acquire(TENANT, max_wait_seconds=1)
    assert permit.send_at == clock.now


def test_a_wait_longer_than_allowed_is_refused_without_reserving():
    clock = FakeClock()
    governor = _governor(clock)
    for _ in range(10):
        governor.release(governor.acquire(TENANT, max_wait_seconds=60))
    # the tenant's next send time is now ~1 interval ahead
    with pytest.raises(GovernorWait) as info:
        governor.acquire(TENANT, max_wait_seconds=0.1)
    assert info.value.problem == "minute"
    assert 0 < info.value.retry_after <= 60 / 59 + 1e-6


def test_day_limit_used_up_then_probe_after_the_hold():
    clock = FakeClock()
    governor = _governor(clock, day_limit=3, day_probe_seconds=600)
    for _ in range(3):
        governor.release(governor.acquire(TENANT, max_wait_seconds=5))
    with pytest.raises(GovernorWait) as info:
        governor.acquire(TENANT, max_wait_seconds=5)
    assert info.value.problem == "day"
    assert info.value.retry_after == pytest.approx(600)
    # still held a little later
    clock.advance(300)
    with pytest.raises(GovernorWait):
        governor.acquire(TENANT, max_wait_seconds=5)
    # after the hold one probe goes; Xero's headers say the day has reset
    clock.advance(301)
    probe = governor.acquire(TENANT, max_wait_seconds=5)
    governor.release(probe, headers={"X-DayLimit-Remaining": "4999", "X-MinLimit-Remaining": "59"})
    for _ in range(5):
        governor.release(governor.acquire(TENANT, max_wait_seconds=5))


def test_day_remaining_header_corrects_the_count():
    clock = FakeClock()
    governor = _governor(clock, day_limit=5000)
    governor.release(governor.acquire(TENANT), headers={"X-DayLimit-Remaining": "1"})
    governor.release(governor.acquire(TENANT), headers={"X-DayLimit-Remaining": "0"})
    with pytest.raises(GovernorWait) as info:
        governor.acquire(TENANT, max_wait_seconds=30)
    assert info.value.problem == "day"


def test_minute_used_up_holds_the_tenant_until_the_window_must_have_reset():
    clock = FakeClock()
    governor = _governor(clock)
    governor.release(governor.acquire(TENANT), headers={"X-MinLimit-Remaining": "0"})
    start = clock.now
    with pytest.raises(GovernorWait) as info:
        governor.acquire(TENANT, max_wait_seconds=30)
    assert info.value.retry_after == pytest.approx(60)
    permit = governor.acquire(TENANT, max_wait_seconds=90)
    assert permit.send_at >= start + 60


@pytest.mark.parametrize(
    ("problem", "retry_after", "expected_hold"),
    [("minute", "7", 7), ("minute", None, 60), ("concurrent", None, 1), ("day", "3600", 3600), (None, "12", 12)],
)
def test_429_holds_the_tenant_for_retry_after(problem, retry_after, expected_hold):
    clock = FakeClock()
    governor = _governor(clock)
    headers = {}
    if problem:
        headers["X-Rate-Limit-Problem"] = problem
    if retry_after:
        headers["Retry-After"] = retry_after
    governor.release(governor.acquire(TENANT), headers=headers, status=429)
    start = clock.now
    with pytest.raises(GovernorWait) as info:
        governor.acquire(TENANT, max_wait_seconds=expected_hold - 0.5)
    assert info.value.retry_after == pytest.approx(expected_hold)
    if expected_hold < 100:
        permit = governor.acquire(TENANT, max_wait_seconds=expected_hold + 1)
        assert permit.send_at >= start + expected_hold
    # other tenants are not affected
    assert governor.acquire("tenant-2", max_wait_seconds=0).send_at == clock.now


def test_app_minute_running_low_backs_off_every_tenant_briefly():
    clock = FakeClock()
    governor = _governor(clock, app_low_watermark=200, app_backoff_seconds=2.0)
    governor.release(governor.acquire("tenant-a"), headers={"X-AppMinLimit-Remaining": "150"})
    start = clock.now
    permit = governor.acquire("tenant-b", max_wait_seconds=10)
    assert permit.send_at >= start + 2.0  # waited for the app back-off (2 s × (1 + 0.5))
    assert clock.now == pytest.approx(start + 3.0)


def test_app_429_is_shared_by_governors_of_other_processes():
    clock = FakeClock()
    store = InMemoryRateLimitStore()
    one = RateGovernor(store, clock=clock, sleep=clock.sleep, rng=lambda: 0.5)
    other = RateGovernor(store, clock=clock, sleep=clock.sleep, rng=lambda: 0.5)
    one.release(one.acquire("tenant-a"), headers={"Retry-After": "20", "X-Rate-Limit-Problem": "appminute"}, status=429)
    with pytest.raises(GovernorWait) as info:
        other.acquire("tenant-b", max_wait_seconds=5)
    assert info.value.problem == "appminute"
    assert info.value.retry_after == pytest.approx(20)


def test_release_without_an_answer_frees_the_slot():
    clock = FakeClock()
    governor = _governor(clock, concurrency_limit=1)
    governor.release(governor.acquire(TENANT), headers=None, status=None)
    assert governor.acquire(TENANT, max_wait_seconds=2)


def test_settings_drive_the_limits():
    from xero_unit_helpers import make_settings

    governor = InMemoryGovernor.from_settings(
        make_settings(xero_day_limit=1000, xero_minute_limit=30, xero_concurrency_limit=2)
    )
    assert (governor.day_limit, governor.minute_limit, governor.concurrency_limit) == (1000, 30, 2)
    assert governor.interval == pytest.approx(60 / 29)


def test_callers_waiting_for_their_turn_hold_no_slot():
    """Ten callers queue for the next ten send times; the in-flight slots are only taken at the
    send time, so a caller whose turn has come is never blocked by callers still waiting."""
    clock = FakeClock()
    store = InMemoryRateLimitStore()
    turns = [
        store.reserve(
            TENANT,
            holder=holder_token(f"p{n}", clock.now + 60),
            now=clock.now,
            interval=1.0,
            concurrency=5,
            day_limit=5000,
            latest_send_at=clock.now + 30,
            expires_at=clock.now + 100,
        )
        for n in range(10)
    ]
    assert [t.send_at - clock.now for t in turns] == [float(n) for n in range(10)]
    assert [t.holds_slot for t in turns] == [True] + [False] * 9  # only the caller sending now
    assert len(store.read(TENANT).holders) == 1


def test_waiting_for_a_slot_backs_off_and_gives_up_at_the_deadline():
    clock = FakeClock()
    governor = _governor(clock, concurrency_limit=1, slot_poll_seconds=0.2, slot_poll_max_seconds=2.0)
    governor.acquire(TENANT)  # holds the only slot
    with pytest.raises(GovernorWait) as info:
        governor.acquire(TENANT, max_wait_seconds=10)
    assert info.value.problem == "concurrent"
    polls = [s for s in clock.slept if s != pytest.approx(60 / 59)]
    assert polls[:4] == pytest.approx([0.2, 0.4, 0.8, 1.6])  # then capped at 2 s
    assert max(polls) <= 2.0
