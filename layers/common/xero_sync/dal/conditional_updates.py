"""Many conditional updates, each answered as if it had been its own ``UpdateItem``, sent in
``TransactWriteItems`` of up to 100 items: one request instead of one per item.

A transaction is all or nothing, so an item whose condition is false cancels it, with a reason
per item (``ConditionalCheckFailed`` naming that one): those items are answered False and the
transaction is sent again without them (up to TRANSACTION_ATTEMPTS times). A transaction
cancelled for another reason (a conflict with a concurrent write to one of its items) leaves its
items to one ``UpdateItem`` each. Any other error is raised, as a single update's would be.

A transaction costs twice the write units of the same writes made one by one (README, "Cost per
million records"); that is the price of one request instead of fifty. Used for what one Xero
call writes around it: the claims (record_claims.py), the synced marks (record_marks.py), the
no-echo notes (xero_objects.py) and the contacts made exportable (records.py); and for the
children deferred behind their parents (record_deferrals.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from xero_sync.dal.base import transactions_for
from xero_sync.dal.errors import is_condition_failure

MAX_TRANSACTION_ITEMS = 100
"""DynamoDB's limit on the items of one TransactWriteItems."""
TRANSACTION_ATTEMPTS = 3
"""Transactions sent for one group before the items left are written one by one."""


@dataclass(frozen=True)
class ConditionalUpdate:
    key: Hashable  # which item (the same key twice means the same item)
    item: Model  # the item, by its keys
    actions: list[Action]
    condition: Condition


def update_one(update: ConditionalUpdate) -> bool:
    """One ``UpdateItem``: True if written, False if its condition was false."""
    try:
        update.item.update(actions=update.actions, condition=update.condition)
    except UpdateError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def update_all(updates: Sequence[ConditionalUpdate]) -> list[bool]:
    """Each update written if its condition holds, answered in the same order (see the module's
    docstring). Fewer than two, or an item named twice (a transaction may write an item only
    once), go one by one."""
    if len(updates) < 2 or len({update.key for update in updates}) < len(updates):
        return [update_one(update) for update in updates]
    written: dict[int, bool] = {}
    indexed = list(enumerate(updates))
    for start in range(0, len(indexed), MAX_TRANSACTION_ITEMS):
        written.update(_update_group(indexed[start : start + MAX_TRANSACTION_ITEMS]))
    return [written[index] for index in range(len(updates))]


def _update_group(group: list[tuple[int, ConditionalUpdate]]) -> dict[int, bool]:
    written: dict[int, bool] = {}
    remaining = group
    for _ in range(TRANSACTION_ATTEMPTS):
        if len(remaining) < 2:
            break
        try:
            with TransactWrite(connection=transactions_for(type(remaining[0][1].item))) as transaction:
                for _, update in remaining:
                    transaction.update(update.item, actions=update.actions, condition=update.condition)
        except TransactWriteError as error:
            reasons = [getattr(reason, "code", None) for reason in (error.cancellation_reasons or [])]
            if len(reasons) != len(remaining):
                raise  # not a cancellation (throttled past botocore's retries, a bad request)
            refused = {position for position, code in enumerate(reasons) if code == "ConditionalCheckFailed"}
            if not refused:
                break  # a conflict with a concurrent write: one by one below
            written.update({remaining[position][0]: False for position in refused})
            remaining = [entry for position, entry in enumerate(remaining) if position not in refused]
            continue
        written.update({index: True for index, _ in remaining})
        return written
    written.update({index: update_one(update) for index, update in remaining})
    return written
