"""F3.4: a child whose parent is not in Xero yet waits, and is woken when the parent lands —
also when the two workers cross: the child decided to wait on a stale read of the parent,
while the parent's worker had already marked it synced. Either side must see the other."""

from datetime import datetime, timezone

from export_harness import contact, invoice, record

from xero_sync.dal.records import RecordKey, RecordStatus, waiting_key
from xero_sync.domain.dependencies import ParentKey
from xero_sync.domain.restrictions import Operation
from xero_sync.models.records import EntityName
from xero_sync.services.export.plan import Work
from xero_sync.services.export.view import RecordView
from xero_sync.services.export.worker import BatchResult


def _queued_keys(harness, family):
    from xero_sync.aws.clients import aws_client
    import json

    sqs = aws_client("sqs", harness.container.settings)
    messages = sqs.receive_message(QueueUrl=harness.container.settings.queue_url(family), MaxNumberOfMessages=10).get("Messages", [])
    return {ref["record_id"] for m in messages for ref in json.loads(m["Body"])["records"]}


def test_a_child_that_decides_to_wait_after_its_parent_landed_goes_on_by_itself(harness):
    # Given an invoice already in Xero, and a payment whose worker read the invoice *before*
    # it landed (so it planned to wait)
    harness.export(contact("cus-1", "Cafe One"), invoice("inv-1", "INV-1", "cus-1"))
    assert harness.record("invoice", "inv-1").status == "synced"
    harness.push(record("invoice_payment", "pay-1", invoice_id="inv-1", date="2026-11-05", amount="10", account_code="090"))
    key = RecordKey(harness.org_id, "invoice_payment", "pay-1")
    view = RecordView.of(key, harness.container.records.get(key), harness.tenant_id)
    stale_wait = Work(view, Operation.WAIT, "Waiting for the invoice 'inv-1' to reach Xero first.",
                      waiting_for=ParentKey("invoice_id", EntityName.INVOICE, "inv-1"))
    # When the worker records that decision
    harness.container.export_worker(None)._apply_local(stale_wait, datetime.now(timezone.utc), BatchResult())
    # Then the payment does not stay waiting: it is pending again and queued
    assert harness.record("invoice_payment", "pay-1").status == RecordStatus.PENDING.value
    from xero_sync.settings import Family

    assert "pay-1" in _queued_keys(harness, Family.INVOICE_PAYMENTS)


def test_a_parent_sees_a_waiter_that_flagged_it_after_its_worker_read_it(harness):
    # Given an invoice that is about to be marked synced, and a child that flagged it after
    # the invoice's worker had read it (has_waiters was still unset in that read)
    harness.push(contact("cus-1", "Cafe One"), invoice("inv-1", "INV-1", "cus-1"))
    records = harness.container.records
    parent = RecordKey(harness.org_id, "invoice", "inv-1")
    assert not records.get(parent).has_waiters
    records.note_waiter(parent)
    now = datetime.now(timezone.utc)
    assert records.claim_for_operation(parent, owner="w1", version=1, operation="create",
                                       idempotency_key="k", now=now, until=now.replace(year=now.year + 1))
    # When the parent's worker records its success
    synced = records.mark_synced(parent, owner="w1", version=1, action="upsert", tenant_id=harness.tenant_id,
                                 xero_id="X-1", xero_refs=None, fingerprint=None, message=None, now=now)
    # Then the write itself reports the waiter, so the worker wakes the children
    assert synced.status is RecordStatus.SYNCED and synced.has_waiters
    assert waiting_key(harness.org_id, "invoice", "inv-1").startswith(harness.org_id)
