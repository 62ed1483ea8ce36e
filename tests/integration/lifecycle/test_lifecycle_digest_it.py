"""Failure emails end to end (F6.2, F6.3): the export worker opens digest windows, the notifier
handler sends one email per org per window through SES (moto), each also written as an .eml
file; nothing unchanged is repeated; SES refusals are recorded, throttling is retried."""

from __future__ import annotations

import os

from lifecycle_helpers import contact, html_of, invoice, text_of

from xero_sync.domain.email import EmailThrottled
from xero_sync.domain.records import RecordStatus

# 1,000 failures across three orgs (F6.2's "burst") is proven at the service level in
# tests/unit/lifecycle; through the whole stack (records table, worker, DLQ, SQS, SES) each record
# costs ~30 ms of moto round trips, so the suite runs 300 and `LIFECYCLE_BURST=1000` runs the full
# burst (about 75 s on two cores).
TOTAL = int(os.environ.get("LIFECYCLE_BURST", "300"))
BURST = {0: TOTAL * 5 // 10, 1: TOTAL * 3 // 10, 2: TOTAL - TOTAL * 5 // 10 - TOTAL * 3 // 10}


def failing_org(lifecycle, **settings):
    """An org whose sales account lost its code in Xero: every invoice without its own account fails."""
    org = lifecycle.org()
    org.store_settings_unchecked(sales_account=org.account_id("Merchant Fees"), **settings)
    return org


def test_a_burst_of_failures_across_3_orgs_sends_3_emails_and_no_repeats(lifecycle):
    # Given three orgs whose invoices cannot be mapped (one writes German)
    orgs = [failing_org(lifecycle), failing_org(lifecycle, language="de"), failing_org(lifecycle)]
    orgs[0].store_settings_unchecked(admin_emails=["ops@acme.example", "cfo@acme.example"])

    # When their invoices fail in one burst
    for index, org in enumerate(orgs):
        org.push(
            contact("c1", "Harbour Cafe"),
            *[invoice(f"i{n:04d}", "c1", account_code=None, tax_id=None) for n in range(BURST[index])],
        )
        org.sync()
    lifecycle.drain_exports()
    assert sum(len(list(o.services.records.keys_with_status(o.org_id, RecordStatus.FAILED))) for o in orgs) == TOTAL

    # Then one window per org: exactly three notifications, and three emails
    answers = lifecycle.run_notifier()
    assert sum(len(a["batchItemFailures"]) for a in answers) == 0
    emails = lifecycle.emails()
    assert len(emails) == 3
    by_org = {next(o.org_id for o in orgs if o.org_id in text_of(e)): e for e in emails}
    first, german, third = (by_org[o.org_id] for o in orgs)
    assert first["Subject"] == f"Acme Billing: {BURST[0]:,} records could not be sent to Xero (Demo Company (NZ))"
    assert first["To"] == "ops@acme.example, cfo@acme.example"
    german_count = f"{BURST[1]:,}".replace(",", ".")
    german_subject = (
        f"Acme Billing: {german_count} Datensätze konnten nicht an Xero gesendet werden (Demo Company (NZ))"
    )
    assert german["Subject"] == german_subject
    assert f"{BURST[2]:,} records" in third["Subject"]
    body = text_of(first)
    assert f"ACCOUNT WITHOUT A CODE IN XERO - {BURST[0]:,} records ({BURST[0]:,} invoices)" in body
    assert "Account 'Merchant Fees'" in body and "Invoice INV-i0000, dated 2 Nov 2026" in body
    assert f"... and {BURST[0] - 5:,} more." in body
    assert f"https://app.acme.example/orgs/{orgs[0].org_id}/integrations/xero/history" in body
    assert "INV-i0000" in html_of(first) and "Open the sync history" in html_of(first)
    event = [e for e in orgs[0].history("notification") if e.outcome == "succeeded"]
    assert len(event) == 1 and event[0].details["failures"] == BURST[0]

    # When the third org's failures fail again unchanged (retry all), and then two of them change
    third_org = orgs[2]
    third_org.services.records_service.retry_failed(third_org.org_id)
    lifecycle.drain_exports()
    lifecycle.run_notifier()

    # Then the window that opened sent nothing: those failures were reported already
    assert len(lifecycle.emails()) == 3

    third_org.push(
        invoice("i0007", "c1", version=2, rate="70", account_code=None, tax_id=None),
        invoice("i0008", "c1", version=2, rate="80", account_code=None, tax_id=None),
    )
    third_org.sync()
    lifecycle.drain_exports()
    lifecycle.run_notifier()

    # … and the next email reports exactly the two that changed
    emails = lifecycle.emails()
    assert len(emails) == 4
    assert "2 records could not be sent to Xero" in emails[-1]["Subject"]
    assert f"In all, {BURST[2]:,} records are failing now" in text_of(emails[-1])


def test_ses_rejection_is_given_up_and_recorded_and_throttling_is_retried(lifecycle):
    org = failing_org(lifecycle)
    org.push(contact("c1", "Harbour Cafe"), invoice("i1", "c1", account_code=None, tax_id=None))
    org.sync()
    lifecycle.drain_exports()

    # When SES throttles the first attempt, the message comes back (partial batch failure) …
    mailer = lifecycle.container.mailer
    real_send = mailer.send
    calls = []

    def throttled_once(email):
        calls.append(email)
        if len(calls) == 1:
            raise EmailThrottled("Throttling", "Maximum sending rate exceeded.")
        return real_send(email)

    mailer.send = throttled_once
    [answer] = lifecycle.run_notifier()
    assert len(answer["batchItemFailures"]) == 1
    assert lifecycle.emails() == []
    # … and the retry, after the visibility time-out, sends it once
    lifecycle.run_notifier(wait=1)
    assert len(lifecycle.emails()) == 1

    # When an org's only address is refused by SES (an unverified sender here)
    lifecycle.container.notifications.sender = "Someone <xero@not-verified.example>"
    org.push(invoice("i2", "c1", account_code=None, tax_id=None))
    org.sync()
    lifecycle.drain_exports()
    [answer] = lifecycle.run_notifier()

    # Then the message is done (not retried), and the history says why
    assert answer["batchItemFailures"] == []
    refused = [e for e in org.history("notification") if e.outcome == "failed"]
    assert len(refused) == 1 and refused[0].error_code == "email_rejected" and "MessageRejected" in refused[0].message
    assert len(lifecycle.emails()) == 1


def test_a_redelivered_notification_sends_no_second_email(lifecycle):
    org = failing_org(lifecycle)
    org.push(contact("c1", "Harbour Cafe"), invoice("i1", "c1", account_code=None, tax_id=None))
    org.sync()
    lifecycle.drain_exports()
    [message] = lifecycle.receive(lifecycle.settings.notifications_queue_url, wait=2)

    # When SQS delivers the same message twice (at-least-once delivery, or a DLQ redrive)
    from lifecycle_helpers import context

    from functions.notifier.app import lambda_handler

    event = {
        "Records": [
            {
                "messageId": "m-1",
                "receiptHandle": "r-1",
                "body": message["Body"],
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "awsRegion": "us-east-1",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:notifications",
                "md5OfBody": "",
            }
        ]
    }
    assert lambda_handler(event, context("NotifierFunction")) == {"batchItemFailures": []}
    assert lambda_handler(event, context("NotifierFunction")) == {"batchItemFailures": []}

    # Then one email (Powertools idempotency on the notification id)
    assert len(lifecycle.emails()) == 1


def test_recipients_and_language_are_read_when_the_email_is_sent(lifecycle):
    org = failing_org(lifecycle)
    org.push(contact("c1", "Harbour Cafe"), invoice("i1", "c1", account_code=None, tax_id=None))
    org.sync()
    lifecycle.drain_exports()

    # When the admin changes the recipients and the language before the window ends
    org.store_settings_unchecked(admin_emails=["compta@acme.example"], language="fr")
    lifecycle.run_notifier()

    # Then the digest goes to the new address, in French
    [email] = lifecycle.emails()
    assert email["To"] == "compta@acme.example"
    assert email["Subject"] == "Acme Billing : 1 enregistrement n'a pas pu être envoyé à Xero (Demo Company (NZ))"
    assert "COMPTE SANS CODE DANS XERO" in text_of(email)
