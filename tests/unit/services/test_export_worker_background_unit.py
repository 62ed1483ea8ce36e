"""A backfill's batch takes one Xero call's worth of keys and puts the rest back on the queue, a
call's pace apart, so that a worker never waits for the backfilling tenant's turn while other
orgs' real-time records queue behind it (N2; measured by benchmarks/scale_exports.py)."""

from __future__ import annotations

from fakes.clock import ManualClock
from fakes.connections import InMemoryConnections
from fakes.messaging import RecordingExportQueue
from fakes.records import InMemoryRecords
from fakes.stores import InMemoryHistory

from xero_sync.domain.records import RecordKey
from xero_sync.models.messages import EnqueueReason, ExportMessage, RecordRef
from xero_sync.services.export.outcomes import BatchResult
from xero_sync.services.export.worker import ExportWorker


class Worker(ExportWorker):
    """The worker, its per-org export replaced by a note of the keys it was given."""

    exported: dict[str, list[RecordKey]]

    def _export_org(self, org_id: str, keys: list[RecordKey], result: BatchResult) -> None:
        self.exported.setdefault(org_id, []).extend(keys)


def worker(queue: RecordingExportQueue) -> Worker:
    made = Worker(
        records=InMemoryRecords(),
        connections=InMemoryConnections(),
        history=InMemoryHistory(),
        queues=queue,
        xero=None,  # type: ignore[arg-type]  # never called: the export itself is replaced
        contexts=None,  # type: ignore[arg-type]
        clock=ManualClock(),
    )
    made.exported = {}
    return made


def messages(org_id: str, count: int, reason: EnqueueReason) -> list[ExportMessage]:
    refs = [RecordRef(entity="invoice", record_id=f"inv-{n:04d}") for n in range(count)]
    return [
        ExportMessage(org_id=org_id, records=refs[start : start + 50], reason=reason) for start in range(0, count, 50)
    ]


def test_a_backfill_batch_sends_one_call_now_and_the_rest_back_a_call_apart_as_backfill():
    queue = RecordingExportQueue()
    run = worker(queue)

    result = run.handle(messages("org-big", 120, EnqueueReason.BACKFILL))

    everything = sorted(RecordKey("org-big", "invoice", f"inv-{n:04d}") for n in range(120))
    assert run.exported == {"org-big": everything[:50]}
    assert queue.sent == [(everything[50:100], "backfill"), (everything[100:], "backfill")]
    assert queue.delays == [1, 2]
    assert result.retried == 70


def test_real_time_batches_are_never_cut():
    queue = RecordingExportQueue()
    run = worker(queue)

    run.handle(messages("org-live", 120, EnqueueReason.SYNC) + messages("org-push", 3, EnqueueReason.PUSH))

    assert len(run.exported["org-live"]) == 120 and len(run.exported["org-push"]) == 3
    assert queue.sent == []


def test_in_a_mixed_batch_only_the_backfilling_org_is_cut():
    queue = RecordingExportQueue()
    run = worker(queue)

    run.handle(messages("org-big", 80, EnqueueReason.BACKFILL) + messages("org-live", 10, EnqueueReason.PUSH))

    assert len(run.exported["org-big"]) == 50 and len(run.exported["org-live"]) == 10
    assert [(len(keys), reason) for keys, reason in queue.sent] == [(30, "backfill")]


def test_a_backfill_key_sent_for_another_reason_too_is_real_time_work_and_not_cut():
    queue = RecordingExportQueue()
    run = worker(queue)

    run.handle(messages("org-big", 80, EnqueueReason.BACKFILL) + messages("org-big", 1, EnqueueReason.WAKE))

    assert len(run.exported["org-big"]) == 80
    assert queue.sent == []


def test_a_backfill_batch_of_one_call_or_less_goes_whole():
    queue = RecordingExportQueue()
    run = worker(queue)

    run.handle(messages("org-big", 50, EnqueueReason.BACKFILL))

    assert len(run.exported["org-big"]) == 50 and queue.sent == []
