"""F3.4: a child whose parent is not in Xero yet waits, and is woken when the parent lands —
also when the two workers cross: the child decided to wait on a stale read of the parent,
while the parent's worker had already marked it synced. Either side must see the other."""

from datetime import UTC, datetime

from export_harness import contact, invoice, record, synced_mark

from xero_sync.domain.dependencies import ParentKey
from xero_sync.domain.records import RecordKey, RecordStatus, waiting_key
from xero_sync.domain.restrictions import Operation
from xero_sync.models.records import EntityName
from xero_sync.services.export.outcomes import BatchResult, PassState
from xero_sync.services.export.plan import Work
from xero_sync.services.export.view import RecordView


def test_a_child_that_decides_to_wait_after_its_parent_landed_goes_on_by_itself(harness):
    # Given an invoice already in Xero, and a payment whose worker read the invoice *before*
    # it landed (so it planned to wait)
    harness.export(contact("cus-1", "Cafe One"), invoice("inv-1", "INV-1", "cus-1"))
    assert harness.record("invoice", "inv-1").status == "synced"
    harness.push(
        record("invoice_payment", "pay-1", invoice_id="inv-1", date="2026-11-05", amount="10", account_code="090")
    )
    key = RecordKey(harness.org_id, "invoice_payment", "pay-1")
    view = RecordView.of(key, harness.container.records.get(key), harness.tenant_id)
    stale_wait = Work(
        view,
        Operation.WAIT,
        "Waiting for the invoice 'inv-1' to reach Xero first.",
        waiting_for=ParentKey("invoice_id", EntityName.INVOICE, "inv-1"),
    )
    # When the worker records that decision
    state = PassState(now=datetime.now(UTC), owner="worker-test", result=BatchResult())
    harness.container.export_worker.outcomes.record_decision(stale_wait, state)
    # Then the payment does not stay waiting: it is pending again, and handed back to be queued
    # with the pass's other woken children
    assert harness.record("invoice_payment", "pay-1").status == RecordStatus.PENDING.value
    assert state.woken == [key]


def test_a_parent_sees_a_waiter_that_flagged_it_after_its_worker_read_it(harness):
    # Given an invoice that is about to be marked synced, and a child that flagged it after
    # the invoice's worker had read it (has_waiters was still unset in that read)
    harness.push(contact("cus-1", "Cafe One"), invoice("inv-1", "INV-1", "cus-1"))
    records = harness.container.records
    parent = RecordKey(harness.org_id, "invoice", "inv-1")
    assert not records.get(parent).has_waiters
    records.note_waiter(parent)
    now = datetime.now(UTC)
    _hold(records, parent, "w1", now)
    # When the parent's worker records its success
    synced = records.mark_synced(synced_mark(parent, owner="w1", tenant_id=harness.tenant_id, xero_id="X-1"), now)
    # Then the write itself reports the waiter, so the worker wakes the children
    assert synced.status is RecordStatus.SYNCED and synced.has_waiters
    assert waiting_key(harness.org_id, "invoice", "inv-1").startswith(harness.org_id)


def _assert_deferred_behind(harness, result, child, parent):
    """The pass deferred ``child`` (entity, id) behind ``parent``, counted once: still pending
    (not parked as waiting), noted on the parent (not flagged as a waiter), and back on its
    family's queue for a while in case no wake-up comes."""
    from xero_sync.dal.models import RecordModel
    from xero_sync.domain.entities import family_of
    from xero_sync.models.messages import EnqueueReason

    assert result.retried == 1 and result.waiting == 0
    assert harness.record(*child).status == RecordStatus.PENDING.value
    assert not harness.record(*parent).has_waiters
    assert RecordModel.get(harness.org_id, "#".join(parent)).deferred_children == {"#".join(child)}
    [message] = _messages_for(harness, family_of(child[0]))
    assert message.reason is EnqueueReason.DEFERRED and message.deferrals == 1
    assert [r.record_id for r in message.records] == [child[1]]


