"""N1, N2: an export invocation starts no Xero call it could not finish and record within its
remaining time (several invocations of one tenant share its 60 calls a minute, and a call may wait
for its turn): the records go back to their queue, not sent, no attempt spent, nothing left
claimed — rather than the Lambda timing out with its records claimed until SQS redelivers them."""

from export_harness import contact, invoice

from xero_sync.aws.clients import aws_client
from xero_sync.domain.families import Family
from xero_sync.domain.records import RecordStatus
from xero_sync.models.messages import ExportMessage
from xero_sync.xero.client import AFTER_CALL_SECONDS


def test_with_too_little_time_left_nothing_is_sent_and_the_records_go_back(harness):
    # Given an invoice in Xero that the host changed, and an invocation with a second less left
    # than a call needs (Xero's answer, at most the client's read time-out, and its recording)
    harness.export(contact("cus-1", "Cafe One"), invoice("inv-1", "INV-1", "cus-1"))
    harness.push(invoice("inv-1", "INV-1", "cus-1", version=2, reference="changed"))
    message = ExportMessage.model_validate(
        {"org_id": harness.org_id, "records": [{"entity": "invoice", "record_id": "inv-1"}]}
    )
    sent_before = len(harness.requests_log(path_prefix="/api.xro/2.0/"))
    short = harness.container.settings.xero_timeout_seconds + AFTER_CALL_SECONDS - 1

    # When the worker gets the invoice
    result = harness.container.export_worker.handle([message], time_left=lambda: short)

    # Then no call reached Xero; the invoice is pending, unclaimed, with no attempt spent, and
    # back on its queue
    assert len(harness.requests_log(path_prefix="/api.xro/2.0/")) == sent_before
    stored = harness.record("invoice", "inv-1")
    assert stored.status == RecordStatus.PENDING.value
    assert stored.claim_owner is None and not stored.attempts
    assert result.retried >= 1 and result.failed == 0
    sqs = aws_client("sqs", harness.container.settings)
    depth = sqs.get_queue_attributes(
        QueueUrl=harness.container.settings.queue_url(Family.INVOICES), AttributeNames=["All"]
    )["Attributes"]
    assert int(depth["ApproximateNumberOfMessages"]) + int(depth["ApproximateNumberOfMessagesDelayed"]) == 1
    # And the next invocation with time enough exports it
    harness.container.export_worker.handle([message], time_left=lambda: 900.0)
    assert harness.record("invoice", "inv-1").status == RecordStatus.SYNCED.value
    [in_xero] = harness.invoices("INV-1")
    assert in_xero["Reference"] == "changed"
