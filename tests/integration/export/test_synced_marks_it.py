"""N2, N6: the writes around one Xero call made together, on moto server — the synced marks
(dal/record_marks.py: one transaction and one read of what the outcome needs, each mark answered
as the single write would answer it, a mark that does not hold left for the single write), the
no-echo notes, and the contacts a pass makes exportable."""

from datetime import UTC, datetime, timedelta

from export_harness import contact, dynamodb_requests, record

from xero_sync.dal.models import RecordModel
from xero_sync.domain.changes import Resource
from xero_sync.domain.records import ClaimRequest, RecordKey, RecordStatus, SyncedMark
from xero_sync.domain.xero_objects import ObjectKey, ObjectWrite, Origin

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
UNTIL = NOW + timedelta(minutes=2)


def _claimed_contacts(harness, count, owner="w1"):
    harness.push(*(contact(f"cus-{n}", f"Cafe {n}") for n in range(count)))
    keys = [RecordKey(harness.org_id, "contact", f"cus-{n}") for n in range(count)]
    for key in keys:  # referenced by a transaction: pending, on its way to Xero
        assert harness.container.records.mark_referenced(key, NOW)
    claimed = harness.container.records.claim_all_for_operation(
        [ClaimRequest(key, 1, None) for key in keys],
        owner=owner,
        operation="create",
        idempotency_key="call-1",
        now=NOW,
        until=UNTIL,
    )
    assert all(claimed)
    return keys


def _mark(key, owner="w1", version=1):
    return SyncedMark(
        key=key,
        owner=owner,
        version=version,
        action="upsert",
        tenant_id="tenant-1",
        xero_id=f"xero-{key.record_id}",
        xero_refs=None,
        fingerprint="f-1",
        message=None,
    )


def test_the_marks_of_a_call_are_one_transaction_and_one_read(harness, monkeypatch):
    # Given fifty records claimed for one call
    records = harness.container.records
    keys = _claimed_contacts(harness, 50)
    sent = dynamodb_requests(monkeypatch)

    # When Xero's answer is written down
    answers = records.mark_all_synced([_mark(key) for key in keys], NOW)

    # Then one transaction wrote them and one read had back what the outcome needs
    assert sent == ["TransactWriteItems", "BatchGetItem"]
    assert [answer.status for answer in answers] == [RecordStatus.SYNCED] * 50
    for key in keys:
        item = RecordModel.get(harness.org_id, key.record_key, consistent_read=True)
        assert (item.status, item.xero_id, int(item.exported_version)) == ("synced", f"xero-{key.record_id}", 1)
        assert item.claim_owner is None and item.exported_fingerprint == "f-1"


def test_waiters_and_deferred_children_noted_before_the_mark_are_answered(harness):
    records = harness.container.records
    keys = _claimed_contacts(harness, 3)
    harness.push(
        record("invoice_payment", "pay-1", invoice_id="inv-1", date="2026-11-05", amount="1", account_code="090")
    )
    child = RecordKey(harness.org_id, "invoice_payment", "pay-1")
    records.note_waiter(keys[0])  # a child waits for the first
    records.defer_behind({keys[1]: [child]})  # and one was deferred behind the second

    answers = records.mark_all_synced([_mark(key) for key in keys], NOW)

    assert [(a.has_waiters, a.deferred_children) for a in answers] == [(True, ()), (False, (child,)), (False, ())]


def test_a_mark_that_does_not_hold_is_left_for_the_single_write(harness):
    # Given three claimed records: the host pushes a newer version of one during the call, and
    # another worker took over a second after its claim ran out
    records = harness.container.records
    keys = _claimed_contacts(harness, 3)
    harness.push(contact("cus-1", "Cafe One, renamed", version=2))
    mine = [_mark(keys[0]), _mark(keys[1]), _mark(keys[2], owner="w-gone")]

    answers = records.mark_all_synced(mine, NOW)

    # Then the one that holds is marked; the others are answered None and left as they were
    assert answers[0] is not None and answers[0].status is RecordStatus.SYNCED
    assert answers[1:] == [None, None]
    for key in keys[1:]:
        item = RecordModel.get(harness.org_id, key.record_key, consistent_read=True)
        assert item.status == "pending" and item.claim_owner == "w1" and item.exported_version is None
    # and the single write then tells them apart, as before
    moved = records.mark_synced(_mark(keys[1]), NOW)
    assert moved.status is RecordStatus.PENDING  # Xero holds version 1; version 2 goes next


def test_one_mark_is_one_write_with_the_item_back(harness, monkeypatch):
    records = harness.container.records
    keys = _claimed_contacts(harness, 1)
    records.note_waiter(keys[0])
    sent = dynamodb_requests(monkeypatch)

    answers = records.mark_all_synced([_mark(keys[0])], NOW)

    assert sent == ["UpdateItem"]
    assert answers[0] is not None and answers[0].has_waiters


def test_the_no_echo_notes_of_a_call_are_one_transaction_and_each_keeps_its_rule(harness, monkeypatch):
    # Given one object already known at a newer state than the export's answer for it
    objects = harness.container.xero_objects
    org = harness.org_id

    def write(xero_id, updated):
        return ObjectWrite(
            key=ObjectKey(org, Resource.INVOICE, xero_id),
            fingerprint=f"fp-{updated}",
            payment_fingerprint=None,
            xero_updated=updated,
            origin=Origin.EXPORT,
            host_entity="invoice",
            host_id=xero_id,
        )

    assert objects.record(write("i-0", "2026-12-05T11:00:00"), NOW)
    sent = dynamodb_requests(monkeypatch)

    # When the notes of a call are written
    noted = objects.record_all(
        [write("i-0", "2026-12-05T10:00:00"), *(write(f"i-{n}", "2026-12-05T10:00:00") for n in range(1, 4))], NOW
    )

    # Then the older state is refused (a late export never hides a newer change), the rest noted
    assert noted == [False, True, True, True]
    assert sent[0] == "TransactWriteItems" and sent.count("TransactWriteItems") == 2  # once more without it
    assert objects.get(ObjectKey(org, Resource.INVOICE, "i-0")).fingerprint == "fp-2026-12-05T11:00:00"
    assert objects.get(ObjectKey(org, Resource.INVOICE, "i-3")).fingerprint == "fp-2026-12-05T10:00:00"


def test_the_contacts_a_pass_needs_become_exportable_in_one_request(harness, monkeypatch):
    # Given three contacts no transaction referred to yet (idle), one already referenced
    records = harness.container.records
    harness.push(*(contact(f"cus-{n}", f"Cafe {n}") for n in range(3)))
    keys = [RecordKey(harness.org_id, "contact", f"cus-{n}") for n in range(3)]
    assert records.mark_referenced(keys[2], NOW)
    missing = RecordKey(harness.org_id, "contact", "never-pushed")
    sent = dynamodb_requests(monkeypatch)

    # When the pass's transactions need them
    marked = records.mark_all_referenced([*keys, missing], NOW)

    # Then the idle ones are pending now, each answered as its own write would be
    assert marked == [True, True, False, False]
    assert sent == ["TransactWriteItems", "TransactWriteItems"]  # once more without the two refused
    assert [records.get(key).status for key in keys] == [RecordStatus.PENDING] * 3
    assert records.get(missing) is None
