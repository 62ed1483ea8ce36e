"""N2: children deferred behind a parent on its way to Xero are noted on the parent
(dal/record_deferrals.py), on moto server: one transaction for a pass's parents, only while the
parent is pending, and read back by the write that records the parent in Xero."""

from datetime import UTC, datetime

from export_harness import contact, dynamodb_requests, invoice, record, synced_mark

from xero_sync.dal.models import RecordModel
from xero_sync.domain.records import RecordKey, RecordStatus

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _invoices_and_payments(harness, count):
    harness.push(contact("cus-1", "Cafe One"), *(invoice(f"inv-{n}", f"INV-{n}", "cus-1") for n in range(count)))
    harness.push(
        *(
            record(
                "invoice_payment", f"pay-{n}", invoice_id=f"inv-{n}", date="2026-11-05", amount="1", account_code="090"
            )
            for n in range(count)
        )
    )
    invoices = [RecordKey(harness.org_id, "invoice", f"inv-{n}") for n in range(count)]
    payments = [RecordKey(harness.org_id, "invoice_payment", f"pay-{n}") for n in range(count)]
    return invoices, payments


def _mark_synced(records, key, version=1):
    return records.mark_synced(synced_mark(key, version=version), NOW)


def test_children_are_noted_on_their_pending_parents_in_one_request(harness, monkeypatch):
    records = harness.container.records
    invoices, payments = _invoices_and_payments(harness, 3)
    sent = dynamodb_requests(monkeypatch)

    go_now = records.defer_behind({parent: [child] for parent, child in zip(invoices, payments, strict=True)})

    assert go_now == [] and sent == ["TransactWriteItems"]
    for parent, child in zip(invoices, payments, strict=True):
        assert RecordModel.get(harness.org_id, parent.record_key).deferred_children == {child.record_key}


def test_the_write_that_lands_the_parent_reads_its_deferred_children(harness):
    records = harness.container.records
    invoices, payments = _invoices_and_payments(harness, 2)
    records.defer_behind({invoices[0]: [payments[0]]})
    records.defer_behind({invoices[0]: [payments[1]]})  # a second pass adds to the set

    synced = _mark_synced(records, invoices[0])

    assert synced.status is RecordStatus.SYNCED
    assert set(synced.deferred_children) == {payments[0], payments[1]}
    assert _mark_synced(records, invoices[1]).deferred_children == ()  # nobody deferred behind it


def test_children_of_a_parent_no_longer_pending_are_told_to_go_now(harness):
    records = harness.container.records
    invoices, payments = _invoices_and_payments(harness, 3)
    _mark_synced(records, invoices[1])  # landed between the child's read and its deferral
    missing = RecordKey(harness.org_id, "invoice", "never-pushed")

    go_now = records.defer_behind({invoices[0]: [payments[0]], invoices[1]: [payments[1]], missing: [payments[2]]})

    assert sorted(go_now, key=str) == sorted([payments[1], payments[2]], key=str)
    assert RecordModel.get(harness.org_id, invoices[0].record_key).deferred_children == {payments[0].record_key}
    assert not RecordModel.get(harness.org_id, invoices[1].record_key).deferred_children


def test_a_landing_overtaken_by_a_newer_version_wakes_nobody_and_keeps_them_for_the_next(harness):
    records = harness.container.records
    invoices, payments = _invoices_and_payments(harness, 1)
    records.defer_behind({invoices[0]: [payments[0]]})
    harness.push(invoice("inv-0", "INV-0 v2", "cus-1", version=2))  # the host moved on during the call

    overtaken = _mark_synced(records, invoices[0], version=1)

    assert overtaken.status is RecordStatus.PENDING and overtaken.deferred_children == ()
    assert _mark_synced(records, invoices[0], version=2).deferred_children == (payments[0],)
