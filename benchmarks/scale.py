"""Scale benchmark (issue 13, item 2): the sync tick with 10,000 connected orgs.

    ./scripts/bench scale                    # 10,000 orgs, 60 simulated minutes
    ./scripts/bench scale --orgs 2000 --minutes 10

It prints one table. The orgs are made directly in the local stack's tables (moto server in a
process of its own) through the service's own repositories, so they are the items a real connect
leaves behind: a connected Connections item on the sharded due index, its settings item, and for a
share of the orgs pending records. Then the real ``SyncService.tick`` runs at each simulated
minute (``now`` is passed in; the Lambda's 60 s budget is wall time), nothing consuming the
queues, and the benchmark counts what each tick asks of DynamoDB and SQS with botocore event
hooks on the clients (``provide-client-params``: table, operation, partition key).

Set-up (not measured): a mix of sync frequencies (``--mix``; SPEC F2.1's choices, the default
being every 10 minutes), each org's next sync spread evenly over its interval (a fleet that has
been running for a while, not 10,000 orgs connected in the same minute); ``--active`` of the orgs
hold 1 to ``--max-pending`` pending records. After the minutes, ``--catch-up`` makes every
scheduled org due at once (after an outage, or the tick disabled for a while) and runs one tick.

Checked on every tick (the run fails otherwise): every org due at that minute synced once, no
org twice, the keys enqueued are the synced orgs' pending records, and the SQS messages hold
them. Overlapping ticks are not run here: moto does not make a conditional write atomic against
a concurrent one (two claims of one org can both succeed on moto, never on DynamoDB); the unit
tests cover overlapping ticks.

The local stand-in limits the wall times: moto answers every request in one Python process, and
its index query reads every item of the table (DynamoDB reads one partition), so a tick's time
here grows with the table. The projected rows say what the same requests cost in AWS.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from local_servers import emulated_xero, xero_and_aws  # benchmarks/, the script's folder
from request_meter import Meter, instrument

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "layers" / "common"), str(ROOT)]

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
MIX = "realtime=30,every_10_minutes=35,hourly=20,daily=10,manual=5"
"""An assumed fleet: most orgs on the default (every 10 minutes) or real-time (with its hourly
sweep), some hourly or daily, a few manual (never scheduled)."""
LAMBDA_BUDGET = 60.0  # the tick function's Timeout in template.yaml
# Projection: typical in-region latencies of one request seen from a Lambda (an assumption, not a
# measurement): DynamoDB single-digit milliseconds, SQS a little more.
DYNAMODB_MS, SQS_MS = 5.0, 10.0


# --- the fleet ----------------------------------------------------------------------------------------


@dataclass
class Org:
    org_id: str
    frequency: Any  # SyncFrequency
    next_due: datetime | None
    pending: int
    synced: list[datetime] = field(default_factory=list)


def fleet(orgs: int, mix: str, active: float, max_pending: int, seed: int = 13) -> list[Org]:
    from xero_sync.domain.schedule import INTERVALS
    from xero_sync.models.org_config import SyncFrequency

    rng = random.Random(seed)
    shares = {SyncFrequency(name): float(share) for name, share in (part.split("=") for part in mix.split(","))}
    frequencies = rng.choices(list(shares), weights=list(shares.values()), k=orgs)
    made = []
    for n, frequency in enumerate(frequencies):
        interval = INTERVALS[frequency]
        # Spread over the interval, whole seconds: a fleet in its steady state.
        due = None if interval is None else START + timedelta(seconds=rng.randrange(int(interval.total_seconds())))
        pending = rng.randint(1, max_pending) if rng.random() < active else 0
        made.append(Org(f"org-{n:05d}", frequency, due, pending))
    return made


def populate(services: Any, orgs: list[Org]) -> None:
    """Each org as connect leaves it (consent stored, tenant chosen), its settings, its schedule
    and its pending records — written through the repositories, eight at a time."""
    from xero_sync.domain.config_items import SETTINGS
    from xero_sync.domain.connection import EncryptedTokens, TenantRef
    from xero_sync.domain.records import RecordKey, RecordStatus
    from xero_sync.models.org_config import OrgSettings

    connected_at = START - timedelta(days=1)
    tokens = EncryptedTokens(b"access", connected_at + timedelta(minutes=30), b"refresh", connected_at)

    def make(org: Org) -> None:
        tenant = TenantRef(f"tenant-{org.org_id}", f"connection-{org.org_id}", f"Books of {org.org_id}")
        services.connections.save_consent(
            org.org_id,
            tenants=[tenant],
            chosen=tenant,
            auth_event_id=None,
            scopes="accounting.transactions",
            connected_by_email=None,
            connected_by_user_id=None,
            tokens=tokens,
            now=connected_at,
        )
        body = OrgSettings(sync_frequency=org.frequency).model_dump(mode="json")
        services.org_config.put(org.org_id, SETTINGS, body, now=connected_at, expected_revision=0)
        if org.next_due is not None:
            services.connections.set_next_sync(org.org_id, org.next_due)
        for n in range(org.pending):
            services.records.store_version(
                RecordKey(org.org_id, "invoice", f"inv-{n}"),
                family="invoices",
                version=1,
                action="upsert",
                data={"number": f"INV-{n}"},
                status=RecordStatus.PENDING,
                now=connected_at,
            )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(make, orgs))


# --- the ticks ----------------------------------------------------------------------------------------


@dataclass
class Tick:
    now: datetime
    due: int
    synced: int
    enqueued: int
    stopped_early: bool
    wall: float
    dynamodb: Counter
    partitions: Counter
    sqs: Counter
    messages: Counter
    record_keys: int


def run_tick(services: Any, meter: Meter, orgs: dict[str, Org], now: datetime) -> Tick:
    """One tick, measured, and checked against the fleet's own schedule: who was due, who
    synced, what was enqueued."""
    from xero_sync.domain.schedule import next_sync_time
    from xero_sync.services.sync import MAX_KEYS_PER_SYNC

    due = {org.org_id for org in orgs.values() if org.next_due is not None and org.next_due <= now}
    synced: list[str] = []
    hooks = [hook for hook in services.sync.after_scheduled if getattr(hook, "__name__", "") != "_record_sync"]

    def _record_sync(org_id: str, at: datetime) -> None:
        synced.append(org_id)

    services.sync.after_scheduled[:] = [*hooks, _record_sync]  # the real hooks (the import's poll) too
    meter.reset()
    meter.on = True
    started = time.perf_counter()

    summary = services.sync.tick(now, time_left=lambda: LAMBDA_BUDGET - (time.perf_counter() - started))
    wall = time.perf_counter() - started
    meter.on = False
    stopped, enqueued = summary.stopped_early, summary.enqueued
    assert len(synced) == len(set(synced)), "an org synced twice in one minute"
    assert set(synced) <= due and (stopped or set(synced) == due), (len(due), len(synced))
    expected_keys = sum(min(orgs[o].pending, MAX_KEYS_PER_SYNC) for o in synced)
    assert enqueued == expected_keys == meter.record_keys, (enqueued, expected_keys, meter.record_keys)
    assert summary.orgs == len(synced)
    for org_id in synced:
        org = orgs[org_id]
        org.synced.append(now)
        org.next_due = next_sync_time(org.frequency, now)
    return Tick(
        now,
        len(due),
        len(synced),
        enqueued,
        stopped,
        wall,
        Counter(meter.dynamodb),
        Counter(meter.partitions),
        Counter(meter.sqs),
        Counter(meter.messages),
        meter.record_keys,
    )


def catch_up(services: Any, orgs: dict[str, Org], at: datetime) -> None:
    """Every scheduled org due at ``at`` (a tick outage): the schedule written as the tick would."""
    scheduled = [org for org in orgs.values() if org.next_due is not None]
    for org in scheduled:
        org.next_due = at

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda org: services.connections.set_next_sync(org.org_id, at), scheduled))


# --- the fan-out's bounds, from template.yaml ---------------------------------------------------------


def fan_out(stack: Any) -> dict[str, Any]:
    """What bounds the workers a tick starts: the export workers' SQS event sources'
    MaximumConcurrency, any reserved concurrency, and the tick's own schedule."""
    queues = {f"{family}Queue" for family in _export_queue_ids(stack)}
    workers: dict[str, int | None] = {}
    for name, function in stack.template.functions().items():
        for event in function.events.values():
            properties = event.get("Properties", {})
            queue = properties.get("Queue", {}).get("Fn::GetAtt", [""])[0] if event.get("Type") == "SQS" else ""
            if queue in queues:
                limit = stack.resolver.resolve((properties.get("ScalingConfig") or {}).get("MaximumConcurrency"))
                workers[name] = int(limit) if limit is not None else None
    reserved = {
        name: stack.resolver.resolve(resource["Properties"]["ReservedConcurrentExecutions"])
        for name, resource in stack.template.resources.items()
        if "ReservedConcurrentExecutions" in (resource.get("Properties") or {})
    }
    tick = stack.template.functions()["SyncTickFunction"]
    schedule = next(e["Properties"]["Schedule"] for e in tick.events.values() if e.get("Type") == "Schedule")
    return {
        "workers": workers,
        "reserved": reserved,
        "tick_schedule": schedule,
        "tick_timeout": tick.timeout_seconds,
        "import_queue": stack.physical("ImportQueue").rsplit("/", 1)[-1],  # the tick's polls for the import
    }


