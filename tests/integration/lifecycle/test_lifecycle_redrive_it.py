"""Reprocessing from the AWS console (F7.3, N1): a DLQ redrive after the cause is fixed, and the
reprocess function — each record ends in Xero exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from lifecycle_helpers import contact, invoice, text_of

from xero_sync.aws.clients import aws_client
from xero_sync.domain.families import Family
from xero_sync.domain.records import RecordStatus

COUNT = 100


def redrive(world, family: Family) -> list[str]:
    """What the SQS console's "Start DLQ redrive" does: move every DLQ message back to its
    source queue (moto has no StartMessageMoveTask, so receive + send). Returns the bodies."""
    moved = world.dlq_messages(family)
    send(world, family, [message["Body"] for message in moved])
    world.delete(world.settings.dlq_url(family), moved)
    return [message["Body"] for message in moved]


def send(world, family: Family, bodies: list[str]) -> None:
    sqs = aws_client("sqs", world.settings)
    for body in bodies:
        sqs.send_message(QueueUrl=world.settings.queue_url(family), MessageBody=body)


def test_a_dlq_redrive_after_the_fix_puts_each_record_in_xero_once(lifecycle):
    # Given an org whose sales account has no code in Xero (the demo company's "Merchant Fees";
    # untaxed lines, since Xero refuses sales tax on an expense account)
    org = lifecycle.org()
    merchant_fees = org.account_id("Merchant Fees")
    org.store_settings_unchecked(sales_account=merchant_fees)

    # When 100 invoices without their own account code are pushed and synced
    org.push(
        contact("c1", "Harbour Cafe"),
        *[invoice(f"i{n:03d}", "c1", account_code=None, tax_id=None) for n in range(COUNT)],
    )
    org.sync()
    lifecycle.drain_exports()

    # Then each failed, saying which account to fix, and waits in the invoices DLQ
    failed = org.services.records.get_many(org.services.records.keys_with_status(org.org_id, RecordStatus.FAILED))
    assert len(failed) == COUNT
    assert {row.error_code for row in failed.values()} == {"missing_account_code"}
    assert "Account 'Merchant Fees'" in next(iter(failed.values())).last_message
    assert org.xero_invoice_numbers() == []
    # … and the admin got one digest for the hundred, not a hundred emails
    lifecycle.run_notifier()
    [digest] = lifecycle.emails()
    assert "100 records could not be sent to Xero" in digest["Subject"]
    assert "Account 'Merchant Fees'" in text_of(digest)

    # When the admin gives the account a code in Xero …
    client = org.services.xero_api.for_org(org.org_id)
    client.post(f"/Accounts/{merchant_fees}", json={"Code": "650"})
    # … the integration's chart refresh is due (it re-reads Xero's chart at most every 15 minutes),
    lifecycle.advance(timedelta(minutes=16))
    # … and the operator redrives the DLQ from the console
    moved = redrive(lifecycle, Family.INVOICES)
    assert len(moved) == COUNT
    lifecycle.drain_exports()

    # Then every invoice is in Xero exactly once — even though the chart refresh also re-queued
    # the same records (each got two messages: the redriven one and the automatic retry)
    numbers = Counter(org.xero_invoice_numbers())
    assert len(numbers) == COUNT and set(numbers.values()) == {1}
    assert len(org.xero()["Contacts"]) >= 1 and [c["Name"] for c in org.xero()["Contacts"]].count("Harbour Cafe") == 1
    synced = list(org.services.records.keys_with_status(org.org_id, RecordStatus.SYNCED))
    assert len([k for k in synced if k.entity == "invoice"]) == COUNT

    # And a late duplicate redrive (someone presses the button again) changes nothing
    send(lifecycle, Family.INVOICES, moved[:5])
    lifecycle.drain_exports()
    assert Counter(org.xero_invoice_numbers()) == numbers
    assert lifecycle.dlq_messages(Family.INVOICES) == []
