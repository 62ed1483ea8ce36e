"""What the benchmarks share: the local stack with moto server and the Xero emulator each in a
process of their own, one host org connected through the host API, and waiting until its
records are exported. Used by backfill.py and chaos.py.

moto and the emulator run in processes of their own so that what is left in this one is the
service (the handlers, the runner): the local stand-ins do not compete with it for one GIL.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from local_servers import Servers, emulated_xero, xero_and_aws  # benchmarks/, the script's folder

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path[:0] = [str(ROOT / "layers" / "common"), str(ROOT)]

PUSH_CHUNK = 500


@contextlib.contextmanager
def servers(*, time_scale: float, day_limit: int) -> Iterator[Servers]:
    """The Xero emulator (``time_scale`` × real time, ``day_limit`` per tenant) and moto servers
    (DynamoDB, SQS and the rest), each in a process of its own (``local_servers.py``), for as long
    as the block runs."""
    options = ["--auto-consent", "--quiet", "--time-scale", str(time_scale), "--day-limit", str(day_limit)]
    with xero_and_aws(options, own_process_for=("dynamodb", "sqs")) as started:
        yield started


def local_stack(
    running: Servers, *, label: str, time_scale: float, environment: Mapping[str, str] = {}, **options: Any
) -> Any:
    """The local stack (template.yaml's functions, tables and queues) on ``running``'s moto server,
    calling the emulator as its Xero, with the sync tick every minute as in AWS."""
    from local.stack import LocalStack

    return LocalStack.start(
        xero=emulated_xero(running.xero),  # the emulator in its own process
        extra_environment={
            "XERO_MINUTE_LIMIT": str(int(60 * time_scale)),
            # Deferrals and retries in emulated time: the back-off's 30 s at this time scale.
            "EXPORT_BACKOFF_SECONDS": str(max(1, round(30 / time_scale))),
            "LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_DISABLED": "true",  # no metric lines between the numbers
            **environment,
        },
        schedules=True,  # the sync tick every minute, as in AWS: it sends what one sync left
        stack_name=f"bench-{label.lower()}",
        aws_endpoint_url=running.aws,
        aws_service_endpoints=running.services,  # AWS_ENDPOINT_URL_DYNAMODB, _SQS for the functions
        **options,
    )


@dataclass
class HostOrg:
    """One org of the host, driven through the host API with its own API key."""

    stack: Any
    org_id: str

    def __post_init__(self) -> None:
        key = self.stack.create_api_key(name="benchmark", org_ids=[self.org_id])
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {key.api_key}"
        self.base = f"{self.stack.api_url}/v1/orgs/{self.org_id}"

    def connect(self) -> None:
        started = self.api.post(f"{self.base}/connect", json={"return_url": f"{self.stack.api_url}/host"}, timeout=60)
        consent = requests.get(started.json()["authorize_url"], allow_redirects=False, timeout=60)
        callback = requests.get(consent.headers["Location"], allow_redirects=False, timeout=120)
        assert "xero_status=connected" in callback.headers["Location"], callback.headers["Location"]

    def configure(self, settings: dict[str, Any], mappings: list[dict[str, Any]]) -> None:
        assert self.api.put(f"{self.base}/settings", json={"settings": settings}, timeout=60).ok
        assert self.api.put(f"{self.base}/tax-mappings", json={"mappings": mappings}, timeout=60).ok

    def push(self, records: list[dict[str, Any]], chunk_size: int = PUSH_CHUNK) -> dict[str, int]:
        """Push ``records`` in chunks; how many were accepted, stale, rejected."""
        totals = {"accepted": 0, "stale": 0, "rejected": 0}
        for start in range(0, len(records), chunk_size):
            chunk = records[start : start + chunk_size]
            answer = self._post("/records", {"records": chunk})
            assert answer.status_code == 202, (answer.status_code, answer.text[:500])
            for name in totals:
                totals[name] += answer.json().get(name, 0)
        return totals

    def sync(self) -> None:
        started = self._post("/sync", {})
        assert started.status_code == 202, (started.status_code, started.text[:500])

    def _post(self, path: str, body: dict[str, Any], attempts: int = 5) -> requests.Response:
        """POST as a host does: a 502/503/504 (the API function timed out on a loaded machine, as
        API Gateway reports it) is sent again — a push repeats the same versions (stale the
        second time), a sync sends the same keys — a few times before it counts."""
        for attempt in range(attempts):
            answer = self.api.post(f"{self.base}{path}", json=body, timeout=300)
            if answer.status_code not in (502, 503, 504):
                return answer
            time.sleep(1 + attempt)
        return answer

    def failures(self, limit: int = 20) -> list[str]:
        history = self.api.get(f"{self.base}/history", params={"status": "failed", "limit": limit}, timeout=120)
        assert history.status_code == 200, (history.status_code, history.text[:300])
        return [f"{e['entity']} {e['record_id']}: {e['message']}" for e in history.json()["events"]]


def statuses(org_id: str) -> dict[str, int]:
    """How many of the org's records are in each sync status (the records table's index)."""
    from xero_sync.domain.records import RecordStatus
    from xero_sync.wiring import container

    records = container().records
    return {status.value: sum(1 for _ in records.keys_with_status(org_id, status)) for status in RecordStatus}


STALL_SECONDS = 300.0
"""How long the records may stay outstanding without any change before a wait gives up: longer
than a claim (the worker's ``claim_seconds``, 120 s) so a claim left by a failed invocation runs
out and the next sync takes its record."""


DRAIN_SLICE_SECONDS = 15.0
"""How long one drain may run before the queues are looked at again."""

LOOK_WHILE_QUEUED_SECONDS = 60.0
"""How often a measured run (the backfill) counts the statuses while the export queues still hold
messages. Counting them is not free: it pages the org's records through the status index, and
moto answers each page of a big index by scanning the whole table: ~0.75 s of its CPU per page
of ~2,000 keys at 20,000 records, 6.5 s to page 18,000 synced keys (measured), while the workers'
requests wait behind it. Counted after every 15-second drain, that is up to 7 s of every ~22 s
late in a 10,000-invoice run, a cost the service never has in AWS. While messages are queued the
count only serves the stall check, which needs minutes, not seconds; once the queues are empty
it is taken every time (that is when the export is done, or needs another sync)."""


def until_exported(
    stack: Any,
    org_id: str,
    resync: Callable[[], None],
    *,
    stall_seconds: float = STALL_SECONDS,
    done: Callable[[dict[str, int]], bool] | None = None,
    look_while_queued_seconds: float = 0.0,
) -> int:
    """Deliver messages until none is queued and no record is pending or waiting (or ``done``
    says so of the statuses); returns how many times the org had to be synced again.

    A record may be left outstanding with no message on its way: its message was consumed while
    a failed invocation's claim still held it, or a wake-up went to a parent that was already
    "on its way". In AWS the org's next scheduled sync sends it again; the benchmarks' orgs are
    manual (nothing else sends during a measurement), so when the queues are drained and records
    are still outstanding and no sync is scheduled this does what the schedule would: ``resync``
    (Sync now). Messages not due yet (a back-off, the failure digest's delayed email) do not hold
    it up. With no change of the statuses for ``stall_seconds`` (nothing queued, or messages that
    keep coming back) it stops with the statuses and the outstanding records: it never hangs.
    ``look_while_queued_seconds``: count the statuses at most that often while messages are
    queued (``LOOK_WHILE_QUEUED_SECONDS``); 0, after every drain (the chaos run's DLQ check)."""
    resyncs = 0
    last, changed = statuses(org_id), time.monotonic()
    looked = changed
    while True:
        try:
            stack.runner.drain(timeout=DRAIN_SLICE_SECONDS)
            queued = False
        except TimeoutError:  # busy, or a message not due yet (a back-off, a failure digest)
            queued = _export_queued(stack)
        if queued and time.monotonic() - looked < look_while_queued_seconds:
            continue
        now, looked = statuses(org_id), time.monotonic()
        if (done or _nothing_outstanding)(now):
            return resyncs
        scheduled = not queued and _tick_due(org_id)
        if now != last or scheduled:
            last, changed = now, time.monotonic()
        elif time.monotonic() - changed > stall_seconds:
            raise SystemExit(
                f"not exported, no change for {stall_seconds:.0f} s "
                f"({'messages still queued' if queued else 'nothing queued'}): {_outstanding_report(org_id)}"
                f"\n{_queues_report(stack)}\n{_rate_limits_report()}"
            )
        if not queued:
            time.sleep(2)
            if not scheduled:
                resync()
                resyncs += 1


def _export_queued(stack: Any) -> bool:
    """Some export queue still holds a message (visible, in flight or delayed). The notifier's
    queue does not count: a failure digest waits there for its window (up to 15 minutes)."""
    return any(
        any(poller.queue_depth().values())
        for poller in stack.runner._pollers
        if poller.source.function.endswith("WorkerFunction")
    )


def _queues_report(stack: Any) -> str:
    """Each export queue that holds something: visible, in flight and delayed messages."""
    lines = ["queues (visible / in flight / delayed):"]
    for poller in stack.runner._pollers:
        try:
            depth = poller.queue_depth()
        except Exception as error:  # a report of a stall must not fail on its own
            lines.append(f"  {poller.source.queue_logical_id}: unreadable ({error})")
            continue
        if any(depth.values()):
            lines.append(
                f"  {poller.source.queue_logical_id}: {depth.get('ApproximateNumberOfMessages', 0)} / "
                f"{depth.get('ApproximateNumberOfMessagesNotVisible', 0)} / "
                f"{depth.get('ApproximateNumberOfMessagesDelayed', 0)}"
            )
    return "\n  ".join(lines)


def _rate_limits_report() -> str:
    """What the rate governor and the app-wide budget hold (the RateLimits table, small here):
    a stall with messages queued is often every call being held."""
    from xero_sync.dal.models import RateLimitModel

    lines = [f"rate limits (now {time.time():.1f}):"]
    try:
        for item in RateLimitModel.scan():
            values = {name: value for name, value in item.attribute_values.items() if name not in ("bucket", "kind")}
            lines.append(f"  {item.bucket} {item.kind}: {values}")
    except Exception as error:
        lines.append(f"  unreadable ({error})")
    return "\n  ".join(lines)


def _nothing_outstanding(now: dict[str, int]) -> bool:
    return now["pending"] == 0 and now["waiting"] == 0


def _tick_due(org_id: str) -> bool:
    """The org has a sync coming that the tick (every minute) will start: the rest of a big
    backlog, or a wait for Xero's day limit. A sync that should have started a tick ago counts
    as none."""
    from xero_sync.clock import utcnow
    from xero_sync.wiring import container

    connection = container().connections.get(org_id)
    if connection is None or connection.next_sync_at is None:
        return False
    return connection.next_sync_at > utcnow() - timedelta(minutes=2)


def _outstanding_report(org_id: str, limit: int = 20) -> str:
    """The statuses, and what the first outstanding records say (status, attempts, claim, message)."""
    from xero_sync.domain.records import RecordStatus
    from xero_sync.wiring import container

    records = container().records
    lines = [f"statuses {statuses(org_id)}"]
    for status in (RecordStatus.PENDING, RecordStatus.WAITING):
        for key in itertools.islice(records.keys_with_status(org_id, status), limit):
            row = records.get(key)
            if row is not None:
                lines.append(
                    f"{key.entity} {key.record_id}: {row.status.value}, {row.attempts} attempts, "
                    f"claim until {row.claim_until}, waiting on {row.waiting_on}, {row.last_message!r}"
                )
    return "\n  ".join(lines)


def first_tenant(xero: str) -> str:
    return requests.get(f"{xero}/_emulator/tenants", timeout=30).json()["tenants"][0]["tenant_id"]


def requests_log(xero: str, tenant_id: str) -> list[dict[str, Any]]:
    body = requests.get(f"{xero}/_emulator/requests", params={"tenant_id": tenant_id}, timeout=300).json()
    return body["requests"] if isinstance(body, dict) else body


def tenant_state(xero: str, tenant_id: str) -> dict[str, Any]:
    return requests.get(f"{xero}/_emulator/tenants/{tenant_id}/state", timeout=300).json()
