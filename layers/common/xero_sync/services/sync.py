"""Starting syncs (F3.7, F3.8): the scheduled tick, "Sync now" (:class:`SyncNowGate` checks that
the org can sync, then hands over to :class:`SyncService`), and historical ranges.

A sync of an org sends the keys of its outstanding records (pending, and waiting — in case a
wake-up was lost) to the family queues; the workers do the rest. Nothing here calls Xero, so a
tick stays fast at 10,000 orgs: due orgs come from the sharded ``DueIndex`` (a query per shard,
never a scan; the shards take turns), a few orgs run at once, and each org's sync is claimed by
moving its schedule on with one conditional write from the time the index showed, so
overlapping ticks never run one org twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from xero_sync.clock import Clock
from xero_sync.domain.connection import all_shards
from xero_sync.domain.records import RecordKey, RecordStatus
from xero_sync.domain.restrictions import SKIP_BEFORE_EXPORT_FROM
from xero_sync.domain.schedule import DueSync, SyncCursor, interleave, next_sync_time
from xero_sync.models.api_export import SyncNowRequest, SyncNowResponse
from xero_sync.models.messages import EnqueueReason
from xero_sync.models.org_config import OrgSettings
from xero_sync.observability import logger
from xero_sync.services.connection_gate import require_connected
from xero_sync.services.history import admin_event
from xero_sync.services.ports import ConnectionStore, ExportQueue, HistoryStore, OrgConfigStore, RecordStore

HISTORICAL_RANGES = "historical_ranges"
SYNC_CURSOR = "sync_cursor"  # where a big sync's next slice starts (domain/schedule.py SyncCursor)
OUTSTANDING = (RecordStatus.PENDING, RecordStatus.WAITING)
MAX_KEYS_PER_SYNC = 10_000
"""Keys one sync sends to the queues: 200 messages of 50 keys, 20 SQS requests. More than Xero
takes from a tenant in a minute (60 calls of 50 records), so a big backlog never waits for the
next slice, while one sync — an API request, or one org in the tick — stays short: the rest goes
a minute later (``CONTINUE_AFTER``), starting where the slice ended (``SYNC_CURSOR``), until none
is left — so the queue keeps the next slice's work, and keys still queued are not sent again."""
CONTINUE_AFTER = timedelta(minutes=1)
BACKFILL_KEYS = 1_000
"""A sync of more outstanding records than this is a backfill (about 20 Xero calls: a third of a
tenant's minute); fewer are the real-time export of what changed."""
TICK_WORKERS = 8
"""Orgs the tick syncs at once. Each waits on about five requests (DynamoDB, SQS) and hardly uses
the CPU: one at a time, 10,000 due orgs would take minutes; eight at a time, about 40 s at
typical latencies (benchmarks/scale.py). Eight stays under botocore's 10 pooled connections per
client, and the work the tick starts is bounded by the workers' own concurrency anyway."""
SHORT_OF_TIME = 5.0
"""Seconds left in the invocation below which the tick starts no more orgs."""


class SyncSummary(BaseModel):
    org_id: str
    enqueued: int = 0
    historical: int = 0


class TickSummary(BaseModel):
    orgs: int = 0
    enqueued: int = 0
    stopped_early: bool = False


