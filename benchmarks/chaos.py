"""Chaos harness (N1, issue 9): records of every family through the local stack — the real
handlers, moto server, the Xero emulator — with faults injected at random at every step, then a
count of what reached Xero.

    ./scripts/chaos                       # 10,000 records, seed 1
    ./scripts/chaos --records 2000 --seed 7

Every record ends either in Xero exactly once with the right amount, or failed with a reason the
admin can read; nothing is lost and nothing is in Xero twice. The faults, each decided by one
seeded random generator (``--seed``), so that a run can be repeated:

* **Xero's faults** (the emulator's control plane), armed before a worker batch with probability
  ``--fault-rate`` on the tenant's *next* Accounting call, whatever it is (a look-up, a create, an
  allocation, a deletion): ``http_500``, ``http_503``, ``http_429`` (Retry-After 1 s), ``slow``
  (0.5 s), ``drop_after_commit`` (saved, then the connection closed without an answer) and
  ``timeout_after_commit`` (saved, then answered after the client's time-out);
* **worker killed mid-batch**: with probability ``--kill-rate`` per write-down (and always at the
  first), the worker dies between Xero's answer and writing it down (an exception out of the
  records table's synced marks that nothing in the service catches); the invocation fails and
  SQS delivers the batch again;
* **SQS redelivery**: with probability ``--redelivery-rate`` a batch the worker finished is
  delivered again (as when the visibility time-out runs out before the deletes);
* **duplicate pushes**: with probability ``--duplicate-rate`` before a batch, the host pushes up to
  50 records it already pushed again, same version;
* **DLQ redrive**: once the queues are empty, every message in the export DLQs (batches that kept
  failing) is moved back to its queue, as the SQS console's redrive does, and drained — with the
  faults still on. Finally the faults stop and the host presses "Sync now" once (what the
  schedule would do) for anything still pending, and the books are counted.

Seeded means the same data set and the same sequence of decisions; which call a fault meets
depends on how the runner's threads interleave, so two runs with one seed are alike, not equal.

Counted from the emulated Xero's books (``local/xero_books.py``: documents by number, payments,
refunds and bank charges by the reference stamp the service writes, allocations on their credit
note) and the records table: *in Xero exactly once* (synced, one live Xero object, the host's
amount), *failed and reported* (failed, with the reason in the record and its history), *lost*
(neither: still pending, synced but not in Xero, failed without a reason), *duplicated* (two or
more live Xero objects for one record), *wrong amount*.

This module holds the command line, the run and the table; the rest is in its siblings:
``chaos_data.py`` (the data set), ``chaos_faults.py`` (deciding and injecting the faults, the DLQ
redrive) and ``chaos_tally.py`` (the count of what reached Xero).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

import local_run  # benchmarks/local_run.py: the stack, the servers, one host org
import requests
from chaos_data import data_set  # benchmarks/chaos_data.py: the stories and what each must be in Xero
from chaos_faults import CLIENT_TIMEOUT_SECONDS, XERO_FAULTS, Chaos, install, redrive_dlqs  # the faults
from chaos_tally import Tally, stored_records, tally  # benchmarks/chaos_tally.py: the final count

from local import host_records as host
from local.xero_books import XeroBooks

ORG_ID = "chaos-org"
SETTINGS, GST = host.EXPORT_EVERYTHING, host.GST
PUSH_CHUNK = 100  # records per push: well inside the API's 29 s on a loaded machine


# --- the run -----------------------------------------------------------------------------------------


@dataclass
class Run:
    seed: int
    tally: Tally
    faults_fired: dict[str, int]
    injected: dict[str, int]
    redriven: int
    pending_before_final_sync: int
    wall_seconds: float
    statuses: dict[str, int]
    resyncs: int = 0  # "Sync now" pressed again for records pending with nothing queued


def _push_rank(record: dict[str, Any]) -> int:
    entity = record["entity"]
    return 0 if entity == "contact" else 1 if entity in ("invoice", "bill", "credit_note", "vendor_credit") else 2


def run(args: argparse.Namespace) -> Run:
    rng = random.Random(args.seed)
    stories = data_set(args.records, rng)
    records = [record for record, _ in stories]
    # The host pushes in no particular order within a request (children before parents too), but
    # a record's parents are stored by the time it is pushed (the API refuses a reference to a
    # record it does not know): contacts, then documents, then what refers to documents.
    rng.shuffle(records)
    records.sort(key=_push_rank)
    started = time.monotonic()
    with local_run.servers(time_scale=args.time_scale, day_limit=1_000_000) as running:
        tenant_id = local_run.first_tenant(running.xero)
        chaos = Chaos(
            seed=args.seed,
            xero=running.xero,
            tenant_id=tenant_id,
            fault_rate=args.fault_rate,
            kill_rate=args.kill_rate,
            redelivery_rate=args.redelivery_rate,
            duplicate_rate=args.duplicate_rate,
        )
        install(chaos)
        with local_run.local_stack(
            running,
            label="chaos",
            time_scale=args.time_scale,
            environment={"XERO_TIMEOUT_SECONDS": str(CLIENT_TIMEOUT_SECONDS)},
            max_batching_window_seconds=0.5,
            retry_delay_seconds=1,
        ) as stack:
            org = local_run.HostOrg(stack, ORG_ID)
            chaos.org = org
            org.connect()
            org.configure(SETTINGS, [GST])
            for start in range(0, len(records), PUSH_CHUNK):
                chunk = records[start : start + PUSH_CHUNK]
                pushed = org.push(chunk, PUSH_CHUNK)
                assert pushed["rejected"] == 0, pushed
                chaos.pushed += chunk
            # The run: Sync now, and the workers under fire until the queues are empty.
            org.sync()
            resyncs = _drain(stack, org, args.stall_seconds)
            # The operator's DLQ redrive, still under fire.
            redriven = redrive_dlqs(stack)
            resyncs += _drain(stack, org, args.stall_seconds)
            # Faults off; what is still pending goes with the next sync (the schedule's job).
            chaos.on = False
            fired = chaos.fired()  # before the rules (and their counts) are removed
            requests.delete(f"{running.xero}/_emulator/faults", timeout=30)
            pending = local_run.statuses(ORG_ID)
            resyncs += _settle(stack, org, args.stall_seconds)
            expectations = [expected for _, expected in stories]
            result = tally(
                expectations,
                XeroBooks(local_run.tenant_state(running.xero, tenant_id), ORG_ID),
                stored_records(expectations, ORG_ID),
                ORG_ID,
            )
            return Run(
                seed=args.seed,
                tally=result,
                faults_fired=fired,
                injected=dict(chaos.injected),
                redriven=redriven,
                pending_before_final_sync=pending["pending"] + pending["waiting"],
                resyncs=resyncs,
                wall_seconds=time.monotonic() - started,
                statuses=local_run.statuses(ORG_ID),
            )


def _drain(stack: Any, org: local_run.HostOrg, stall_seconds: float) -> int:
    """Deliver until nothing is pending, "Sync now" again (as the schedule would) while records
    are pending with nothing queued — a claim left by a killed worker runs out, a sync sends a
    slice of at most 10,000 keys — and stop early when what is left sits in a DLQ (the redrive's
    turn). Bounded: no change for ``stall_seconds`` stops the run with the statuses."""
    return local_run.until_exported(
        stack,
        ORG_ID,
        org.sync,
        stall_seconds=stall_seconds,
        done=lambda now: now["pending"] == 0 or _dlq_depth(stack) > 0,
    )


def _settle(stack: Any, org: local_run.HostOrg, stall_seconds: float) -> int:
    """With the faults off: "Sync now" and deliver until nothing is pending (records waiting on a
    parent that failed stay waiting: they are counted as such)."""
    org.sync()
    return 1 + local_run.until_exported(
        stack, ORG_ID, org.sync, stall_seconds=stall_seconds, done=lambda now: now["pending"] == 0
    )


def _dlq_depth(stack: Any) -> int:
    from xero_sync.domain.families import Family
    from xero_sync.settings import ExportQueueSettings
    from xero_sync.wiring import container

    settings = container().settings_for(ExportQueueSettings)
    sqs = stack.aws_client("sqs")
    dlqs = [settings.dlq_url(f) for f in Family] + ([settings.backfill_dlq_url] if settings.backfill_dlq_url else [])
    return sum(
        int(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                "ApproximateNumberOfMessages"
            ]
        )
        for url in dlqs
    )


# --- the report ----------------------------------------------------------------------------------------


def report(result: Run) -> str:
    t = result.tally
    rows = [
        ("records pushed", f"{t.pushed:,}"),
        ("in Xero exactly once (right amount)", f"{t.exactly_once - t.wrong_amount:,}"),
        ("failed and reported (with a reason)", f"{t.failed_reported:,}"),
        ("lost (must be 0)", f"{t.lost:,}"),
        ("duplicated in Xero (must be 0)", f"{t.duplicated:,}"),
        ("in Xero with a wrong amount (must be 0)", f"{t.wrong_amount:,}"),
    ]
    lines = [f"chaos run, seed {result.seed}: {_duration(result.wall_seconds)} on this machine", ""]
    lines += [f"{name:44} {value:>10}" for name, value in rows]
    if t.failure_reasons:
        lines += ["", "failure reasons:"] + [f"  {code:42} {n:>10,}" for code, n in t.failure_reasons.most_common()]
    lines += ["", "faults injected:"]
    for kind in XERO_FAULTS:
        lines.append(f"  {'Xero ' + kind + ' (met a call)':42} {result.faults_fired.get(kind, 0):>10,}")
    for name, count in sorted(result.injected.items()):
        if not name.endswith("(armed)"):
            lines.append(f"  {name:42} {count:>10,}")
    lines.append(f"  {'DLQ redrive (messages moved back)':42} {result.redriven:>10,}")
    lines += [
        "",
        f"records still pending when the faults stopped (sent by the final Sync now): "
        f"{result.pending_before_final_sync:,}; final statuses {result.statuses}; "
        f"Sync now pressed {result.resyncs}× in all",
    ]
    for title, examples in (
        ("lost", t.lost_examples),
        ("duplicated", t.duplicated_examples),
        ("wrong amount", t.wrong_amount_examples),
    ):
        if examples:
            lines += ["", f"{title} (first {min(20, len(examples))}):"] + [f"  - {e}" for e in examples[:20]]
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/chaos.py", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="records to push (whole stories of 9 + 6)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fault-rate", type=float, default=0.3, help="a Xero fault armed before a worker batch")
    parser.add_argument("--kill-rate", type=float, default=0.003, help="the worker dies before writing down an answer")
    parser.add_argument("--redelivery-rate", type=float, default=0.05, help="a finished batch delivered again")
    parser.add_argument("--duplicate-rate", type=float, default=0.05, help="the host pushes records again")
    parser.add_argument("--time-scale", type=float, default=4.0, help="emulated seconds per real second")
    parser.add_argument(
        "--stall-seconds",
        type=float,
        default=local_run.STALL_SECONDS,
        help="give up (with the record statuses) when nothing changes for this long",
    )
    parser.add_argument("--json", action="store_true", help="also print the result as JSON")
    args = parser.parse_args(argv)

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    print(f"chaos: {args.records:,} records of every family, seed {args.seed}", flush=True)
    result = run(args)
    print()
    print(report(result))
    if args.json:
        print(json.dumps({**asdict(result), "tally": asdict(result.tally)}, default=str))
    t = result.tally
    return 0 if t.lost == 0 and t.duplicated == 0 and t.wrong_amount == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