def _hold(records, key, owner, now):
    """``owner`` claims the record for its Xero call (version 1, never exported), for a year."""
    assert records.claim_for_operation(
        key,
        owner=owner,
        version=1,
        exported_version=None,
        operation="create",
        idempotency_key="k",
        now=now,
        until=now.replace(year=now.year + 1),
    )


def _messages_for(harness, family):
    """This org's messages on a family's queue (others' leftovers are not ours to judge)."""
    from xero_sync.aws.clients import aws_client
    from xero_sync.models.messages import ExportMessage

    sqs = aws_client("sqs", harness.container.settings)
    url = harness.container.settings.queue_url(family)
    found = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for raw in batch:
            message = ExportMessage.model_validate_json(raw["Body"])
            if message.org_id == harness.org_id:
                found.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=raw["ReceiptHandle"])
    return found


def _payment_message(harness, deferrals):
    from xero_sync.models.messages import ExportMessage

    return ExportMessage.model_validate(
        {
            "org_id": harness.org_id,
            "records": [{"entity": "invoice_payment", "record_id": "pay-1"}],
            "deferrals": deferrals,
        }
    )


def test_a_child_whose_parent_is_on_its_way_is_noted_on_it_and_goes_on_when_it_lands(harness):
    from xero_sync.domain.families import Family
    from xero_sync.models.messages import EnqueueReason

    # Given an invoice pushed and pending (its worker has not run yet) and its payment
    harness.push(contact("cus-1", "Cafe One"), invoice("inv-1", "INV-1", "cus-1"))
    harness.push(
        record("invoice_payment", "pay-1", invoice_id="inv-1", date="2026-11-05", amount="10", account_code="090")
    )
    # When the payments' worker gets to the payment first
    result = harness.container.export_worker.handle([_payment_message(harness, 0)])
    # Then the payment is deferred, counted once: still pending (not parked as waiting), noted on
    # the invoice (not flagged as a waiter), and back on its queue for a while in case no
    # wake-up comes
    _assert_deferred_behind(harness, result, ("invoice_payment", "pay-1"), ("invoice", "inv-1"))

    # When the invoice's worker lands the invoice
    landed = harness.container.export_worker.handle([_message(harness, "invoice", "inv-1")])
    # Then the payment is sent on at once, woken by the write that recorded the invoice in Xero
    assert landed.synced >= 1 and harness.record("invoice", "inv-1").status == RecordStatus.SYNCED.value
    [woken] = _messages_for(harness, Family.INVOICE_PAYMENTS)
    assert woken.reason is EnqueueReason.WAKE and [r.record_id for r in woken.records] == ["pay-1"]
    # And the wake-up takes the payment into Xero
    harness.container.export_worker.handle([woken])
    assert harness.record("invoice_payment", "pay-1").status == RecordStatus.SYNCED.value
    assert len(harness.xero()["Payments"]) == 1


def test_an_invoice_whose_contact_another_worker_is_sending_follows_it_when_it_lands(harness):

    # Given a contact that another worker holds (it is sending it to Xero in its own call) and an
    # invoice for that contact, in another batch of the same backfill
    harness.push(contact("cus-1", "Cafe One"), invoice("inv-1", "INV-1", "cus-1"))
    records = harness.container.records
    contact_key = RecordKey(harness.org_id, "contact", "cus-1")
    now = datetime.now(UTC)
    records.mark_all_referenced([contact_key], now)
    _hold(records, contact_key, "other-worker", now)
    # When the invoice's worker gets to the invoice
    result = harness.container.export_worker.handle([_message(harness, "invoice", "inv-1")])
    # Then the invoice is deferred behind the contact, not parked: still pending, noted on the
    # contact (not flagged as a waiter), back on its queue for a while in case no wake-up comes,
    # and the contact was left to the worker that holds it
    _assert_deferred_behind(harness, result, ("invoice", "inv-1"), ("contact", "cus-1"))
    assert harness.requests_log("PUT", "/api.xro/2.0/Contacts") == []
    # And the write that lands the contact names the invoice, for its worker to wake it at once
    landed = records.mark_synced(
        synced_mark(contact_key, owner="other-worker", tenant_id=harness.tenant_id, xero_id="C-1"), now
    )
    assert landed.status is RecordStatus.SYNCED and landed.deferred_children == (
        RecordKey(harness.org_id, "invoice", "inv-1"),
    )


