"""Xero's webhook receiver (F4.4) and the host's change feed (F4.2), over in-memory fakes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from import_world import ORG, ImportWorld, contact, event
from pydantic import SecretStr

from tests.fakes import RecordingImportQueue
from xero_sync.services.changes import ChangeFeed
from xero_sync.services.errors import InvalidInput
from xero_sync.services.imports.receiver import XeroWebhookReceiver

KEY = "webhook-key-for-tests"


def signed(body: bytes, key: str = KEY) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def receiver() -> XeroWebhookReceiver:
    return XeroWebhookReceiver(key=lambda: SecretStr(KEY), queue=RecordingImportQueue())


def payload(*events: dict) -> bytes:
    return json.dumps({"events": list(events), "firstEventSequence": 1, "lastEventSequence": len(events),
                       "entropy": "ABCDEFGHIJ"}).encode()  # fmt: skip


def xero_event(tenant: str, category: str, resource_id: str) -> dict:
    return {"resourceUrl": f"https://api.xero.com/api.xro/2.0/x/{resource_id}", "resourceId": resource_id,
            "eventDateUtc": "2026-11-24T12:01:39.123", "eventType": "UPDATE", "eventCategory": category,
            "tenantId": tenant, "tenantType": "ORGANISATION"}  # fmt: skip


def test_signed_events_are_queued_one_message_per_tenant(receiver):
    body = payload(
        xero_event("t-1", "CONTACT", "c-1"),
        xero_event("t-2", "INVOICE", "i-1"),
        xero_event("t-1", "INVOICE", "i-2"),
        {**xero_event("t-1", "SUBSCRIPTION", "s-1")},  # nothing to read for the app's own subscription
    )
    receipt = receiver.receive(body, signed(body))
    assert (receipt.status, receipt.queued_events) == (200, 3)
    sent = {message.tenant_id: [e.resourceId for e in message.events] for message, _ in receiver.queue.sent}
    assert sent == {"t-1": ["c-1", "i-2"], "t-2": ["i-1"]}


def test_intent_to_receive_passes_and_every_bad_signature_is_refused(receiver):
    body = json.dumps({"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": "X"}).encode()
    assert receiver.receive(body, signed(body)).status == 200  # the correctly signed ones
    assert receiver.receive(body, signed(body, "another key")).status == 401  # the mis-signed ones
    assert receiver.receive(body, None).status == 401
    assert receiver.receive(body + b" ", signed(body)).status == 401  # a byte changed: the raw body is signed
    assert receiver.receive(body, signed(body).lower()).status == 401
    assert receiver.queue.sent == []


def test_a_signed_body_that_is_not_xeros_payload_is_refused_and_nothing_queued(receiver):
    for body in (b"not json", b'{"events": "nope"}', json.dumps({"events": [{"resourceId": "x"}]}).encode()):
        assert receiver.receive(body, signed(body)).status == 401
    assert receiver.queue.sent == []


# --- the change feed ------------------------------------------------------------------------------


def test_the_feed_pages_in_order_with_an_opaque_cursor():
    world = ImportWorld()
    for n in range(5):
        world.xero.save("Contacts", contact(f"c-{n}", f"Contact {n}"))
    world.webhook(*(event("CONTACT", f"c-{n}") for n in range(5)))
    feed = ChangeFeed(world.changes)

    first = feed.page(ORG, since=None, limit=2)
    assert [c.id for c in first.changes] == ["000000000001", "000000000002"] and first.has_more
    second = feed.page(ORG, since=first.next_cursor, limit=2)
    third = feed.page(ORG, since=second.next_cursor, limit=2)
    assert [c.id for c in second.changes + third.changes] == ["000000000003", "000000000004", "000000000005"]
    assert not third.has_more
    # Nothing new: the same cursor comes back, to poll with later
    empty = feed.page(ORG, since=third.next_cursor, limit=2)
    assert empty.changes == [] and empty.next_cursor == third.next_cursor and not empty.has_more
    # A change made later is read with it
    world.later()
    world.xero.save("Contacts", contact("c-0", "Contact zero"))
    world.webhook(event("CONTACT", "c-0"))
    assert [c.kind for c in feed.page(ORG, since=empty.next_cursor, limit=2).changes] == ["contact.updated"]
    assert feed.page("org-empty", since=None, limit=2).next_cursor is None


def test_a_cursor_of_another_org_or_a_made_up_one_is_a_400_naming_the_field():
    world = ImportWorld()
    world.connections.add("org-b", tenant_id="tenant-1")
    world.xero.save("Contacts", contact("c-1", "Shared"))
    world.webhook(event("CONTACT", "c-1"))
    feed = ChangeFeed(world.changes)
    other = feed.page("org-b", since=None, limit=5).next_cursor
    for cursor in (other, "garbage"):
        with pytest.raises(InvalidInput) as refused:
            feed.page(ORG, since=cursor, limit=5)
        assert [d.field for d in refused.value.details] == ["query.since"]
