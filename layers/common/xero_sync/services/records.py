"""Host records in, their sync state out (F3.1, F7.1, F7.2, F3.7 "Sync now", N3).

* :meth:`RecordsService.push` — validate each envelope on its own, check that every record it
  refers to is stored (or arrives in the same request), store each record with one conditional
  write (latest version wins), mark referenced contacts, count the push as activity, and for
  real-time orgs send the stored keys to the export queues at once.
* record state, retry one / retry all failed, and the history listing.
* :class:`SyncNowGate` — "Sync now": checks that the org can sync, then hands over to the sync
  service.

The pure parts (envelope validation, the reference plan, the history query) are module-level
functions without I/O, so they are unit-tested without a table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from xero_sync.clock import Clock
from xero_sync.domain.connection import Connection, not_syncing_reason
from xero_sync.domain.entities import family_of, references_of, spec
from xero_sync.domain.errors import InvalidCursor
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.records import RecordKey, RecordStatus, StoredRecord, StoreResult
from xero_sync.domain.schedule import exports_on_push
from xero_sync.models.api import ErrorDetail, ErrorInfo
from xero_sync.models.api_export import (
    HistoryEventView,
    HistoryPageView,
    PushRecordsResponse,
    RecordOutcome,
    RecordRef,
    RecordResult,
    RecordStateView,
    RetryAllResponse,
    RetryResponse,
    SyncNowRequest,
    SyncNowResponse,
    field_path,
)
from xero_sync.models.messages import EnqueueReason
from xero_sync.models.org_config import OrgSettings
from xero_sync.models.records import EntityName, EnvelopeBase, RecordAction, parse_envelope
from xero_sync.observability import logger
from xero_sync.services.connection_gate import require_connected
from xero_sync.services.errors import Conflict, InvalidInput, NotFound
from xero_sync.services.ports import ConnectionStore, HistoryStore, RecordStore

# --- what the service needs from its adapters ----------------------------------------------------


class Queues(Protocol):
    def enqueue(self, keys: Collection[RecordKey], reason: EnqueueReason, *, delay_seconds: int = 0) -> int: ...


SettingsReader = Callable[[str], OrgSettings]
"""The org's current settings (defaults when never saved)."""


# ==================================================================================================
# Pure part 1: one envelope → a valid record or a rejection naming the field
# ==================================================================================================

MISSING_REFERENCE = "missing_reference"
VALIDATION_ERROR = "validation_error"
_ENTITY_TAGS = frozenset(entity.value for entity in EntityName)
_ENTITY_LIST = ", ".join(entity.value for entity in EntityName)


@dataclass(frozen=True)
class Candidate:
    """A record that passed validation, with its place in the request."""

    index: int
    envelope: EnvelopeBase

    @property
    def entity(self) -> EntityName:
        return self.envelope.entity_name

    def key(self, org_id: str) -> RecordKey:
        return RecordKey(org_id, self.entity.value, self.envelope.id)


def _as_sent(raw: Any, name: str, kind: type) -> Any:
    value = raw.get(name) if isinstance(raw, dict) else None
    if isinstance(value, bool) or not isinstance(value, kind):
        return None
    return value


def rejection(index: int, raw: Any, code: str, message: str, details: Sequence[ErrorDetail]) -> RecordResult:
    return RecordResult(
        index=index,
        entity=_as_sent(raw, "entity", str),
        id=_as_sent(raw, "id", str),
        version=_as_sent(raw, "version", int),
        status=RecordOutcome.REJECTED,
        error=ErrorInfo(code=code, message=message, details=list(details)),
    )


def envelope_error_details(index: int, error: ValidationError) -> list[ErrorDetail]:
    """pydantic's errors of one envelope → details whose ``field`` is the path in the request,
    e.g. ``records[2].data.lines[0].quantity``."""
    prefix: list[str | int] = ["records", index]
    details: list[ErrorDetail] = []
    for item in error.errors(include_url=False):
        kind = item["type"]
        location = list(item["loc"])
        if kind == "union_tag_invalid":
            details.append(
                ErrorDetail(
                    field=field_path([*prefix, "entity"]),
                    message=f"unknown entity {item['input'].get('entity')!r}; use one of {_ENTITY_LIST}"
                    if isinstance(item.get("input"), dict)
                    else f"unknown entity; use one of {_ENTITY_LIST}",
                )
            )
            continue
        if kind == "union_tag_not_found":
            details.append(
                ErrorDetail(field=field_path([*prefix, "entity"]), message=f"entity is required; one of {_ENTITY_LIST}")
            )
            continue
        if kind == "model_attributes_type" and not location:
            details.append(
                ErrorDetail(
                    field=field_path(prefix),
                    message="must be an object {entity, id, version, action, data}",
                )
            )
            continue
        if location and location[0] in _ENTITY_TAGS:
            location = location[1:]  # pydantic puts the union member's tag first
        if not location and kind == "value_error":
            location = ["data"]  # the only envelope-level rule: data present exactly for upserts
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            message = "unknown field (a typo?); custom data goes into custom_fields"
        details.append(ErrorDetail(field=field_path([*prefix, *location]), message=message))
    return details


