"""Xero → host through the real handlers, moto and the Xero emulator over HTTP (F4): a change
made in Xero by a user sends a signed webhook to the receiver, the import worker reads Xero and
writes the change, the feed and the host's webhook get it; the service's own exports are not
echoed; the payment status of an exported invoice comes back; polls catch what webhooks miss."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import requests
from imports_it_helpers import WEBHOOK_KEY

from xero_sync.clock import utcnow
from xero_sync.domain.host_webhooks import SIGNATURE_HEADER, verify_signature

CUSTOMERS = {"import_options": {"customers": True, "vendors": True}, "sync_frequency": "manual"}


def _a_contact(flow, name: str, **fields) -> str:
    created = flow.user("PUT", "Contacts", {"Contacts": [{"Name": name, **fields}]})
    return created["Contacts"][0]["ContactID"]


def test_a_contact_edited_in_xero_reaches_the_feed_and_the_host_signed(flow):
    # Given an org importing customers, with a webhook, and a contact that exists in Xero
    flow.settings(**CUSTOMERS)
    contact_id = _a_contact(flow, "Harbour Cafe Ltd", EmailAddress="ap@harbour.example")
    flow.drain()
    registered = flow.call("PUT", "/webhook", body={"url": flow.host.webhook_url})
    assert registered.status == 200, registered.body
    secret = registered.body["signing_secret"]

    # When a user edits the contact in Xero
    flow.user("POST", f"Contacts/{contact_id}", {"Contacts": [{"EmailAddress": "accounts@harbour.example"}]})
    flow.drain()

    # Then the feed holds the change, in the host's schema
    (change,) = [c for c in flow.changes("contact") if c["kind"] == "contact.updated"]
    assert change["xero_id"] == contact_id and change["state"]["email"] == "accounts@harbour.example"
    assert (change["state"]["first_name"], change["state"]["last_name"]) == ("Harbour", "Cafe Ltd")
    # And the host's endpoint received it, signed with the secret shown once
    (delivery,) = [d for d in flow.host.deliveries if d.json["change"]["id"] == change["id"]]
    assert verify_signature(secret, delivery.headers[SIGNATURE_HEADER.lower()], delivery.body, utcnow())
    assert delivery.headers["x-xero-sync-change-id"] == change["id"]
    # And the history shows the import and the delivery
    history = flow.call("GET", "/history").body["events"]
    assert {("import", "updated"), ("webhook", "deliver")} <= {(e["direction"], e["action"]) for e in history}


def test_intent_to_receive_passes_and_a_forged_webhook_is_refused(flow):
    flow.drain()  # the initial import queued on connect
    gateway_url = flow.emulator.state.webhooks.describe()["url"]
    # Xero's handshake: correctly and wrongly signed deliveries, answered 200 / 401
    check = requests.post(
        f"{flow.emulator.base_url.rstrip('/')}/_emulator/webhooks/intent-to-receive", json={}, timeout=30
    ).json()
    assert check["passed"], check
    # A forged delivery naming a real contact queues nothing. (Counted with the delayed and
    # in-flight messages: the initial import may have left a delayed one, which becomes visible
    # on its own clock — a count of the visible ones alone raced it on a busy machine.)
    queued_before = _import_messages(flow)
    body = json.dumps({"events": [{"resourceId": "x", "eventType": "UPDATE", "eventCategory": "CONTACT",
                                   "tenantId": flow.tenant_id}], "firstEventSequence": 1,
                       "lastEventSequence": 1, "entropy": "A"}).encode()  # fmt: skip
    forged = base64.b64encode(hmac.new(b"not-the-key", body, hashlib.sha256).digest()).decode()
    assert requests.post(gateway_url, data=body, headers={"x-xero-signature": forged}, timeout=10).status_code == 401
    signed = base64.b64encode(hmac.new(WEBHOOK_KEY.encode(), b"{}", hashlib.sha256).digest()).decode()
    assert requests.post(gateway_url, data=b"{}", headers={"x-xero-signature": signed}, timeout=10).status_code == 401
    assert _import_messages(flow) == queued_before


def _import_messages(flow) -> int:
    """Every message of the import queue: visible, delayed and in flight."""
    counts = (
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesDelayed",
        "ApproximateNumberOfMessagesNotVisible",
    )
    attributes = flow._sqs.get_queue_attributes(
        QueueUrl=flow.container.settings.import_queue_url, AttributeNames=list(counts)
    )["Attributes"]
    return sum(int(attributes[name]) for name in counts)


def test_the_services_own_exports_are_not_echoed_and_a_payment_in_xero_comes_back(flow):
    # Given a two-way org (documents too) that exports an invoice for a contact
    flow.settings(
        import_options={"customers": True, "documents": True},
        sync_frequency="manual",
        sales_account="200",
        sales_adjustments_account="260",
    )
    flow.call(
        "PUT",
        "/tax-mappings",
        body={"mappings": [{"host_tax_id": "gst15", "host_rate": "15", "xero_tax_type": "OUTPUT2"}]},
    )
    records = [
        {"entity": "contact", "id": "cus-1", "version": 1, "action": "upsert",
         "data": {"display_name": "Echo Test Ltd", "email": "echo@test.example"}},
        {"entity": "invoice", "id": "inv-1", "version": 1, "action": "upsert",
         "data": {"number": "INV-ECHO-1", "contact_id": "cus-1", "date": "2026-11-02", "due_date": "2026-12-02",
                  "status": "open", "lines": [{"description": "Beans", "quantity": 2, "rate": "50", "tax_id": "gst15"}]}},
    ]  # fmt: skip
    assert flow.call("POST", "/records", body={"records": records}).body["accepted"] == 2
    flow.drain()  # the initial import
    before = {c["id"] for c in flow.changes()}
    assert flow.call("POST", "/sync", body={}).status == 202
    flow.drain()  # the export, Xero's webhooks for it, the import of those
    assert flow.call("GET", "/records/invoice/inv-1").body["status"] == "synced"
    # Then neither the exported contact nor the invoice came back as a change
    echoed = [c for c in flow.changes() if c["id"] not in before and c["resource"] in ("contact", "invoice")]
    assert echoed == []

    # When a payment is recorded in Xero by a user
    invoice_id = flow.call("GET", "/records/invoice/inv-1").body["xero_id"]
    payment = {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"Code": "090"},
        "Date": "2026-11-20",
        "Amount": 40,
        "Reference": "EFT 77",
    }
    flow.user("PUT", "Payments", {"Payments": [payment]})
    flow.drain()
    # Then it arrives as invoice.payment_status_changed with the balance
    (change,) = [c for c in flow.changes("invoice") if c["kind"] == "invoice.payment_status_changed"]
    assert change["host_id"] == "inv-1"
    paid = change["state"]["payment"]
    assert (paid["status"], paid["amount_paid"], paid["amount_due"]) == ("partially_paid", "40.00", "75.00")
    assert paid["payments"][0]["reference"] == "EFT 77"
    # And the record's state shows the payment status
    state = flow.call("GET", "/records/invoice/inv-1").body
    assert state["payment_status"]["amount_due"] == "75.00" and state["payment_status"]["status"] == "partially_paid"


def test_a_missed_webhook_is_caught_by_the_polling_catch_up(flow):
    flow.settings(import_options={"customers": True}, sync_frequency="every_10_minutes")
    contact_id = _a_contact(flow, "Missed Webhook Ltd")
    flow.drain()
    # Given Xero's webhooks do not reach the service any more
    flow.emulator.state.webhooks.configure(None, None)
    flow.user("POST", f"Contacts/{contact_id}", {"Contacts": [{"EmailAddress": "seen@by.poll"}]})
    flow.drain()
    assert not [c for c in flow.changes("contact") if c["state"]["email"] == "seen@by.poll"]
    # When the org's next scheduled sync comes (the tick)
    flow.container.connections.set_next_sync(flow.org_id, utcnow())
    from imports_it_helpers import lambda_context

    from functions.sync_tick.app import lambda_handler as tick

    tick({"source": "aws.events"}, lambda_context("SyncTickFunction"))
    flow.drain()
    # Then the poll found the change
    assert [c["kind"] for c in flow.changes("contact") if c["state"]["email"] == "seen@by.poll"] == ["contact.updated"]


def test_only_the_chosen_contact_groups_arrive_and_matches_are_reported(flow):
    groups = flow.user("PUT", "ContactGroups", {"ContactGroups": [{"Name": "Wholesale"}]})
    group_id = groups["ContactGroups"][0]["ContactGroupID"]
    assert flow.call("POST", "/xero/refresh", body={}).body["changed"]  # the host's "Refresh from Xero"
    flow.settings(import_options={"customers": True, "contact_group_ids": [group_id]}, sync_frequency="manual")
    host = [
        {"entity": "contact", "id": "cus-e", "version": 1, "action": "upsert",
         "data": {"display_name": "Host Email", "email": "Buyer@Wholesale.example"}},
        {"entity": "contact", "id": "cus-p", "version": 1, "action": "upsert",
         "data": {"display_name": "Host Phone", "phone_mobile": "021 555 0199"}},
    ]  # fmt: skip
    assert flow.call("POST", "/records", body={"records": host}).body["accepted"] == 2
    inside = _a_contact(flow, "Wholesale Buyer", EmailAddress="buyer@wholesale.example")
    phone = _a_contact(
        flow,
        "Phone Buyer",
        Phones=[{"PhoneType": "MOBILE", "PhoneCountryCode": "64", "PhoneAreaCode": "21", "PhoneNumber": "5550199"}],
    )
    outside = _a_contact(flow, "Retail Walk-in")
    flow.user("PUT", f"ContactGroups/{group_id}/Contacts", {"Contacts": [{"ContactID": inside}, {"ContactID": phone}]})
    # When the host asks for a historical import of contacts
    answer = flow.call("POST", "/sync", body={"direction": "import", "entities": ["contact"]})
    assert answer.status == 202 and answer.body["import_started"], answer.body
    flow.drain()
    contacts = {c["xero_id"]: c for c in flow.changes("contact")}
    assert set(contacts) == {inside, phone} and outside not in contacts
    assert contacts[inside]["match"] == {"host_id": "cus-e", "by": "email"}
    assert contacts[phone]["match"] == {"host_id": "cus-p", "by": "phone"}
    assert flow.container.contact_links.get(flow.org_id, "cus-e").xero_contact_id == inside
