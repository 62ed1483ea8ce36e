"""The rate governor on DynamoDB (moto server), alone and against the Xero emulator's limits.

Concurrent writers meet on one item here: the session's moto server makes each DynamoDB request
atomic, as DynamoDB does (local/moto_patches.py; moto alone checks a condition and applies the
write in two steps, so two requests could both pass a condition meant for one). Time is virtual
(``VirtualTime``): a loaded machine changes how long a test takes, never what it sees.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
import uuid
from datetime import datetime

import pytest
import requests
from xero_it_helpers import build_stack, connect_org, emulator_stats, settings_for, start_emulator

from tests.fakes import VirtualTime
from xero_sync.clock import utcnow
from xero_sync.dal.rate_limits import DynamoRateLimitStore
from xero_sync.domain.rate_limits import holder_token
from xero_sync.xero.client import XeroApiClient
from xero_sync.xero.errors import XeroRateLimited
from xero_sync.xero.governor import GovernorWait, RateGovernor
from xero_sync.xero.tokens import TokenManager


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


def _tenant() -> str:
    return f"tenant-{uuid.uuid4().hex[:10]}"


# --- the DynamoDB store on its own -------------------------------------------------------------------


def test_dynamodb_store_paces_limits_slots_and_cleans_up_dead_holders(aws_settings):
    clock = FakeClock()
    store = DynamoRateLimitStore()
    governor = RateGovernor(store, clock=clock, sleep=clock.sleep, call_lease_seconds=10, rng=lambda: 0.5)
    tenant = _tenant()

    # pacing: one interval apart
    permits = [governor.acquire(tenant, max_wait_seconds=30) for _ in range(5)]
    sends = [p.send_at for p in permits]
    assert [round(b - a, 6) for a, b in itertools.pairwise(sends)] == [round(60 / 59, 6)] * 4

    # five in flight: a sixth gets its turn but no slot in time
    with pytest.raises(GovernorWait) as info:
        governor.acquire(tenant, max_wait_seconds=5)
    assert info.value.problem == "concurrent"

    # the holders "die"; once their leases run out the slots are reclaimed
    clock.sleep(10 + 1)
    permit = governor.acquire(tenant, max_wait_seconds=1)
    governor.release(permit, headers={"X-DayLimit-Remaining": "4321", "X-MinLimit-Remaining": "58"})
    state = store.read(tenant)
    assert state.holders == {}
    assert state.remaining_day == 4321 and state.remaining_minute == 58


def test_dynamodb_store_requests_per_call(aws_settings):
    """Report how many DynamoDB requests a governed call costs, for a tenant at full pace (every
    call waits for its turn) and for an idle tenant (calls further apart than the interval)."""
    headers = {"X-DayLimit-Remaining": "4000", "X-MinLimit-Remaining": "30", "X-AppMinLimit-Remaining": "9000"}
    per_call = {}
    for mode, gap in (("busy", 0.0), ("idle", 2.0)):
        clock = FakeClock()
        store = DynamoRateLimitStore()
        governor = RateGovernor(store, clock=clock, sleep=clock.sleep, rng=lambda: 0.5, app_check_seconds=60)
        tenant = _tenant()
        calls = 30
        for _ in range(calls):
            clock.sleep(gap)
            permit = governor.acquire(tenant, max_wait_seconds=10)
            clock.sleep(0.3)  # the call
            governor.release(permit, headers=headers)
        per_call[mode] = sum(store.requests.values()) / calls
        print(f"\nDynamoDB requests per governed call ({mode} tenant): {per_call[mode]:.2f} {store.requests}")
    assert per_call["busy"] <= 3.2  # reserve + take slot at the send time + release
    assert per_call["idle"] <= 2.2  # reserve with the slot + release


def test_dynamodb_day_limit_and_429_hold_are_shared_between_governors(aws_settings):
    clock = FakeClock()
    one = RateGovernor(DynamoRateLimitStore(), clock=clock, sleep=clock.sleep, day_limit=2, rng=lambda: 0.5)
    other = RateGovernor(DynamoRateLimitStore(), clock=clock, sleep=clock.sleep, day_limit=2, rng=lambda: 0.5)
    tenant = _tenant()
    one.release(one.acquire(tenant))
    other.release(other.acquire(tenant))
    with pytest.raises(GovernorWait) as info:
        one.acquire(tenant, max_wait_seconds=5)
    assert info.value.problem == "day"

    second = _tenant()
    permit = one.acquire(second)
    one.release(permit, headers={"Retry-After": "45", "X-Rate-Limit-Problem": "minute"}, status=429)
    with pytest.raises(GovernorWait) as info:
        other.acquire(second, max_wait_seconds=10)
    assert info.value.problem == "minute"
    assert info.value.retry_after == pytest.approx(45, abs=0.01)


def test_concurrent_callers_get_distinct_paced_turns_and_at_most_five_slots(aws_settings):
    # Given twelve callers writing to one tenant's item at once, each request atomic (as in DynamoDB)
    store = DynamoRateLimitStore()
    tenant = _tenant()
    now = time.time()
    turns: list[float] = []
    slots: list[str] = []
    lock = threading.Lock()

    def caller(n: int) -> None:
        reservation = store.reserve(
            tenant,
            holder=holder_token(f"r{n}", now + 60),
            now=now,
            interval=60 / 59,
            concurrency=5,
            day_limit=5000,
            latest_send_at=now + 100,
            expires_at=now + 3600,
        )
        took = store.take_slot(tenant, holder=holder_token(f"s{n}", now + 60), now=now, concurrency=5)
        with lock:
            if reservation.granted:
                turns.append(reservation.send_at)
            if took:
                slots.append(f"s{n}")

    # When they all reserve a send time and try to take a slot
    threads = [threading.Thread(target=caller, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then each got its own turn, one interval apart, and at most five took a slot
    turns.sort()
    assert len(turns) == 12
    assert all(b - a >= 60 / 59 - 1e-6 for a, b in itertools.pairwise(turns))
    live = store.read(tenant).holders
    assert len(live) <= 5 and set(slots) <= {token.split("|")[1] for token in live}


# --- against the emulator ----------------------------------------------------------------------------


def _max_in_any_minute(times: list[float]) -> int:
    times = sorted(times)
    return max((bisect.bisect_left(times, t + 60) - i for i, t in enumerate(times)), default=0)


def test_many_lambdas_stay_under_xero_limits(aws_settings, org_id):
    """Eight Lambdas hammer one tenant for 90 s: Xero never answers 429 and no 60 s hold more than
    59 calls, neither as the governor sent them nor as Xero counted them. The governor, the
    Lambdas' sleeps and the emulator share one virtual time line (a call takes no virtual time),
    so what Xero counts is exactly what the governor decided, on an idle or a loaded machine."""
    lambdas, emulated_seconds = 8, 90.0
    time_line = VirtualTime(participants=lambdas)
    emu = start_emulator(clock=time_line.emulator_clock())
    try:
        settings = settings_for(aws_settings, emu.base_url)
        stack = build_stack(settings)
        tenant_id = connect_org(stack, org_id, utcnow()).tenant.tenant_id
        end = time_line() + emulated_seconds
        counts: list[int] = []
        failures: list[Exception] = []
        stores: list[DynamoRateLimitStore] = []
        send_times: list[float] = []

        class RecordingGovernor(RateGovernor):
            def acquire(self, tenant_id: str, **options):
                permit = super().acquire(tenant_id, **options)
                send_times.append(permit.send_at)
                return permit

        def lambda_worker() -> None:
            # each "Lambda": its own governor, token manager and HTTP session, sharing DynamoDB
            store = DynamoRateLimitStore()
            stores.append(store)
            governor = RecordingGovernor.from_settings(settings, store, clock=time_line, sleep=time_line.sleep)
            tokens = TokenManager(stack.repo, stack.cipher, stack.identity)
            client = XeroApiClient(settings, tokens, governor, max_wait_seconds=30, rate_limit_retries=0)
            xero = client.for_org(org_id)
            made = 0
            try:
                while time_line() < end:
                    xero.get("/Organisation")
                    made += 1
            except Exception as error:
                failures.append(error)
            counts.append(made)

        threads = [threading.Thread(target=time_line.run(lambda_worker)) for _ in range(lambdas)]
        started = time_line()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        elapsed = time_line() - started

        log = requests.get(f"{emu.base_url}/_emulator/requests", params={"tenant_id": tenant_id}, timeout=10).json()
        api_calls = [e for e in log["requests"] if e["path"].startswith("/api.xro/2.0")]
        at = [datetime.fromisoformat(e["at"].replace("Z", "+00:00")).timestamp() for e in api_calls]
        rate_limited = emulator_stats(emu.base_url)["tenants"][tenant_id]["rate_limited"]
        total = sum(counts)
        dynamo = {k: sum(s.requests[k] for s in stores) for k in ("update", "update_conflict", "get")}
        print(
            f"\ngovernor vs emulator: {total} calls in {elapsed:.0f} emulated s by {lambdas} workers; "
            f"max in any 60 s: sent {_max_in_any_minute(send_times)}, at Xero {_max_in_any_minute(at)}; "
            f"429s = {rate_limited}; "
            f"DynamoDB per call = {sum(dynamo.values()) / max(total, 1):.2f} {dynamo}; per worker {counts}"
        )
        assert failures == []
        assert rate_limited == 0
        assert len(api_calls) == total and all(e["status"] == 200 for e in api_calls)
        assert _max_in_any_minute(send_times) <= 59  # the governor's promise
        assert _max_in_any_minute(at) <= 59  # and what Xero counted: the same times
        assert total >= emulated_seconds / (60 / 59) - 1  # the pace was used, not just kept under
    finally:
        emu.stop()


def test_an_injected_429_is_honoured_with_retry_after(settings, emulator, org_id):
    stack = build_stack(settings)
    tenant_id = connect_org(stack, org_id, utcnow()).tenant.tenant_id
    clock = FakeClock()  # sleeping moves it on: the governor's waits are read, not waited
    governor = RateGovernor.from_settings(settings, DynamoRateLimitStore(), clock=clock, sleep=clock.sleep)
    client = XeroApiClient(settings, stack.tokens, governor, max_wait_seconds=10)
    xero = client.for_org(org_id)
    fault = {"kind": "http_429", "count": 1, "problem": "minute", "delay_seconds": 2, "tenant_id": tenant_id}
    requests.post(f"{emulator.base_url}/_emulator/faults", json=fault, timeout=10).raise_for_status()

    started = clock()
    response = xero.get("/Organisation")  # 429 (Retry-After: 2) → held → repeated → 200

    assert response.status == 200
    assert clock() - started == pytest.approx(2.0, abs=0.01)  # held exactly for Retry-After
    statuses = [
        e["status"]
        for e in requests.get(
            f"{emulator.base_url}/_emulator/requests", params={"tenant_id": tenant_id}, timeout=10
        ).json()["requests"]
        if e["path"].startswith("/api.xro")
    ]
    assert statuses == [429, 200]

    # a second Lambda sees the hold too (shared through DynamoDB)
    requests.post(
        f"{emulator.base_url}/_emulator/faults", json={**fault, "delay_seconds": 30}, timeout=10
    ).raise_for_status()
    with pytest.raises(XeroRateLimited):
        xero.get("/Organisation")  # 429 with Retry-After 30 > max_wait 10 → GovernorWait
    other = RateGovernor.from_settings(settings, DynamoRateLimitStore(), clock=clock, sleep=clock.sleep)
    with pytest.raises(GovernorWait) as info:
        other.acquire(tenant_id, max_wait_seconds=5)
    assert info.value.retry_after == pytest.approx(30, abs=0.01)
