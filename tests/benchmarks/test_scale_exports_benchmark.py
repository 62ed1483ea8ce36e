"""The README's "50 orgs exporting while one backfills" command keeps working: three orgs, a
200-record backfill, a minute of real-time pushes, checked for what reached Xero and for the
table's rows — never for speed (numbers belong to the benchmark's own output)."""

from __future__ import annotations

from benchmark_helpers import run_benchmark


def test_real_time_orgs_and_a_backfill_all_reach_xero_exactly_once_and_the_table_has_its_rows():
    arguments = ("--orgs", "3", "--backfill", "200", "--minutes", "1", "--baseline-minutes", "0.5")
    report, printed = run_benchmark("scale_exports.py", *arguments, "--push-every", "10", "--grace", "120", "--finish")
    facts = report["facts"]
    assert facts["backfill_in_xero"] == [facts["backfill_invoices"]] * 2, facts  # all, none twice
    assert facts["realtime_in_xero"] == [facts["realtime_pushed"]] * 2, facts
    assert facts["failures"] == [], facts
    for phase in (report["baseline"], report["backfill"]):
        assert phase["orgs"] == 2 and phase["pushed"] > 0 and phase["not_synced"] == 0, phase
        assert len(phase["latencies"]) == phase["pushed"]
        assert phase["calls"]["rate_limited"] == 0, phase["calls"]
    assert report["backfill"]["backfill_synced"] is not None
    for row in ("invoice push → synced, p95", "Xero calls a minute, all tenants", "backfilling tenant", "429s"):
        assert row in printed
