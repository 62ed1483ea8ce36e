"""Children deferred behind a parent that is on its way to Xero (N2): a backfill's payments reach
the worker while their invoices are still queued. Parking each payment (waiting, the parent
flagged, a look-up and a write to wake it) costs four writes a record; sending it back to its
queue for a while (the retry back-off) costs none, but it then starts a fixed time later, not
when its invoice lands.

So the deferral is also noted on the parent itself — the child's key added to the parent's
``deferred_children``, in one conditional write per parent, all of a pass's in transactions
(conditional_updates.py) — and the write that records the parent in Xero (``mark_synced``) reads
the set back: the children go on the moment their parent lands. The condition (the parent is
still pending) and the synced mark touch one item, so DynamoDB orders them: a child is either in
the set when the mark reads it, or told at once that its parent is no longer on its way. The
back-off message stays as the fallback (for a parent that fails, or a set lost to a race); a child
woken first finds that message already done when it comes.

The set is not cleared when read: children noted once stay noted, so a later landing of the same
parent sends them a message again, which finds them done (a read). Clearing it would take one
more write per parent in every backfill.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from xero_sync.dal.conditional_updates import ConditionalUpdate, update_all
from xero_sync.dal.models import RecordModel
from xero_sync.domain.records import RecordKey, RecordStatus


class RecordDeferrals:
    """The deferral's writes, as a part of RecordRepository (records.py)."""

    def defer_behind(self, deferrals: Mapping[RecordKey, Collection[RecordKey]]) -> list[RecordKey]:
        """Note each parent's deferred children on the parent, while it is still pending (see the
        module's docstring). Returns the children of parents that no longer are — they landed
        meanwhile, or failed — which must go on now rather than wait for a wake-up."""
        parents = list(deferrals)
        noted = update_all(
            [
                ConditionalUpdate(
                    parent,
                    RecordModel(parent.org_id, parent.record_key),
                    [RecordModel.deferred_children.add({child.record_key for child in deferrals[parent]})],
                    RecordModel.status == RecordStatus.PENDING.value,
                )
                for parent in parents
            ]
        )
        return [child for parent, ok in zip(parents, noted, strict=True) if not ok for child in deferrals[parent]]


def deferred_children_of(org_id: str, item: RecordModel | None) -> tuple[RecordKey, ...]:
    """The children noted on ``item`` by :meth:`RecordDeferrals.defer_behind`."""
    if item is None or not item.deferred_children:
        return ()
    return tuple(RecordKey.parse(org_id, record_key) for record_key in sorted(item.deferred_children))
