"""The chaos harness's faults (benchmarks/chaos.py): ``Chaos`` decides every fault from one seeded
generator and arms Xero's on the emulator's control plane, ``install`` wraps the export workers'
handler and the records table's synced marks to kill the worker mid-batch, redeliver batches
and push duplicates, and ``redrive_dlqs`` is the operator's DLQ redrive. The module docstring of
chaos.py lists the faults and their rates."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

XERO_FAULTS = ("http_500", "http_503", "http_429", "slow", "drop_after_commit", "timeout_after_commit")
FAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "http_429": {"delay_seconds": 1, "problem": "minute"},
    "slow": {"delay_seconds": 0.5},
    "timeout_after_commit": {"delay_seconds": 5.0},  # the client gives up after XERO_TIMEOUT_SECONDS
}
# The service's XERO_TIMEOUT_SECONDS in the chaos run (chaos.py sets it): shorter than the delay of
# timeout_after_commit above, so that fault really is a time-out.
CLIENT_TIMEOUT_SECONDS = 3


class WorkerKilled(BaseException):
    """The worker dies: not an ``Exception``, so no handler in the service catches it."""


@dataclass
class Chaos:
    """Decides and injects the faults, one seeded generator for every decision."""

    seed: int
    xero: str  # the emulator's base URL
    tenant_id: str
    fault_rate: float
    kill_rate: float
    redelivery_rate: float
    duplicate_rate: float
    pushed: list[dict[str, Any]] = field(default_factory=list)
    org: Any = None
    on: bool = True
    injected: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed * 7919)
        self._lock = threading.Lock()

    def roll(self, rate: float) -> bool:
        with self._lock:
            return self.on and self._rng.random() < rate

    def pick(self, choices: Any) -> Any:
        with self._lock:
            return self._rng.choice(choices)

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.injected[name] += n

    def before_batch(self) -> None:
        """Before a worker batch: maybe arm a Xero fault on the tenant's next call, maybe have
        the host push some records again."""
        if self.roll(self.fault_rate):
            kind = self.pick(XERO_FAULTS)
            rule = {"kind": kind, "count": 1, "tenant_id": self.tenant_id, **FAULT_OPTIONS.get(kind, {})}
            requests.post(f"{self.xero}/_emulator/faults", json=rule, timeout=30).raise_for_status()
            self.count(f"{kind} (armed)")
        if self.roll(self.duplicate_rate) and self.pushed:
            with self._lock:
                again = self._rng.sample(self.pushed, min(len(self.pushed), self._rng.randint(1, 50)))
            answer = self.org.push(again)
            self.count("duplicate push (records)", len(again))
            self.count("duplicate push: stale, not stored again", answer["stale"])

    def maybe_kill(self) -> None:
        """Kill the worker at random, and always at the first chance when kills are asked for: a
        write-down per batch is few rolls, and which roll meets a write depends on the threads'
        interleaving, so a small run could otherwise end with no kill at all."""
        with self._lock:
            first = self.kill_rate > 0 and self.on and not self.injected["worker killed mid-batch"]
        if first or self.roll(self.kill_rate):
            self.count("worker killed mid-batch")
            raise WorkerKilled()

    def fired(self) -> dict[str, int]:
        """How often each Xero fault actually met a call (the emulator's count)."""
        rules = requests.get(f"{self.xero}/_emulator/faults", timeout=30).json()["faults"]
        fired: Counter = Counter()
        for rule in rules:
            fired[rule["kind"]] += rule["fired"]
        return dict(fired)


def install(chaos: Chaos) -> None:
    """Wrap the export workers' handler and the records table's synced marks (``mark_synced``,
    ``mark_all_synced``) before the runner imports the functions, as the backfill benchmark
    instruments them."""
    import xero_sync.workers as workers
    from xero_sync.dal.records import RecordRepository

    original_handler = workers.handle_export_batch
    original_mark_synced = RecordRepository.mark_synced
    original_mark_all_synced = RecordRepository.mark_all_synced

    def handler(family, event, context):
        chaos.before_batch()
        try:
            answer = original_handler(family, event, context)
        except WorkerKilled:
            # The Lambda died: the invocation fails, nothing is deleted, SQS delivers it again.
            raise RuntimeError("the export worker was killed mid-batch (chaos)") from None
        if chaos.roll(chaos.redelivery_rate):
            chaos.count("SQS redelivery (batches)")
            return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}
        return answer

    def mark_synced(self, *args, **kwargs):
        chaos.maybe_kill()  # after Xero's answer, before it is written down
        return original_mark_synced(self, *args, **kwargs)

    def mark_all_synced(self, *args, **kwargs):
        chaos.maybe_kill()  # after Xero's answer to a call, before any of its records is written down
        return original_mark_all_synced(self, *args, **kwargs)

    workers.handle_export_batch = handler
    RecordRepository.mark_synced = mark_synced
    RecordRepository.mark_all_synced = mark_all_synced


def redrive_dlqs(stack: Any) -> int:
    """What the SQS console's "Start DLQ redrive" does for every export DLQ: each message back to
    its source queue (moto has no StartMessageMoveTask, so receive + send + delete)."""
    from xero_sync.domain.families import Family
    from xero_sync.settings import ExportQueueSettings
    from xero_sync.wiring import container

    settings = container().settings_for(ExportQueueSettings)
    sqs = stack.aws_client("sqs")
    pairs = [(settings.dlq_url(family), settings.queue_url(family)) for family in Family]
    if settings.backfill_dlq_url and settings.backfill_queue_url:
        pairs.append((settings.backfill_dlq_url, settings.backfill_queue_url))
    moved = 0
    for dlq, source in pairs:
        while True:
            messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            if not messages:
                break
            for message in messages:
                sqs.send_message(QueueUrl=source, MessageBody=message["Body"])
                sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
            moved += len(messages)
    return moved
