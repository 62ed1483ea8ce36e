"""Xero → host end to end on the local stack (issue 10, F4): the emulator's signed webhooks reach
the receiver over HTTP, the runner delivers the queues to the import worker and the webhook
deliverer the template declares, and the host reads /changes and receives signed deliveries at
a loopback endpoint."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import timedelta

import pytest
import requests

from local.host_endpoint import HostEndpoint
from xero_sync.clock import utcnow
from xero_sync.domain.host_webhooks import SIGNATURE_HEADER, retry_delay, verify_signature

MANUAL = {"sync_frequency": "manual"}


@pytest.fixture
def endpoint(host):
    """The host's endpoint; the org's webhook on it is removed afterwards (orgs of later tests
    share the emulator's tenant, and their changes would keep retrying to a stopped endpoint)."""
    server = HostEndpoint()
    yield server
    host.call("DELETE", "/webhook", expect=(200, 404))
    server.stop()


def _tenant(stack) -> str:
    return requests.get(f"{stack.emulator.base_url}/_emulator/tenants", timeout=30).json()["tenants"][0]["tenant_id"]


def _as_user(stack, method: str, path: str, body=None) -> dict:
    """A change made in Xero by a user (the control plane): Xero sends webhooks for it."""
    url = f"{stack.emulator.base_url}/_emulator/tenants/{_tenant(stack)}/api/{path}"
    answer = requests.request(method, url, json=body, timeout=30)
    assert answer.status_code < 300, answer.text[:300]
    return answer.json()


def _settle(stack) -> None:
    """Xero's webhooks sent, and every queue handled (held-back CREATE events included)."""
    assert stack.emulator.state.webhooks.wait_idle(60)
    stack.runner.drain(timeout=120)


def _changes(host, resource: str | None = None) -> list[dict]:
    found, cursor = [], None
    while True:
        page = host.call("GET", "/changes?limit=500" + (f"&since={cursor}" if cursor else ""))
        found += page["changes"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return [c for c in found if resource is None or c["resource"] == resource]


def _contact(stack, name: str, **fields) -> str:
    return _as_user(stack, "PUT", "Contacts", {"Contacts": [{"Name": name, **fields}]})["Contacts"][0]["ContactID"]


def _unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:6]}"


def test_a_contact_edited_in_xero_reaches_the_feed_and_the_hosts_endpoint_signed(stack, host, endpoint):
    # Given a connected org importing customers, with its webhook on the host's endpoint
    assert host.connect()["xero_status"] == "connected"
    host.call("PUT", "/settings", {"settings": {**MANUAL, "import_options": {"customers": True}}})
    secret = host.call("PUT", "/webhook", {"url": endpoint.url})["signing_secret"]
    contact_id = _contact(stack, _unique("Harbour Cafe"), EmailAddress="ap@harbour.example")
    _settle(stack)

    # When a user edits the contact in Xero
    _as_user(stack, "POST", f"Contacts/{contact_id}", {"Contacts": [{"EmailAddress": "accounts@harbour.example"}]})
    _settle(stack)

    # Then /changes has it, in the host's schema
    updated = [c for c in _changes(host, "contact") if c["xero_id"] == contact_id and c["kind"] == "contact.updated"]
    assert len(updated) == 1 and updated[0]["state"]["email"] == "accounts@harbour.example"
    # And the host's endpoint received it with a valid signature, the change id in a header
    (delivery,) = [a for a in endpoint.accepted if a.change_id == updated[0]["id"]]
    assert verify_signature(secret, delivery.headers[SIGNATURE_HEADER.lower()], delivery.body, utcnow())
    assert delivery.json["change"]["state"]["email"] == "accounts@harbour.example"


