"""Host records in, their sync state out (F3.1, F7.1, F7.2, N3).

* :meth:`RecordsService.push` — validate each envelope on its own, check that every record it
  refers to is stored (or arrives in the same request), store each record with one conditional
  write (latest version wins), mark referenced contacts, count the push as activity, and for
  real-time orgs send the stored keys to the export queues at once. The pure planning is in
  ``services/push_plan.py``.
* one record's state (:func:`record_state_view`), retry one / retry all failed, and putting
  failed records back to pending after a change that may cure them.

The history listing is in ``services/history.py``, "Sync now" in ``services/sync.py``, the errors
in ``services/errors.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from xero_sync.clock import Clock
from xero_sync.domain.connection import Connection, not_syncing_reason
from xero_sync.domain.entities import family_of
from xero_sync.domain.records import RecordKey, RecordStatus, StoredRecord, StoreResult, waiting_key
from xero_sync.domain.schedule import exports_on_push
from xero_sync.models.api import ErrorInfo
from xero_sync.models.api_export import (
    HistoryEventView,
    PushRecordsResponse,
    RecordOutcome,
    RecordRef,
    RecordResult,
    RecordStateView,
    RetryAllResponse,
    RetryResponse,
)
from xero_sync.models.api_import import PaymentStatusView
from xero_sync.models.messages import EnqueueReason
from xero_sync.models.org_config import OrgSettings
from xero_sync.models.records import EntityName
from xero_sync.observability import logger
from xero_sync.services.connection_gate import require_connected
from xero_sync.services.errors import Conflict, NotFound
from xero_sync.services.history import admin_event, event_views
from xero_sync.services.ports import ConnectionStore, HistoryStore, RecordStore
from xero_sync.services.push_plan import (
    Candidate,
    MissingParent,
    PushPlan,
    StoredState,
    plan_push,
    referenced_keys,
    stored_data,
    validate_envelope,
)

STORE_UNAVAILABLE = "store_unavailable"

# --- what the service needs from its adapters ----------------------------------------------------


class Queues(Protocol):
    def enqueue(self, keys: Collection[RecordKey], reason: EnqueueReason, *, delay_seconds: int = 0) -> int: ...


SettingsReader = Callable[[str], OrgSettings]
"""The org's current settings (defaults when never saved)."""


