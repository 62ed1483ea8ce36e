"""Rate limits (xero-facts §2; checklist §9 item 3): 60 per fixed minute window, the day limit,
5 concurrent, 10,000 per app minute; 429 with X-Rate-Limit-Problem and Retry-After; windows
start at a per-tenant offset; refused calls are not counted."""

from __future__ import annotations

import threading

import requests

from local.xero_emulator.limits import DAY, MINUTE, FixedWindow, RateLimiter, window_offset
from tests.emulator.support import OAuthDriver


def _seconds_into_minute_window(emulator, xero) -> float:
    offset = window_offset(f"demo-client-id/{xero.tenant_id}", MINUTE)
    return (emulator.clock.timestamp() - offset) % MINUTE


def test_minute_limit_gives_429_with_retry_after_until_the_window_resets(emulator, xero):
    # Given a fresh minute window with plenty of room left
    emulator.clock.advance(MINUTE - _seconds_into_minute_window(emulator, xero) + 1)
    remaining = [int(xero.get("/Organisation").headers["X-MinLimit-Remaining"]) for _ in range(60)]
    assert remaining[0] == 59 and remaining[-1] == 0
    # When the 61st call is made in the same window
    refused = xero.get("/Organisation")
    # Then Xero refuses it with the minute problem and the seconds until the window resets
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "minute"
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert refused.headers["X-MinLimit-Remaining"] == "0"
    # And the 429 did not count: after the reset the full allowance is back
    emulator.clock.advance(retry_after)
    again = xero.get("/Organisation")
    assert again.status_code == 200 and again.headers["X-MinLimit-Remaining"] == "59"
    stats = requests.get(f"{emulator.base_url}/_emulator/stats").json()["tenants"][xero.tenant_id]
    assert stats == {"name": stats["name"], "calls": 61, "rate_limited": 1}


def test_day_limit_of_a_starter_tenant(emulator, oauth: OAuthDriver):
    created = requests.post(
        f"{emulator.base_url}/_emulator/tenants", json={"name": "Starter Org", "base_currency": "NZD", "day_limit": 3}
    ).json()
    session = oauth.connect(tenant_ids=[created["tenant_id"]])
    statuses = [session.get("/Organisation").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = session.get("/Organisation")
    assert refused.status_code == 429 and refused.headers["X-Rate-Limit-Problem"] == "day"
    assert 1 <= int(refused.headers["Retry-After"]) <= DAY
    assert refused.headers["X-DayLimit-Remaining"] == "0"
    emulator.clock.advance(int(refused.headers["Retry-After"]))
    session.tokens = oauth.refresh(session.tokens["refresh_token"]).json()  # a day outlives the access token
    assert session.get("/Organisation").status_code == 200


def test_concurrent_limit_is_five_in_flight_per_tenant(emulator, xero):
    # Given five calls held in flight by a "hold" fault (released only by the test)
    hold = emulator.state.faults.add("hold", count=5, path_prefix="/Organisation")
    url, headers = f"{emulator.base_url}/api.xro/2.0/Organisation", xero.headers()
    results: list[int] = []

    def call() -> None:
        results.append(requests.get(url, headers=headers, timeout=60).status_code)

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    try:
        assert emulator.state.faults.wait_held(hold.id, 5), "five calls never got in flight"
        assert emulator.state.limits.windows("demo-client-id", xero.tenant_id, 0)["in_flight"] == 5
        # When a sixth call arrives while they are held
        sixth = xero.get("/Organisation")
    finally:
        emulator.state.faults.release(hold.id)
        for thread in threads:
            thread.join()
    # Then it is refused as "concurrent" with a short Retry-After, and the five succeed once released
    assert sixth.status_code == 429
    assert sixth.headers["X-Rate-Limit-Problem"] == "concurrent" and sixth.headers["Retry-After"] == "1"
    assert results == [200] * 5
    assert emulator.state.limits.windows("demo-client-id", xero.tenant_id, 0)["in_flight"] == 0


def test_hold_fault_is_released_through_the_control_plane(emulator, xero):
    base = f"{emulator.base_url}/_emulator/faults"
    rule = requests.post(base, json={"kind": "hold", "path_prefix": "/Contacts"}).json()
    assert rule["kind"] == "hold" and rule["held"] == 0 and rule["released"] is False
    answers: list[int] = []
    held = threading.Thread(target=lambda: answers.append(xero.get("/Contacts", timeout=60).status_code))
    held.start()
    assert emulator.state.faults.wait_held(rule["id"], 1)
    assert requests.get(base).json()["faults"][0]["held"] == 1 and answers == []
    assert requests.post(f"{base}/{rule['id']}/release").json() == {"released_rules": 1}
    held.join()
    assert answers == [200]
    assert requests.post(f"{base}/999/release").status_code == 404


def test_windows_are_fixed_and_start_at_a_per_tenant_offset():
    first = window_offset("client/tenant-a", MINUTE)
    second = window_offset("client/tenant-b", MINUTE)
    assert 0 <= first < MINUTE and first != second
    window = FixedWindow(limit=2, period=MINUTE, offset=17)
    window.take(17 + 60 * 100 + 59)
    window.take(17 + 60 * 100 + 59.5)
    assert window.remaining(17 + 60 * 100 + 59.9) == 0
    assert window.seconds_until_reset(17 + 60 * 100 + 59.5) == 1
    assert window.remaining(17 + 60 * 101) == 2  # a fixed window resets all at once, not rolling


def test_app_minute_limit_spans_all_tenants():
    limiter = RateLimiter(default_day_limit=5000)
    now = 1_000_000.0
    for index in range(10_000):
        tenant = f"tenant-{index % 250}"  # 40 calls each: below every per-tenant limit
        decision = limiter.acquire("app", tenant, None, now)
        assert decision.problem is None
        limiter.release("app", tenant)
    refused = limiter.acquire("app", "tenant-new", None, now)
    assert refused.problem == "appminute" and 1 <= refused.retry_after <= 60
    assert refused.headers["X-AppMinLimit-Remaining"] == "0"
    assert limiter.acquire("other-app", "tenant-new", None, now).problem is None
