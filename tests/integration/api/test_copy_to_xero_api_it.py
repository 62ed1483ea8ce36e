""" "Copy to Xero" through the API (issue 12, point 3; SPEC F3.11, seed 002): one record sent now,
whatever the schedule and the export-from date, still under the drafts rule and the toggles —
checked in the emulated Xero's state."""

from __future__ import annotations

import pytest
import requests
from api_it_helpers import connect_org, contact, invoice

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

SETTINGS = {
    "sync_frequency": "manual",  # nothing goes on a schedule: only what the host copies
    "export_from": "2026-12-01",
    "sales_account": "200",
    "sales_adjustments_account": "260",
}
GST = {"host_tax_id": "gst15", "host_rate": "15", "xero_tax_type": "OUTPUT2"}


def xero_state(xero, org_id: str) -> dict:
    tenant = xero.container.connections.get(org_id).tenant_id
    return requests.get(f"{xero.emulator.base_url}/_emulator/tenants/{tenant}/state", timeout=10).json()


def copy(api, org, entity: str, record_id: str):
    return api.call("POST", f"/v1/orgs/{org.org_id}/records/{entity}/{record_id}/copy-to-xero", key=org.key)


def push(api, org, *records):
    answer = api.call("POST", f"/v1/orgs/{org.org_id}/records", key=org.key, body={"records": list(records)})
    assert answer.status == 202 and answer.body["rejected"] == 0, answer.body


def test_copy_to_xero_sends_an_idle_contact_and_an_invoice_before_the_export_from_date_now(api, xero, org):
    # Given a connected org on manual sync exporting from December, and an idle contact
    connect_org(api, org.org_id, org.key)
    assert api.call("PUT", f"/v1/orgs/{org.org_id}/settings", key=org.key, body={"settings": SETTINGS}).status == 200
    api.call("PUT", f"/v1/orgs/{org.org_id}/tax-mappings", key=org.key, body={"mappings": [GST]})
    push(api, org, contact("cus-1", name="Harbour Cafe Ltd"))

    # When the host copies the contact to Xero
    answer = copy(api, org, "contact", "cus-1")
    # Then it is in Xero at once, and the answer says so (200, the outcome)
    assert answer.status == 200, answer.body
    assert answer.body["completed"] is True and answer.body["status"] == "synced" and answer.body["xero_id"]
    assert [c["Name"] for c in xero_state(xero, org.org_id)["Contacts"]] == ["Harbour Cafe Ltd"]

    # When an invoice dated before the export-from date is copied
    push(api, org, invoice("inv-1", "cus-1"))
    copied = copy(api, org, "invoice", "inv-1")
    # Then it goes anyway (the host asked for this one), once
    assert (copied.status, copied.body["status"]) == (200, "synced"), copied.body
    numbers = [i["InvoiceNumber"] for i in xero_state(xero, org.org_id)["Invoices"]]
    assert numbers == ["INV-inv-1"] or len(numbers) == 1
    # And copying it again changes nothing in Xero
    assert copy(api, org, "invoice", "inv-1").body["status"] == "synced"
    assert len(xero_state(xero, org.org_id)["Invoices"]) == 1


def test_copy_to_xero_still_keeps_drafts_out_and_honours_the_toggles(api, xero, org):
    connect_org(api, org.org_id, org.key)
    settings = {**SETTINGS, "export_from": None}
    assert api.call("PUT", f"/v1/orgs/{org.org_id}/settings", key=org.key, body={"settings": settings}).status == 200
    api.call("PUT", f"/v1/orgs/{org.org_id}/tax-mappings", key=org.key, body={"mappings": [GST]})
    push(api, org, contact("cus-1"), invoice("inv-1", "cus-1"), invoice("inv-2", "cus-1", status="draft"))

    # When the host copies a draft
    draft = copy(api, org, "invoice", "inv-2")
    # and, with the creation of invoices turned off in the settings, an open invoice
    toggles = {**settings, "actions": {"invoices": {"create": False}}}
    assert api.call("PUT", f"/v1/orgs/{org.org_id}/settings", key=org.key, body={"settings": toggles}).status == 200
    off = copy(api, org, "invoice", "inv-1")
    # Then each answer says why it was not sent, and nothing reached Xero (not even the contact)
    assert (draft.status, draft.body["status"]) == (200, "skipped") and "Drafts are not exported" in draft.body[
        "message"
    ]
    assert (off.status, off.body["status"]) == (200, "skipped") and "turned off" in off.body["message"]
    state = xero_state(xero, org.org_id)
    assert state["Invoices"] == [] and state["Contacts"] == []


def test_copy_to_xero_of_an_unknown_record_is_404_and_of_an_unconnected_org_409(api, services, org):
    assert copy(api, org, "invoice", "nope").status == 404
    push(api, org, contact("cus-1"))
    answer = copy(api, org, "contact", "cus-1")
    assert answer.status == 409 and "connect" in answer.body["error"]["message"].lower()
