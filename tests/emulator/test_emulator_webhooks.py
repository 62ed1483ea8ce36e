"""Webhooks (xero-facts §8; checklist §9 item 10): signed, batched deliveries from a background
thread, retries, and the intent-to-receive handshake with sequences 0."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading

import requests

from local.xero_emulator.webhooks import sign
from tests.emulator.support import WebhookReceiver


def test_signature_is_base64_hmac_sha256_of_the_raw_body():
    body = b'{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"ABC"}'
    expected = base64.b64encode(hmac.new(b"key", body, hashlib.sha256).digest()).decode()
    assert sign(body, "key") == expected


def test_contact_changes_are_delivered_signed_with_xero_payload(
    emulator, xero, webhook_receiver, webhook_payload_errors
):
    created = xero.put("/Contacts", {"Contacts": [{"Name": "Hooked Ltd"}]}).json()["Contacts"][0]
    (delivery,) = webhook_receiver.wait_for(1)
    assert delivery.signature_valid
    payload = delivery.payload
    assert set(payload) == {"events", "firstEventSequence", "lastEventSequence", "entropy"}
    assert payload["firstEventSequence"] == 1 and payload["lastEventSequence"] == len(payload["events"])
    event = payload["events"][0]
    assert event["resourceId"] == created["ContactID"]
    assert event["eventCategory"] == "CONTACT" and event["eventType"] == "CREATE"
    assert event["tenantId"] == xero.tenant_id and event["tenantType"] == "ORGANISATION"
    assert event["resourceUrl"] == f"{emulator.base_url}/api.xro/2.0/Contacts/{created['ContactID']}"
    assert len(event["eventDateUtc"]) == len("2024-06-21T01:15:39.902")
    assert webhook_payload_errors(delivery.body) == []


def test_events_of_one_request_are_batched_into_one_delivery(emulator, xero, webhook_receiver):
    xero.put("/Contacts", {"Contacts": [{"Name": f"Batch {i} Ltd"} for i in range(3)]})
    # the request's events were queued before it answered: once the sender is idle, all are out
    assert emulator.state.webhooks.wait_idle(timeout=30)
    assert len(webhook_receiver.deliveries) == 1
    assert len(webhook_receiver.deliveries[0].payload["events"]) == 3


def test_delivery_never_blocks_the_api_response(emulator, xero):
    # Given a receiver that holds every delivery until the test releases it
    receiver = WebhookReceiver()
    arrived, release = threading.Event(), threading.Event()
    original = receiver._app

    def holding_app(environ, start_response):
        arrived.set()
        release.wait(60)
        return original(environ, start_response)

    receiver._server.app = holding_app
    emulator.state.webhooks.configure(receiver.url, receiver.key)
    try:
        # When a change is saved, the API answers while the delivery is still held at the receiver
        assert xero.put("/Contacts", {"Contacts": [{"Name": "Quick Ltd"}]}).status_code == 200
        assert arrived.wait(30), "the delivery never reached the receiver"
        assert receiver.deliveries == []  # the receiver has not answered yet: nothing was waited for
        # Then, once released, the delivery completes
        release.set()
        assert emulator.state.webhooks.wait_idle(timeout=30)
        # (a receiver slower than Xero's 5 s would also see a retry of the same delivery)
        assert receiver.deliveries and all(d.signature_valid for d in receiver.deliveries)
        assert {d.payload["firstEventSequence"] for d in receiver.deliveries} == {1}
    finally:
        release.set()
        emulator.state.webhooks.configure(None, None)
        receiver.stop()


def test_failed_deliveries_are_retried_with_the_same_sequences(xero, webhook_receiver):
    webhook_receiver.fail_next(2)
    xero.put("/Contacts", {"Contacts": [{"Name": "Retry Ltd"}]})
    deliveries = webhook_receiver.wait_for(3)
    assert len({d.payload["firstEventSequence"] for d in deliveries}) == 1
    assert {d.payload["events"][0]["resourceId"] for d in deliveries} == {
        deliveries[0].payload["events"][0]["resourceId"]
    }
    assert len({d.payload["entropy"] for d in deliveries}) == 3


def test_subscription_is_disabled_after_24_hours_of_failures(emulator, xero, webhook_receiver):
    webhook_receiver.fail_next(1000)
    xero.put("/Contacts", {"Contacts": [{"Name": "Never Delivered Ltd"}]})
    webhook_receiver.wait_for(2)  # the first failure is recorded once the retry has come
    emulator.clock.advance(24 * 3600)
    # the next retry sees 24 emulated hours of failures and disables the subscription
    assert emulator.state.webhooks.wait_for_status("disabled", timeout=60)
    assert emulator.state.webhooks.describe()["deliveries"][-1]["status"] == "abandoned"


def test_webhook_configuration_via_control_plane_hides_the_key(emulator):
    receiver = WebhookReceiver()
    try:
        configured = requests.post(
            f"{emulator.base_url}/_emulator/webhooks", json={"url": receiver.url, "key": "secret-key"}
        ).json()
        assert configured["status"] == "active" and configured["key_configured"] is True
        assert "secret-key" not in requests.get(f"{emulator.base_url}/_emulator/webhooks").text
        assert requests.post(f"{emulator.base_url}/_emulator/webhooks", json={"url": receiver.url}).status_code == 400
    finally:
        emulator.state.webhooks.configure(None, None)
        receiver.stop()


def test_intent_to_receive_passes_for_a_correct_receiver(emulator, webhook_receiver, webhook_payload_errors):
    result = requests.post(f"{emulator.base_url}/_emulator/webhooks/intent-to-receive", json={}).json()
    assert result["passed"] is True
    attempts = result["attempts"]
    assert {a["correctly_signed"] for a in attempts} == {True, False}
    assert all(a["status"] == a["expected_status"] for a in attempts)
    for delivery in webhook_receiver.deliveries:
        payload = delivery.payload
        assert payload["events"] == [] and payload["firstEventSequence"] == 0 and payload["lastEventSequence"] == 0
        assert webhook_payload_errors(delivery.body, intent_to_receive=True) == []
    assert [d.signature_valid for d in webhook_receiver.deliveries] == [a["correctly_signed"] for a in attempts]


def test_intent_to_receive_fails_for_a_receiver_that_accepts_bad_signatures(emulator, xero):
    lax = WebhookReceiver(key="the-key")
    lax_app = lax._app

    def always_ok(environ, start_response):
        lax_app(environ, lambda *args: None)
        from werkzeug.wrappers import Response

        return Response(b"", status=200)(environ, start_response)

    lax._server.app = always_ok
    try:
        result = emulator.state.webhooks.intent_to_receive(lax.url, "the-key")
        assert result["passed"] is False
        assert any(not a["ok"] for a in result["attempts"] if not a["correctly_signed"])
    finally:
        lax.stop()


def _document(document_type: str, contact_id: str) -> dict:
    return {
        "Type": document_type,
        "Contact": {"ContactID": contact_id},
        "Date": "2026-11-02",
        "DueDate": "2026-12-02",
        "LineItems": [
            {
                "Description": "Espresso beans",
                "Quantity": 2,
                "UnitAmount": 31.5,
                "AccountCode": "200",
                "TaxType": "OUTPUT2",
            }
        ],
    }


def test_invoice_and_credit_note_events(xero, webhook_receiver, webhook_payload_errors):
    contact_id = xero.put("/Contacts", {"Contacts": [{"Name": "Webhook Customer Ltd"}]}).json()["Contacts"][0][
        "ContactID"
    ]
    webhook_receiver.wait_for(1)
    invoice = xero.put("/Invoices", {"Invoices": [_document("ACCREC", contact_id)]})
    assert invoice.status_code == 200, invoice.text
    webhook_receiver.wait_for(2)
    credit_note = xero.put("/CreditNotes", {"CreditNotes": [_document("ACCRECCREDIT", contact_id)]})
    assert credit_note.status_code == 200, credit_note.text
    deliveries = webhook_receiver.wait_for(3)
    events = {e["eventCategory"]: e for d in deliveries for e in d.payload["events"]}
    assert events["INVOICE"]["resourceId"] == invoice.json()["Invoices"][0]["InvoiceID"]
    assert events["INVOICE"]["eventType"] == "CREATE"
    note = credit_note.json()["CreditNotes"][0]
    assert events["CREDITNOTE"]["resourceId"] == note["CreditNoteID"]
    # credit-note events carry {Type, Status} (xero-webhooks.yaml CreditNoteWebhookEvent)
    assert events["CREDITNOTE"]["data"] == {"Type": "ACCRECCREDIT", "Status": note["Status"]}
    sequences = [(d.payload["firstEventSequence"], d.payload["lastEventSequence"]) for d in deliveries]
    assert sequences == sorted(sequences) and sequences[0][0] == 1
    for delivery in deliveries:
        assert webhook_payload_errors(delivery.body) == []