@dataclass
class RecordsService:
    records: RecordStore
    history: HistoryStore
    connections: ConnectionStore
    queues: Queues
    settings_of: SettingsReader
    clock: Clock
    record_history_limit: int = 20
    payment_status_of: Callable[[str, str, str], PaymentStatusView | None] | None = None
    """(org, entity, Xero id) → the payment status Xero reports for an exported document (F4.3)."""

    # --- F3.1: push ---------------------------------------------------------------------------

    def push(self, org_id: str, raw_records: Sequence[Any]) -> PushRecordsResponse:
        now = self.clock()
        results: dict[int, RecordResult] = {}
        candidates: list[Candidate] = []
        for index, raw in enumerate(raw_records):
            checked = validate_envelope(index, raw)
            if isinstance(checked, RecordResult):
                results[index] = checked
            else:
                candidates.append(checked)

        wanted = referenced_keys(org_id, candidates)
        stored = {
            key: StoredState(version=int(item.version), action=item.action, status=item.status)
            for key, item in (self.records.get_many(wanted).items() if wanted else [])
        }
        plan = plan_push(org_id, candidates, stored)
        results.update(plan.rejected)
        results.update(plan.stale)

        accepted = self._write(org_id, plan, now, results)
        enqueued = 0
        if accepted:
            # The records are stored: what follows is best effort, and the answer still tells each
            # record's result. A missed enqueue is sent by the next sync.
            _best_effort(lambda: self.connections.record_activity(org_id, now), None, "record activity", org_id)
            enqueued = _best_effort(lambda: self._export_now_if_realtime(org_id, accepted), 0, "enqueue", org_id)

        ordered = [results[index] for index in range(len(raw_records))]
        return PushRecordsResponse(
            results=ordered,
            accepted=sum(r.status is RecordOutcome.ACCEPTED for r in ordered),
            stale=sum(r.status is RecordOutcome.STALE for r in ordered),
            rejected=sum(r.status is RecordOutcome.REJECTED for r in ordered),
            not_stored=sum(r.status is RecordOutcome.NOT_STORED for r in ordered),
            enqueued=enqueued,
        )

    def _write(self, org_id: str, plan: PushPlan, now: datetime, results: dict[int, RecordResult]) -> list[RecordKey]:
        """Store each record with its own conditional write, parents first. A push is never left
        half-answered (N3): should the store fail, the records written so far are accepted and
        this one and the rest are answered ``not_stored`` (nothing of them was kept), so that the
        host sends those again — never a parent missing under a stored child. Returns the keys
        stored."""
        accepted: list[RecordKey] = []
        writes = plan.writes
        for position, candidate in enumerate(writes):
            key = candidate.key(org_id)
            missing = plan.waiting.get(candidate.index)
            try:
                outcome = self._store(key, candidate, missing, now)
            except Exception:
                logger.exception(
                    "Storing a pushed record failed; it and the rest of the request are answered not_stored",
                    extra={"org_id": org_id, "record": str(key), "not_stored": len(writes) - position},
                )
                for rest in writes[position:]:
                    results[rest.index] = not_stored(rest)
                break
            if outcome is StoreResult.STORED:
                accepted.append(key)
                result = candidate.result(RecordOutcome.ACCEPTED)
                if missing is not None:
                    result.waiting_for = RecordRef(entity=missing.entity.value, id=missing.host_id)
                results[candidate.index] = result
            else:
                results[candidate.index] = candidate.result(RecordOutcome.STALE)
        return accepted

    def _store(self, key: RecordKey, candidate: Candidate, missing: MissingParent | None, now: datetime) -> StoreResult:
        envelope = candidate.envelope
        return self.records.store_version(
            key,
            family=family_of(candidate.entity).value,
            version=envelope.version,
            action=envelope.action.value,
            data=stored_data(envelope),
            status=_initial_status(candidate.entity, missing),
            now=now,
            waiting_on=waiting_key(key.org_id, missing.entity.value, missing.host_id) if missing else None,
            inventory_day=_inventory_day(candidate.entity, candidate.data),
        )

    def _export_now_if_realtime(self, org_id: str, keys: list[RecordKey]) -> int:
        """Real-time orgs (F3.7): send the keys to the export queues now. The records are stored
        already, so a failure here only delays them to the next sweep — the push still succeeds."""
        if not exports_on_push(self.settings_of(org_id).sync_frequency):
            return 0
        if not_syncing_reason(org_id, self.connections.get(org_id)) is not None:
            return 0
        return self.queues.enqueue(sorted(set(keys)), EnqueueReason.PUSH)

    # --- F7.1: one record's state ---------------------------------------------------------------

    def state(self, org_id: str, entity: EntityName, record_id: str) -> RecordStateView:
        item = pushed_record(self.records, RecordKey(org_id, entity.value, record_id))
        connection = self.connections.get(org_id)
        now = self.clock()
        events = self.history.for_record(org_id, entity.value, record_id, limit=self.record_history_limit)
        view = record_state_view(org_id, item, connection, now, event_views(events))
        if self.payment_status_of is not None and view.xero_id:
            view.payment_status = self.payment_status_of(org_id, entity.value, view.xero_id)
        return view

    # --- F7.2: retry ------------------------------------------------------------------------------

    def retry(self, org_id: str, entity: EntityName, record_id: str) -> RetryResponse:
        key = RecordKey(org_id, entity.value, record_id)
        item = pushed_record(self.records, key)
        require_connected(self.connections, org_id)
        status = RecordStatus(item.status)
        if status is RecordStatus.SYNCED:
            raise Conflict(
                f"{entity.value} {record_id!r} is already in Xero (version {item.exported_version}); "
                "there is nothing to retry. Push a new version to change it."
            )
        if status is RecordStatus.SKIPPED:
            reason = f" ({item.last_message})" if item.last_message else ""
            raise Conflict(
                f"{entity.value} {record_id!r} was skipped on purpose{reason}; there is nothing to retry. "
                "Push a new version if it should go to Xero."
            )
        if status is RecordStatus.IDLE:
            raise Conflict(
                f"contact {record_id!r} is exported once a transaction refers to it; there is nothing to retry yet."
            )
        now = self.clock()
        if status in (RecordStatus.FAILED, RecordStatus.WAITING):
            if not self.records.requeue(key, now=now, only_from=[RecordStatus.FAILED, RecordStatus.WAITING]):
                current = self.records.get(key)
                if current is None or current.status is not RecordStatus.PENDING:
                    raise Conflict(f"{entity.value} {record_id!r} changed meanwhile; read its state and try again.")
        # Pending already: sent again anyway, in case its message was lost; the worker's claim
        # keeps a duplicate message harmless.
        self.queues.enqueue([key], EnqueueReason.RETRY)
        self._record_admin_action(org_id, now, "retry", entity.value, record_id, "Retry requested by the host.")
        return RetryResponse(
            entity=entity.value,
            id=record_id,
            status=RecordStatus.PENDING.value,
            enqueued=True,
            message="Sent for export." if status is not RecordStatus.PENDING else "Already pending; sent again.",
        )

    def retry_failed(self, org_id: str) -> RetryAllResponse:
        require_connected(self.connections, org_id)
        now = self.clock()
        count = self.requeue_failed(org_id, error_codes=None, now=now)
        message = f"Retry of all failed records: {count} requeued."
        self._record_admin_action(org_id, now, "retry_all", None, None, message)
        return RetryAllResponse(requeued=count)

    def requeue_failed(self, org_id: str, *, error_codes: Collection[str] | None, now: datetime) -> int:
        """Put the org's failed records back to pending — all, or those that failed with one of
        ``error_codes`` — and send them for export when the org is connected (otherwise the
        next sync after connecting picks them up). Used by retry-all, by a settings or tax
        mapping change, and after Xero's reference data changed. Returns how many."""
        return self._requeue(org_id, RecordStatus.FAILED, error_codes, now)

    def requeue_skipped(self, org_id: str, *, error_codes: Collection[str], now: datetime) -> int:
        """Put back to pending the records skipped for one of ``error_codes`` — e.g. a family or
        a create/update/delete toggle that was off and is on again (F3.11)."""
        return self._requeue(org_id, RecordStatus.SKIPPED, error_codes, now)

    def _requeue(self, org_id: str, status: RecordStatus, error_codes: Collection[str] | None, now: datetime) -> int:
        keys = list(self.records.keys_with_status(org_id, status))
        if error_codes is not None and keys:
            wanted = set(error_codes)
            items = self.records.get_many(keys)
            keys = [key for key in keys if key in items and items[key].error_code in wanted]
        requeued = [key for key in keys if self.records.requeue(key, now=now, only_from=[status])]
        if requeued and not_syncing_reason(org_id, self.connections.get(org_id)) is None:
            self.queues.enqueue(requeued, EnqueueReason.RETRY)
        return len(requeued)

    def resend_to_tenant(self, org_id: str, tenant_id: str | None, now: datetime) -> int:
        """After a reset to another Xero tenant (F1.5, seed 002 "Reset Connection"): every record
        that was in Xero — in another tenant — goes back to pending and is sent to this one, with
        no new push from the host. The records' rows then link to the new tenant; the history
        keeps the events of both. A reconnect to the same tenant finds nothing to send."""
        if tenant_id is None:
            return 0
        keys = list(self.records.keys_with_status(org_id, RecordStatus.SYNCED))
        moved: list[RecordKey] = []
        for start in range(0, len(keys), 100):
            rows = self.records.get_many(keys[start : start + 100])
            for key, row in rows.items():
                elsewhere = row.xero_tenant_id is not None and row.xero_tenant_id != tenant_id
                if elsewhere and self.records.requeue(key, now=now, only_from=[RecordStatus.SYNCED]):
                    moved.append(key)
        if moved:
            self.queues.enqueue(moved, EnqueueReason.SYNC)
            message = f"Connected to another Xero organisation: {len(moved)} record(s) sent to it."
            self.history.append(admin_event(org_id, now, "resend_to_tenant", message, details={"requeued": len(moved)}))
        return len(moved)

    # --- helpers ----------------------------------------------------------------------------------

    def _record_admin_action(
        self, org_id: str, now: datetime, action: str, entity: str | None, record_id: str | None, message: str
    ) -> None:
        """An admin action is audit history and activity (F6.1, F7.1)."""
        self.history.append(admin_event(org_id, now, action, message, entity=entity, record_id=record_id))
        self.connections.record_activity(org_id, now)