def test_intent_to_receive_passes_and_a_bad_signature_is_refused(stack):
    check = requests.post(f"{stack.emulator.base_url}/_emulator/webhooks/intent-to-receive", json={}, timeout=60).json()
    assert check["passed"] and check["url"] == f"{stack.api_url}/webhooks/xero", check
    body = json.dumps({"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": "X"}).encode()
    wrong = base64.b64encode(hmac.new(b"guessed-key", body, hashlib.sha256).digest()).decode()
    refused = requests.post(
        f"{stack.api_url}/webhooks/xero", data=body, headers={"x-xero-signature": wrong}, timeout=30
    )
    assert refused.status_code == 401 and refused.content == b""
    right = base64.b64encode(hmac.new(stack.webhook_key.encode(), body, hashlib.sha256).digest()).decode()
    accepted = requests.post(
        f"{stack.api_url}/webhooks/xero", data=body, headers={"x-xero-signature": right}, timeout=30
    )
    assert accepted.status_code == 200 and accepted.content == b""


def test_exports_are_not_echoed_and_a_payment_in_xero_comes_back_with_the_balance(stack, host):
    assert host.connect()["xero_status"] == "connected"
    settings = {
        **MANUAL,
        "import_options": {"customers": True},
        "sales_account": "200",
        "sales_adjustments_account": "260",
    }
    host.call("PUT", "/settings", {"settings": settings})
    host.call(
        "PUT", "/tax-mappings", {"mappings": [{"host_tax_id": "gst15", "host_rate": "15", "xero_tax_type": "OUTPUT2"}]}
    )
    number = _unique("E2E").replace(" ", "-")
    records = [
        {"entity": "contact", "id": "cus-echo", "version": 1, "action": "upsert",
         "data": {"display_name": _unique("Echo Ltd"), "email": "echo@e2e.example"}},
        {"entity": "invoice", "id": "inv-echo", "version": 1, "action": "upsert",
         "data": {"number": number, "contact_id": "cus-echo", "date": "2026-11-02", "due_date": "2026-12-02",
                  "status": "open", "lines": [{"description": "Beans", "quantity": 2, "rate": "50", "tax_id": "gst15"}]}},
    ]  # fmt: skip
    host.call("POST", "/records", {"records": records}, expect=202)
    _settle(stack)
    before = {c["id"] for c in _changes(host)}
    host.call("POST", "/sync", {}, expect=202)
    _settle(stack)
    invoice = host.call("GET", "/records/invoice/inv-echo")
    assert invoice["status"] == "synced"
    # Then the export came back as no change (Xero sent webhooks for the contact and the invoice)
    assert [c for c in _changes(host) if c["id"] not in before and c["resource"] in ("contact", "invoice")] == []

    # When a user records a payment on the exported invoice in Xero
    payment = {"Invoice": {"InvoiceID": invoice["xero_id"]}, "Account": {"Code": "090"}, "Date": "2026-11-20",
               "Amount": 30, "Reference": "Bank feed 881"}  # fmt: skip
    _as_user(stack, "PUT", "Payments", {"Payments": [payment]})
    _settle(stack)
    # Then it arrives as invoice.payment_status_changed with the balance, and the record shows it
    (change,) = [c for c in _changes(host, "invoice") if c["kind"] == "invoice.payment_status_changed"]
    assert change["host_id"] == "inv-echo"
    assert (change["state"]["payment"]["amount_paid"], change["state"]["payment"]["amount_due"]) == ("30.00", "85.00")
    shown = host.call("GET", "/records/invoice/inv-echo")["payment_status"]
    assert shown["status"] == "partially_paid" and shown["payments"][0]["reference"] == "Bank feed 881"


