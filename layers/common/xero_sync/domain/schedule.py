"""When an org syncs next (F3.7). Pure: ``now`` is an argument.

Real-time orgs are exported on push, and also get an hourly sweep: it picks up records whose
message was lost or whose parent arrived late, so real-time never means "only if every message
made it". Manual orgs are never scheduled: only "Sync now" exports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from xero_sync.domain.records import RecordStatus
from xero_sync.models.sync_frequency import SyncFrequency

T = TypeVar("T")

INTERVALS: dict[SyncFrequency, timedelta | None] = {
    SyncFrequency.REALTIME: timedelta(hours=1),  # the safety sweep
    SyncFrequency.EVERY_10_MINUTES: timedelta(minutes=10),
    SyncFrequency.HOURLY: timedelta(hours=1),
    SyncFrequency.DAILY: timedelta(days=1),
    SyncFrequency.MANUAL: None,
}


def next_sync_time(frequency: SyncFrequency, now: datetime) -> datetime | None:
    """The next scheduled sync after one that runs at ``now``; None for manual orgs."""
    interval = INTERVALS[frequency]
    return None if interval is None else now + interval


def exports_on_push(frequency: SyncFrequency) -> bool:
    return frequency is SyncFrequency.REALTIME


class DueSync(NamedTuple):
    """An org whose scheduled sync has come, with the time the due index holds for it: the tick
    claims the sync only if the schedule still says that time (nobody took it since)."""

    org_id: str
    due_at: datetime


def interleave(sources: Iterable[Iterable[T]]) -> Iterator[T]:
    """One item of each source in turn until all are empty: the due orgs of every shard take
    turns, so a tick that runs short of time leaves some of each shard for the next one, rather
    than always the last shards' orgs."""
    iterators = [iter(source) for source in sources]
    while iterators:
        still = []
        for iterator in iterators:
            for item in iterator:
                yield item
                still.append(iterator)
                break
        iterators = still


CURSOR_LIFETIME = timedelta(minutes=10)
"""A continuation older than this starts from the oldest record again (a paused org, a slow tick):
it may send some keys twice, never skip one."""


class SyncCursor(NamedTuple):
    """Where a big sync's next slice starts: the records in ``status`` that entered it at or
    after ``since`` (the StatusIndex order), then the later statuses. Records of that status that
    became outstanding after the slice was sent have a later time, so the continuation takes them
    too (those of an earlier status wait for the org's next full sync); those with the same time
    as the last key sent go again (harmless: the worker finds them sent)."""

    status: RecordStatus
    since: datetime

    def body(self) -> dict[str, str]:
        return {"status": self.status.value, "since": self.since.isoformat()}

    @classmethod
    def of(cls, body: Any, saved_at: datetime | None, now: datetime) -> SyncCursor | None:
        """The cursor a config item holds, if it is one and still fresh."""
        if not isinstance(body, dict) or not body or saved_at is None or now - saved_at > CURSOR_LIFETIME:
            return None
        try:
            return cls(RecordStatus(body["status"]), datetime.fromisoformat(body["since"]))
        except (KeyError, ValueError, TypeError):
            return None