T = TypeVar("T")


def _best_effort(step: Callable[[], T], fallback: T, what: str, org_id: str) -> T:
    """A step after a push stored its records: its failure is logged, never raised."""
    try:
        return step()
    except Exception:
        logger.exception(f"After a push: could not {what}; the records are stored", extra={"org_id": org_id})
        return fallback


def not_stored(candidate: Candidate) -> RecordResult:
    """A valid record the store failed to write: nothing of it was kept, and sending it again is
    safe (a version that did get stored is answered ``stale``)."""
    message = "The record was not stored: the service's storage failed during the request. Send it again."
    return candidate.result(RecordOutcome.NOT_STORED).model_copy(
        update={"error": ErrorInfo(code=STORE_UNAVAILABLE, message=message)}
    )


def pushed_record(records: RecordStore, key: RecordKey) -> StoredRecord:
    """The record the host pushed, or NotFound (404) naming it."""
    item = records.get(key)
    if item is None:
        raise NotFound(f"No {key.entity} with id {key.record_id!r} was pushed for org {key.org_id}.")
    return item


def _inventory_day(entity: EntityName, data: object) -> str | None:
    """The day an invoice or bill with item costs moves inventory (the daily journal, F3.9)."""
    if entity not in (EntityName.INVOICE, EntityName.BILL) or data is None:
        return None
    lines = getattr(data, "lines", [])
    if not any(getattr(line, "unit_cost", None) is not None for line in lines):
        return None
    day = getattr(data, "date", None)
    return day.isoformat() if day is not None else None


