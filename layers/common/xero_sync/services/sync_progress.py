"""How far an org's export has got (F3.7 "Sync now" with progress, F7.1): the records still to
send, those waiting for a parent, and those that failed — counted on the records' status index
(keys only), up to a cap, so that a large backlog costs a bounded read."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from xero_sync.domain.records import RecordStatus
from xero_sync.services.ports import RecordStore

CAP = 1000


@dataclass(frozen=True)
class SyncProgress:
    pending: int
    waiting: int
    failed: int
    capped: bool  # at least one count reached the cap: "1000 or more"

    @property
    def outstanding(self) -> int:
        return self.pending + self.waiting


def sync_progress(records: RecordStore, org_id: str, *, cap: int = CAP) -> SyncProgress:
    counts = {
        status: sum(1 for _ in islice(records.keys_with_status(org_id, status), cap))
        for status in (RecordStatus.PENDING, RecordStatus.WAITING, RecordStatus.FAILED)
    }
    return SyncProgress(
        pending=counts[RecordStatus.PENDING],
        waiting=counts[RecordStatus.WAITING],
        failed=counts[RecordStatus.FAILED],
        capped=any(count >= cap for count in counts.values()),
    )
