"""Delivering SQS messages to functions the way Lambda's event source mapping does.

For each ``Type: SQS`` event of a function, a poller receives up to ``BatchSize`` messages
(waiting up to ``MaximumBatchingWindowInSeconds`` to fill the batch), invokes the function with
``{"Records": [...]}`` in Lambda's record shape, and then:

- the handler returned and the event has ``FunctionResponseTypes: [ReportBatchItemFailures]``:
  the messages named in ``batchItemFailures`` stay, the others are deleted; an answer that names
  an unknown or empty ``itemIdentifier`` fails the whole batch (as Lambda does);
- the handler returned, without ReportBatchItemFailures: every message is deleted;
- the handler raised (or timed out): nothing is deleted.

Messages that are not deleted come back when the queue's visibility timeout runs out, with
``ApproximateReceiveCount`` one higher. After ``maxReceiveCount`` receives, moto's SQS moves a
message to the dead-letter queue on the next receive, as SQS does (checked in
tests/local_stack), so the poller does not do it itself.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("local.stack.sqs")

MAX_RECEIVE_BATCH = 10  # SQS returns at most 10 messages per ReceiveMessage call


@dataclass(frozen=True)
class SqsEventSource:
    function: str  # logical id
    event_name: str
    queue_logical_id: str
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    batching_window_seconds: float = 0.0
    report_batch_item_failures: bool = False
    enabled: bool = True
    max_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency; None: Lambda's default scaling


class RunnerStopped(RuntimeError):
    """The runner stopped while a received batch was on its way to its function: the batch is
    not delivered and returns to its queue, as in Lambda when an event source mapping is
    disabled mid-poll. Not a failure of the function, so not reported as one."""


class DeliveryTracker:
    """Counts deliveries in progress, so that ``drain`` can tell "idle" from "between steps".

    ``epoch`` grows with every delivery that starts: if it is unchanged and nothing was busy
    before and after the queues were seen empty, no delivery happened in between."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = 0
        self._epoch = 0

    @contextmanager
    def busy(self) -> Iterator[None]:
        with self._lock:
            self._busy += 1
            self._epoch += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return self._epoch, self._busy


def lambda_record(message: dict[str, Any], source: SqsEventSource, region: str) -> dict[str, Any]:
    """One SQS message as Lambda puts it into ``event["Records"]``."""
    attributes = {name: str(value) for name, value in (message.get("Attributes") or {}).items()}
    message_attributes: dict[str, Any] = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        converted: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType", "String"),
        }
        if "StringValue" in value:
            converted["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            converted["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
        message_attributes[name] = converted
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": source.queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def failed_message_ids(result: Any, batch_ids: list[str]) -> list[str]:
    """Lambda's reading of a partial batch response: the ids to keep in the queue."""
    if result is None or not isinstance(result, dict):
        return []
    failures = result.get("batchItemFailures")
    if not failures:
        return []
    failed: list[str] = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in batch_ids:
            log.warning("batchItemFailures names %r, which is not in the batch: the whole batch fails", identifier)
            return list(batch_ids)
        failed.append(identifier)
    return failed


Invoke = Callable[[str, dict[str, Any]], Any]


class SqsPoller:
    """Receives batches from one queue and delivers them to one function."""

    def __init__(
        self,
        source: SqsEventSource,
        sqs_client: Any,
        invoke: Invoke,
        *,
        region: str,
        tracker: DeliveryTracker,
        retry_delay_seconds: float | None = None,
    ):
        self.source = source
        self._sqs = sqs_client
        self._invoke = invoke
        self._region = region
        self._tracker = tracker
        self._retry_delay_seconds = retry_delay_seconds

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Receive one batch and deliver it. Returns how many messages were delivered.

        Only the delivery counts as busy: while a received message waits for it, the queue
        reports it as in flight, so ``drain`` does not mistake that moment for "empty"."""
        messages = self._receive_batch(wait_seconds)
        if not messages:
            return 0
        with self._tracker.busy():
            self._deliver(messages)
        return len(messages)

    def _receive_batch(self, wait_seconds: int) -> list[dict[str, Any]]:
        source = self.source
        messages: list[dict[str, Any]] = []
        window_ends = time.monotonic() + source.batching_window_seconds
        wait = wait_seconds
        while len(messages) < source.batch_size:
            received = self._sqs.receive_message(
                QueueUrl=source.queue_url,
                MaxNumberOfMessages=min(MAX_RECEIVE_BATCH, source.batch_size - len(messages)),
                WaitTimeSeconds=wait,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            messages.extend(received)
            wait = 0
            if time.monotonic() >= window_ends:
                break
            if not received:
                time.sleep(min(0.2, max(0.0, window_ends - time.monotonic())))
        return messages

    def _deliver(self, messages: list[dict[str, Any]]) -> None:
        source = self.source
        records = [lambda_record(message, source, self._region) for message in messages]
        batch_ids = [record["messageId"] for record in records]
        try:
            result = self._invoke(source.function, {"Records": records})
        except RunnerStopped:
            self._keep(messages)
            return
        except Exception as error:
            log.warning(
                "%s failed on a batch of %d from %s (%s): the messages return after the visibility timeout",
                source.function,
                len(records),
                source.queue_logical_id,
                error,
            )
            self._keep(messages)
            return
        failed = failed_message_ids(result, batch_ids) if source.report_batch_item_failures else []
        done = [message for message in messages if message["MessageId"] not in failed]
        for start in range(0, len(done), MAX_RECEIVE_BATCH):
            chunk = done[start : start + MAX_RECEIVE_BATCH]
            self._sqs.delete_message_batch(
                QueueUrl=source.queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]} for index, message in enumerate(chunk)
                ],
            )
        if failed:
            log.info("%s reported %d of %d messages as failed", source.function, len(failed), len(records))
            self._keep([message for message in messages if message["MessageId"] in failed])

    def _keep(self, messages: list[dict[str, Any]]) -> None:
        """Failed messages stay in flight until the visibility timeout, unless the runner was
        asked to retry sooner (a local speed-up; SQS itself never shortens it)."""
        if self._retry_delay_seconds is None:
            return
        for message in messages:
            self._sqs.change_message_visibility(
                QueueUrl=self.source.queue_url,
                ReceiptHandle=message["ReceiptHandle"],
                VisibilityTimeout=int(self._retry_delay_seconds),
            )

    def queue_depth(self) -> dict[str, int]:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self.source.queue_url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return {name: int(value) for name, value in attributes.items()}
