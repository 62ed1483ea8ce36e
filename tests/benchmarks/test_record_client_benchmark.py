"""The record-client benchmark runs the worker's repository calls against its in-memory answers
and times each block only after checking that it did the whole call's work (every record read,
every write answered written): a block that quietly did less would print a flattering figure.
Never timed: the times belong to the benchmark's table."""

from __future__ import annotations

from tests.benchmarks.benchmark_helpers import run_benchmark

BLOCKS = [
    "read the call's records",
    "read their parents",
    "claim them (before the call)",
    "mark them synced (and read back)",
    "note them for the import (no echo)",
    "their history events",
]


def test_each_block_of_both_calls_is_measured_and_the_total_is_their_sum():
    # When the benchmark runs one round (it fails if any block did less than the call's 50 records)
    report, printed = run_benchmark("record_client.py", "--rounds", "1")
    # Then both calls have every block, each a positive figure, and the table's totals add them up
    assert set(report["per_record_ms"]) == {"invoices", "payments"}
    for figures in report["per_record_ms"].values():
        assert list(figures) == BLOCKS
        assert all(ms > 0 for ms in figures.values())
        assert f"{sum(figures.values()):.2f} ms" in printed
    assert report["one_request_ms"] > 0
