"""The host's webhook (F4.2) over in-memory fakes: registering it (URL rules, a secret shown
once), and delivering the feed — signed, in order, each change once by id, retried with back-off
and given up (history and digest) after 24 hours."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from import_world import ORG, ImportWorld, contact, event

from tests.fakes import InMemoryHostWebhooks, PlainCipher, RecordingHostWebhookQueue, ScriptedSender
from xero_sync.domain.host_webhooks import CHANGE_ID_HEADER, SIGNATURE_HEADER, verify_signature
from xero_sync.models.api_import import WebhookPutRequest
from xero_sync.models.imports import DeliveryNudge
from xero_sync.services.errors import InvalidInput, NotFound
from xero_sync.services.host_delivery import HostWebhookDeliverer
from xero_sync.services.host_webhooks import HostWebhookService

URL = "https://hooks.host.example/xero-sync"


class Digest:
    def __init__(self) -> None:
        self.opened: list[str] = []

    def failure_recorded(self, org_id, now):
        self.opened.append(org_id)
        return True


class Host:
    """The world, a subscription service and a deliverer sharing one host endpoint."""

    def __init__(self) -> None:
        self.world = ImportWorld()
        self.store = InMemoryHostWebhooks()
        self.endpoint = ScriptedSender()
        self.queue = RecordingHostWebhookQueue()
        self.digest = Digest()
        self.service = HostWebhookService(
            store=self.store,
            changes=self.world.changes,
            cipher=PlainCipher(),
            sender=lambda: self.endpoint,
            history=self.world.history,
            clock=self.world.clock,
        )
        self.deliverer = HostWebhookDeliverer(
            store=self.store,
            changes=self.world.changes,
            cipher=PlainCipher(),
            sender=lambda: self.endpoint,
            queue=self.queue,
            history=self.world.history,
            clock=self.world.clock,
            notifications=self.digest,
        )

    def change_in_xero(self, contact_id: str, name: str) -> None:
        self.world.later()
        self.world.xero.save("Contacts", contact(contact_id, name))
        self.world.webhook(event("CONTACT", contact_id))

    def deliver(self, attempt: int = 0):
        return self.deliverer.deliver(DeliveryNudge(org_id=ORG, attempt=attempt))

    def delivered_ids(self) -> list[str]:
        return [headers[CHANGE_ID_HEADER] for _, _, headers in self.endpoint.posts if CHANGE_ID_HEADER in headers]


@pytest.fixture
def host() -> Host:
    return Host()


def test_a_new_webhook_shows_its_secret_once_and_starts_after_the_feeds_newest_change(host):
    host.change_in_xero("c-1", "Before the webhook")
    created = host.service.put(ORG, WebhookPutRequest(url=URL))
    assert created.signing_secret.startswith("whsec_") and created.secret_hint == created.signing_secret[-4:]
    assert created.delivered_through == "000000000001"
    # GET never shows it; a new URL keeps it
    assert host.service.get(ORG).signing_secret is None
    moved = host.service.put(ORG, WebhookPutRequest(url=URL + "/v2"))
    assert moved.signing_secret is None and moved.url == URL + "/v2"
    # rotate_secret makes a new one
    rotated = host.service.put(ORG, WebhookPutRequest(url=URL, rotate_secret=True))
    assert rotated.signing_secret not in (None, created.signing_secret)
    # The secret is stored encrypted for the org, never as it is
    assert host.store.get(ORG).secret_enc != rotated.signing_secret.encode()


def test_a_url_the_service_will_not_call_is_a_400_naming_the_field(host):
    host.endpoint.refuse = "resolves to 169.254.169.254, a link-local (cloud metadata) address"
    with pytest.raises(InvalidInput) as refused:
        host.service.put(ORG, WebhookPutRequest(url="https://metadata.example/"))
    assert [(d.field, d.message) for d in refused.value.details] == [("url", host.endpoint.refuse)]
    assert host.store.get(ORG) is None


def test_get_delete_and_test_of_a_missing_webhook_are_404(host):
    for call in (host.service.get, host.service.delete, host.service.test):
        with pytest.raises(NotFound):
            call(ORG)


def test_the_test_delivery_is_signed_and_reported(host):
    secret = host.service.put(ORG, WebhookPutRequest(url=URL)).signing_secret
    result = host.service.test(ORG)
    assert result.delivered and result.status_code == 200
    (_, body, headers) = host.endpoint.posts[-1]
    assert json.loads(body)["test"] is True
    assert verify_signature(secret, headers[SIGNATURE_HEADER], body, host.world.clock())
    host.endpoint.status = 500
    assert not host.service.test(ORG).delivered
    assert [e.outcome for e in host.world.history.events if e.action == "test"] == ["succeeded", "failed"]


def test_changes_are_delivered_in_order_signed_each_once_by_id(host):
    secret = host.service.put(ORG, WebhookPutRequest(url=URL)).signing_secret
    host.change_in_xero("c-1", "One")
    host.change_in_xero("c-2", "Two")
    result = host.deliver()
    assert result.delivered == 2 and host.delivered_ids() == ["000000000001", "000000000002"]
    for _, body, headers in host.endpoint.posts:
        assert verify_signature(secret, headers[SIGNATURE_HEADER], body, host.world.clock())
        assert json.loads(body)["change"]["id"] == headers[CHANGE_ID_HEADER]
    # A repeated nudge delivers nothing twice
    host.deliver()
    assert host.delivered_ids() == ["000000000001", "000000000002"]
    assert host.store.get(ORG).delivered_through == "000000000002"


def test_an_endpoint_down_for_an_hour_gets_every_change_afterwards_each_once(host):
    host.service.put(ORG, WebhookPutRequest(url=URL))
    host.endpoint.status = None  # down: no answer
    host.change_in_xero("c-1", "During the outage")
    down_since, delays = host.world.clock(), []
    # Attempts go on with growing delays while it is down, for an hour (the nudge comes back each time)
    while host.world.clock() - down_since < timedelta(hours=1):
        host.deliver()
        ((nudge, delay),) = host.queue.take()
        delays.append(delay)
        host.world.clock.advance(seconds=delay)
        host.change_in_xero(f"c-{len(delays) + 1}", "Meanwhile")
    assert delays[:6] == [30, 60, 120, 240, 480, 900] and set(delays[6:]) == {900}
    attempts = [e for e in host.world.history.events if e.direction == "webhook" and e.outcome == "retrying"]
    assert len(attempts) == len(delays)  # every attempt is in the history
    assert {headers[CHANGE_ID_HEADER] for _, _, headers in host.endpoint.posts} == {"000000000001"}
    # When the endpoint is back, the next attempt delivers everything since, in order, each once
    host.endpoint.status, host.endpoint.posts = 200, []
    host.deliver(nudge.attempt)
    assert host.delivered_ids() == [change.change_id for change in host.world.feed()]
    assert host.store.get(ORG).failing_since is None and host.queue.take() == []


def test_after_24_hours_of_failures_the_changes_are_reported_and_later_ones_delivered(host):
    host.service.put(ORG, WebhookPutRequest(url=URL))
    host.endpoint.status = 503
    host.change_in_xero("c-1", "Lost in the outage")
    host.deliver()
    host.world.clock.advance(hours=24)
    host.change_in_xero("c-2", "Also in the outage")
    result = host.deliver(5)
    assert result.gave_up == 2
    (gave_up,) = [
        e for e in host.world.history.events if e.error_code == "host_webhook_unreachable" and e.outcome == "failed"
    ]
    assert "GET /changes" in gave_up.message
    assert host.digest.opened == [ORG]  # the admin's failure digest reports it
    # Later changes are delivered as usual
    host.endpoint.status = 200
    host.change_in_xero("c-3", "After")
    host.deliver()
    assert host.delivered_ids()[-1] == "000000000003"


def test_one_deliverer_at_a_time_per_org(host):
    host.service.put(ORG, WebhookPutRequest(url=URL))
    host.change_in_xero("c-1", "One")
    now = host.world.clock()
    assert host.store.acquire_lease(ORG, owner="someone-else", now=now, until=now + timedelta(seconds=50))
    result = host.deliver()
    assert result.busy and host.endpoint.posts == []
    assert [delay for _, delay in host.queue.take()] == [5]  # comes back soon
