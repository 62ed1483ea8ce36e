"""The README's benchmark command keeps working: a tiny backfill through the same script, checked
for what reached Xero and for the facts behind its cost table — never for speed (numbers belong
to the benchmark's own output)."""

from __future__ import annotations

import pytest
from benchmark_helpers import run_benchmark

from benchmarks.aws_cost import CapacityMeter, LambdaConfig, Usage, cost_rows, item_size, sqs_billed_requests


def test_a_small_backfill_reaches_xero_exactly_once_and_paid_in_both_modes():
    # (a stall fails within minutes, with the record statuses, instead of running into the time-out)
    arguments = ("--invoices", "12", "--contacts", "3", "--baseline-invoices", "4", "--time-scale", "30")
    report, printed = run_benchmark("backfill.py", *arguments, "--stall-seconds", "150")
    for label, invoices in (("batched", 12), ("baseline", 4)):
        result = report[label]
        assert result["in_xero"] == invoices and result["paid"] == invoices, result
        assert result["failed"] == [] and result["rate_limited"] == 0, result
        assert result["statuses"]["synced"] == result["records"], result["statuses"]
        # The cost table's inputs: every exported record was claimed and then marked synced, each
        # a write of at least one unit; the workers read the records and ran at least once.
        usage = result["usage"]
        assert usage["records"] == result["records"]
        assert usage["worker_write_units"] >= 2 * result["records"], usage
        assert usage["worker_read_units"] > 0 and usage["worker_invocations"] >= 1, usage
        assert usage["sqs_requests"] > 0, usage  # the messages that delivered the records
        # The timeline accounts for every call that was not refused
        assert sum(result["calls_per_minute"]) == result["xero_calls"] + result["rate_limited"], result
    assert "records per Xero call" in printed
    # The cost table states its region, prices and the workers' memory (template.yaml).
    assert "per million records" in printed and "us-east-1" in printed, printed
    assert "$0.625/M write units" in printed and "$0.125/M read units" in printed, printed
    assert "export workers: 512 MB" in printed, printed


def test_calls_per_minute_counts_each_emulated_minute_from_the_first_call(monkeypatch):
    from datetime import UTC, datetime, timedelta
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "benchmarks"))  # as the script runs
    from benchmarks.backfill import calls_per_minute

    start = datetime(2026, 12, 4, tzinfo=UTC)
    times = [start + timedelta(seconds=s) for s in (0, 30, 59.9, 60, 185)]
    assert calls_per_minute(times) == [3, 1, 0, 1]
    assert calls_per_minute([]) == []


def test_request_units_follow_item_sizes_and_consistency():
    small = {"pk": {"S": "org#1"}, "n": {"N": "12345"}, "ok": {"BOOL": True}}
    assert item_size(small) == (2 + 5) + (1 + 4) + (2 + 1)  # names + values; 5 digits -> 4 bytes
    big = {"pk": {"S": "org#2"}, "blob": {"B": b"x" * 5000}}  # 5 KB: 5 write units, 2 read units
    meter = CapacityMeter()
    assert meter.count("PutItem", {"TableName": "t", "Item": small}, {}).write == 1
    assert meter.count("PutItem", {"TableName": "t", "Item": big}, {}).write == 5
    consistent = {"TableName": "t", "Key": {"pk": {"S": "org#2"}}, "ConsistentRead": True}
    assert meter.count("GetItem", consistent, {"Item": big}).read == 2
    assert meter.count("GetItem", {**consistent, "ConsistentRead": False}, {"Item": big}).read == 1
    assert meter.count("GetItem", consistent, {}).read == 1  # no item: still one unit
    # An update is charged on the larger of the item before and after: the 5 KB item seen above.
    update = {"TableName": "t", "Key": {"pk": {"S": "org#2"}}, "ReturnValues": "ALL_NEW"}
    assert meter.count("UpdateItem", update, {"Attributes": small}).write == 5
    assert meter.count("UpdateItem", update, {"Attributes": small}).write == 1  # now small
    # A transaction: twice a plain write's units per item, each item as last seen (also in a batch read).
    batch = {"RequestItems": {"t": {"ConsistentRead": True}}}
    assert meter.count("BatchGetItem", batch, {"Responses": {"t": [big]}}).read == 2
    claims = {
        "TransactItems": [
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "org#2"}}}},  # 5 KB as read above
            {"Update": {"TableName": "t", "Key": {"pk": {"S": "org#unknown"}}}},
            {"Put": {"TableName": "t", "Item": small}},
        ]
    }
    assert meter.count("TransactWriteItems", claims, None).write == 2 * 5 + 2 * 1 + 2 * 1
    query = {"TableName": "t", "ConsistentRead": False}
    assert meter.count("Query", query, {"Items": [big, big]}).read == 0.5 * 3  # 10 KB summed, halved
    assert sqs_billed_requests("SendMessageBatch", {"Entries": [{"MessageBody": "x" * 70_000}]}, None) == 2


def test_cost_per_million_records_at_the_stated_prices():
    usage = Usage(
        records=500_000,  # half a million: the table doubles everything
        worker_invocations=10_000,
        worker_cpu_seconds=500.0,
        worker_billed_seconds=1000.0,
        worker_read_units=1_000_000,
        worker_write_units=1_000_000,
        service_read_units=0,
        service_write_units=0,
        sqs_requests=20_000,
    )
    rows = {name: (quantity, usd) for name, quantity, usd in cost_rows(usage, LambdaConfig(512, "arm64"))}
    assert rows["Lambda GB-s at their duration (billed)"] == pytest.approx((1000.0, 1000.0 * 0.0000133334))
    assert rows["DynamoDB write units (workers)"] == pytest.approx((2_000_000, 2 * 0.625))
    assert rows["DynamoDB read units (workers)"] == pytest.approx((2_000_000, 2 * 0.125))
    assert rows["SQS requests (64 KB chunks)"][1] == pytest.approx(40_000 * 0.40 / 1e6)
    billed = [usd for name, (_, usd) in rows.items() if not name.startswith("total") and "CPU" not in name]
    assert rows["total (billed duration)"][1] == pytest.approx(sum(billed))  # CPU time is shown, not billed


def test_the_meters_own_accounting_is_not_counted_as_the_workers_cpu(monkeypatch):
    """Worker CPU per record is the worker's: the time the meter spends sizing a request's
    items for its units (inside the worker's thread) is taken off."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "benchmarks"))  # as the script runs
    from benchmarks import worker_meter

    thread_time = [0.0]  # the thread's CPU clock, moved by hand

    def work(seconds: float) -> None:
        thread_time[0] += seconds

    monkeypatch.setattr(worker_meter.time, "thread_time", lambda: thread_time[0])
    monkeypatch.setattr(worker_meter, "_count", lambda *request: work(0.25))  # the meter sizing items
    monkeypatch.setattr(worker_meter, "METER", worker_meter.Meter())

    with worker_meter._measured(invocation=True):
        work(1.0)  # the worker builds a request
        worker_meter.metered("dynamodb", "GetItem", {}, None)
        work(2.0)  # and uses its answer
        worker_meter.metered("dynamodb", "PutItem", {}, None)
    assert worker_meter.METER.worker_cpu_seconds == 3.0  # 3.5 s of thread time, 0.5 s of it the meter's
    assert worker_meter.METER.worker_invocations == 1
