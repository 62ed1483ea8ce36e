"""Queue message bodies. Export queues carry record *keys*, never record content: a worker
always reads the latest state from the records table, so a late, repeated or redriven message
exports the current truth (N1)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class EnqueueReason(StrEnum):
    PUSH = "push"  # real-time mode: exported within seconds of a push
    SYNC = "sync"  # the scheduled tick or "Sync now"
    RETRY = "retry"  # the host asked to retry a failed record
    WAKE = "wake"  # a parent reached Xero; its waiting children go next
    DEPENDENCY = "dependency"  # a child needs this parent (e.g. a contact) in Xero first
    REPROCESS = "reprocess"  # the operator's reprocess function
    DEFERRED = "deferred"  # back in a while: the parent is still on its way to Xero
    NEEDS_ADMIN = "needs_admin"  # parked in the DLQ after a failure the admin must fix
    COPY = "copy"  # "Copy to Xero" (F3.11): this record now, whatever the export-from date
    BACKFILL = "backfill"  # a sync of a large backlog (e.g. the first sync): background work (N2)


MAX_RECORDS_PER_MESSAGE = 50
"""Keys in one message: one Xero call's worth (xero-facts §3.2), so a Lambda batch of a few
messages is a few full Xero calls, and one SQS request carries fifty records, not one."""


class RecordRef(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    entity: str = Field(min_length=1)
    record_id: str = Field(min_length=1)


class ExportMessage(BaseModel):
    """Records of one org (on a family's queue, of that family; on the backfill queue, of any) to
    evaluate and, if needed, send to Xero."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    org_id: str = Field(min_length=1)
    records: list[RecordRef] = Field(min_length=1, max_length=MAX_RECORDS_PER_MESSAGE)
    reason: EnqueueReason = EnqueueReason.SYNC
    note: str | None = Field(default=None, description="Why a DLQ message was parked: for the operator.")
    deferrals: int = Field(
        default=0, ge=0, description="How often these records were put back because a parent was still on its way."
    )
    background: bool = Field(
        default=False,
        description="Part of a backfill (N2): sent on the backfill queue, with its own workers, so that it never "
        "stands in front of real-time exports; whatever its export sends on (wake-ups, retries) stays background.",
    )
