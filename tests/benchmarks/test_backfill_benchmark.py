"""The README's benchmark command keeps working: a tiny backfill through the same script, checked
for what reached Xero — never for speed (numbers belong to the benchmark's own output)."""

from __future__ import annotations

from benchmark_helpers import run_benchmark


def test_a_small_backfill_reaches_xero_exactly_once_and_paid_in_both_modes():
    # (a stall fails within minutes, with the record statuses, instead of running into the time-out)
    arguments = ("--invoices", "12", "--contacts", "3", "--baseline-invoices", "4", "--time-scale", "30")
    report, printed = run_benchmark("backfill.py", *arguments, "--stall-seconds", "150")
    for label, invoices in (("batched", 12), ("baseline", 4)):
        result = report[label]
        assert result["in_xero"] == invoices and result["paid"] == invoices, result
        assert result["failed"] == [] and result["rate_limited"] == 0, result
        assert result["statuses"]["synced"] == result["records"], result["statuses"]
    assert "records per Xero call" in printed