def validate_envelope(index: int, raw: Any) -> Candidate | RecordResult:
    try:
        return Candidate(index, parse_envelope(raw))
    except ValidationError as error:
        details = envelope_error_details(index, error)
        fields = ", ".join(dict.fromkeys(d.field or "" for d in details))
        return rejection(index, raw, VALIDATION_ERROR, f"The record is not valid: {fields}.", details)


# ==================================================================================================
# Pure part 2: which records refer to something missing, which are stored, in which order
# ==================================================================================================


@dataclass(frozen=True)
class StoredState:
    """What a push needs to know about a record already in the table."""

    version: int
    action: str
    status: str


@dataclass
class PushPlan:
    writes: list[Candidate] = field(default_factory=list)  # parents before children
    stale: dict[int, RecordResult] = field(default_factory=dict)  # superseded within the request
    rejected: dict[int, RecordResult] = field(default_factory=dict)  # missing references


def referenced_keys(org_id: str, candidates: Sequence[Candidate]) -> set[RecordKey]:
    """Every record the upserts of a request refer to (one batch read tells which exist)."""
    keys: set[RecordKey] = set()
    for candidate in candidates:
        data = candidate.envelope.data
        if data is None:
            continue
        for ref, host_id in references_of(candidate.entity, data):
            keys.add(RecordKey(org_id, ref.entity.value, host_id))
    return keys


def _write_rank(entity: EntityName) -> int:
    """Contacts first, then documents, then what hangs off documents: should the request stop
    half-way, no child is stored without its parent."""
    if entity is EntityName.CONTACT:
        return 0
    return 1 if spec(entity).root_document else 2


def plan_push(org_id: str, candidates: Sequence[Candidate], stored: Mapping[RecordKey, StoredState]) -> PushPlan:
    """Decide, without I/O, which valid records are written.

    * Several versions of one record in a request: the highest is written (the first on a tie),
      the others are answered ``stale`` — the latest state wins, as it would across requests.
    * A reference is satisfied by a record stored for the org, or by one upserted in this request
      (and not rejected itself); a record whose latest state is a delete does not count. A record
      rejected for a missing reference can make another one miss its parent: repeat until stable.
    """
    plan = PushPlan()
    alive = {candidate.index: candidate for candidate in candidates}
    while True:
        winners: dict[RecordKey, Candidate] = {}
        for candidate in sorted(alive.values(), key=lambda c: c.index):
            key = candidate.key(org_id)
            current = winners.get(key)
            if current is None or candidate.envelope.version > current.envelope.version:
                winners[key] = candidate

        def latest_action(key: RecordKey) -> str | None:
            in_request = winners.get(key)
            before = stored.get(key)
            if in_request is not None and (before is None or in_request.envelope.version > before.version):
                return in_request.envelope.action.value
            return before.action if before is not None else None

        newly_rejected = False
        for candidate in winners.values():
            data = candidate.envelope.data
            if candidate.envelope.action is not RecordAction.UPSERT or data is None:
                continue
            details: list[ErrorDetail] = []
            for ref, host_id in references_of(candidate.entity, data):
                action = latest_action(RecordKey(org_id, ref.entity.value, host_id))
                if action == RecordAction.UPSERT.value:
                    continue
                why = (
                    "was deleted by the host"
                    if action == RecordAction.DELETE.value
                    else "has not been pushed; push it first or in the same request"
                )
                details.append(
                    ErrorDetail(
                        field=field_path(["records", candidate.index, "data", ref.field]),
                        message=f"refers to {ref.entity.value} {host_id!r}, which {why}",
                    )
                )
            if details:
                envelope = candidate.envelope
                raw = {"entity": envelope.entity_name.value, "id": envelope.id, "version": envelope.version}
                plan.rejected[candidate.index] = rejection(
                    candidate.index,
                    raw,
                    MISSING_REFERENCE,
                    "The record refers to a record this service does not hold.",
                    details,
                )
                del alive[candidate.index]
                newly_rejected = True
        if not newly_rejected:
            break

    written = {id(candidate) for candidate in winners.values()}
    for candidate in alive.values():
        if id(candidate) not in written:
            plan.stale[candidate.index] = _result(candidate, RecordOutcome.STALE)
    plan.writes = sorted(winners.values(), key=lambda c: (_write_rank(c.entity), c.index))
    return plan


def _result(candidate: Candidate, outcome: RecordOutcome) -> RecordResult:
    envelope = candidate.envelope
    return RecordResult(
        index=candidate.index,
        entity=envelope.entity_name.value,
        id=envelope.id,
        version=envelope.version,
        status=outcome,
    )


def stored_data(envelope: EnvelopeBase) -> dict[str, Any] | None:
    """The validated record as the table keeps it: JSON-safe (decimals and dates as strings, so
    amounts never pass through float), absent optional fields left out."""
    data: BaseModel | None = envelope.data  # type: ignore[attr-defined]
    return None if data is None else data.model_dump(mode="json", exclude_none=True)


