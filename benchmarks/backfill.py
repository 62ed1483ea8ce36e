"""Backfill benchmark (issue "Export pipeline" §8): N invoices across M contacts, each paid,
exported to the Xero emulator under Xero's real limits, time-scaled.

    ./scripts/bench                      # 10,000 invoices, 500 contacts, + the baseline
    ./scripts/bench --invoices 2000      # a quicker run

It prints two tables: the run's figures, and what the export would cost in AWS per million
records (``aws_cost.py``: Lambda, DynamoDB request units, SQS requests at list prices), each next
to the one-record-per-call baseline. ``--profile`` adds the workers' top functions (cProfile).
Everything runs through the real pieces: the local stack built from
template.yaml (queues with batch size 50, partial batch responses), the host API for the push,
the sync tick's service, the export workers, with moto servers and the emulator in processes of
their own (so their CPU is not counted as the worker's), the emulator enforcing 5 in flight, 60
calls a minute and the day limit in *emulated* time. The emulator runs ``--time-scale`` times
faster than the wall clock and the service's governor is told the same, so an emulated minute of
Xero's ceiling passes in 60/scale real seconds.

Measured:
- records per Xero call (all calls, reads included) and per write call;
- Xero calls and 429s received (from the emulator's request log);
- emulated time against the per-tenant ceiling: the time 60 calls a minute would need for the
  calls made, divided by the emulated time the export took;
- CPU per record in the worker (thread CPU time inside the worker invocations, so the local
  stack's other threads are not counted);
- DynamoDB and SQS requests per record made by the workers (counted at the botocore client),
  and those made around them (the push, the tick, the event source's polling): ``worker_meter.py``.

On a small machine the local AWS stand-in, not Xero, may set the pace of a big run: a moto server
is one Python process, and with 20,000 records in its tables it uses a whole core. So DynamoDB
and SQS each run in a moto process of their own (``AWS_ENDPOINT_URL_DYNAMODB``, ``_SQS``), and SQS
no longer waits behind DynamoDB. Watch their CPU (``top``); a run at ``--time-scale 0.5`` (Xero
emulated at half speed) shows what the service itself does when the stand-in keeps up.

The baseline sends one record per call (XERO_BATCH_SIZE=1) for ``--baseline-invoices`` invoices
and projects to N: it needs ~one call per record, so at 60 calls a minute and 5,000 a day the
full baseline would take days of emulated time — which is what batching is for.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import local_run  # benchmarks/local_run.py: the stack, the servers, one host org
import requests
from aws_cost import Usage, cost_report, export_worker_config
from worker_meter import METER, SERVICE, WORKER, instrument

ORG_ID = "bench-org"
SETTINGS = {"sync_frequency": "manual", "sales_account": "200", "sales_adjustments_account": "260"}
GST = {"host_tax_id": "gst15", "host_rate": "15", "xero_tax_type": "OUTPUT2"}


# --- the data set ------------------------------------------------------------------------------


def data_set(invoices: int, contacts: int, seed: int = 7) -> tuple[list[dict], list[dict], list[dict]]:
    rng = random.Random(seed)
    people = [
        {
            "entity": "contact",
            "id": f"cus-{n}",
            "version": 1,
            "action": "upsert",
            "data": {
                "display_name": f"Customer {n:04d} Ltd",
                "kind": "customer",
                "email": f"ap{n}@customer{n}.example",
            },
        }
        for n in range(contacts)
    ]
    docs, payments = [], []
    for n in range(invoices):
        lines = [
            {
                "item_name": f"Item {rng.randint(1, 400)}",
                "quantity": str(rng.randint(1, 12)),
                "rate": f"{rng.randint(100, 50000) / 100:.2f}",
                "tax_id": "gst15",
                "account_code": "200",
            }
            for _ in range(rng.randint(1, 3))
        ]
        docs.append(
            {
                "entity": "invoice",
                "id": f"inv-{n}",
                "version": 1,
                "action": "upsert",
                "data": {
                    "number": f"BF-{n:06d}",
                    "contact_id": f"cus-{n % contacts}",
                    "date": "2026-10-01",
                    "due_date": "2026-10-31",
                    "status": "open",
                    "lines": lines,
                },
            }
        )
        # What Xero will compute: line amounts, then tax per line rounded half-up to the cent.
        total = sum(Decimal(line["quantity"]) * Decimal(line["rate"]) for line in lines)
        total += sum(
            (Decimal(line["quantity"]) * Decimal(line["rate"]) * Decimal("0.15")).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            for line in lines
        )
        payments.append(
            {
                "entity": "invoice_payment",
                "id": f"pay-{n}",
                "version": 1,
                "action": "upsert",
                "data": {
                    "invoice_id": f"inv-{n}",
                    "date": "2026-10-15",
                    "amount": f"{total:.2f}",
                    "account_code": "090",
                },
            }
        )
    return people, docs, payments


# --- one run ----------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    invoices: int
    records: int
    xero_calls: int
    write_calls: int
    read_calls: int
    rate_limited: int
    emulated_seconds: float
    wall_seconds: float
    worker_cpu_ms_per_record: float
    dynamodb_per_record: float
    sqs_per_record: float
    other_dynamodb: int
    other_sqs: int
    in_xero: int
    paid: int
    failed: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    calls_by_endpoint: dict[str, int] = field(default_factory=dict)
    calls_per_minute: list[int] = field(default_factory=list)  # Xero calls in each emulated minute, 0 included
    resyncs: int = 0  # syncs started again for records left outstanding with nothing queued
    usage: Usage | None = None  # for the cost table
    worker_operations: dict[str, int] = field(default_factory=dict)  # e.g. "dynamodb UpdateItem": n
    profile: str = ""  # the workers' top functions (--profile)

    @property
    def records_per_call(self) -> float:
        return self.records / self.xero_calls if self.xero_calls else 0.0

    @property
    def records_per_write(self) -> float:
        return self.records / self.write_calls if self.write_calls else 0.0

    @property
    def ceiling_use(self) -> float:
        """The emulated time Xero's ceiling (60 calls a minute = one a second) needs for the
        calls made, over the emulated time the export took."""
        return self.xero_calls / self.emulated_seconds if self.emulated_seconds else 0.0


def run(
    label: str,
    invoices: int,
    contacts: int,
    *,
    batch_size: int,
    time_scale: float,
    day_limit: int,
    concurrency: int = 1,
    stall_seconds: float = local_run.STALL_SECONDS,
) -> Result:
    METER.reset()
    with (
        local_run.servers(time_scale=time_scale, day_limit=day_limit) as running,
        local_run.local_stack(
            running,
            label=label,
            time_scale=time_scale,
            environment={"XERO_BATCH_SIZE": str(batch_size)},
            max_batching_window_seconds=0.5,
            retry_delay_seconds=1,
            concurrency=concurrency,
        ) as stack,
    ):
        org = local_run.HostOrg(stack, ORG_ID)
        org.connect()
        org.configure(SETTINGS, [GST])
        people, docs, payments = data_set(invoices, contacts)
        pushed = org.push(people + docs + payments)
        assert pushed["rejected"] == 0, pushed
        tenant_id = local_run.first_tenant(running.xero)
        requests.delete(f"{running.xero}/_emulator/requests", timeout=30)
        METER.reset()
        wall = time.monotonic()
        org.sync()
        resyncs = local_run.until_exported(
            stack,
            ORG_ID,
            org.sync,
            stall_seconds=stall_seconds,
            look_while_queued_seconds=local_run.LOOK_WHILE_QUEUED_SECONDS,
        )
        wall = time.monotonic() - wall
        log = local_run.requests_log(running.xero, tenant_id)
        failed = org.failures()
        statuses = local_run.statuses(ORG_ID)
        state = local_run.tenant_state(running.xero, tenant_id)

    accounting = [entry for entry in log if entry["path"].startswith("/api.xro/2.0/")]
    times = [datetime.fromisoformat(entry["at"].replace("Z", "+00:00")) for entry in accounting]
    emulated = (max(times) - min(times)).total_seconds() + 1.0 if times else 0.0
    records = len(people) + len(docs) + len(payments)
    ours = [
        doc
        for doc in state["Invoices"]
        if doc.get("InvoiceNumber", "").startswith("BF-") and doc["Status"] != "DELETED"
    ]
    return Result(
        label=label,
        invoices=invoices,
        records=records,
        xero_calls=len([e for e in accounting if e["status"] != 429]),
        write_calls=len([e for e in accounting if e["method"] in ("PUT", "POST") and e["status"] != 429]),
        read_calls=len([e for e in accounting if e["method"] == "GET" and e["status"] != 429]),
        rate_limited=len([e for e in accounting if e["status"] == 429]),
        emulated_seconds=emulated,
        wall_seconds=wall,
        worker_cpu_ms_per_record=1000 * METER.worker_cpu_seconds / records,
        dynamodb_per_record=METER.requests[WORKER]["dynamodb"] / records,
        sqs_per_record=METER.requests[WORKER]["sqs"] / records,
        other_dynamodb=METER.requests[SERVICE]["dynamodb"],
        other_sqs=METER.requests[SERVICE]["sqs"],
        in_xero=len(ours),
        paid=len([doc for doc in ours if doc["Status"] == "PAID"]),
        failed=failed,
        statuses=statuses,
        calls_by_endpoint=dict(Counter(f"{e['method']} {_endpoint(e['path'])}" for e in accounting).most_common()),
        calls_per_minute=calls_per_minute(times),
        resyncs=resyncs,
        usage=METER.usage(records),
        worker_operations=dict(METER.operations.most_common()),
        profile=METER.profile_table() if METER.profiling else "",
    )


def calls_per_minute(times: list[datetime]) -> list[int]:
    """Xero calls in each emulated minute from the first call on (where the run fell short of
    the ceiling: a slow start, a gap, a tail)."""
    if not times:
        return []
    start = min(times)
    minutes = Counter(int((at - start).total_seconds() // 60) for at in times)
    return [minutes.get(minute, 0) for minute in range(max(minutes) + 1)]


def _endpoint(path: str) -> str:
    """/api.xro/2.0/CreditNotes/<id>/Allocations → CreditNotes/{id}/Allocations"""
    parts = path.removeprefix("/api.xro/2.0/").split("/")
    return "/".join(part if part[:1].isupper() else "{id}" for part in parts)


# --- the report -----------------------------------------------------------------------------------


def report(batched: Result, baseline: Result | None) -> str:
    rows = [
        ("records exported", f"{batched.records:,}", lambda r: f"{r.records:,}"),
        (
            "in Xero (invoices, exactly once)",
            f"{batched.in_xero:,} / {batched.invoices:,}",
            lambda r: f"{r.in_xero:,} / {r.invoices:,}",
        ),
        ("invoices PAID in Xero", f"{batched.paid:,}", lambda r: f"{r.paid:,}"),
        (
            "Xero calls (reads + writes)",
            f"{batched.xero_calls:,} ({batched.read_calls} + {batched.write_calls})",
            lambda r: f"{r.xero_calls:,} ({r.read_calls} + {r.write_calls})",
        ),
        ("records per Xero call", f"{batched.records_per_call:.1f}", lambda r: f"{r.records_per_call:.2f}"),
        ("records per write call", f"{batched.records_per_write:.1f}", lambda r: f"{r.records_per_write:.2f}"),
        ("429s received", str(batched.rate_limited), lambda r: str(r.rate_limited)),
        ("emulated time", _duration(batched.emulated_seconds), lambda r: _duration(r.emulated_seconds)),
        (
            "share of the per-tenant ceiling used",
            f"{100 * batched.ceiling_use:.0f} %",
            lambda r: f"{100 * r.ceiling_use:.0f} %",
        ),
        ("wall time (this machine)", _duration(batched.wall_seconds), lambda r: _duration(r.wall_seconds)),
        (
            "worker CPU per record",
            f"{batched.worker_cpu_ms_per_record:.2f} ms",
            lambda r: f"{r.worker_cpu_ms_per_record:.2f} ms",
        ),
        (
            "DynamoDB requests per record (worker)",
            f"{batched.dynamodb_per_record:.2f}",
            lambda r: f"{r.dynamodb_per_record:.2f}",
        ),
        ("SQS requests per record (worker)", f"{batched.sqs_per_record:.2f}", lambda r: f"{r.sqs_per_record:.2f}"),
        (
            "DynamoDB / SQS requests, push+sync+tick",
            f"{batched.other_dynamodb:,} / {batched.other_sqs:,}",
            lambda r: f"{r.other_dynamodb:,} / {r.other_sqs:,}",
        ),
    ]
    header = f"{'':42} {'batched':>26}" + (f" {'baseline (1 record/call)':>28}" if baseline else "")
    lines = [header, "-" * len(header)]
    for name, value, of in rows:
        lines.append(f"{name:42} {value:>26}" + (f" {of(baseline):>28}" if baseline else ""))
    if baseline is not None:
        scale = batched.records / baseline.records
        projected_calls = baseline.xero_calls * scale
        days = projected_calls / 5000
        minutes = projected_calls / 60
        lines += [
            "",
            f"baseline measured on {baseline.invoices:,} invoices; projected to {batched.invoices:,}: "
            f"{projected_calls:,.0f} calls — at least {minutes / 60:.1f} h at 60 calls/min and "
            f"{days:.1f} days at 5,000 calls/day (Xero's limits), "
            f"against {_duration(batched.emulated_seconds)} batched.",
            f"batching sends {projected_calls / batched.xero_calls:.0f}× fewer calls.",
        ]
    lines += [
        "",
        "targets (benchmark, not test): >= 45 records per call, 0 429s, >= 95 % of the ceiling.",
    ]
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.2f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/backfill.py", description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="emulated seconds per real second (above 1 the local stack, not Xero, may set the pace)",
    )
    parser.add_argument("--day-limit", type=int, default=5000)
    parser.add_argument("--baseline-invoices", type=int, default=200, help="0 skips the baseline")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=5,
        help="invocations of one function side by side (AWS: the backfill worker's BackfillMaxConcurrency, 5)",
    )
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument("--profile", action="store_true", help="cProfile the export workers' invocations")
    parser.add_argument(
        "--stall-seconds",
        type=float,
        default=local_run.STALL_SECONDS,
        help="give up (with the record statuses) when nothing changes for this long",
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    instrument(profile=args.profile)
    print(
        f"backfill: {args.invoices:,} invoices across {args.contacts} contacts, each paid; "
        f"Xero emulated {args.time_scale:g}× faster than real time; "
        f"each function runs {args.concurrency} invocation{'s' if args.concurrency != 1 else ''} side by side",
        flush=True,
    )
    batched = run(
        "batched",
        args.invoices,
        args.contacts,
        batch_size=50,
        time_scale=args.time_scale,
        day_limit=args.day_limit,
        concurrency=args.concurrency,
        stall_seconds=args.stall_seconds,
    )
    baseline = None
    if args.baseline_invoices:
        contacts = max(1, args.contacts * args.baseline_invoices // args.invoices)
        baseline = run(
            "baseline",
            args.baseline_invoices,
            contacts,
            batch_size=1,
            time_scale=args.time_scale * 4,
            day_limit=args.day_limit,
            concurrency=args.concurrency,
            stall_seconds=args.stall_seconds,
        )
    print()
    print(report(batched, baseline))
    usages = {result.label: result.usage for result in (batched, baseline) if result is not None and result.usage}
    print()
    print(cost_report(usages, export_worker_config()))
    for result in (batched, baseline):
        if result is None:
            continue
        print(
            f"\n{result.label}: record statuses {result.statuses}; Xero calls {result.calls_by_endpoint}"
            + (f"; synced again {result.resyncs}× for records left with nothing queued" if result.resyncs else "")
        )
        print(f"\n{result.label}: Xero calls per emulated minute (the ceiling: 60) {result.calls_per_minute}")
        if result.failed:
            print(f"\n{result.label}: failures (first {len(result.failed)}):")
            print("\n".join(f"  - {line}" for line in result.failed))
        print(f"\n{result.label}: the workers' AWS requests {result.worker_operations}")
        if result.profile:
            print(f"\n{result.label}: {result.profile}")
    if args.json:
        print(
            json.dumps(
                {"batched": dataclasses.asdict(batched), "baseline": dataclasses.asdict(baseline) if baseline else None}
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