def _export_queue_ids(stack: Any) -> list[str]:
    from xero_sync.domain.families import Family

    return ["".join(part.title() for part in family.value.split("_")) for family in Family]


# --- the run ------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> tuple[list[Tick], dict[str, Any], list[Org], float]:
    with xero_and_aws(["--quiet"]) as servers:
        from local.stack import LocalStack

        with LocalStack.start(
            xero=emulated_xero(servers.xero),  # not called: nothing in a tick talks to Xero
            sqs=False,  # nothing consumes the queues: the tick's messages are what is measured
            extra_environment={"LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"},
            stack_name="bench-scale",
            aws_endpoint_url=servers.aws,
        ) as stack:
            from xero_sync.settings.sync_tick import SyncTickSettings
            from xero_sync.wiring import container

            services = container(SyncTickSettings)
            args.tick_workers = getattr(services.sync, "workers", 1)  # threads of the tick, if it has any
            orgs = fleet(args.orgs, args.mix, args.active, args.max_pending)
            began = time.perf_counter()
            populate(services, orgs)
            setup_seconds = time.perf_counter() - began
            meter = Meter(hash_keys={})
            instrument(meter, services)
            by_id = {org.org_id: org for org in orgs}
            ticks = [
                run_tick(services, meter, by_id, START + timedelta(minutes=minute))
                for minute in range(1, args.minutes + 1)
            ]
            if args.catch_up:
                at = START + timedelta(minutes=args.minutes + 1)
                catch_up(services, by_id, at)
                ticks.append(run_tick(services, meter, by_id, at))
            return ticks, fan_out(stack), orgs, setup_seconds


