"""50 orgs exporting at once while one of them backfills (issue 13, item 2).

    ./scripts/bench scale-exports                         # 50 orgs, a 20,000-record backfill, 5 min
    ./scripts/bench scale-exports --orgs 10 --backfill 2000 --minutes 2

One org pushes ``--backfill`` records (paid invoices with their contacts, as backfill.py builds
them) and presses "Sync now": more than 1,000 outstanding records, so the sync is a backfill
(background work in the app-wide budget). While it runs, each of the other orgs (real-time sync
frequency) pushes a new invoice with its new customer every ``--push-every`` seconds for
``--minutes``. Before that, a baseline window does the same with no backfill. It prints one
table: the others' invoice latency from push to ``synced`` (the records table's ``received_at``
→ ``synced_at``, read after the window, so measuring adds no load while it runs), Xero calls per
minute in total and per tenant, and 429s (the emulator's request log).

Everything is real time: the emulator enforces Xero's 60 calls a minute and 5 in flight per
tenant, and each org has a tenant of its own (picked on the consent page). The local runner runs
``--concurrency`` invocations of each function side by side (AWS runs up to WorkerMaxConcurrency,
10, per family queue and BackfillMaxConcurrency, 5, for backfills). What limits the figures: the
moto servers (one process for DynamoDB, one for SQS, one for the rest) and the whole stack share
the machine's two cores with whatever else runs (the load is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import local_run  # benchmarks/local_run.py: the stack, one host org
import scale_helpers as helpers
from backfill import data_set  # the backfill benchmark's paid invoices and their contacts

BACKFILL_PUSH_CHUNK = 150
SETTINGS = {"sales_account": "200", "sales_adjustments_account": "260"}


@dataclass
class Phase:
    label: str
    minutes: float
    orgs: int
    pushed: int  # invoices pushed (each with its contact)
    latencies: list[float] = field(repr=False)
    not_synced: int  # pushed invoices not synced by the end of the window + the grace
    grace_seconds: float
    calls: helpers.CallStats
    backfill_tenant: str | None
    load: str  # /proc/loadavg at the start and the end
    backfill_synced: int | None = None  # the backfilling org's records synced by the window's end

    def latency(self, share: float) -> float | None:
        return helpers.percentile(self.latencies, share, self.not_synced)

    def others_calls(self) -> tuple[list[float], list[int]]:
        """Per-minute mean and peak minute of each tenant other than the backfilling one."""
        means = [v for t, v in self.calls.per_tenant_mean.items() if t != self.backfill_tenant]
        peaks = [v for t, v in self.calls.per_tenant_peak.items() if t != self.backfill_tenant]
        return means, peaks


@dataclass
class Facts:
    """What reached Xero (checked with ``--finish``, after everything was exported)."""

    backfill_records: int
    backfill_invoices: int
    concurrency: int  # invocations of each function side by side
    backfill_in_xero: tuple[int, int] | None = None  # (invoices, distinct numbers)
    realtime_pushed: int = 0
    realtime_in_xero: tuple[int, int] | None = None
    backfill_minutes: float | None = None  # from Sync now to its last record synced
    failures: list[str] = field(default_factory=list)


def load() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def push_sales(
    orgs: list[local_run.HostOrg], seconds: float, period: float, numbers: list[int]
) -> dict[str, list[int]]:
    """Each org pushes a new sale every ``period`` seconds for ``seconds``, the orgs spread
    evenly over the period. Pushes go one at a time (the local API runs one request at a time
    anyway); a push that falls behind its slot goes at once, and its latency counts from when it
    was received."""
    pushed: dict[str, list[int]] = {org.org_id: [] for org in orgs}
    slots = sorted(
        (round_no * period + index * period / len(orgs), index)
        for round_no in range(max(1, int(seconds // period)))
        for index in range(len(orgs))
    )
    started = time.monotonic()
    for offset, index in slots:
        delay = started + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        numbers[0] += 1
        org = orgs[index]
        answer = org.push(helpers.new_sale(numbers[0]))
        assert answer["accepted"] == 2, answer
        pushed[org.org_id].append(numbers[0])
    return pushed


def wait_synced(pushed: dict[str, list[int]], grace: float) -> tuple[list[float], int]:
    """The pushed invoices' latencies, once all are synced or ``grace`` seconds have passed."""
    deadline = time.monotonic() + grace
    while True:
        latencies, outstanding = helpers.invoice_latencies(pushed)
        if outstanding == 0 or time.monotonic() > deadline:
            return latencies, outstanding
        time.sleep(3)