@dataclass
class SyncService:
    connections: ConnectionStore
    records: RecordStore
    queues: ExportQueue
    org_config: OrgConfigStore
    history: HistoryStore
    settings_of: Callable[[str], OrgSettings]
    clock: Clock
    shards: int
    workers: int = TICK_WORKERS
    after_scheduled: list[Callable[[str, datetime], object]] = field(default_factory=list)
    """What else an org's scheduled sync starts (the import's polling catch-up, F4); never fails it."""

    # --- the scheduled tick -----------------------------------------------------------------

    def tick(self, now: datetime, *, time_left: Callable[[], float] | None = None) -> TickSummary:
        """Start every due org's sync, ``workers`` orgs at a time (each org waits on DynamoDB and
        SQS, not on CPU: one at a time, 10,000 due orgs would take minutes). Stops early when the
        invocation runs short of time; the orgs left are still due and the next tick (a minute
        later) takes them. One org's failure does not stop the others; the tick still fails
        afterwards, so that the error is seen (the orgs it synced are no longer due)."""
        summary = TickSummary()
        lock = threading.Lock()
        failures: list[BaseException] = []

        def short_of_time() -> bool:
            return time_left is not None and time_left() < SHORT_OF_TIME

        def sync(due: DueSync) -> None:
            if short_of_time():  # queued before time ran short: leave it due for the next tick
                with lock:
                    summary.stopped_early = True
                return
            try:
                enqueued = self._scheduled(due, now)
            except Exception as error:
                logger.exception("A scheduled sync failed", extra={"org_id": due.org_id})
                with lock:
                    failures.append(error)
                return
            if enqueued is not None:
                with lock:
                    summary.orgs += 1
                    summary.enqueued += enqueued

        due_orgs = interleave(self.connections.due_orgs(shard, now) for shard in all_shards(self.shards))
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="tick") as pool:
            for due in due_orgs:
                if short_of_time():
                    summary.stopped_early = True
                    break
                pool.submit(sync, due)
        if failures:
            raise failures[0]
        return summary

    def _scheduled(self, due: DueSync, now: datetime) -> int | None:
        """Claim one due org's sync with a single conditional write (the schedule still at the
        time the index showed, the org still syncing), then send its outstanding records.

        A big sync's next slice (a cursor is saved) goes on with the sync that began it: what else
        a scheduled sync starts (the import's polling catch-up) ran, or did not, with that sync.
        Polling again each minute of a backfill would spend the tenant's Xero calls reading back
        the documents the backfill has just written, and would start imports for an org that
        syncs only when its admin asks."""
        frequency = self.settings_of(due.org_id).sync_frequency
        if not self.connections.advance_schedule(
            due.org_id, expected=due.due_at, next_sync_at=next_sync_time(frequency, now), now=now
        ):
            self._unschedule_if_not_syncing(due.org_id)
            return None
        cursor = self._cursor(due.org_id, now)
        if cursor is None:
            for hook in self.after_scheduled:
                try:
                    hook(due.org_id, now)
                except Exception:
                    logger.exception("A scheduled-sync hook failed", extra={"org_id": due.org_id})
        return self._enqueue_outstanding(due.org_id, entities=None, now=now, start=cursor)

    def _cursor(self, org_id: str, now: datetime) -> SyncCursor | None:
        saved = self.org_config.get(org_id, SYNC_CURSOR)
        return SyncCursor.of(saved.body, saved.updated_at, now) if saved is not None else None

    def _unschedule_if_not_syncing(self, org_id: str) -> None:
        """A claim that failed: usually another tick took the sync. If instead the org no longer
        syncs but is still on the due index, take it off (else every tick would find it again)."""
        connection = self.connections.get(org_id)
        if connection is None or not connection.syncs:
            self.connections.set_next_sync(org_id, None)

    def on_connected(self, org_id: str, now: datetime) -> None:
        """After connecting (or enabling / reconnecting): the first sync is due at once."""
        self.connections.set_next_sync(org_id, now)

    # --- "Sync now" (F3.7) and historical sync (F3.8) ---------------------------------------

    def sync_now(
        self,
        org_id: str,
        *,
        entities: list[str] | None,
        date_from: date | None,
        date_to: date | None,
        now: datetime,
    ) -> SyncSummary:
        historical = 0
        if date_from is not None or date_to is not None:
            historical = self._open_historical_range(org_id, entities, date_from, date_to, now)
        enqueued = self._enqueue_outstanding(org_id, entities=entities, now=now)
        message = f"Sync started: {enqueued} record(s) sent for export."
        if historical:
            message += f" {historical} record(s) before the export-from date included for {date_from}–{date_to}."
        details = {"enqueued": enqueued, "historical": historical, "entities": entities}
        self.history.append(admin_event(org_id, now, "sync_now", message, details=details))
        return SyncSummary(org_id=org_id, enqueued=enqueued, historical=historical)

    def _open_historical_range(
        self, org_id: str, entities: list[str] | None, date_from: date | None, date_to: date | None, now: datetime
    ) -> int:
        """Records skipped because they are dated before the export-from date, within the range,
        go out after all; the range is remembered so that the worker lets them through."""
        start, end = date_from or date.min, date_to or date.max
        stored = self.org_config.get(org_id, HISTORICAL_RANGES)
        ranges = list(stored.body) if stored else []
        ranges.append({"from": start.isoformat(), "to": end.isoformat()})
        self.org_config.put(org_id, HISTORICAL_RANGES, ranges, now=now)
        skipped = list(self.records.keys_with_status(org_id, RecordStatus.SKIPPED))
        if entities is not None:
            skipped = [k for k in skipped if k.entity in entities]
        rows = self.records.get_many(skipped)
        chosen: list[RecordKey] = []
        for key, row in rows.items():
            record_date = _record_date(row.data)
            if row.error_code == SKIP_BEFORE_EXPORT_FROM and record_date is not None and start <= record_date <= end:
                if self.records.requeue(key, now=now, only_from=[RecordStatus.SKIPPED]):
                    chosen.append(key)
        return len(chosen)

    def _enqueue_outstanding(
        self, org_id: str, *, entities: list[str] | None, now: datetime, start: SyncCursor | None = None
    ) -> int:
        """Send the org's pending and waiting records (oldest first), at most MAX_KEYS_PER_SYNC;
        if more are left, the org's next sync comes a minute later to send them, from where this
        slice ended. ``start``: the cursor a scheduled sync takes up, where the last slice ended;
        "Sync now" starts from the oldest record."""
        keys: list[RecordKey] = []
        more = False
        last: SyncCursor | None = None
        for status in OUTSTANDING:
            if start is not None and OUTSTANDING.index(status) < OUTSTANDING.index(start.status):
                continue  # sent by the earlier slices
            since = start.since if start is not None and status is start.status else None
            for key, entered in self.records.keys_and_times_with_status(org_id, status, since=since):
                if entities is not None and key.entity not in entities:
                    continue
                if len(keys) == MAX_KEYS_PER_SYNC:
                    more = True
                    break
                keys.append(key)
                last = SyncCursor(status, entered)
            if more:
                break
        # A large backlog (a first sync, a long pause) is a backfill: background work in the
        # app-wide budget, so that it never takes what other orgs' real-time exports need (N2).
        # It goes on the backfill queue, whose own workers never stand in front of real-time ones.
        backfill = more or len(keys) > BACKFILL_KEYS
        reason = EnqueueReason.BACKFILL if backfill else EnqueueReason.SYNC
        sent = self.queues.enqueue(keys, reason, background=backfill) if keys else 0
        if more and last is not None:
            self.org_config.put(org_id, SYNC_CURSOR, last.body(), now=now)
            self.connections.set_next_sync(org_id, now + CONTINUE_AFTER)
        elif start is not None:
            self.org_config.put(org_id, SYNC_CURSOR, {}, now=now)  # the big sync is done
        logger.info("Sync started", extra={"org_id": org_id, "enqueued": sent, "more_to_send": more})
        return sent