def test_only_the_chosen_contact_groups_arrive_and_email_and_phone_matches_are_reported(stack, host):
    assert host.connect()["xero_status"] == "connected"
    group = _as_user(stack, "PUT", "ContactGroups", {"ContactGroups": [{"Name": _unique("VIP")}]})["ContactGroups"][0]
    host.call("POST", "/xero/refresh", {})
    host.call(
        "PUT",
        "/settings",
        {"settings": {**MANUAL, "import_options": {"customers": True, "contact_group_ids": [group["ContactGroupID"]]}}},
    )
    own = [
        {"entity": "contact", "id": "cus-mail", "version": 1, "action": "upsert",
         "data": {"display_name": "Mail Match", "email": "VIP.Buyer@E2E.example"}},
        {"entity": "contact", "id": "cus-phone", "version": 1, "action": "upsert",
         "data": {"display_name": "Phone Match", "phone_work": "09 555 7788"}},
    ]  # fmt: skip
    host.call("POST", "/records", {"records": own}, expect=202)
    by_mail = _contact(stack, _unique("VIP Buyer"), EmailAddress="vip.buyer@e2e.example")
    by_phone = _contact(
        stack,
        _unique("VIP Caller"),
        Phones=[{"PhoneType": "DEFAULT", "PhoneCountryCode": "64", "PhoneAreaCode": "9", "PhoneNumber": "555 7788"}],
    )
    outside = _contact(stack, _unique("Walk-in"))
    _as_user(
        stack,
        "PUT",
        f"ContactGroups/{group['ContactGroupID']}/Contacts",
        {"Contacts": [{"ContactID": by_mail}, {"ContactID": by_phone}]},
    )
    _settle(stack)
    arrived = {c["xero_id"]: c for c in _changes(host, "contact")}
    assert by_mail in arrived and by_phone in arrived and outside not in arrived
    assert arrived[by_mail]["match"] == {"host_id": "cus-mail", "by": "email"}
    assert arrived[by_phone]["match"] == {"host_id": "cus-phone", "by": "phone"}


def test_a_missed_webhook_is_caught_by_the_polling_catch_up(stack, host):
    from xero_sync.wiring import container

    assert host.connect()["xero_status"] == "connected"
    host.call(
        "PUT", "/settings", {"settings": {"sync_frequency": "every_10_minutes", "import_options": {"customers": True}}}
    )
    contact_id = _contact(stack, _unique("Quiet Ltd"))
    _settle(stack)
    webhooks = stack.emulator.state.webhooks.describe()
    stack.emulator.state.webhooks.configure(None, None)  # Xero's webhooks stop reaching the service
    try:
        _as_user(stack, "POST", f"Contacts/{contact_id}", {"Contacts": [{"EmailAddress": "found@by.poll"}]})
        _settle(stack)
        assert not [c for c in _changes(host, "contact") if c["state"]["email"] == "found@by.poll"]
        # When the org's scheduled sync comes round (the tick, every minute in AWS)
        container().connections.set_next_sync(host.org_id, utcnow())
        stack.runner.fire_schedule("SyncTickFunction")
        _settle(stack)
        assert [c["kind"] for c in _changes(host, "contact") if c["state"]["email"] == "found@by.poll"] == [
            "contact.updated"
        ]
    finally:
        stack.emulator.state.webhooks.configure(webhooks["url"], stack.webhook_key)


