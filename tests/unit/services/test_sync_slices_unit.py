"""A big sync in slices (F3.7, N2) without I/O: each scheduled continuation starts where the last
slice ended, so every outstanding key is sent once and the queue never runs dry between slices;
records that became outstanding meanwhile go with the next slice; "Sync now" and a stale cursor
start from the oldest record; the import's poll starts with a sync, not with each of its slices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import xero_sync.services.sync as sync_module
from tests.fakes import InMemoryConnections, InMemoryHistory, InMemoryOrgConfig, InMemoryRecords, RecordingExportQueue
from xero_sync.domain.records import RecordKey, RecordStatus
from xero_sync.domain.schedule import CURSOR_LIFETIME, DueSync, SyncCursor
from xero_sync.models.org_config import OrgSettings, SyncFrequency
from xero_sync.services.sync import SyncService

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
ORG = "org-big"


@pytest.fixture(autouse=True)
def small_slices(monkeypatch):
    monkeypatch.setattr(sync_module, "MAX_KEYS_PER_SYNC", 10)
    monkeypatch.setattr(sync_module, "BACKFILL_KEYS", 5)


class World:
    def __init__(self) -> None:
        self.connections = InMemoryConnections(shards=1)
        self.connections.add(ORG, next_sync_at=NOW)
        self.records = InMemoryRecords()
        self.queues = RecordingExportQueue()
        self.org_config = InMemoryOrgConfig()
        self.service = SyncService(
            connections=self.connections,
            records=self.records,
            queues=self.queues,
            org_config=self.org_config,
            history=InMemoryHistory(),
            settings_of=lambda org_id: OrgSettings(sync_frequency=SyncFrequency.EVERY_10_MINUTES),
            clock=lambda: NOW,
            shards=1,
        )

    def pending(self, ids: range, at: datetime, status: RecordStatus = RecordStatus.PENDING) -> list[RecordKey]:
        keys = []
        for n in ids:
            key = RecordKey(ORG, "invoice", f"inv-{n:03d}")
            self.records.store_version(
                key,
                family="invoices",
                version=1,
                action="upsert",
                data={},
                status=status,
                now=at + timedelta(seconds=n),
            )
            keys.append(key)
        return keys

    def scheduled(self, now: datetime) -> list[RecordKey]:
        """The tick's sync of the org at ``now`` (due then); the keys it sent."""
        before = len(self.queues.sent_keys)
        self.connections.set_next_sync(ORG, now)
        self.service._scheduled(DueSync(ORG, now), now)
        return [key for key, _ in self.queues.sent_keys[before:]]


def test_each_continuation_starts_where_the_last_slice_ended():
    world = World()
    keys = world.pending(range(25), NOW - timedelta(hours=1))
    # When the tick syncs the org, and then again at each continuation
    first = world.scheduled(NOW)
    second = world.scheduled(NOW + timedelta(minutes=1))
    third = world.scheduled(NOW + timedelta(minutes=2))
    # Then the slices follow each other (the last key of a slice is sent again: its time is the cursor)
    assert first == keys[:10]
    assert second == keys[9:19]
    assert third == keys[18:]
    # the third found no more: the org goes back to its own schedule and the cursor is gone
    assert world.connections.items[ORG].next_sync_at == NOW + timedelta(minutes=2, seconds=0) + timedelta(minutes=10)
    assert world.scheduled(NOW + timedelta(minutes=12)) == keys[:10]  # all still pending here: from the start
    # and every slice of a backlog this big is background work on the backfill queue
    assert all(world.queues.background)


def test_records_that_became_outstanding_meanwhile_go_with_the_next_slice():
    world = World()
    old = world.pending(range(15), NOW - timedelta(hours=1))
    assert world.scheduled(NOW) == old[:10]
    fresh = world.pending(range(100, 103), NOW)  # pushed after the first slice went
    assert world.scheduled(NOW + timedelta(minutes=1)) == old[9:] + fresh


def test_a_continuation_crosses_from_pending_into_waiting_records():
    world = World()
    pending = world.pending(range(8), NOW - timedelta(hours=2))
    waiting = world.pending(range(50, 58), NOW - timedelta(hours=1), RecordStatus.WAITING)
    assert world.scheduled(NOW) == pending + waiting[:2]
    assert world.scheduled(NOW + timedelta(minutes=1)) == waiting[1:]


def test_the_import_poll_starts_with_a_sync_not_with_each_of_its_slices():
    # Given a backlog of three slices, and the hook a scheduled sync starts (the import's poll)
    world = World()
    polls: list[datetime] = []
    world.service.after_scheduled.append(lambda org_id, now: polls.append(now))
    world.pending(range(25), NOW - timedelta(hours=1))
    # When the tick syncs the org, and then again at each continuation, and at its next sync
    for minutes in (0, 1, 2, 12):
        world.scheduled(NOW + timedelta(minutes=minutes))
    # Then the poll ran with the sync that began the backlog and with the next one, never with a
    # slice that continued it (reading back what the backfill had just written)
    assert polls == [NOW, NOW + timedelta(minutes=12)]
    # and a continuation that comes after its cursor went stale is a sync of its own: it polls
    late = NOW + timedelta(minutes=12) + CURSOR_LIFETIME + timedelta(minutes=1)
    world.scheduled(late)
    assert polls == [NOW, NOW + timedelta(minutes=12), late]


def test_sync_now_and_a_stale_cursor_start_from_the_oldest_record():
    world = World()
    keys = world.pending(range(25), NOW - timedelta(hours=1))
    world.scheduled(NOW)
    # "Sync now" (the admin): from the oldest, whatever a continuation would do
    summary = world.service.sync_now(ORG, entities=None, date_from=None, date_to=None, now=NOW)
    assert summary.enqueued == 10 and [k for k, _ in world.queues.sent_keys[-10:]] == keys[:10]
    # A continuation that comes long after its slice (a paused org) may send keys twice, never skip one
    assert world.scheduled(NOW + CURSOR_LIFETIME + timedelta(minutes=1)) == keys[:10]


def test_a_cursor_that_is_not_one_is_ignored():
    assert SyncCursor.of({}, NOW, NOW) is None
    assert SyncCursor.of({"status": "nonsense", "since": NOW.isoformat()}, NOW, NOW) is None
    assert SyncCursor.of({"status": "pending"}, NOW, NOW) is None
    cursor = SyncCursor(RecordStatus.WAITING, NOW)
    assert SyncCursor.of(cursor.body(), NOW, NOW + timedelta(minutes=1)) == cursor
