"""The SQS adapter of the export queues: which queue a key goes to (N2: a backfill's keys to the
backfill queue, when the deployment has one)."""

from xero_sync.aws.clients import aws_client
from xero_sync.aws.export_queues import ExportQueues
from xero_sync.domain.families import Family
from xero_sync.domain.records import RecordKey
from xero_sync.models.messages import EnqueueReason, ExportMessage


def _take(sqs, url: str) -> list[ExportMessage]:
    messages = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        messages += [ExportMessage.model_validate_json(m["Body"]) for m in batch]
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        )
    return messages


def test_background_keys_go_to_the_backfill_queue_marked_background(harness):
    settings = harness.container.settings
    sqs = aws_client("sqs", settings)
    queues = ExportQueues(settings, sqs)
    keys = [RecordKey("org-q", "invoice", f"inv-{n}") for n in range(60)] + [RecordKey("org-q", "contact", "c-1")]
    # When a backfill's keys and a real-time key are sent
    assert queues.enqueue(keys, EnqueueReason.BACKFILL, background=True) == 61
    assert queues.enqueue([RecordKey("org-q", "invoice", "inv-now")], EnqueueReason.PUSH) == 1
    # Then the backfill queue holds the backfill (50 keys a message, one family a message), marked as such
    backfill = _take(sqs, settings.backfill_queue_url)
    assert sorted(len(m.records) for m in backfill) == [1, 10, 50]
    assert all(m.background and m.reason is EnqueueReason.BACKFILL for m in backfill)
    assert all(len({ref.entity for ref in m.records}) == 1 for m in backfill)
    # and the invoices queue only the real-time key
    realtime = _take(sqs, settings.queue_url(Family.INVOICES))
    assert [(m.records[0].record_id, m.background) for m in realtime] == [("inv-now", False)]
    assert _take(sqs, settings.queue_url(Family.CONTACTS)) == []


def test_without_a_backfill_queue_background_keys_go_to_their_familys_queue(harness):
    # A deployment from before the backfill queue (no BACKFILL_QUEUE_URL) still exports them
    settings = harness.container.settings.model_copy(update={"backfill_queue_url": None})
    sqs = aws_client("sqs", settings)
    ExportQueues(settings, sqs).enqueue(
        [RecordKey("org-q", "invoice", "inv-1")], EnqueueReason.BACKFILL, background=True
    )
    [message] = _take(sqs, settings.queue_url(Family.INVOICES))
    assert message.background and message.records[0].record_id == "inv-1"
