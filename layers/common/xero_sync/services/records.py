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

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from xero_sync.clock import Clock
from xero_sync.domain.connection import Connection, not_syncing_reason
from xero_sync.domain.entities import family_of, references_of
from xero_sync.domain.records import RecordKey, RecordStatus, StoredRecord, StoreResult
from xero_sync.domain.schedule import exports_on_push
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
    PushPlan,
    StoredState,
    plan_push,
    referenced_keys,
    stored_data,
    validate_envelope,
)

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

        accepted: list[RecordKey] = []
        for candidate in plan.writes:
            key = candidate.key(org_id)
            envelope = candidate.envelope
            outcome = self.records.store_version(
                key,
                family=family_of(candidate.entity).value,
                version=envelope.version,
                action=envelope.action.value,
                data=stored_data(envelope),
                # A contact is pending only once a transaction refers to it; the repository
                # decides that inside its conditional write.
                status=None if candidate.entity is EntityName.CONTACT else RecordStatus.PENDING,
                now=now,
            )
            if outcome is StoreResult.STORED:
                accepted.append(key)
                results[candidate.index] = candidate.result(RecordOutcome.ACCEPTED)
            else:
                results[candidate.index] = candidate.result(RecordOutcome.STALE)

        enqueued = 0
        if accepted:
            marked = self._mark_referenced_contacts(org_id, plan, accepted, stored, now)
            self.connections.record_activity(org_id, now)
            enqueued = self._export_now_if_realtime(org_id, [*accepted, *marked])

        ordered = [results[index] for index in range(len(raw_records))]
        return PushRecordsResponse(
            results=ordered,
            accepted=sum(r.status is RecordOutcome.ACCEPTED for r in ordered),
            stale=sum(r.status is RecordOutcome.STALE for r in ordered),
            rejected=sum(r.status is RecordOutcome.REJECTED for r in ordered),
            enqueued=enqueued,
        )

    def _mark_referenced_contacts(
        self,
        org_id: str,
        plan: PushPlan,
        accepted: list[RecordKey],
        stored: Mapping[RecordKey, StoredState],
        now: datetime,
    ) -> list[RecordKey]:
        """Seeds 000/001: a contact is exported once a transaction refers to it. Only contacts
        that are (or may be) idle are written to: one write per newly referenced contact."""
        accepted_set = set(accepted)
        contacts: set[RecordKey] = set()
        for candidate in plan.writes:
            data = candidate.data
            if candidate.key(org_id) not in accepted_set or data is None:
                continue
            for ref, host_id in references_of(candidate.entity, data):
                if ref.entity is EntityName.CONTACT:
                    contacts.add(RecordKey(org_id, EntityName.CONTACT.value, host_id))
        marked = []
        for key in sorted(contacts):
            known = stored.get(key)
            if known is not None and key not in accepted_set and known.status != RecordStatus.IDLE:
                continue
            if self.records.mark_referenced(key, now):
                marked.append(key)
        return marked

    def _export_now_if_realtime(self, org_id: str, keys: list[RecordKey]) -> int:
        """Real-time orgs (F3.7): send the keys to the export queues now. The records are stored
        already, so a queue failure only delays them to the next sweep — the push still succeeds."""
        if not exports_on_push(self.settings_of(org_id).sync_frequency):
            return 0
        if not_syncing_reason(org_id, self.connections.get(org_id)) is not None:
            return 0
        try:
            return self.queues.enqueue(sorted(set(keys)), EnqueueReason.PUSH)
        except Exception:
            logger.exception("Could not enqueue pushed records; the next sync exports them", extra={"org_id": org_id})
            return 0

    # --- F7.1: one record's state ---------------------------------------------------------------

    def state(self, org_id: str, entity: EntityName, record_id: str) -> RecordStateView:
        key = RecordKey(org_id, entity.value, record_id)
        item = self.records.get(key)
        if item is None:
            raise NotFound(f"No {entity.value} with id {record_id!r} was pushed for org {org_id}.")
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
        item = self.records.get(key)
        if item is None:
            raise NotFound(f"No {entity.value} with id {record_id!r} was pushed for org {org_id}.")
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
        keys = list(self.records.keys_with_status(org_id, RecordStatus.FAILED))
        if error_codes is not None and keys:
            wanted = set(error_codes)
            items = self.records.get_many(keys)
            keys = [key for key in keys if key in items and items[key].error_code in wanted]
        requeued = [key for key in keys if self.records.requeue(key, now=now, only_from=[RecordStatus.FAILED])]
        if requeued and not_syncing_reason(org_id, self.connections.get(org_id)) is None:
            self.queues.enqueue(requeued, EnqueueReason.RETRY)
        return len(requeued)

    # --- helpers ----------------------------------------------------------------------------------

    def _record_admin_action(
        self, org_id: str, now: datetime, action: str, entity: str | None, record_id: str | None, message: str
    ) -> None:
        """An admin action is audit history and activity (F6.1, F7.1)."""
        self.history.append(admin_event(org_id, now, action, message, entity=entity, record_id=record_id))
        self.connections.record_activity(org_id, now)


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
