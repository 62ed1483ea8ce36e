"""Operator reprocessing (F7.3): send matching records of some orgs to the export queues again.

Run from the Lambda console with a test event from ``events/reprocess/``. Records are found
per org through the StatusIndex (``{org}#{status}``, bounded by when they entered the status) —
a query, never a scan — then filtered by entity and error code. Without ``dry_run: false``
nothing changes: the result says what would be re-queued.

Re-queueing puts each record back to ``pending`` with a conditional write (only from the status
asked for, so a record that was synced meanwhile stays synced) and sends its key to its
family's queue. Queue messages carry keys only and the worker reads the latest state and claims
each record before any Xero call, so reprocessing — like a DLQ redrive — never creates a
duplicate in Xero (N1). An org that is not connected keeps its records pending: they go when it
reconnects (the first sync after a connect sends every pending record).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from xero_sync.clock import Clock
from xero_sync.domain.records import RecordKey, RecordStatus
from xero_sync.models.messages import EnqueueReason
from xero_sync.models.notifications import OrgReprocess, ReprocessRequest, ReprocessResult
from xero_sync.observability import MetricUnit, logger, metrics
from xero_sync.services.history import admin_event
from xero_sync.services.ports import ConnectionStore, HistoryStore, RecordStore

SAMPLE_SIZE = 10
ENQUEUE_CHUNK = 500


class Queues(Protocol):
    def enqueue(self, keys: list[RecordKey], reason: EnqueueReason, *, delay_seconds: int = 0) -> int: ...


@dataclass
class ReprocessService:
    records: RecordStore
    connections: ConnectionStore
    queues: Queues
    history: HistoryStore
    clock: Clock

    def run(self, request: ReprocessRequest) -> ReprocessResult:
        result = ReprocessResult(dry_run=request.dry_run, status=request.status, entity=request.entity, orgs=[])
        for org_id in request.org_ids:
            org = self._org(org_id, request)
            result.orgs.append(org)
            result.matched += org.matched
            result.requeued += org.requeued
            result.enqueued += org.enqueued
        metrics.add_metric(name="RecordsReprocessed", unit=MetricUnit.Count, value=result.requeued)
        logger.info("Reprocess done", extra=result.model_dump(mode="json", exclude={"orgs"}))
        return result

    def _org(self, org_id: str, request: ReprocessRequest) -> OrgReprocess:
        status = RecordStatus(request.status.value)
        keys = self._matching(org_id, status, request)
        connection = self.connections.get(org_id)
        connected = connection is not None and connection.syncs
        report = OrgReprocess(
            org_id=org_id,
            matched=len(keys),
            connected=connected,
            sample=[f"{key.entity}/{key.record_id}" for key in keys[:SAMPLE_SIZE]],
        )
        if not connected:
            report.note = (
                "The org is not connected to Xero: the records are set pending and go when it reconnects."
                if connection is not None
                else "The org has never connected to Xero."
            )
        if request.dry_run or not keys:
            return report

        now = self.clock()
        if status is RecordStatus.PENDING:
            requeued = keys  # already pending: only their queue messages may be missing
        else:
            requeued = [key for key in keys if self.records.requeue(key, now=now, only_from=[status])]
        report.requeued = len(requeued)
        if connected:
            for start in range(0, len(requeued), ENQUEUE_CHUNK):
                report.enqueued += self.queues.enqueue(requeued[start : start + ENQUEUE_CHUNK], EnqueueReason.REPROCESS)
        message = (
            f"Operator reprocess: {report.requeued} {status.value} record(s) sent again"
            + (f" ({request.entity.value})" if request.entity else "")
            + ("." if connected else "; they go to Xero once the org reconnects.")
        )
        details = {"matched": report.matched, "requeued": report.requeued, "enqueued": report.enqueued}
        entity = request.entity.value if request.entity else None
        self.history.append(admin_event(org_id, now, "reprocess", message, entity=entity, details=details))
        return report

    def _matching(self, org_id: str, status: RecordStatus, request: ReprocessRequest) -> list[RecordKey]:
        keys = []
        for key in self.records.keys_with_status(org_id, status, since=request.since, until=request.until):
            if request.entity is not None and key.entity != request.entity.value:
                continue
            keys.append(key)
        if request.error_code and keys:
            items = self.records.get_many(keys)
            keys = [key for key in keys if key in items and items[key].error_code == request.error_code]
        return keys[: request.limit]  # oldest first, as the index orders them


def describe(result: ReprocessResult) -> str:
    """One line per org for the console's log output."""
    verb = "would re-queue" if result.dry_run else "re-queued"
    lines = [
        f"Reprocess ({'dry run' if result.dry_run else 'for real'}): {result.status.value} records"
        + (f" of entity {result.entity.value}" if result.entity else "")
    ]
    for org in result.orgs:
        count = org.matched if result.dry_run else org.requeued
        line = f"  {org.org_id}: {count} {verb}"
        if org.sample:
            line += f" (e.g. {', '.join(org.sample[:5])})"
        if org.note:
            line += f" - {org.note}"
        lines.append(line)
    return "\n".join(lines)
