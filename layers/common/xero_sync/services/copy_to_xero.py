""" "Copy to Xero" (F3.11, seed 002: "select any particular contact that you want to sync to Xero
… click on the Copy to Xero icon"): send one record now, whatever the org's schedule and
export-from date — but still under the sync tables' restrictions, the drafts rule and the
create/update/delete toggles.

How it answers within the API's time limit (decided here, documented in the README): the record
is put back to pending (an idle contact becomes exportable: the host asked for it), a safety-net
message goes to its family queue *with a delay*, and the export worker's pass for that one
record runs in the API function itself, in a thread the request waits for at most
``wait_seconds``. Finished in time → 200 with the outcome (synced, skipped, waiting or failed
with the reason). Not finished (Xero slow, the tenant's rate budget spent) → 202 with where to
look; the pass goes on, and should the function be frozen mid-call, the delayed message's worker
finds the record claimed or its outcome unknown and settles it the usual way (look in Xero
before sending again, N1). The worker's claim keeps the two from ever sending it twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from xero_sync.clock import Clock
from xero_sync.domain.records import SETTLED, RecordKey, RecordStatus
from xero_sync.models.api_export import CopyToXeroResponse
from xero_sync.models.messages import EnqueueReason, ExportMessage, RecordRef
from xero_sync.models.records import EntityName
from xero_sync.observability import logger
from xero_sync.services.connection_gate import require_connected
from xero_sync.services.history import admin_event
from xero_sync.services.ports import ConnectionStore, ExportQueue, HistoryStore, RecordStore
from xero_sync.services.records import pushed_record

SAFETY_NET_DELAY = 120  # seconds: longer than the wait plus a worker's claim on a slow call
DONE = frozenset({RecordStatus.SYNCED, RecordStatus.SKIPPED, RecordStatus.FAILED, RecordStatus.WAITING})


class Exporter(Protocol):
    """The export worker (services/export/worker.py)."""

    def handle(self, messages: Iterable[ExportMessage]) -> Any: ...


@dataclass
class CopyToXeroService:
    records: RecordStore
    connections: ConnectionStore
    queues: ExportQueue
    history: HistoryStore
    exporter: Callable[[], Exporter]  # built on first use: only this route needs the worker
    clock: Clock
    wait_seconds: float = 20.0

    def copy(self, org_id: str, entity: EntityName, record_id: str) -> CopyToXeroResponse:
        key = RecordKey(org_id, entity.value, record_id)
        item = pushed_record(self.records, key)
        require_connected(self.connections, org_id)
        now = self.clock()
        if item.status is RecordStatus.IDLE:
            self.records.mark_referenced(key, now)  # a contact the host asked for: exportable from now on
        elif item.status is not RecordStatus.PENDING:
            self.records.requeue(key, now=now, only_from=[*SETTLED, RecordStatus.WAITING, RecordStatus.SYNCED])
        self.history.append(
            admin_event(
                org_id,
                now,
                "copy_to_xero",
                "Copy to Xero requested by the host.",
                entity=entity.value,
                record_id=record_id,
            )
        )
        self.connections.record_activity(org_id, now)
        self.queues.enqueue([key], EnqueueReason.COPY, delay_seconds=SAFETY_NET_DELAY)
        completed = self._export_now(key)
        return self._answer(key, completed)

    def _export_now(self, key: RecordKey) -> bool:
        """Run the worker's pass for this record, waiting at most ``wait_seconds``."""
        message = ExportMessage(
            org_id=key.org_id,
            records=[RecordRef(entity=key.entity, record_id=key.record_id)],
            reason=EnqueueReason.COPY,
        )
        finished = threading.Event()

        def run() -> None:
            try:
                self.exporter().handle([message])
            except Exception:  # the safety-net message takes over
                logger.exception("Copy to Xero: the export pass failed", extra={"record": str(key)})
            finally:
                finished.set()

        threading.Thread(target=run, name=f"copy-to-xero-{key.record_id}", daemon=True).start()
        return finished.wait(self.wait_seconds)

    def _answer(self, key: RecordKey, finished: bool) -> CopyToXeroResponse:
        item = self.records.get(key)
        assert item is not None  # read a moment ago; records are never deleted
        connection = self.connections.get(key.org_id)
        tenant = connection.tenant_id if connection is not None else None
        completed = finished and item.status in DONE and not item.claimed_at(self.clock())
        return CopyToXeroResponse(
            entity=key.entity,
            id=key.record_id,
            completed=completed,
            status=item.status.value,
            xero_id=item.xero_id if item.linked_in(tenant) else None,
            error_code=item.error_code if item.status is not RecordStatus.SYNCED else None,
            message=item.last_message,
            state_url=f"/v1/orgs/{key.org_id}/records/{key.entity}/{key.record_id}",
        )
