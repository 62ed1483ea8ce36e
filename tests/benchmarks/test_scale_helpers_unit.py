"""The call counts the scale benchmarks print (benchmarks/scale_helpers.py): the busiest minute is
the busiest 60 seconds, never below the window's mean. Pure, no I/O."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))  # as the scripts run: local_run …
from scale_helpers import busiest_minute, call_stats

START = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _call(seconds: float, tenant: str = "t-1", status: int = 200) -> dict:
    return {"at": (START + timedelta(seconds=seconds)).isoformat(), "tenant_id": tenant, "status": status}


def test_a_burst_across_a_minute_boundary_is_one_busy_minute():
    # 30 calls in the last 10 s of minute 0 and 30 in the first 10 s of minute 1: each calendar
    # minute counts 30, yet 60 calls came within 20 seconds
    times = [START + timedelta(seconds=50 + i / 3) for i in range(60)]
    assert busiest_minute(times) == 60
    assert busiest_minute([]) == 0


def test_the_busiest_minute_is_never_below_the_mean_and_429s_are_apart():
    # Given 100 calls in the first 90 s of a 2-minute window (bursty), 5 refused, one outside
    log = [_call(i * 0.9) for i in range(100)] + [_call(10, status=429)] * 5 + [_call(200)]
    # When they are counted over the window
    stats = call_stats(log, START, START + timedelta(minutes=2))
    # Then the mean is per minute of the window and the busiest 60 s holds at least that many
    assert (stats.total, stats.rate_limited) == (100, 5)
    assert stats.per_minute_mean == 50
    assert stats.per_minute_max == 67  # calls 0 … 66, at 0 s … 59.4 s
    assert stats.per_minute_max >= stats.per_minute_mean
    assert stats.per_tenant_peak == {"t-1": 67}
    assert stats.per_tenant_mean == {"t-1": 50}