def test_a_host_endpoint_down_for_an_hour_gets_every_change_afterwards_each_once(stack, host, endpoint):
    from tests.fakes import ManualClock
    from xero_sync.settings import get_settings
    from xero_sync.settings.everything import Settings
    from xero_sync.wiring import Container, set_container

    assert host.connect()["xero_status"] == "connected"
    host.call("PUT", "/settings", {"settings": {**MANUAL, "import_options": {"customers": True}}})
    host.call("PUT", "/webhook", {"url": endpoint.url})
    contact_id = _contact(stack, _unique("Outage Ltd"))
    _settle(stack)
    # The deliverer's time is a clock the test moves (an hour passes in seconds); SQS delays are 1 s
    clock = ManualClock(utcnow())
    set_container(Container(get_settings(Settings), clock=clock, host_webhook_retry_delay=lambda attempt: 1))
    try:
        endpoint.status = 503
        _as_user(stack, "POST", f"Contacts/{contact_id}", {"Contacts": [{"EmailAddress": "during@outage.example"}]})
        down_since, attempts, before = clock(), 0, len(endpoint.attempts)
        while clock() - down_since < timedelta(hours=1):
            assert endpoint.wait(lambda seen, n=before + attempts: len(seen) > n, 60), "no further attempt came"
            attempts += 1
            clock.advance(seconds=retry_delay(attempts))  # the back-off the deliverer would have waited
            if attempts == 3:  # another change while the endpoint is down
                _as_user(
                    stack, "POST", f"Contacts/{contact_id}", {"Contacts": [{"EmailAddress": "still@down.example"}]}
                )
        # When the endpoint comes back
        endpoint.status = 200
        _settle(stack)
    finally:
        set_container(None)
    # Then it has every change after the outage began, each once, in order
    feed = [c["id"] for c in _changes(host)]
    delivered = [a.change_id for a in endpoint.accepted]
    assert delivered == sorted(set(delivered)) and delivered[-2:] == feed[-2:]
    emails = [a.json["change"]["state"].get("email") for a in endpoint.accepted[-2:]]
    assert emails == ["during@outage.example", "still@down.example"]
    # and every failed attempt is in the history
    failed = [
        e
        for e in host.call("GET", "/history?limit=200")["events"]
        if e["direction"] == "webhook" and e["outcome"] == "retrying"
    ]
    assert len(failed) >= attempts - 1


def test_historical_sync_both_ways(stack, host):
    assert host.connect()["xero_status"] == "connected"
    settings = {**MANUAL, "export_from": "2026-06-01", "import_options": {"customers": True},
                "sales_account": "200", "sales_adjustments_account": "260"}  # fmt: skip
    host.call("PUT", "/settings", {"settings": settings})
    host.call(
        "PUT", "/tax-mappings", {"mappings": [{"host_tax_id": "gst15", "host_rate": "15", "xero_tax_type": "OUTPUT2"}]}
    )
    number = _unique("OLD").replace(" ", "-")
    old = [
        {"entity": "contact", "id": "cus-old", "version": 1, "action": "upsert", "data": {"display_name": _unique("Old Customer")}},
        {"entity": "invoice", "id": "inv-old", "version": 1, "action": "upsert",
         "data": {"number": number, "contact_id": "cus-old", "date": "2026-03-15", "due_date": "2026-04-15",
                  "status": "open", "lines": [{"description": "Old order", "quantity": 1, "rate": "80", "tax_id": "gst15"}]}},
    ]  # fmt: skip
    host.call("POST", "/records", {"records": old}, expect=202)
    host.call("POST", "/sync", {}, expect=202)
    _settle(stack)
    # The invoice is dated before the export-from date: skipped, not in Xero
    assert host.call("GET", "/records/invoice/inv-old")["status"] == "skipped"

    # When the host asks for a historical export of March (F3.8)
    answer = host.call("POST", "/sync", {"from": "2026-03-01", "to": "2026-03-31", "entities": ["invoice"]}, expect=202)
    assert answer["summary"]["historical"] == 1
    _settle(stack)
    # Then it reached Xero, once, with its amount
    state = requests.get(f"{stack.emulator.base_url}/_emulator/tenants/{_tenant(stack)}/state", timeout=30).json()
    in_xero = [i for i in state["Invoices"] if i.get("InvoiceNumber") == number]
    assert len(in_xero) == 1 and in_xero[0]["Total"] == 92.0
    assert host.call("GET", "/records/invoice/inv-old")["status"] == "synced"

    # When the host asks for a historical import of contacts (Xero → host)
    before = {c["xero_id"] for c in _changes(host, "contact")}
    made_in_xero = _contact(stack, _unique("Made In Xero"))
    imported = host.call("POST", "/sync", {"direction": "import", "entities": ["contact"]}, expect=202)
    assert imported["import_started"] and imported["enqueued"] == 0
    _settle(stack)
    assert made_in_xero in {c["xero_id"] for c in _changes(host, "contact")} - before