def test_an_invoice_whose_contact_nobody_holds_exports_the_contact_in_its_own_pass(harness):
    # Given an invoice whose contact is pending and held by nobody
    harness.push(contact("cus-1", "Cafe One"), invoice("inv-1", "INV-1", "cus-1"))
    # When the invoice's worker gets to the invoice
    result = harness.container.export_worker.handle([_message(harness, "invoice", "inv-1")])
    # Then the pass exports the contact first and the invoice after it: nothing deferred
    assert result.retried == 0 and result.waiting == 0
    assert harness.record("contact", "cus-1").status == RecordStatus.SYNCED.value
    assert harness.record("invoice", "inv-1").status == RecordStatus.SYNCED.value


def _message(harness, entity, record_id):
    from xero_sync.models.messages import ExportMessage

    return ExportMessage.model_validate(
        {"org_id": harness.org_id, "records": [{"entity": entity, "record_id": record_id}]}
    )


def test_a_child_deferred_too_often_waits_for_its_parent_and_is_woken_when_it_lands(harness):
    from xero_sync.domain.families import Family
    from xero_sync.services.export.org_pass import MAX_DEFERRALS

    # Given a payment already put back MAX_DEFERRALS times while its invoice stayed pending
    harness.push(contact("cus-1", "Cafe One"), invoice("inv-1", "INV-1", "cus-1"))
    harness.push(
        record("invoice_payment", "pay-1", invoice_id="inv-1", date="2026-11-05", amount="10", account_code="090")
    )
    # When its worker sees it once more
    result = harness.container.export_worker.handle([_payment_message(harness, MAX_DEFERRALS)])
    # Then it waits as usual, flagging the invoice, and is not put back again
    assert result.waiting == 1 and result.retried == 0
    assert harness.record("invoice_payment", "pay-1").status == "waiting"
    assert harness.record("invoice", "inv-1").has_waiters
    assert _messages_for(harness, Family.INVOICE_PAYMENTS) == []
    # And when the invoice lands, the payment follows it into Xero
    harness.sync()
    harness.drain()
    assert harness.record("invoice_payment", "pay-1").status == "synced"
    assert len(harness.xero()["Payments"]) == 1


def test_a_stale_wake_up_for_a_record_that_failed_meanwhile_does_not_send_it_again(harness):
    from xero_sync.models.messages import EnqueueReason, ExportMessage

    # Given an invoice that Xero refused: its contact was archived in Xero after it was linked
    harness.export(contact("cus-1", "Cafe One"), invoice("inv-0", "INV-0", "cus-1"))
    xero = harness.container.xero_api.for_org(harness.org_id)
    xero.post(
        f"/Contacts/{harness.record('contact', 'cus-1').xero_id}", json={"Contacts": [{"ContactStatus": "ARCHIVED"}]}
    )
    harness.export(invoice("inv-1", "INV-1", "cus-1"))
    assert harness.record("invoice", "inv-1").status == "failed"
    sent = len(harness.requests_log("PUT", "/api.xro/2.0/Invoices"))
    assert sent == 2
    refs = [{"entity": "invoice", "record_id": "inv-1"}]
    worker = harness.container.export_worker
    # When a wake-up or deferral sent while it was still pending arrives afterwards
    for reason in (EnqueueReason.WAKE, EnqueueReason.DEFERRED):
        worker.handle([ExportMessage(org_id=harness.org_id, records=refs, reason=reason)])
    # Then Xero is not asked again and the history shows the one failure
    assert len(harness.requests_log("PUT", "/api.xro/2.0/Invoices")) == sent
    attempts = harness.container.history.for_record(harness.org_id, "invoice", "inv-1")
    assert [e.outcome for e in attempts].count("failed") == 1
    # But a redrive after the admin's fix (any other reason) does send it again
    worker.handle([ExportMessage(org_id=harness.org_id, records=refs, reason=EnqueueReason.NEEDS_ADMIN)])
    assert len(harness.requests_log("PUT", "/api.xro/2.0/Invoices")) == sent + 1