# ==================================================================================================
# Pure part 3: the history query
# ==================================================================================================


@dataclass(frozen=True)
class HistoryQuery:
    outcome: str | None = None
    entity: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    limit: int = 50
    cursor: str | None = None


def _moment(text: str, field_name: str, *, end_of_day: bool) -> datetime:
    """``YYYY-MM-DD`` (the whole day: from its start, or up to its end) or an ISO datetime
    (without offset: UTC) → an aware UTC datetime."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime.combine(day, time.min, tzinfo=timezone.utc)
            return start + timedelta(days=1) - timedelta(microseconds=1) if end_of_day else start
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(
            f"{field_name} is not a date.",
            [ErrorDetail(field=f"query.{field_name}", message="must be a date YYYY-MM-DD or an ISO 8601 date-time")],
        ) from error
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_history_query(
    *,
    org_id: str,
    status: str | None = None,
    entity: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    q: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> HistoryQuery:
    since = _moment(date_from, "from", end_of_day=False) if date_from else None
    until = _moment(date_to, "to", end_of_day=True) if date_to else None
    if since and until and since > until:
        raise InvalidInput(
            "The date range is empty.", [ErrorDetail(field="query.to", message="must not be before 'from'")]
        )
    search = q.strip() if q else None
    return HistoryQuery(
        outcome=status,
        entity=entity,
        since=since,
        until=until,
        search=search or None,
        limit=limit,
        cursor=cursor,
    )


def event_view(event: HistoryEvent) -> HistoryEventView:
    return HistoryEventView(
        event_id=event.event_id,
        at=event.at,
        direction=event.direction,
        action=event.action,
        outcome=event.outcome,
        entity=event.entity,
        record_id=event.record_id,
        version=event.version,
        xero_id=event.xero_id,
        error_code=event.error_code,
        message=event.message,
        details=event.details,
    )


# ==================================================================================================
# The service
# ==================================================================================================


@dataclass
class RecordsService:
    records: RecordStore
    history: HistoryStore
    connections: ConnectionStore
    queues: Queues
    settings_of: SettingsReader
    clock: Clock
    record_history_limit: int = 20

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
                results[candidate.index] = _result(candidate, RecordOutcome.ACCEPTED)
            else:
                results[candidate.index] = _result(candidate, RecordOutcome.STALE)

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
            data = candidate.envelope.data
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
        except Exception:  # noqa: BLE001 — stored records are safe; the sweep picks them up
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
        return record_state_view(org_id, item, connection, now, [event_view(e) for e in events])

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

    # --- F7.1: history ----------------------------------------------------------------------------

    def history_page(self, org_id: str, query: HistoryQuery) -> HistoryPageView:
        try:
            page = self.history.list(
                org_id,
                outcome=query.outcome,
                entity=query.entity,
                since=query.since,
                until=query.until,
                search=query.search,
                limit=query.limit,
                cursor=query.cursor,
            )
        except InvalidCursor as error:
            raise InvalidInput(
                "The cursor is not valid.",
                [ErrorDetail(field="query.cursor", message="use the next_cursor of a previous page of this org's history")],
            ) from error
        return HistoryPageView(events=[event_view(e) for e in page.events], next_cursor=page.next_cursor)

    # --- helpers ----------------------------------------------------------------------------------

    def _record_admin_action(
        self, org_id: str, now: datetime, action: str, entity: str | None, record_id: str | None, message: str
    ) -> None:
        """An admin action is audit history and activity (F6.1, F7.1)."""
        self.history.append(
            HistoryEvent(
                org_id=org_id,
                at=now,
                direction="admin",
                action=action,
                outcome="info",
                entity=entity,
                record_id=record_id,
                message=message,
            )
        )
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


# ==================================================================================================
# "Sync now" (F3.7, F3.8)
# ==================================================================================================


class SyncStarter(Protocol):
    def sync_now(
        self,
        org_id: str,
        *,
        entities: list[str] | None,
        date_from: date | None,
        date_to: date | None,
        now: datetime,
    ) -> Any: ...


@dataclass
class SyncNowGate:
    """The host's "Sync now": refuses an org that cannot sync (409), then starts the sync service
    (resolved only when used, so that the API does not import the sync machinery otherwise)."""

    connections: ConnectionStore
    sync_service: Callable[[], SyncStarter]
    clock: Clock

    def start(self, org_id: str, request: SyncNowRequest) -> SyncNowResponse:
        require_connected(self.connections, org_id)
        now = self.clock()
        entities = [entity.value for entity in request.entities] if request.entities else None
        summary = self.sync_service().sync_now(
            org_id, entities=entities, date_from=request.date_from, date_to=request.date_to, now=now
        )
        self.connections.record_activity(org_id, now)  # an admin action (F6.1)
        reported = summary.model_dump(mode="json") if isinstance(summary, BaseModel) else dict(summary or {})
        return SyncNowResponse(
            enqueued=int(getattr(summary, "enqueued", reported.get("enqueued", 0))),
            entities=entities,
            date_from=request.date_from,
            date_to=request.date_to,
            summary=reported,
        )
