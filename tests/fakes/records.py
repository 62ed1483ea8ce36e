"""In-memory :class:`~xero_sync.services.ports.RecordStore` with the DynamoDB repository's rules
(dal/records.py): latest version wins, contacts idle until referenced, the export claim, and
"a newer version arrived meanwhile" on every outcome."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from xero_sync.domain.errors import ClaimLost
from xero_sync.domain.record_payload import encode_record_data
from xero_sync.domain.records import (
    ClaimRequest,
    RecordKey,
    RecordStatus,
    StoredRecord,
    StoreResult,
    Synced,
    SyncedMark,
    waiting_key,
)

_NO_CLAIM: dict[str, Any] = {
    "claim_owner": None,
    "claim_until": None,
    "claim_version": None,
    "claim_operation": None,
    "idempotency_key": None,
}


DYNAMODB_ITEM_LIMIT = 400 * 1024


class StoreUnavailable(RuntimeError):
    """What the fake raises where DynamoDB would fail a write (throttling, an oversized item)."""


def stored(org_id: str, entity: str, record_id: str, **fields: Any) -> StoredRecord:
    """A record row as a test needs it (defaults: version 1, an upsert, pending)."""
    values: dict[str, Any] = {
        "family": entity,
        "version": 1,
        "action": "upsert",
        "data": {},
        "status": RecordStatus.PENDING,
    }
    values.update(fields)
    return StoredRecord(key=RecordKey(org_id, entity, record_id), **values)


class InMemoryRecords:
    def __init__(self) -> None:
        self.store_writes_left: int | None = None  # see break_store_after
        self.rows: dict[RecordKey, StoredRecord] = {}
        self.deferred: dict[RecordKey, set[RecordKey]] = defaultdict(set)  # parent -> children deferred behind it
        self.inventory_days: dict[RecordKey, str] = {}  # the InventoryDayIndex
        self.writes = 0
        self.read_keys = 0
        self.index_queries: list[tuple[str, str, datetime | None]] = []

    # --- seeding (tests only) ------------------------------------------------------------------

    def put(self, record: StoredRecord) -> RecordKey:
        self.rows[record.key] = record
        return record.key

    def fail(
        self,
        org_id: str,
        entity: str,
        record_id: str,
        at: datetime,
        *,
        version: int = 1,
        code: str = "missing_account_code",
        message: str = "Account 'Merchant Fees' (sales lines) has no code in Xero. Add a code to it in Xero "
        "(Accounting → Chart of accounts), then retry.",
        number: str | None = None,
        **fields: Any,
    ) -> RecordKey:
        """A record that failed at ``at`` (for digests, retries and reprocessing)."""
        data = {"number": number, "date": "2026-11-02"} if number else {"date": "2026-11-02"}
        return self.put(
            StoredRecord(
                key=RecordKey(org_id, entity, record_id),
                family=fields.pop("family", entity),
                version=version,
                action=fields.pop("action", "upsert"),
                data=fields.pop("data", data),
                status=RecordStatus.FAILED,
                status_at=at,
                error_code=code,
                last_message=message,
                **fields,
            )
        )

    # --- faults (tests only): what DynamoDB can do to a write ------------------------------------

    def break_store_after(self, writes: int) -> None:
        """Every ``store_version`` after the next ``writes`` raises, as an unavailable table does."""
        self.store_writes_left = writes

    def _check_store_faults(self, data: dict[str, Any] | None) -> None:
        if self.store_writes_left is not None:
            if self.store_writes_left <= 0:
                raise StoreUnavailable("ProvisionedThroughputExceededException (injected)")
            self.store_writes_left -= 1
        # DynamoDB refuses an item over 400 KB; the data is stored compressed (dal/records.py).
        if data is not None and len(encode_record_data(data)) > DYNAMODB_ITEM_LIMIT - 8 * 1024:
            raise StoreUnavailable("ValidationException: Item size has exceeded the maximum allowed size")

    def seed_synced(self, key: RecordKey, *, tenant_id: str, xero_id: str, now: datetime) -> None:
        """A stored record now in Xero at its current version (tests only)."""
        row = self.rows[key]
        self.mark_synced(SyncedMark(key, None, row.version, row.action, tenant_id, xero_id, None, None, None), now)

    # --- pushes --------------------------------------------------------------------------------

    def store_version(
        self,
        key: RecordKey,
        *,
        family: str,
        version: int,
        action: str,
        data: dict[str, Any] | None,
        status: RecordStatus | None,
        now: datetime,
        waiting_on: str | None = None,
        inventory_day: str | None = None,
    ) -> StoreResult:
        self._check_store_faults(data)
        current = self.rows.get(key)
        if current is None or current.version < version:
            if inventory_day:
                self.inventory_days[key] = inventory_day
            else:
                self.inventory_days.pop(key, None)
        if current is not None and current.version >= version:
            return StoreResult.STALE
        if status is None:
            status = RecordStatus.PENDING if current is not None and current.referenced else RecordStatus.IDLE
        base = current or StoredRecord(key=key, family=family, version=version, action=action, data=None, status=status)
        self.writes += 1
        self.rows[key] = replace(
            base,
            family=family,
            version=version,
            action=action,
            data=copy.deepcopy(data) if data is not None else base.data,
            received_at=now,
            updated_at=now,
            waiting_on=waiting_on,
            error_code=None,
            attempts=0,
            status=status,
            status_at=now,
        )
        return StoreResult.STORED

    def mark_referenced(self, key: RecordKey, now: datetime) -> bool:
        row = self.rows.get(key)
        if row is None or row.status is not RecordStatus.IDLE:
            return False
        self._write(replace(row, referenced=True, status=RecordStatus.PENDING, status_at=now))
        return True

    def mark_all_referenced(self, keys: Sequence[RecordKey], now: datetime) -> list[bool]:
        return [self.mark_referenced(key, now) for key in keys]

    def note_waiter(self, parent: RecordKey) -> StoredRecord | None:
        row = self.rows.get(parent)
        if row is None:
            return None
        return self._write(replace(row, has_waiters=True))

    def take_waiters(self, parent: RecordKey, now: datetime) -> list[RecordKey]:
        row = self.rows.get(parent)
        if row is not None:
            self._write(replace(row, has_waiters=False))
        return [
            child
            for child in list(self.waiting_children(parent.org_id, parent.entity, parent.record_id))
            if self.requeue(child, now=now, only_from=[RecordStatus.WAITING])
        ]

    def defer_behind(self, deferrals: Mapping[RecordKey, Collection[RecordKey]]) -> list[RecordKey]:
        go_now: list[RecordKey] = []
        for parent, children in deferrals.items():
            row = self.rows.get(parent)
            if row is not None and row.status is RecordStatus.PENDING:
                self.writes += 1
                self.deferred[parent].update(children)
            else:
                go_now.extend(children)
        return go_now

    # --- reads ---------------------------------------------------------------------------------

    def get_many(self, keys: Iterable[RecordKey]) -> dict[RecordKey, StoredRecord]:
        keys = list(keys)
        self.read_keys += len(keys)
        return {key: self.rows[key] for key in keys if key in self.rows}

    def get(self, key: RecordKey) -> StoredRecord | None:
        return self.get_many([key]).get(key)

    def keys_with_status(
        self, org_id: str, status: RecordStatus, *, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[RecordKey]:
        self.index_queries.append((org_id, status.value, since))
        rows = sorted(
            (row.status_at or datetime.min, key)
            for key, row in self.rows.items()
            if key.org_id == org_id
            and row.status is status
            and (since is None or (row.status_at is not None and row.status_at >= since))
            and (until is None or (row.status_at is not None and row.status_at <= until))
        )
        for _, key in rows:
            yield key

    def keys_and_times_with_status(
        self, org_id: str, status: RecordStatus, *, since: datetime | None = None
    ) -> Iterator[tuple[RecordKey, datetime]]:
        for key in self.keys_with_status(org_id, status, since=since):
            yield key, self.rows[key].status_at or datetime.min

    def keys_on_inventory_day(self, org_id: str, day: str) -> Iterator[RecordKey]:
        return iter(
            sorted(key for key, indexed in self.inventory_days.items() if key.org_id == org_id and indexed == day)
        )

    def waiting_children(self, org_id: str, parent_entity: str, parent_id: str) -> Iterator[RecordKey]:
        wanted = waiting_key(org_id, parent_entity, parent_id)
        yield from sorted(k for k, row in self.rows.items() if row.waiting_on == wanted)

    # --- the claim -----------------------------------------------------------------------------

    def claim_for_operation(
        self,
        key: RecordKey,
        *,
        owner: str,
        version: int,
        exported_version: int | None,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> bool:
        row = self.rows.get(key)
        if row is None or row.version != version or row.exported_version != exported_version:
            return False
        if row.claim_until is not None and row.claim_until >= now and row.claim_owner != owner:
            return False
        self._write(
            replace(
                row,
                claim_owner=owner,
                claim_until=until,
                claim_operation=operation,
                claim_version=version,
                idempotency_key=idempotency_key,
                attempts=row.attempts + 1,
                updated_at=now,
            )
        )
        return True

    def claim_all_for_operation(
        self,
        claims: Sequence[ClaimRequest],
        *,
        owner: str,
        operation: str,
        idempotency_key: str,
        now: datetime,
        until: datetime,
    ) -> list[bool]:
        return [
            self.claim_for_operation(
                key,
                owner=owner,
                version=version,
                exported_version=exported_version,
                operation=operation,
                idempotency_key=idempotency_key,
                now=now,
                until=until,
            )
            for key, version, exported_version in claims
        ]

    def release(
        self,
        key: RecordKey,
        *,
        owner: str,
        outcome_unknown: bool,
        message: str | None,
        now: datetime,
        not_sent: bool = False,
    ) -> None:
        row = self.rows.get(key)
        if row is None or row.claim_owner != owner:
            return  # lost: nothing of ours to release
        changes: dict[str, Any] = {"claim_owner": None, "claim_until": None, "updated_at": now}
        if not_sent:
            changes["attempts"] = max(0, row.attempts - 1)
        if not outcome_unknown:
            changes.update(claim_operation=None, claim_version=None, idempotency_key=None)
        if message:
            changes["last_message"] = message
        self._write(replace(row, **changes))

    def adopt_link(
        self,
        key: RecordKey,
        *,
        version: int,
        action: str,
        tenant_id: str,
        xero_id: str,
        xero_refs: dict[str, Any] | None,
        message: str,
        now: datetime,
    ) -> None:
        row = self._held(key, None, now)
        self._write(
            replace(
                row,
                xero_tenant_id=tenant_id,
                xero_id=xero_id,
                xero_refs=xero_refs or None,
                exported_version=version,
                exported_action=action,
                exported_fingerprint=None,
                last_message=message,
                updated_at=now,
                **_NO_CLAIM,
            )
        )

    def save_progress(self, key: RecordKey, *, owner: str, xero_refs: dict[str, Any], now: datetime) -> None:
        row = self._held(key, owner, now)
        self._write(replace(row, xero_refs=copy.deepcopy(xero_refs), updated_at=now))

    def forget_link(
        self, key: RecordKey, *, owner: str | None, xero_refs: dict[str, Any] | None, now: datetime
    ) -> None:
        row = self._held(key, owner, now)
        self._write(
            replace(
                row,
                xero_id=None,
                exported_version=None,
                exported_action=None,
                exported_fingerprint=None,
                xero_refs=xero_refs or None,
                updated_at=now,
            )
        )

    def clear_pending_operation(self, key: RecordKey, *, message: str, now: datetime) -> None:
        row = self._held(key, None, now)
        self._write(replace(row, last_message=message, updated_at=now, **_NO_CLAIM))

    # --- outcomes ------------------------------------------------------------------------------

    def mark_synced(self, mark: SyncedMark, now: datetime) -> Synced:
        key, owner, version = mark.key, mark.owner, mark.version
        row = self._held(key, owner, now)
        status = RecordStatus.SYNCED if row.version == version else RecordStatus.PENDING
        row = self._write(
            replace(
                row,
                xero_tenant_id=mark.tenant_id,
                xero_id=mark.xero_id,
                xero_refs=mark.xero_refs or None,
                exported_version=version,
                exported_action=mark.action,
                exported_fingerprint=mark.fingerprint,
                synced_at=now,
                updated_at=now,
                error_code=None,
                waiting_on=None,
                attempts=0,
                last_message=mark.message,
                status=status,
                status_at=now,
                **_NO_CLAIM,
            )
        )
        deferred = tuple(sorted(self.deferred.get(key, ()), key=str)) if status is RecordStatus.SYNCED else ()
        return Synced(status, row.has_waiters, deferred)

    def mark_all_synced(self, marks: Sequence[SyncedMark], now: datetime) -> list[Synced | None]:
        """As DynamoDB's transaction: a mark whose record is not held or has moved on is None."""
        return [self._mark_if_current(mark, now) for mark in marks]

    def _mark_if_current(self, mark: SyncedMark, now: datetime) -> Synced | None:
        try:
            row = self._held(mark.key, mark.owner, now)
        except ClaimLost:
            return None
        if row.version != mark.version:
            return None
        return self.mark_synced(mark, now)

    def mark_outcome(
        self,
        key: RecordKey,
        *,
        owner: str | None,
        status: RecordStatus,
        version: int,
        error_code: str | None,
        message: str | None,
        waiting_on: str | None = None,
        now: datetime,
    ) -> RecordStatus:
        row = self._held(key, owner, now)
        if row.version != version:
            self._write(replace(row, updated_at=now, **_NO_CLAIM))
            return RecordStatus.PENDING
        self._write(
            replace(
                row,
                updated_at=now,
                error_code=error_code,
                last_message=message,
                waiting_on=waiting_on,
                status=status,
                status_at=now,
                **_NO_CLAIM,
            )
        )
        return status

    def requeue(self, key: RecordKey, *, now: datetime, only_from: Iterable[RecordStatus]) -> bool:
        row = self.rows.get(key)
        if row is None or row.status not in set(only_from):
            return False
        self._write(replace(row, status=RecordStatus.PENDING, status_at=now, waiting_on=None, updated_at=now))
        return True

    # --- helpers -------------------------------------------------------------------------------

    def _write(self, row: StoredRecord) -> StoredRecord:
        self.writes += 1
        self.rows[row.key] = row
        return row

    def _held(self, key: RecordKey, owner: str | None, now: datetime) -> StoredRecord:
        row = self.rows.get(key)
        if row is None:
            raise ClaimLost(str(key))
        held = (row.claim_until is None or row.claim_until < now) if owner is None else row.claim_owner == owner
        if not held:
            raise ClaimLost(str(key))
        return row