# --- the table ----------------------------------------------------------------------------------------


def _spread(values: list[float], unit: str = "", digits: int = 0) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return " / ".join(f"{value:,.{digits}f}{unit}" for value in (statistics.median(ordered), p95, ordered[-1]))


def report(ticks: list[Tick], bounds: dict[str, Any], orgs: list[Org], args: argparse.Namespace) -> str:
    steady = ticks[: args.minutes]
    catch = ticks[args.minutes] if args.catch_up else None
    mix = Counter(org.frequency.value for org in orgs)
    active = [org.pending for org in orgs if org.pending]
    dynamo = Counter()
    for tick in steady:
        dynamo.update(tick.dynamodb)
    per_request = ", ".join(
        f"{op} {table.rsplit('-', 1)[-1]} {n / len(steady):,.0f}" for (table, op), n in dynamo.most_common()
    )
    shares = [
        (tick.partitions.most_common(1)[0][1] / max(tick.dynamodb.total(), 1), tick.partitions.most_common(1)[0][0])
        for tick in steady
        if tick.partitions
    ]
    top_share, top_key = max(shares) if shares else (0.0, "–")
    sqs_requests = [sum(t.sqs.values()) for t in steady]
    messages = [sum(t.messages.values()) for t in steady]
    workers = bounds["workers"]
    bound = sum(v for v in workers.values() if v is not None)
    rows = [
        ("orgs (sync frequency mix)", f"{len(orgs):,}: " + ", ".join(f"{k} {v:,}" for k, v in mix.most_common())),
        ("orgs with pending records (records)", f"{len(active):,} ({sum(active):,}, 1–{args.max_pending} each)"),
        ("simulated minutes (ticks)", f"{len(steady)}" + (" + 1 catch-up tick" if catch else "")),
        ("due orgs per tick, median / p95 / max", _spread([t.due for t in steady])),
        (
            "synced orgs in all (none twice; those not reached stay due)",
            f"{sum(t.synced for t in steady):,}; {sum(t.stopped_early for t in steady)} of {len(steady)} ticks "
            "stopped early at the 60 s budget",
        ),
        ("wall time per tick on moto, median / p95 / max", _spread([t.wall for t in steady], " s", 2)),
        (
            "wall time per synced org on moto",
            f"{sum(t.wall for t in steady) / max(sum(t.synced for t in steady), 1) * 1000:.1f} ms",
        ),
        ("DynamoDB requests per tick, median / p95 / max", _spread([t.dynamodb.total() for t in steady])),
        ("DynamoDB requests per synced org", f"{dynamo.total() / max(sum(t.synced for t in steady), 1):.2f}"),
        ("DynamoDB requests per tick by operation, table (mean)", per_request),
        ("largest share of one tick's DynamoDB requests on one partition key", f"{top_share:.1%} ({top_key})"),
        ("SQS requests / messages per tick, median / p95 / max", f"{_spread(sqs_requests)} / {_spread(messages)}"),
        (
            "record keys enqueued per tick, median / max",
            f"{statistics.median([t.enqueued for t in steady]):,.0f} / {max(t.enqueued for t in steady):,}",
        ),
        (
            "fan-out bound: concurrent export workers",
            f"{bound} ({len(workers)} family workers × MaximumConcurrency {sorted(set(workers.values()))}); "
            f"reserved concurrency: {bounds['reserved'] or 'none'}",
        ),
        (
            "the tick's own concurrency",
            f"1 invocation per {bounds['tick_schedule']}, Timeout {bounds['tick_timeout']:.0f} s, "
            f"{getattr(args, 'tick_workers', '?')} threads",
        ),
    ]
    if catch is not None:
        rows += [
            (
                "catch-up tick: all scheduled orgs due at once",
                f"{catch.due:,} due, {catch.synced:,} synced in {catch.wall:.1f} s on moto"
                + (" (stopped early: the rest go next minute)" if catch.stopped_early else "")
                + f"; {catch.dynamodb.total():,} DynamoDB, {sum(catch.sqs.values()):,} SQS requests",
            ),
        ]
    rows += _projection(steady, catch, args)
    width = max(len(name) for name, _ in rows)
    lines = [f"| {'':{width}} | sync tick |", f"| {'-' * width} | --- |"]
    lines += [f"| {name:{width}} | {value} |" for name, value in rows]
    return "\n".join(lines)