def window(
    label: str,
    xero: str,
    orgs: list[local_run.HostOrg],
    *,
    minutes: float,
    period: float,
    grace: float,
    numbers: list[int],
    backfill_tenant: str | None,
    backfill_org: str | None = None,
) -> tuple[Phase, dict[str, list[int]]]:
    before = load()
    started = datetime.now(UTC)
    pushed = push_sales(orgs, minutes * 60, period, numbers)
    ended = datetime.now(UTC)
    backfill_synced = local_run.statuses(backfill_org)["synced"] if backfill_org else None
    calls = helpers.call_stats(helpers.accounting_calls(xero), started, ended)
    latencies, outstanding = wait_synced(pushed, grace)
    phase = Phase(
        label=label,
        minutes=(ended - started).total_seconds() / 60,
        orgs=len(orgs),
        pushed=sum(len(numbers) for numbers in pushed.values()),
        latencies=latencies,
        not_synced=outstanding,
        grace_seconds=grace,
        calls=calls,
        backfill_tenant=backfill_tenant,
        load=f"{before} → {load()}",
        backfill_synced=backfill_synced,
    )
    return phase, pushed


def run(args: argparse.Namespace) -> tuple[Phase, Phase, Facts]:
    contacts = max(1, min(500, args.backfill // 40))
    invoices = max(1, (args.backfill - contacts) // 2)
    people, docs, payments = data_set(invoices, contacts)
    facts = Facts(
        backfill_records=len(people) + len(docs) + len(payments),
        backfill_invoices=invoices,
        concurrency=args.concurrency,
    )
    with (
        helpers.servers_with_tenants(args.orgs) as running,
        local_run.local_stack(
            running,
            label="scale",
            time_scale=1.0,
            max_batching_window_seconds=0.5,
            retry_delay_seconds=1,
            concurrency=args.concurrency,
        ) as stack,
    ):
        tenants = helpers.tenant_ids(running.xero)
        orgs = [local_run.HostOrg(stack, f"scale-{n:02d}") for n in range(args.orgs)]
        backfiller, others = orgs[0], orgs[1:]
        for org, tenant_id in zip(orgs, tenants, strict=True):
            helpers.connect_to(org, running.xero, tenant_id)
            frequency = "manual" if org is backfiller else "realtime"
            org.configure({**SETTINGS, "sync_frequency": frequency}, [helpers.GST])
        progress(f"{args.orgs} orgs connected; pushing the backfill's {facts.backfill_records:,} records")
        # Smaller chunks than local_run's 500: on a loaded machine a 500-record push outlived the
        # API's 29 s five times running (503s).
        pushed = backfiller.push(people + docs + payments, chunk_size=BACKFILL_PUSH_CHUNK)
        assert pushed["rejected"] == 0, pushed
        numbers = [0]  # the sale numbers, unique across both windows
        progress(f"baseline: {len(others)} orgs pushing for {args.baseline_minutes:g} min, no backfill")
        baseline, first = window(
            "baseline",
            running.xero,
            others,
            minutes=args.baseline_minutes,
            period=args.push_every,
            grace=args.grace,
            numbers=numbers,
            backfill_tenant=tenants[0],
        )
        progress(f"backfill: Sync now, then {len(others)} orgs pushing for {args.minutes:g} min")
        sync_started = time.monotonic()
        backfiller.sync()
        loaded, second = window(
            "backfill",
            running.xero,
            others,
            minutes=args.minutes,
            period=args.push_every,
            grace=args.grace,
            numbers=numbers,
            backfill_tenant=tenants[0],
            backfill_org=backfiller.org_id,
        )
        if args.finish:
            progress("waiting for the backfill to finish, then checking what reached Xero")
            local_run.until_exported(stack, backfiller.org_id, backfiller.sync)
            facts.backfill_minutes = (time.monotonic() - sync_started) / 60
            wait_synced({k: first[k] + second[k] for k in first}, args.grace)
            facts.backfill_in_xero = helpers.in_xero(running.xero, tenants[0], "BF-")
            counted = [helpers.in_xero(running.xero, tenant_id, "RT-") for tenant_id in tenants[1:]]
            facts.realtime_in_xero = (sum(c[0] for c in counted), sum(c[1] for c in counted))
        facts.realtime_pushed = baseline.pushed + loaded.pushed
        facts.failures = [line for org in orgs for line in org.failures(limit=5)]
    return baseline, loaded, facts


def progress(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}, load {load()}] {message}", file=sys.stderr, flush=True)


# --- the report ------------------------------------------------------------------------------


def report(baseline: Phase, loaded: Phase, facts: Facts) -> str:
    def seconds(value: float | None) -> str:
        return "not synced" if value is None else f"{value:.1f} s"

    def latency(phase: Phase, share: float) -> str:
        return seconds(phase.latency(share))

    def tenant(phase: Phase, of: dict[str, Any]) -> str:
        value = of.get(phase.backfill_tenant or "", 0)
        return f"{value:.1f}" if isinstance(value, float) else str(value)

    def others(phase: Phase) -> str:
        means, peaks = phase.others_calls()
        median, most = helpers.median_and_max(means)
        return f"{median:.1f} / {most:.1f} (peak {max(peaks, default=0)})"

    rows: list[tuple[str, Any]] = [
        ("window (wall time)", lambda p: f"{p.minutes:.1f} min"),
        ("real-time orgs pushing", lambda p: str(p.orgs)),
        ("invoices pushed (each with its contact)", lambda p: f"{p.pushed:,}"),
        ("invoice push → synced, p50", lambda p: latency(p, 0.50)),
        ("invoice push → synced, p95", lambda p: latency(p, 0.95)),
        ("invoice push → synced, max", lambda p: seconds(max(p.latencies)) if p.latencies else "-"),
        ("not synced by window end + grace", lambda p: f"{p.not_synced} (grace {p.grace_seconds:.0f} s)"),
        (
            "Xero calls a minute, all tenants (mean / max)",
            lambda p: f"{p.calls.per_minute_mean:.0f} / {p.calls.per_minute_max}",
        ),
        ("backfilling tenant, calls a minute (mean)", lambda p: tenant(p, p.calls.per_tenant_mean)),
        ("backfilling tenant, busiest minute", lambda p: tenant(p, p.calls.per_tenant_peak)),
        ("other tenants, calls a minute (median / max)", others),
        ("429s", lambda p: str(p.calls.rate_limited)),
        (
            "backfill records synced by window end",
            lambda p: "-" if p.backfill_synced is None else f"{p.backfill_synced:,}",
        ),
        ("load average (start → end)", lambda p: p.load),
    ]
    header = f"{'':46} {'baseline (no backfill)':>28} {'one org backfilling':>28}"
    lines = [header, "-" * len(header)]
    for name, of in rows:
        lines.append(f"{name:46} {of(baseline):>28} {of(loaded):>28}")
    lines.append("")
    from xero_sync.services.sync import BACKFILL_KEYS  # after local_run put the layer on the path

    kind = (
        "a backfill: background work"
        if facts.backfill_records > BACKFILL_KEYS
        else f"at most {BACKFILL_KEYS:,}: a real-time sync, not a backfill"
    )
    lines.append(
        f"backfill: {facts.backfill_records:,} records ({kind}; {facts.backfill_invoices:,} paid invoices "
        f"and their contacts) in one org; latencies are of the other orgs' invoices, from the "
        f"push's received_at to synced_at (the invoice waits for its new contact); each function "
        f"ran {facts.concurrency} invocation{'s' if facts.concurrency != 1 else ''} side by side."
    )
    if facts.backfill_in_xero is not None and facts.realtime_in_xero is not None:
        lines.append(
            f"in Xero (invoices / distinct numbers): backfill {facts.backfill_in_xero[0]:,} / "
            f"{facts.backfill_in_xero[1]:,} of {facts.backfill_invoices:,}; real-time "
            f"{facts.realtime_in_xero[0]:,} / {facts.realtime_in_xero[1]:,} of {facts.realtime_pushed:,}; "
            f"the backfill took {facts.backfill_minutes:.1f} min from Sync now."
        )
    if facts.failures:
        lines.append("failures: " + "; ".join(facts.failures[:10]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/scale_exports.py", description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=50, help="orgs connected; one of them backfills")
    parser.add_argument("--backfill", type=int, default=20_000, help="records the backfilling org pushes")
    parser.add_argument("--minutes", type=float, default=5.0, help="the window with the backfill running")
    parser.add_argument("--baseline-minutes", type=float, default=2.0, help="the window with no backfill")
    parser.add_argument("--push-every", type=float, default=30.0, help="seconds between an org's pushes")
    parser.add_argument("--grace", type=float, default=60.0, help="seconds after a window for its last pushes")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=5,
        help="invocations of one function side by side (AWS: up to 10 per family worker, 5 for the backfill's)",
    )
    parser.add_argument(
        "--finish", action="store_true", help="wait for the backfill to finish and check what reached Xero"
    )
    parser.add_argument("--json", action="store_true", help="also print the results as JSON (the last line)")
    args = parser.parse_args(argv)
    if args.orgs < 2:
        parser.error("--orgs must be at least 2: one backfills, the others export in real time")

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    baseline, loaded, facts = run(args)
    print(report(baseline, loaded, facts))
    if args.json:
        print(json.dumps({"baseline": asdict(baseline), "backfill": asdict(loaded), "facts": asdict(facts)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