@dataclass
class SyncNowGate:
    """The host's "Sync now": refuses an org that cannot sync (409), then starts the sync service
    (built only when used, so that the API builds the sync machinery only for this route)."""

    connections: ConnectionStore
    sync_service: Callable[[], SyncService]
    clock: Clock
    start_import: Callable[[str, SyncNowRequest, datetime], bool] | None = None  # direction import (F3.8)

    def start(self, org_id: str, request: SyncNowRequest) -> SyncNowResponse:
        require_connected(self.connections, org_id)
        now = self.clock()
        entities = [entity.value for entity in request.entities] if request.entities else None
        summary: Any = SyncSummary(org_id=org_id)
        if request.direction != "import":
            summary = self.sync_service().sync_now(
                org_id, entities=entities, date_from=request.date_from, date_to=request.date_to, now=now
            )
        import_started = False
        if request.direction != "export" and self.start_import is not None:
            import_started = self.start_import(org_id, request, now)
        self.connections.record_activity(org_id, now)  # an admin action (F6.1)
        # A stand-in for the sync service may report a plain mapping.
        reported = summary.model_dump(mode="json") if isinstance(summary, BaseModel) else dict(summary or {})
        return SyncNowResponse.model_validate(
            {
                "enqueued": int(getattr(summary, "enqueued", reported.get("enqueued", 0))),
                "entities": entities,
                "from": request.date_from,
                "to": request.date_to,
                "summary": reported,
                "direction": request.direction,
                "import_started": import_started,
            }
        )


def historical_ranges(body: list | None) -> list[tuple[date, date]]:
    return [(date.fromisoformat(r["from"]), date.fromisoformat(r["to"])) for r in body or []]


def _record_date(data: dict | None) -> date | None:
    value = (data or {}).get("date")
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