def _projection(steady: list[Tick], catch: Tick | None, args: argparse.Namespace) -> list[tuple[str, str]]:
    """Projected, not measured: the requests counted per synced org, at typical AWS latencies,
    spread over the tick's threads, for the orgs due in a minute of the steady state (the first
    tick's due orgs) and for 10,000 due at once. On moto a tick may stop early, so the counted
    ticks alone would understate a minute's work."""
    threads = max(getattr(args, "tick_workers", 1) or 1, 1)
    ticks = [*steady, *([catch] if catch else [])]
    synced = sum(t.synced for t in ticks)
    if not synced:
        return []
    dynamodb = sum(t.dynamodb.total() for t in ticks) / synced
    sqs = sum(sum(t.sqs.values()) for t in ticks) / synced
    per_org = (dynamodb * DYNAMODB_MS + sqs * SQS_MS) / 1000 / threads
    assumed = f"{DYNAMODB_MS:.0f} ms a DynamoDB, {SQS_MS:.0f} ms an SQS request, {threads} threads"
    minute = steady[0].due if steady else 0
    return [
        (f"PROJECTED time per synced org in AWS ({assumed})", f"{per_org * 1000:.1f} ms"),
        (f"PROJECTED steady tick in AWS ({minute:,} orgs due a minute)", f"{per_org * minute:.1f} s"),
        ("PROJECTED tick with 10,000 orgs due at once, in AWS", f"{per_org * 10_000:.0f} s of the 60 s Timeout"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/scale.py", description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--minutes", type=int, default=60, help="simulated minutes, one tick each")
    parser.add_argument("--mix", default=MIX, help="sync frequency shares, e.g. " + MIX)
    parser.add_argument("--active", type=float, default=0.10, help="share of orgs with pending records")
    parser.add_argument("--max-pending", type=int, default=50)
    parser.add_argument("--catch-up", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line (for tests)")
    args = parser.parse_args(argv)
    ticks, bounds, orgs, setup_seconds = run(args)
    print(report(ticks, bounds, orgs, args))
    print(f"(set-up of the tables, not measured above: {setup_seconds:.0f} s)")
    if args.json:
        print(json.dumps(as_json(ticks, bounds, orgs)))
    return 0


def as_json(ticks: list[Tick], bounds: dict[str, Any], orgs: list[Org]) -> dict[str, Any]:
    return {
        "ticks": [
            {
                "due": t.due,
                "synced": t.synced,
                "enqueued": t.enqueued,
                "record_keys": t.record_keys,
                "stopped_early": t.stopped_early,
                "dynamodb": t.dynamodb.total(),
                "sqs": dict(t.sqs),
                "messages": dict(t.messages),
                "top_partition": t.partitions.most_common(1),
            }
            for t in ticks
        ],
        "orgs_by_syncs": dict(Counter(len(org.synced) for org in orgs)),  # syncs in the run -> orgs
        "workers": bounds["workers"],
        "import_queue": bounds["import_queue"],
    }


if __name__ == "__main__":
    sys.exit(main())
