"""The synced marks of one Xero call, written together (N2, N6).

After a call, each record Xero accepted is marked synced: its link to Xero written, its claim
cleared — a conditional write per record (the worker still holds the claim, the host has pushed
no newer version). One ``UpdateItem`` each was most of the export worker's DynamoDB requests,
and so most of its CPU (botocore's cost per request). Here the marks of a call go in
``TransactWriteItems`` of up to 100 (conditional_updates.py), and what the outcome needs back
— does a child wait for the record, which children were deferred behind it — is read in one
consistent ``BatchGetItem`` of just those attributes.

Read after the write, not in it (a transaction returns no items): the read sees every waiter
and every deferred child noted before the mark, and perhaps some noted after it. Both are
safe: a child noted before is woken, as with the single write's ``ALL_NEW``; one noted after
is woken too early at worst, finds its parent as it is, and waits again. (A deferral after the
mark cannot happen while the record is synced: its condition is that the parent is pending.)

A mark whose condition fails — the host pushed a newer version during the call, or the claim
was lost — is answered None: the caller marks that record alone (``mark_synced``), which tells
the two apart.

The price: a transaction costs twice the write units of the same writes (README, "Cost per
million records").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from pynamodb.expressions.update import Action

from xero_sync.dal.conditional_updates import ConditionalUpdate, update_all, update_one
from xero_sync.dal.models import RecordModel
from xero_sync.dal.record_deferrals import deferred_children_of
from xero_sync.dal.record_items import clear_claim_actions, held_by, status_actions
from xero_sync.domain.records import RecordStatus, Synced, SyncedMark

READ_BACK = ["org_id", "record_key", "has_waiters", "deferred_children"]
"""What the outcome needs of a landed record: only these are read back, not the whole item."""


class RecordMarks:
    """The synced marks' writes, as a part of RecordRepository (records.py)."""

    def mark_all_synced(self, marks: Sequence[SyncedMark], now: datetime) -> list[Synced | None]:
        """Mark each record synced as ``mark_synced`` would when its version is still the
        latest, answering in the same order; None for a record whose mark did not hold (see the
        module's docstring)."""
        updates = [_mark(mark, now) for mark in marks]
        if len(updates) == 1:  # one UpdateItem, which has the item back (ALL_NEW): no read needed
            written = [update_one(updates[0])]
            item = cast(RecordModel, updates[0].item)
            after = {_item_key(item): item} if written[0] else {}
        else:
            written = update_all(updates)
            after = _read_back([mark for mark, ok in zip(marks, written, strict=True) if ok])
        return [_synced(mark, after) if ok else None for mark, ok in zip(marks, written, strict=True)]


def synced_link_actions(mark: SyncedMark, now: datetime) -> list[Action]:
    """What a synced mark writes besides the status: the link to Xero, the exported version,
    and the claim cleared."""
    return [
        RecordModel.xero_tenant_id.set(mark.tenant_id),
        RecordModel.xero_id.set(mark.xero_id) if mark.xero_id else RecordModel.xero_id.remove(),
        RecordModel.xero_refs.set(mark.xero_refs) if mark.xero_refs else RecordModel.xero_refs.remove(),
        RecordModel.exported_version.set(mark.version),
        RecordModel.exported_action.set(mark.action),
        RecordModel.exported_fingerprint.set(mark.fingerprint)
        if mark.fingerprint
        else RecordModel.exported_fingerprint.remove(),
        RecordModel.synced_at.set(now),
        RecordModel.updated_at.set(now),
        RecordModel.error_code.remove(),
        RecordModel.waiting_on.remove(),
        RecordModel.attempts.set(0),
        RecordModel.last_message.set(mark.message) if mark.message else RecordModel.last_message.remove(),
        *clear_claim_actions(),
    ]


def _mark(mark: SyncedMark, now: datetime) -> ConditionalUpdate:
    key = mark.key
    return ConditionalUpdate(
        key,
        RecordModel(key.org_id, key.record_key),
        [*synced_link_actions(mark, now), *status_actions(key.org_id, RecordStatus.SYNCED, now)],
        held_by(mark.owner, now) & (RecordModel.version == mark.version),
    )


def _read_back(marks: Sequence[SyncedMark]) -> dict[tuple[str, str], RecordModel]:
    """The landed records' waiters and deferred children, as they are now (PynamoDB sends the
    keys 100 to a BatchGetItem)."""
    keys = list(dict.fromkeys((mark.key.org_id, mark.key.record_key) for mark in marks))
    if not keys:
        return {}
    items = RecordModel.batch_get(keys, consistent_read=True, attributes_to_get=READ_BACK)
    return {_item_key(item): item for item in items}


def _synced(mark: SyncedMark, after: dict[tuple[str, str], RecordModel]) -> Synced:
    item = after.get((mark.key.org_id, mark.key.record_key))
    return Synced(RecordStatus.SYNCED, bool(item and item.has_waiters), deferred_children_of(mark.key.org_id, item))


def _item_key(item: RecordModel) -> tuple[str, str]:
    return (item.org_id, item.record_key)
