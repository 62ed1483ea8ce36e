"""N1, N2: an import invocation starts no Xero read it could not finish within its remaining time
(a backfill may hold the tenant's calls, and a read waits for its turn): the org's import goes
back to the import queue, nothing sent, no attempt spent, nothing reported as failing; the next
invocation with time enough imports it. Through the real client, moto's SQS and the emulator."""

from __future__ import annotations

import json

import requests

from xero_sync.aws.clients import aws_client
from xero_sync.models.imports import OrgImport
from xero_sync.xero.client import AFTER_CALL_SECONDS


def _xero_reads(flow) -> int:
    answer = requests.get(
        f"{flow.emulator.base_url}/_emulator/requests", params={"path_prefix": "/api.xro/2.0/"}, timeout=10
    )
    answer.raise_for_status()
    body = answer.json()
    return len(body["requests"] if isinstance(body, dict) else body)


def _next_import_message(flow) -> dict:
    """The org's poll on the import queue (sent with the governor's short delay); other tests'
    messages on the queue are left as they were."""
    sqs = aws_client("sqs", flow.container.settings)
    url = flow.container.settings.import_queue_url
    for _ in range(10):  # long polls: the message is delayed by a couple of seconds
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5).get("Messages", [])
        ours = None
        for message in received:
            body = json.loads(message["Body"])
            if (body.get("org_id"), body.get("kind")) == (flow.org_id, "poll") and ours is None:
                ours = body
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            else:
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        if ours is not None:
            return ours
    raise AssertionError("nothing came back to the import queue")


def test_with_too_little_time_left_the_import_reads_nothing_and_comes_back_without_spending_an_attempt(flow):
    # Given an org importing customers that has polled once, a contact made in Xero since that no
    # webhook announced, and an invocation with a second less left than a read needs (Xero's
    # answer and its import)
    flow.settings(import_options={"customers": True}, sync_frequency="manual")
    flow.drain()
    flow.emulator.state.webhooks.configure(None, None)
    poll = OrgImport(kind="poll", org_id=flow.org_id)
    worker = flow.container.import_worker
    worker.handle([("m", poll)], time_left=lambda: 900.0)
    made = flow.user("PUT", "Contacts", {"Contacts": [{"Name": "Made While Short Ltd", "IsCustomer": True}]})
    contact_id = made["Contacts"][0]["ContactID"]
    reads_before = _xero_reads(flow)
    short = flow.container.settings.xero_timeout_seconds + AFTER_CALL_SECONDS - 1

    # When the import worker gets the org's poll
    summary = worker.handle([("m", poll)], time_left=lambda: short)

    # Then nothing was read from Xero; the poll is back on the queue at its first attempt, and
    # nothing says it failed
    assert _xero_reads(flow) == reads_before
    assert (summary.waiting, summary.retried, summary.failed_messages) == (1, 0, [])
    again = OrgImport.model_validate(_next_import_message(flow))
    assert again.org_id == flow.org_id and again.kind == "poll" and again.attempt == 1
    history = flow.call("GET", "/history", query={"limit": "200"}).body
    assert not [e for e in history["events"] if e["outcome"] in ("retrying", "failed")], history

    # And the next invocation, with time enough, imports the change
    worker.handle([("m", again)], time_left=lambda: 900.0)
    assert [c["kind"] for c in flow.changes("contact") if c["xero_id"] == contact_id] == ["contact.created"]
