"""The scheduled tick (F3.7) without I/O: each due org claimed with one conditional write from
the time the due index showed, a few orgs at once, overlapping ticks never running one org
twice, an early stop that leaves the rest due, and one org's failure not stopping the others."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes import InMemoryConnections, InMemoryHistory, InMemoryOrgConfig, InMemoryRecords, RecordingExportQueue
from xero_sync.domain.connection import ConnectionStatus
from xero_sync.domain.records import RecordKey, RecordStatus
from xero_sync.domain.schedule import DueSync, interleave
from xero_sync.models.org_config import OrgSettings, SyncFrequency
from xero_sync.services.sync import SyncService

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
DUE = NOW - timedelta(seconds=30)


class IndexReadEarlier(InMemoryConnections):
    """The due index as another tick read it a moment ago: a snapshot, while the items move on."""

    def __init__(self, live: InMemoryConnections, snapshot: dict[str, list[DueSync]]) -> None:
        super().__init__(shards=live.shards)
        self.items, self.scheduled, self._snapshot = live.items, live.scheduled, snapshot

    def due_orgs(self, shard: str, now: datetime, limit: int | None = None) -> Iterator[DueSync]:
        yield from self._snapshot.get(shard, [])


def service(connections: InMemoryConnections, frequencies: dict[str, SyncFrequency], **fields) -> SyncService:
    return SyncService(
        connections=connections,
        records=fields.pop("records", InMemoryRecords()),
        queues=fields.pop("queues", RecordingExportQueue()),
        org_config=InMemoryOrgConfig(),
        history=InMemoryHistory(),
        settings_of=lambda org_id: OrgSettings(sync_frequency=frequencies[org_id]),
        clock=lambda: NOW,
        shards=connections.shards,
        **fields,
    )


def fleet(count: int, frequency: SyncFrequency = SyncFrequency.EVERY_10_MINUTES) -> tuple[InMemoryConnections, dict]:
    connections = InMemoryConnections(shards=4)
    for n in range(count):
        connections.add(f"org-{n}", next_sync_at=DUE)
    return connections, {f"org-{n}": frequency for n in range(count)}


def snapshot(connections: InMemoryConnections) -> dict[str, list[DueSync]]:
    return {f"s{n:02d}": list(connections.due_orgs(f"s{n:02d}", NOW)) for n in range(connections.shards)}


def test_every_due_org_is_synced_once_and_its_schedule_moves_on_by_its_frequency():
    # Given due orgs syncing every 10 minutes, real-time (the hourly sweep) and manually, one not yet due
    connections = InMemoryConnections(shards=4)
    frequencies = {
        "ten": SyncFrequency.EVERY_10_MINUTES,
        "rt": SyncFrequency.REALTIME,
        "manual": SyncFrequency.MANUAL,
        "later": SyncFrequency.HOURLY,
    }
    for org_id in ("ten", "rt", "manual"):
        connections.add(org_id, next_sync_at=DUE)
    connections.add("later", next_sync_at=NOW + timedelta(minutes=5))
    records = InMemoryRecords()
    key = RecordKey("ten", "invoice", "inv-1")
    records.store_version(
        key, family="invoices", version=1, action="upsert", data={}, status=RecordStatus.PENDING, now=NOW
    )
    queues = RecordingExportQueue()
    # When the tick runs
    summary = service(connections, frequencies, records=records, queues=queues).tick(NOW)
    # Then the three due orgs synced, the pending record went out, and each schedule moved on
    assert (summary.orgs, summary.enqueued, summary.stopped_early) == (3, 1, False)
    assert [k for k, _ in queues.sent_keys] == [key]
    assert connections.items["ten"].next_sync_at == NOW + timedelta(minutes=10)
    assert connections.items["rt"].next_sync_at == NOW + timedelta(hours=1)
    assert connections.items["manual"].next_sync_at is None  # off the due index
    assert connections.items["later"].next_sync_at == NOW + timedelta(minutes=5)
    assert connections.items["ten"].last_sync_at == NOW


def test_a_tick_that_read_the_index_before_another_claimed_runs_none_of_those_orgs():
    # Given two ticks that both read the due index before either claimed an org
    connections, frequencies = fleet(12)
    earlier = snapshot(connections)
    first = service(connections, frequencies).tick(NOW)
    # When the second goes on with what it read (the items have moved on meanwhile)
    queues = RecordingExportQueue()
    second = service(IndexReadEarlier(connections, earlier), frequencies, queues=queues).tick(NOW)
    # Then each org synced once: the claim compares the schedule with the time the index showed
    assert first.orgs == 12
    assert second.orgs == 0 and queues.sent == []


def test_an_org_that_no_longer_syncs_but_is_still_on_the_index_is_taken_off_it():
    # Given an org the index lists as due, disabled meanwhile with its schedule left behind
    connections, frequencies = fleet(1)
    earlier = snapshot(connections)
    connections.items["org-0"] = replace(connections.items["org-0"], status=ConnectionStatus.DISABLED)
    # When the tick tries to claim its sync
    summary = service(IndexReadEarlier(connections, earlier), frequencies).tick(NOW)
    # Then nothing syncs and the org leaves the due index
    assert summary.orgs == 0
    assert connections.items["org-0"].next_sync_at is None


def test_a_tick_short_of_time_starts_no_more_orgs_and_leaves_them_due():
    # Given 10 due orgs and an invocation that runs short of time once the first org has synced
    connections, frequencies = fleet(10)
    short = []
    sync = service(connections, frequencies, workers=1, after_scheduled=[lambda org_id, now: short.append(org_id)])
    # When the tick runs
    summary = sync.tick(NOW, time_left=lambda: 1.0 if short else 60.0)
    # Then it stopped after that org; the other nine are still due for the next tick
    assert (summary.orgs, summary.stopped_early) == (1, True)
    still_due = [due.org_id for shard in range(4) for due in connections.due_orgs(f"s{shard:02d}", NOW)]
    assert len(still_due) == 9 and short[0] not in still_due


def test_one_org_failing_does_not_stop_the_others_and_the_tick_still_fails():
    # Given five due orgs, one of whose settings cannot be read
    connections, frequencies = fleet(5)
    del frequencies["org-3"]  # settings_of raises KeyError for it
    sync = service(connections, frequencies)
    # When the tick runs, Then it fails after the others synced
    with pytest.raises(KeyError):
        sync.tick(NOW)
    assert sorted(o for o, c in connections.items.items() if c.last_sync_at == NOW) == [
        "org-0",
        "org-1",
        "org-2",
        "org-4",
    ]
    assert connections.items["org-3"].next_sync_at == DUE  # still due: the next tick tries again


def test_shards_take_turns():
    # Given three shards' due orgs, of uneven numbers
    shards = [["a1", "a2", "a3"], [], ["c1"], ["d1", "d2"]]
    # When interleaved, Then one of each in turn until all are empty
    assert list(interleave(shards)) == ["a1", "c1", "d1", "a2", "d2", "a3"]
