"""The three new functions' handlers with their sample events (events/xero_webhook,
events/import_worker, events/host_webhooks) — the events an operator pastes into the console —
on the template's resources in moto."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api_it_helpers import lambda_context
from pydantic import SecretStr

from xero_sync.wiring import Container, set_container

EVENTS = Path(__file__).resolve().parents[3] / "events"
SAMPLE_KEY = "sample-webhook-key-for-console-tests-only"  # the key the sample events are signed with


def _event(folder: str, name: str) -> dict:
    return json.loads((EVENTS / folder / name).read_text())


@pytest.fixture
def sample_services(import_stack):
    container = Container(import_stack.settings.model_copy(update={"xero_webhook_key": SecretStr(SAMPLE_KEY)}))
    set_container(container)
    yield container
    set_container(None)


def _queued(container, url: str) -> list[dict]:
    sqs = container.import_queue._sqs
    found = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_the_receivers_sample_events(sample_services):
    from functions.xero_webhook.app import lambda_handler

    url = sample_services.settings.import_queue_url
    _queued(sample_services, url)
    signed = lambda_handler(_event("xero_webhook", "events_signed.json"), lambda_context("XeroWebhookFunction"))
    assert (signed["statusCode"], signed["body"]) == (200, "")
    (queued,) = _queued(sample_services, url)
    assert queued["kind"] == "events" and [e["eventCategory"] for e in queued["events"]] == ["CONTACT", "INVOICE"]
    itr = lambda_handler(_event("xero_webhook", "intent_to_receive.json"), lambda_context("XeroWebhookFunction"))
    bad = lambda_handler(
        _event("xero_webhook", "intent_to_receive_bad_signature.json"), lambda_context("XeroWebhookFunction")
    )
    assert (itr["statusCode"], bad["statusCode"]) == (200, 401)
    assert _queued(sample_services, url) == []


def test_the_import_workers_and_deliverers_sample_events_for_an_org_that_is_not_connected(sample_services):
    from functions.host_webhooks.app import lambda_handler as deliver
    from functions.import_worker.app import lambda_handler as import_worker

    for name in ("webhook_events.json", "poll.json", "historical_import.json"):
        result = import_worker(_event("import_worker", name), lambda_context("ImportWorkerFunction"))
        assert result == {"batchItemFailures": []}, name
    assert deliver(_event("host_webhooks", "deliver.json"), lambda_context("HostWebhooksFunction")) == {
        "batchItemFailures": []
    }


def test_an_unreadable_import_message_is_left_for_the_dlq(sample_services):
    from functions.import_worker.app import lambda_handler as import_worker

    event = _event("import_worker", "poll.json")
    event["Records"][0]["body"] = '{"kind": "poll"}'  # no org
    result = import_worker(event, lambda_context("ImportWorkerFunction"))
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
