"""The change feed (domain/changes.py) and what the service knows of each Xero object
(domain/xero_objects.py), written together.

**Ids in commit order.** A change's id is the org's next sequence number. :meth:`append` moves
the org's ``#sequence`` item from n to n + k *and* writes the k changes (and their objects' new
states) in one DynamoDB transaction, on condition that the sequence is still n. Two writers that
both read n: one commits, the other's transaction is cancelled and it tries again with the new
n. So a change with id m is committed only after every change below m — a host that read up to
m (with a consistent read) can never miss one below it later.

**One change per change.** Each object's write is conditional on the revision the import read
(compare-and-set): a webhook and a poll that read the same new state both decide "changed", the
first commits, the second's object write fails, and it re-reads and finds nothing new. The
transaction tells which writes failed (``CancellationReasons``); those objects go back to the
caller to decide again, the others are written at once.

A transaction holds at most 100 writes: the sequence plus 49 (change, object) pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from xero_sync.dal.base import transactions_for
from xero_sync.dal.import_models import ChangeModel, XeroObjectModel
from xero_sync.dal.xero_objects import object_actions, revision_condition
from xero_sync.domain.changes import (
    CHANGE_ID_DIGITS,
    CHANGE_RETENTION,
    SEQUENCE_ITEM,
    AppendResult,
    Change,
    ChangeKind,
    ChangePage,
    Match,
    Resource,
    format_change_id,
)
from xero_sync.domain.xero_objects import ObjectKey, ObjectWrite

PAIRS_PER_TRANSACTION = 49
MAX_ATTEMPTS = 20


class SequenceContention(RuntimeError):
    """The org's sequence kept moving (many writers at once): the caller's message is retried."""


def _to_item(change: Change, change_id: str) -> ChangeModel:
    body: dict[str, Any] = {"state": change.state}
    if change.match is not None:
        body["match"] = {"host_id": change.match.host_id, "by": change.match.by}
    if change.conflict is not None:
        body["conflict"] = change.conflict
    return ChangeModel(
        change.org_id,
        change_id,
        kind=change.kind.value,
        resource=change.resource.value,
        xero_id=change.xero_id,
        host_id=change.host_id,
        body=body,
        occurred_at=change.occurred_at,
        recorded_at=change.recorded_at,
        expires_at=change.recorded_at + CHANGE_RETENTION,
    )


def _to_change(item: ChangeModel) -> Change:
    body = item.body or {}
    match = body.get("match")
    return Change(
        org_id=item.org_id,
        kind=ChangeKind(item.kind),
        resource=Resource(item.resource),
        xero_id=item.xero_id or "",
        state=body.get("state") or {},
        occurred_at=item.occurred_at,
        recorded_at=item.recorded_at,
        host_id=item.host_id,
        match=Match(host_id=match["host_id"], by=match["by"]) if match else None,
        conflict=body.get("conflict"),
        change_id=item.change_id,
    )


class ChangeRepository:
    # --- writing ------------------------------------------------------------------------------

    def last_id(self, org_id: str) -> str | None:
        """The newest change id of the org (None: none yet)."""
        sequence = self._sequence(org_id)
        return format_change_id(sequence) if sequence else None

    def _sequence(self, org_id: str) -> int:
        try:
            item = ChangeModel.get(org_id, SEQUENCE_ITEM, consistent_read=True)
        except DoesNotExist:
            return 0
        return int(item.sequence or 0)

    def append(self, org_id: str, entries: Sequence[tuple[Change, ObjectWrite]]) -> AppendResult:
        """Write each change with its object's new state. Objects whose revision moved since the
        caller read them are returned in ``stale`` (nothing written for them)."""
        result = AppendResult()
        pending = list(entries)
        while pending:
            chunk, pending = pending[:PAIRS_PER_TRANSACTION], pending[PAIRS_PER_TRANSACTION:]
            written, stale = self._append_chunk(org_id, chunk)
            result.changes += written
            result.stale += stale
        return result

    def _append_chunk(
        self, org_id: str, chunk: list[tuple[Change, ObjectWrite]]
    ) -> tuple[list[Change], list[ObjectKey]]:
        stale: list[ObjectKey] = []
        for _ in range(MAX_ATTEMPTS):
            if not chunk:
                return [], stale
            sequence = self._sequence(org_id)
            ids = [format_change_id(sequence + n) for n in range(1, len(chunk) + 1)]
            try:
                self._commit(org_id, sequence, chunk, ids)
            except TransactWriteError as error:
                # PynamoDB sends the puts (the changes) first, then the updates: the sequence at
                # index n, the objects after it — the reasons come back in that order.
                reasons = [getattr(reason, "code", None) for reason in (error.cancellation_reasons or [])]
                n = len(chunk)
                objects = reasons[n + 1 : 2 * n + 1]
                failed = {j for j, code in enumerate(objects) if code == "ConditionalCheckFailed"}
                if failed:
                    stale += [chunk[j][1].key for j in sorted(failed)]
                    chunk = [entry for j, entry in enumerate(chunk) if j not in failed]
                elif len(reasons) <= n or (
                    reasons[n] != "ConditionalCheckFailed" and "TransactionConflict" not in reasons
                ):
                    raise
                continue  # the sequence moved (or a concurrent transaction): read it again
            return [change.with_id(change_id) for (change, _), change_id in zip(chunk, ids, strict=True)], stale
        raise SequenceContention(f"the change sequence of org {org_id} kept moving; try again")

    def _commit(self, org_id: str, sequence: int, chunk: list[tuple[Change, ObjectWrite]], ids: list[str]) -> None:
        counter = ChangeModel(org_id, SEQUENCE_ITEM)
        condition: Condition = (
            ChangeModel.change_id.does_not_exist() if sequence == 0 else ChangeModel.sequence == sequence
        )
        with TransactWrite(connection=transactions_for(ChangeModel)) as transaction:
            transaction.update(counter, actions=[ChangeModel.sequence.set(sequence + len(chunk))], condition=condition)
            for (change, write), change_id in zip(chunk, ids, strict=True):
                item = XeroObjectModel(write.key.org_id, write.key.object_key)
                transaction.update(
                    item,
                    actions=object_actions(write, change.recorded_at, last_change_id=change_id),
                    condition=revision_condition(write),
                )
                transaction.save(_to_item(change, change_id))

    # --- reading ------------------------------------------------------------------------------

    def page(self, org_id: str, *, after: str | None, limit: int) -> ChangePage:
        """Changes after ``after`` (exclusive), oldest first, with a consistent read."""
        start = after if after is not None else "0" * CHANGE_ID_DIGITS
        items = list(
            ChangeModel.query(
                org_id,
                ChangeModel.change_id > start,
                consistent_read=True,
                limit=limit + 1,
            )
        )
        changes = [_to_change(item) for item in items[:limit]]
        return ChangePage(
            changes=changes, last_id=changes[-1].change_id if changes else None, has_more=len(items) > limit
        )

    def get(self, org_id: str, change_id: str) -> Change | None:
        try:
            return _to_change(ChangeModel.get(org_id, change_id, consistent_read=True))
        except DoesNotExist:
            return None