def _initial_status(entity: EntityName, missing: object | None) -> RecordStatus | None:
    """Waiting when a parent is not held yet (F3.4). A contact is exported only once a
    transaction that is exported refers to it (seeds 000/001): the export worker marks it
    referenced then; the repository keeps it idle until then, inside its conditional write."""
    if missing is not None:
        return RecordStatus.WAITING
    return None if entity is EntityName.CONTACT else RecordStatus.PENDING


def record_state_view(
    org_id: str,
    item: StoredRecord,
    connection: Connection | None,
    now: datetime,
    history: list[HistoryEventView],
) -> RecordStateView:
    """A record's row → what the host may see. The Xero id shows only while the link was made in
    the org's current tenant: after a reset to another tenant the old link no longer counts."""
    current_tenant = connection.tenant_id if connection is not None else None
    linked = item.xero_tenant_id is not None and item.xero_tenant_id == current_tenant
    waiting_on = None
    if item.waiting_on:
        entity, _, parent_id = item.waiting_on.removeprefix(f"{org_id}#").partition("#")
        waiting_on = RecordRef(entity=entity, id=parent_id)
    return RecordStateView(
        org_id=org_id,
        entity=item.entity,
        id=item.record_id,
        action=item.action,
        status=item.status,
        version=int(item.version),
        exported_version=int(item.exported_version) if item.exported_version is not None else None,
        xero_id=item.xero_id if linked else None,
        error_code=item.error_code,
        last_message=item.last_message,
        attempts=int(item.attempts or 0),
        in_flight=item.claim_until is not None and item.claim_until > now,
        waiting_on=waiting_on,
        received_at=item.received_at,
        synced_at=item.synced_at,
        updated_at=item.updated_at,
        history=history,
    )
