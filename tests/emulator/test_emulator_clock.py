"""The emulated clock: advance, frozen clocks, and --time-scale (emulated time runs F× faster, so
token lifetimes and limit windows pass faster too)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from local.xero_emulator import Clock, EmulatorOptions, start_in_thread
from tests.emulator.support import OAuthDriver, XeroSession, query_of


class FakeMonotonic:
    def __init__(self) -> None:
        self.value = 100.0

    def __call__(self) -> float:
        return self.value


def test_clock_runs_time_scale_times_faster_and_advances():
    real = FakeMonotonic()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    clock = Clock(start, time_scale=60, monotonic=real)
    real.value += 2
    assert (clock.now() - start).total_seconds() == 120
    clock.advance(30)
    assert (clock.now() - start).total_seconds() == 150
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_time_scale_zero_freezes_the_clock():
    real = FakeMonotonic()
    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC), time_scale=0, monotonic=real)
    before = clock.now()
    real.value += 1000
    assert clock.now() == before
    assert clock.real_seconds(10) == float("inf")


def test_clock_control_plane(emulator):
    before = requests.get(f"{emulator.base_url}/_emulator/clock").json()
    after = requests.post(f"{emulator.base_url}/_emulator/clock/advance", json={"seconds": 3600}).json()
    elapsed = datetime.fromisoformat(after["now"].replace("Z", "+00:00")) - datetime.fromisoformat(
        before["now"].replace("Z", "+00:00")
    )
    # exactly an hour was added; real time went on meanwhile (however long the machine took)
    assert after["advanced_seconds"] - before["advanced_seconds"] == 3600
    assert elapsed.total_seconds() >= 3600
    assert requests.post(f"{emulator.base_url}/_emulator/clock/advance", json={"seconds": -5}).status_code == 400


def test_time_scale_makes_access_tokens_expire_in_real_fractions_of_a_second():
    # 1 real second = 1 emulated hour: the 30-minute access token lives half a real second.
    # Real time is a fake monotonic clock the test moves, so no real waiting races the expiry.
    real = FakeMonotonic()
    clock = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), time_scale=3600, monotonic=real)
    emu = start_in_thread(EmulatorOptions(time_scale=3600, auto_consent=True), clock=clock)
    try:
        driver = OAuthDriver(emu.base_url)
        code = query_of(driver.authorize().headers["Location"])["code"]
        session = XeroSession(emu.base_url, driver.exchange(code).json())
        session.refresh_connections()
        real.value += 0.4  # 24 emulated minutes: still valid
        assert session.get("/Organisation").status_code == 200
        real.value += 0.2  # 36 emulated minutes after issue
        expired = session.get("/Organisation")
        assert expired.status_code == 401 and expired.json()["Detail"].startswith("TokenExpired")
        clock_state = requests.get(f"{emu.base_url}/_emulator/clock").json()
        assert clock_state["time_scale"] == 3600 and clock_state["now"] == "2026-03-02T09:36:00Z"
    finally:
        emu.stop()
