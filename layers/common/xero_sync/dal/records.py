"""The records table: each host record's latest state and where it stands with Xero.

State, not events (F3.1): a push stores the record's full current state with its version; a
newer version replaces an older one, an older one is ignored. Workers never trust a queue
message for content: they read the latest state here.

Exactly once (N1) rests on two things kept here:
- a *claim* (``claim_owner``/``claim_until``) taken with a conditional write before any Xero
  call, so two workers never send the same record at once, whatever SQS delivers;
- the *pending operation* (``claim_operation``, ``claim_version``, ``idempotency_key``) which
  stays behind when a call's outcome is unknown (time-out, dropped connection, 5xx), telling
  the next worker to look in Xero for the record before sending it again.

Statuses are those of ``domain/records.py``; the sparse ``status_key``/``status_at`` pair
mirrors the status for the StatusIndex.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from xero_sync.dal.conditional_updates import ConditionalUpdate, update_all, update_one
from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.models import RecordModel
from xero_sync.dal.record_claims import RecordClaims
from xero_sync.dal.record_deferrals import RecordDeferrals, deferred_children_of
from xero_sync.dal.record_items import clear_claim_actions, data_actions, held_by, status_actions, to_record
from xero_sync.dal.record_marks import RecordMarks, synced_link_actions
from xero_sync.domain.errors import ClaimLost
from xero_sync.domain.records import (
    RecordKey,
    RecordStatus,
    StoredRecord,
    StoreResult,
    Synced,
    SyncedMark,
    waiting_key,
)


class RecordRepository(RecordClaims, RecordDeferrals, RecordMarks):
    # --- pushes (F3.1) ----------------------------------------------------------------------

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
        """Store the host's latest state if ``version`` is newer than what the table holds.
        ``inventory_day`` (``YYYY-MM-DD``): a document with item costs, found by the inventory
        journal of that day (InventoryDayIndex).
        ``waiting_on`` (with ``status=WAITING``): the parent it refers to is not held yet (F3.4).
        Claims and links are untouched: a worker that holds the record finishes its call and
        then sees the newer version still pending.

        ``status=None`` is for contacts: pending if a transaction already referred to it,
        otherwise idle — decided inside the conditional write, so a worker marking the contact
        referenced at the same moment cannot be overwritten back to idle."""
        if status is None:
            referenced = RecordModel.referenced == True  # noqa: E712 — a DynamoDB condition, not a Python test
            result = self._store(key, family, version, action, data, RecordStatus.PENDING, now, referenced)
            if result is StoreResult.STORED:
                return result
            return self._store(key, family, version, action, data, RecordStatus.IDLE, now, ~referenced)
        return self._store(key, family, version, action, data, status, now, None, waiting_on, inventory_day)

    @staticmethod
    def _store(
        key: RecordKey,
        family: str,
        version: int,
        action: str,
        data: dict[str, Any] | None,
        status: RecordStatus,
        now: datetime,
        extra: Condition | None,
        waiting_on: str | None = None,
        inventory_day: str | None = None,
    ) -> StoreResult:
        day_key = f"{key.org_id}#{inventory_day}" if inventory_day else None
        actions = [
            RecordModel.entity.set(key.entity),
            RecordModel.record_id.set(key.record_id),
            RecordModel.family.set(family),
            RecordModel.version.set(version),
            RecordModel.action.set(action),
            # A delete keeps the last data: its parents' ids and its number are still needed
            # (to label it in messages, to find the invoice a removed payment belonged to).
            # Stored compressed (data_z); an item from before that keeps its old JSON until then.
            *(data_actions(data) if data is not None else []),
            RecordModel.received_at.set(now),
            RecordModel.updated_at.set(now),
            RecordModel.waiting_on.set(waiting_on) if waiting_on else RecordModel.waiting_on.remove(),
            RecordModel.inventory_day.set(day_key) if day_key else RecordModel.inventory_day.remove(),
            RecordModel.error_code.remove(),
            RecordModel.attempts.set(0),
            *status_actions(key.org_id, status, now),
        ]
        condition = RecordModel.version.does_not_exist() | (RecordModel.version < version)
        if extra is not None:
            condition = condition & extra
        try:
            RecordModel(key.org_id, key.record_key).update(actions=actions, condition=condition)
        except UpdateError as error:
            if is_condition_failure(error):
                return StoreResult.STALE
            raise
        return StoreResult.STORED

    def mark_referenced(self, key: RecordKey, now: datetime) -> bool:
        """A transaction refers to this contact: from now on it is exported (seed 000/001:
        "A contact will be exported only if it's associated with a transaction"). Returns
        True if it was idle and is now pending."""
        return update_one(_referenced(key, now))

    def mark_all_referenced(self, keys: Sequence[RecordKey], now: datetime) -> list[bool]:
        """:meth:`mark_referenced` for the contacts of a pass, in transactions of up to 100."""
        return update_all([_referenced(key, now) for key in keys])

    def note_waiter(self, parent: RecordKey) -> StoredRecord | None:
        """A child now waits for ``parent``: the parent's worker will look for waiting children
        once the parent reaches Xero (and skips that look-up for the many records nobody waits
        for). Returns the parent as it is after the write, so the caller can see whether it
        reached Xero just before: then nobody will wake the child, and it must go on itself."""
        item = RecordModel(parent.org_id, parent.record_key)
        try:
            item.update(actions=[RecordModel.has_waiters.set(True)], condition=RecordModel.version.exists())
        except UpdateError as error:
            if not is_condition_failure(error):
                raise
            return None  # a parent that does not exist yet: the child waits for the host's push
        return to_record(item)

    def take_waiters(self, parent: RecordKey, now: datetime) -> list[RecordKey]:
        """Wake the children waiting for ``parent``: pending again, returned for enqueueing."""
        RecordModel(parent.org_id, parent.record_key).update(actions=[RecordModel.has_waiters.remove()])
        woken = []
        for child in self.waiting_children(parent.org_id, parent.entity, parent.record_id):
            if self.requeue(child, now=now, only_from=[RecordStatus.WAITING]):
                woken.append(child)
        return woken

    # --- reads --------------------------------------------------------------------------------

    def get_many(self, keys: Iterable[RecordKey]) -> dict[RecordKey, StoredRecord]:
        """Consistent reads, 100 keys per BatchGetItem."""
        by_item = {(k.org_id, k.record_key): k for k in keys}
        found: dict[RecordKey, StoredRecord] = {}
        for item in RecordModel.batch_get(list(by_item), consistent_read=True):
            found[by_item[(item.org_id, item.record_key)]] = to_record(item)
        return found

    def get(self, key: RecordKey) -> StoredRecord | None:
        return self.get_many([key]).get(key)

    def keys_with_status(
        self, org_id: str, status: RecordStatus, *, since: datetime | None = None, until: datetime | None = None
    ) -> Iterator[RecordKey]:
        """Keys of an org's records in one status, oldest first — an index query, not a scan."""
        for key, _ in self._in_status(org_id, status, since, until):
            yield key

    def keys_and_times_with_status(
        self, org_id: str, status: RecordStatus, *, since: datetime | None = None
    ) -> Iterator[tuple[RecordKey, datetime]]:
        """The same, with when each entered the status (the index's sort key: a sync's cursor)."""
        return self._in_status(org_id, status, since, None)

    @staticmethod
    def _in_status(
        org_id: str, status: RecordStatus, since: datetime | None, until: datetime | None
    ) -> Iterator[tuple[RecordKey, datetime]]:
        condition: Condition | None = None
        if since and until:
            condition = RecordModel.status_at.between(since, until)
        elif since:
            condition = RecordModel.status_at >= since
        elif until:
            condition = RecordModel.status_at <= until
        for item in RecordModel.status_index.query(f"{org_id}#{status.value}", condition):
            yield RecordKey.parse(org_id, item.record_key), item.status_at

    def keys_on_inventory_day(self, org_id: str, day: str) -> Iterator[RecordKey]:
        """Invoices and bills dated ``day`` (``YYYY-MM-DD``) whose lines carry item costs."""
        for item in RecordModel.inventory_day_index.query(f"{org_id}#{day}"):
            yield RecordKey.parse(org_id, item.record_key)

    def waiting_children(self, org_id: str, parent_entity: str, parent_id: str) -> Iterator[RecordKey]:
        for item in RecordModel.waiting_index.query(waiting_key(org_id, parent_entity, parent_id)):
            yield RecordKey.parse(org_id, item.record_key)

    # --- after the claim (record_claims.py) ---------------------------------------------------

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
        """Give the record back after a retryable failure. With an unknown outcome the pending
        operation stays, so the next attempt looks in Xero before sending again. ``not_sent``:
        the call never left (the rate governor held it), so the claim's attempt is given back."""
        actions: list[Action] = [
            RecordModel.claim_owner.remove(),
            RecordModel.claim_until.remove(),
            RecordModel.updated_at.set(now),
        ]
        if not_sent:
            actions.append(RecordModel.attempts.add(-1))
        if not outcome_unknown:
            actions += [
                RecordModel.claim_operation.remove(),
                RecordModel.claim_version.remove(),
                RecordModel.idempotency_key.remove(),
            ]
        if message:
            actions.append(RecordModel.last_message.set(message))
        self._update_claimed(key, owner, actions, now=now, tolerate_lost=True)

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
        """After an unknown outcome, the record was found in Xero: keep that link (for the
        version that was being sent) and forget the pending operation. Only while nobody holds
        the record."""
        actions = [
            RecordModel.xero_tenant_id.set(tenant_id),
            RecordModel.xero_id.set(xero_id),
            RecordModel.xero_refs.set(xero_refs) if xero_refs else RecordModel.xero_refs.remove(),
            RecordModel.exported_version.set(version),
            RecordModel.exported_action.set(action),
            RecordModel.exported_fingerprint.remove(),  # unknown: let the next decision compare afresh
            RecordModel.last_message.set(message),
            RecordModel.updated_at.set(now),
            *clear_claim_actions(),
        ]
        self._update_claimed(key, None, actions, now=now)

    def save_progress(self, key: RecordKey, *, owner: str, xero_refs: dict[str, Any], now: datetime) -> None:
        """Keep what a multi-step operation achieved so far (e.g. a write-off's credit note
        before its allocation), so a retry resumes instead of starting over."""
        self._update_claimed(
            key,
            owner,
            [RecordModel.xero_refs.set(xero_refs), RecordModel.updated_at.set(now)],
            now=now,
        )

    def forget_link(
        self, key: RecordKey, *, owner: str | None, xero_refs: dict[str, Any] | None, now: datetime
    ) -> None:
        """The Xero record this row was linked to is gone (a payment deleted before it is sent
        again with new values): the next step creates afresh."""
        self._update_claimed(
            key,
            owner,
            [
                RecordModel.xero_id.remove(),
                RecordModel.exported_version.remove(),
                RecordModel.exported_action.remove(),
                RecordModel.exported_fingerprint.remove(),
                RecordModel.xero_refs.set(xero_refs) if xero_refs else RecordModel.xero_refs.remove(),
                RecordModel.updated_at.set(now),
            ],
            now=now,
        )

    def clear_pending_operation(self, key: RecordKey, *, message: str, now: datetime) -> None:
        """After an unknown outcome, Xero does not have the record: the attempt never landed."""
        self._update_claimed(
            key,
            None,
            [*clear_claim_actions(), RecordModel.last_message.set(message), RecordModel.updated_at.set(now)],
            now=now,
        )

    # --- outcomes -----------------------------------------------------------------------------

    def mark_synced(self, mark: SyncedMark, now: datetime) -> Synced:
        """Xero now holds ``mark.version``. If the host pushed a newer version meanwhile, the record
        goes back to pending (its link kept) so the newer state is exported next.

        The result carries ``has_waiters`` as it is *after* this write — not as it was when the
        worker read the record — so a child that started waiting meanwhile is never missed (the
        child, for its part, re-reads the parent after flagging it: see ``note_waiter``); and,
        read in the same write, the children deferred behind it (``defer_behind``), to go now."""
        key, owner = mark.key, mark.owner
        link_actions = synced_link_actions(mark, now)
        try:
            item = self._update_claimed(
                key,
                owner,
                [*link_actions, *status_actions(key.org_id, RecordStatus.SYNCED, now)],
                now=now,
                extra_condition=RecordModel.version == mark.version,
            )
            return Synced(
                RecordStatus.SYNCED, bool(item is not None and item.has_waiters), deferred_children_of(key.org_id, item)
            )
        except _VersionMoved:
            item = self._update_claimed(
                key, owner, [*link_actions, *status_actions(key.org_id, RecordStatus.PENDING, now)], now=now
            )
            return Synced(RecordStatus.PENDING, bool(item is not None and item.has_waiters))

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
        """Record a non-success outcome for ``version``: skipped, failed (needs the admin) or
        waiting for a parent. If a newer version arrived meanwhile it stays pending instead.
        ``owner=None``: the worker made no Xero call for it and holds no claim; the write then
        requires that nobody else holds the record either."""
        actions = [
            RecordModel.updated_at.set(now),
            RecordModel.error_code.set(error_code) if error_code else RecordModel.error_code.remove(),
            RecordModel.last_message.set(message) if message else RecordModel.last_message.remove(),
            RecordModel.waiting_on.set(waiting_on) if waiting_on else RecordModel.waiting_on.remove(),
            *clear_claim_actions(),
        ]
        try:
            self._update_claimed(
                key,
                owner,
                [*actions, *status_actions(key.org_id, status, now)],
                now=now,
                extra_condition=RecordModel.version == version,
            )
            return status
        except _VersionMoved:
            self._update_claimed(key, owner, [*clear_claim_actions(), RecordModel.updated_at.set(now)], now=now)
            return RecordStatus.PENDING

    def requeue(self, key: RecordKey, *, now: datetime, only_from: Iterable[RecordStatus]) -> bool:
        """Put a record back to pending (retry one, retry all failed, wake a waiting child,
        redrive after a fix). Only from the given statuses, so a synced record stays synced."""
        statuses = [s.value for s in only_from]
        try:
            RecordModel(key.org_id, key.record_key).update(
                actions=[
                    *status_actions(key.org_id, RecordStatus.PENDING, now),
                    RecordModel.waiting_on.remove(),
                    RecordModel.updated_at.set(now),
                ],
                condition=RecordModel.status.is_in(*statuses),
            )
        except UpdateError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    # --- helpers ------------------------------------------------------------------------------

    def _update_claimed(
        self,
        key: RecordKey,
        owner: str | None,
        actions: list,
        *,
        now: datetime,
        extra_condition: Condition | None = None,
        tolerate_lost: bool = False,
    ) -> RecordModel | None:
        """Update the record if ``owner`` holds it (or, with ``owner=None``, if nobody does).
        Returns the item as it is after the write."""
        held = held_by(owner, now)
        condition = held if extra_condition is None else held & extra_condition
        item = RecordModel(key.org_id, key.record_key)
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as error:
            if not is_condition_failure(error):
                raise
            if extra_condition is not None and self._still_held(key, owner, now):
                raise _VersionMoved() from error
            if tolerate_lost:
                return None
            raise ClaimLost(str(key)) from error
        return item

    @staticmethod
    def _still_held(key: RecordKey, owner: str | None, now: datetime) -> bool:
        item = RecordModel.get(key.org_id, key.record_key, consistent_read=True)
        if owner is None:
            return item.claim_until is None or item.claim_until < now
        return item.claim_owner == owner


def _referenced(key: RecordKey, now: datetime) -> ConditionalUpdate:
    return ConditionalUpdate(
        key,
        RecordModel(key.org_id, key.record_key),
        [RecordModel.referenced.set(True), *status_actions(key.org_id, RecordStatus.PENDING, now)],
        RecordModel.status == RecordStatus.IDLE.value,
    )


class _VersionMoved(Exception):
    """The claim holds but the host pushed a newer version during the attempt."""
