"""SQS messages -> Lambda SQS events: batches, partial batch failures, visibility time-out
redelivery, maxReceiveCount -> DLQ, drain."""

from __future__ import annotations

import json
import threading
import time

import pytest
from local_stack_helpers import aws_client, make_runner

from local.stack.sqs_source import failed_message_ids


def send(runner, *bodies: dict) -> list[str]:
    sqs = aws_client("sqs", runner.aws_endpoint_url)
    url = runner.resolver.physical("JobsQueue").ref
    return [
        sqs.send_message(
            QueueUrl=url,
            MessageBody=json.dumps(body),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "job"}},
        )["MessageId"]
        for body in bodies
    ]


def dlq_bodies(runner) -> list[dict]:
    sqs = aws_client("sqs", runner.aws_endpoint_url)
    url = runner.resolver.physical("JobsDlq").ref
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def returns_within(poller, *, seconds: float) -> int:
    """Poll until a message comes back to the queue (SQS makes it visible again by itself); how
    many were delivered then. ``seconds`` only bounds a failure."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        delivered = poller.poll_once()
        if delivered:
            return delivered
        time.sleep(0.05)
    return 0


def delivered_bodies(recorder) -> list[dict]:
    return [json.loads(record["body"]) for event in recorder.calls_of("WorkerFunction") for record in event["Records"]]


def test_records_look_like_lambdas(runner, recorder):
    (message_id,) = send(runner, {"n": 1})

    runner.drain(timeout=60)

    (event,) = recorder.calls_of("WorkerFunction")
    (record,) = event["Records"]
    assert record["messageId"] == message_id
    assert record["receiptHandle"]
    assert json.loads(record["body"]) == {"n": 1}
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["attributes"]["SentTimestamp"].isdigit()
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "job",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert len(record["md5OfBody"]) == 32
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == runner.resolver.physical("JobsQueue").attributes["Arn"]
    assert record["awsRegion"] == "us-east-1"


def test_batch_size_is_honoured(runner, recorder):
    send(runner, *({"n": n} for n in range(7)))

    runner.drain(timeout=60)

    sizes = [len(event["Records"]) for event in recorder.calls_of("WorkerFunction")]
    assert sum(sizes) == 7 and max(sizes) <= 5  # BatchSize: 5


def test_partial_batch_failure_keeps_only_the_failed_message_which_returns_after_the_visibility_timeout(
    runner, recorder
):
    # Given a batch where one message fails
    send(runner, {"n": 1}, {"n": 2, "fail": True}, {"n": 3})

    # When the runner delivers once
    poller = runner._pollers[0]
    assert poller.poll_once() == 3

    # Then the two good messages are deleted and the failed one is in flight
    depth = poller.queue_depth()
    assert depth["ApproximateNumberOfMessages"] == 0
    assert depth["ApproximateNumberOfMessagesNotVisible"] == 1

    # And it comes back once its 1-second visibility timeout has run out (SQS's own clock: waited
    # for, with a bound only for a failure), with a higher receive count
    assert returns_within(poller, seconds=60) == 1
    last = recorder.calls_of("WorkerFunction")[-1]["Records"]
    assert [json.loads(record["body"])["n"] for record in last] == [2]
    assert last[0]["attributes"]["ApproximateReceiveCount"] == "2"


def test_handler_exception_deletes_nothing(runner, recorder):
    send(runner, {"n": 1}, {"n": 2, "raise": True})

    assert runner._pollers[0].poll_once() == 2

    assert runner._pollers[0].queue_depth()["ApproximateNumberOfMessagesNotVisible"] == 2


def test_after_max_receive_count_the_message_goes_to_the_dlq(runner, recorder):
    # Given a message that always fails and a queue with maxReceiveCount 3
    send(runner, {"n": "poison", "fail": True}, {"n": "fine"})

    # When the runner drains (redelivering after each visibility timeout)
    runner.drain(timeout=120)

    # Then the poison message was tried exactly three times and now sits in the DLQ
    tries = [body for body in delivered_bodies(recorder) if body["n"] == "poison"]
    assert len(tries) == 3
    assert dlq_bodies(runner) == [{"n": "poison", "fail": True}]


def test_an_unknown_item_identifier_fails_the_whole_batch():
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": "nope"}]}, ["a", "b"]) == ["a", "b"]
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": ""}]}, ["a"]) == ["a"]
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": "b"}]}, ["a", "b"]) == ["b"]
    assert failed_message_ids({"batchItemFailures": []}, ["a"]) == []
    assert failed_message_ids(None, ["a"]) == []


def test_retry_delay_option_brings_failed_messages_back_sooner(fixture_resolver, moto_endpoint):
    import fixture_recorder  # noqa: F401  (imported by the handlers once the runner starts)

    with make_runner(fixture_resolver, moto_endpoint, retry_delay_seconds=0) as runner:
        send(runner, {"n": 1, "fail": True})
        poller = runner._pollers[0]
        poller.poll_once()
        assert poller.poll_once() == 1  # visible again at once, not after VisibilityTimeout


def test_background_pollers_deliver_without_drain_and_drain_waits_for_them(fixture_resolver, moto_endpoint):
    with make_runner(fixture_resolver, moto_endpoint, sqs=True, http=False) as runner:
        import fixture_recorder

        fixture_recorder.reset()
        send(runner, {"n": 1, "sleep": 0.5})
        assert fixture_recorder.wait_until(lambda: bool(fixture_recorder.calls_of("WorkerFunction"))), (
            "the background poller delivered nothing"
        )
        runner.drain(timeout=60)  # returns only once the sleeping delivery has finished
        assert runner._pollers[0].queue_depth() == {
            "ApproximateNumberOfMessages": 0,
            "ApproximateNumberOfMessagesNotVisible": 0,
            "ApproximateNumberOfMessagesDelayed": 0,
        }


def test_drain_times_out_naming_the_queue(runner, recorder):
    send(runner, {"n": 1, "raise": True})

    with pytest.raises(TimeoutError, match="JobsQueue"):
        runner.drain(timeout=0.5)


def test_a_batch_received_as_the_runner_stops_returns_to_its_queue_without_a_failure(runner, recorder, caplog):
    # Given a message received by a poller whose runner has just stopped (a poller thread in a
    # long delivery outlives stop's join, then receives once more)
    send(runner, {"n": 1})
    poller = runner._pollers[0]
    runner.stop()

    # When it delivers the batch
    with caplog.at_level("WARNING", logger="local.stack"):
        assert poller.poll_once() == 1

    # Then no function ran, nothing is reported as its failure, and the message waits in its
    # queue for the next start (in flight until its visibility timeout)
    assert recorder.calls_of("WorkerFunction") == []
    assert not [record for record in caplog.records if "failed on a batch" in record.getMessage()]
    assert poller.queue_depth()["ApproximateNumberOfMessagesNotVisible"] == 1


def test_a_poller_that_outlives_stop_ends_with_its_own_start_not_a_later_one(runner):
    # A poller thread polls until the event of the start that made it is set; stop() leaves a
    # fresh event for the next start, which such a thread must not read as "keep polling".
    this_start = threading.Event()
    polls = []

    class ServersGone:
        source = runner._pollers[0].source

        def poll_once(self, wait_seconds: int = 0) -> int:
            polls.append(wait_seconds)
            this_start.set()  # stop() while the poll was on its way
            raise ConnectionError("the moto server is gone")

    runner._poll_forever(ServersGone(), this_start)  # returns, with no "retrying in a second"

    assert len(polls) == 1
    assert not runner._stopping.is_set()  # the runner's current event (a later start's) is untouched
