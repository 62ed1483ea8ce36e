"""The README's 10,000-org command keeps working: a tiny run of the same script (200 orgs, three
minutes and a catch-up tick), checked for what its table must say — never for speed."""

from __future__ import annotations

from benchmark_helpers import run_benchmark


def test_every_due_org_syncs_once_per_due_time_and_the_counts_add_up():
    # Given 200 orgs with the default frequency mix, a fifth of them with pending records
    # When the benchmark runs three ticks and then one with every scheduled org due
    report, printed = run_benchmark("scale.py", "--orgs", "200", "--minutes", "3", "--active", "0.2")
    ticks = report["ticks"]
    # Then (the script checks each tick against its own schedule: every due org once, none twice)
    assert len(ticks) == 4 and not any(t["stopped_early"] for t in ticks), ticks
    assert all(t["synced"] == t["due"] for t in ticks), ticks
    catch_up = ticks[-1]
    by_syncs = {int(syncs): orgs for syncs, orgs in report["orgs_by_syncs"].items()}
    assert catch_up["due"] == sum(orgs for syncs, orgs in by_syncs.items() if syncs), report  # all but manual
    # every synced org was a claim, a poll for the import and its pending keys in export messages
    for tick in ticks:
        assert tick["enqueued"] == tick["record_keys"], tick
        assert tick["messages"].get(report["import_queue"], 0) == tick["synced"], tick
    assert catch_up["enqueued"] > 0
    # no org synced more often than its due times in the run allow (3 minutes, then the catch-up)
    assert max(by_syncs) <= 2 and sum(by_syncs.values()) == 200, by_syncs
    # the fan-out is bounded by the template: every export worker has a MaximumConcurrency
    assert len(report["workers"]) == 9 and all(v for v in report["workers"].values()), report["workers"]
    assert "largest share of one tick's DynamoDB requests on one partition key" in printed
