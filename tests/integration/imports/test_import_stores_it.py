"""The import's tables on moto (dal/changes.py, dal/xero_objects.py, dal/host_webhooks.py,
dal/host_contacts.py): change ids in commit order under concurrent writers, one change per
change (the object's compare-and-set), expiry, forward-only cursors, the delivery lease."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from xero_sync.dal.import_models import ChangeModel
from xero_sync.domain.changes import CHANGE_RETENTION, Change, ChangeKind, Resource
from xero_sync.domain.records import RecordKey
from xero_sync.domain.xero_objects import ObjectKey, ObjectWrite, Origin, PollCursor

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _org() -> str:
    return f"org-{uuid.uuid4().hex[:10]}"


def _entry(org_id: str, xero_id: str, fingerprint: str, expected: int) -> tuple[Change, ObjectWrite]:
    key = ObjectKey(org_id, Resource.CONTACT, xero_id)
    change = Change(
        org_id, ChangeKind.CONTACT_UPDATED, Resource.CONTACT, xero_id, {"display_name": fingerprint}, None, NOW
    )
    write = ObjectWrite(key, fingerprint, None, None, Origin.XERO, expected_revision=expected)
    return change, write


def test_ids_follow_commit_order_when_another_writer_commits_in_between(services, monkeypatch):
    # (Interleaved by hand: moto's transactions are not atomic across concurrent requests, so
    # real threads against moto would test moto, not this code. DynamoDB's are.)
    org_id = _org()
    changes = services.changes
    changes.append(org_id, [_entry(org_id, "x-0", "a", 0)])
    read_sequence = changes._sequence
    interleaved: list = []
    started: list = []

    def sequence_then_another_writer(org: str) -> int:
        seen = read_sequence(org)
        if not started:  # writer B commits after writer A read the sequence
            started.append(True)
            interleaved.append(changes.append(org, [_entry(org, "x-b", "a", 0)]))
        return seen

    monkeypatch.setattr(changes, "_sequence", sequence_then_another_writer)
    # When writer A commits with the sequence it read (1), the transaction is cancelled
    result = changes.append(org_id, [_entry(org_id, "x-a1", "a", 0), _entry(org_id, "x-a2", "a", 0)])
    # Then A tried again after B: ids follow commit order, none is lost or reused
    assert [c.change_id for c in interleaved[0].changes] == ["000000000002"]
    assert [(c.change_id, c.xero_id) for c in result.changes] == [("000000000003", "x-a1"), ("000000000004", "x-a2")]
    page = changes.page(org_id, after=None, limit=10)
    assert [c.xero_id for c in page.changes] == ["x-0", "x-b", "x-a1", "x-a2"]


def test_an_object_that_moved_since_it_was_read_makes_no_second_change(services):
    org_id = _org()
    first = services.changes.append(org_id, [_entry(org_id, "x-1", "a", 0), _entry(org_id, "x-2", "a", 0)])
    assert [c.change_id for c in first.changes] == ["000000000001", "000000000002"]
    # A second writer read x-1 before the first wrote it (revision 0) and x-3 is new
    second = services.changes.append(org_id, [_entry(org_id, "x-1", "b", 0), _entry(org_id, "x-3", "a", 0)])
    assert second.stale == [ObjectKey(org_id, Resource.CONTACT, "x-1")]
    assert [(c.change_id, c.xero_id) for c in second.changes] == [("000000000003", "x-3")]
    known = services.xero_objects.get(ObjectKey(org_id, Resource.CONTACT, "x-1"))
    assert (known.fingerprint, known.revision, known.last_change_id) == ("a", 1, "000000000001")


def test_changes_expire_after_the_retention_and_page_with_has_more(services):
    org_id = _org()
    services.changes.append(org_id, [_entry(org_id, f"x-{n}", "a", 0) for n in range(60)])  # two transactions
    item = ChangeModel.get(org_id, "000000000001")
    assert item.expires_at == NOW + CHANGE_RETENTION
    first = services.changes.page(org_id, after=None, limit=50)
    rest = services.changes.page(org_id, after=first.last_id, limit=50)
    assert first.has_more and len(first.changes) == 50 and not rest.has_more and len(rest.changes) == 10


def test_the_exports_write_never_goes_back_in_time_and_cursors_only_forward(services):
    org_id = _org()
    objects = services.xero_objects
    key = ObjectKey(org_id, Resource.INVOICE, "i-1")
    newer = ObjectWrite(key, "new", "p2", "2026-11-24T12:05:00+00:00", Origin.XERO, expected_revision=0)
    assert objects.record(newer, NOW)
    older = ObjectWrite(
        key, "old", "p1", "2026-11-24T12:00:00+00:00", Origin.EXPORT, host_entity="invoice", host_id="inv-1"
    )
    assert not objects.record(older, NOW)
    assert objects.get(key).fingerprint == "new"
    same_time = ObjectWrite(
        key, "exported", "p2", "2026-11-24T12:05:00+00:00", Origin.EXPORT, host_entity="invoice", host_id="inv-1"
    )
    assert objects.record(same_time, NOW)
    stored = objects.get(key)
    assert (stored.origin, stored.host_id, stored.revision) == (Origin.EXPORT, "inv-1", 2)

    objects.save_cursor(PollCursor(org_id, "contacts", "2026-11-24T12:05:00+00:00", "c1"), NOW)
    objects.save_cursor(PollCursor(org_id, "contacts", "2026-11-24T12:00:00+00:00", "c1"), NOW)
    assert objects.cursor(org_id, "contacts").since == "2026-11-24T12:05:00+00:00"
    objects.save_cursor(PollCursor(org_id, "contacts", None, "c2"), NOW)  # new options: from the start
    assert objects.cursor(org_id, "contacts") == PollCursor(org_id, "contacts", None, "c2")


def test_one_deliverer_holds_an_orgs_lease_and_moves_its_cursor(services):
    org_id = _org()
    store = services.host_webhooks_store
    store.create(
        org_id, url="https://h.example/x", secret_enc=b"enc", secret_hint="abcd", delivered_through=None, now=NOW
    )
    assert store.acquire_lease(org_id, owner="a", now=NOW, until=NOW + timedelta(seconds=55))
    assert store.acquire_lease(org_id, owner="b", now=NOW, until=NOW + timedelta(seconds=55)) is None
    assert not store.delivered(org_id, owner="b", change_id="000000000001", now=NOW)
    assert store.delivered(org_id, owner="a", change_id="000000000001", now=NOW)
    assert store.failed(org_id, owner="a", error="HTTP 503", failing_since=NOW, attempts=1)
    store.release_lease(org_id, owner="a")
    later = NOW + timedelta(seconds=1)
    held = store.acquire_lease(org_id, owner="b", now=later, until=later + timedelta(seconds=55))
    assert held.delivered_through == "000000000001" and held.attempts == 1 and held.last_error == "HTTP 503"
    # an expired lease can be taken over
    assert store.acquire_lease(org_id, owner="c", now=later + timedelta(minutes=2), until=later + timedelta(minutes=3))
    assert (
        store.delete(org_id)
        and store.get(org_id) is None
        and store.acquire_lease(org_id, owner="c", now=NOW, until=NOW) is None
    )


def test_the_host_contacts_to_match_are_the_orgs_pushed_contacts(services):
    org_id = _org()
    for record_id, action in (("cus-1", "upsert"), ("cus-2", "delete")):
        services.records.store_version(
            RecordKey(org_id, "contact", record_id),
            family="contacts",
            version=1,
            action=action,
            data={"display_name": record_id, "email": f"{record_id}@x.example"} if action == "upsert" else None,
            status=None,
            now=NOW,
        )
    services.records.store_version(
        RecordKey(org_id, "invoice", "inv-1"),
        family="invoices",
        version=1,
        action="upsert",
        data={},
        status=None,
        now=NOW,
    )
    assert list(services.host_contacts.contacts(org_id)) == [
        ("cus-1", {"display_name": "cus-1", "email": "cus-1@x.example"})
    ]


@pytest.fixture(autouse=True)
def _bound(services):
    """Every test here uses the import stack's tables."""
    return services
