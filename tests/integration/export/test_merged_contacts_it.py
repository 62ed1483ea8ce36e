"""Merged and archived contacts (issue 12, point 6; xero-facts §6.5 ``MergedToContactID``) against
the emulated Xero: a contact merged in Xero is followed to the contact kept; an archived one is
reported, never duplicated or used."""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

import requests
from export_harness import contact, invoice
from scenario_helpers import XeroState, emulator, harness  # noqa: F401


def as_xero_user(h, method: str, path: str, body=None) -> dict:
    """A change made in Xero by a user (the emulator's control plane)."""
    response = requests.request(
        method, f"{h.emulator.base_url}/_emulator/tenants/{h.tenant_id}/api/{path}", json=body, timeout=10
    )
    response.raise_for_status()
    return response.json()


def merge(h, contact_id: str, into: str) -> None:
    requests.post(
        f"{h.emulator.base_url}/_emulator/tenants/{h.tenant_id}/contacts/{contact_id}/merge",
        json={"into": into},
        timeout=10,
    ).raise_for_status()


def new_xero_contact(h, name: str, **fields) -> str:
    return as_xero_user(h, "PUT", "Contacts", {"Contacts": [{"Name": name, **fields}]})["Contacts"][0]["ContactID"]


def test_a_contact_merged_in_xero_is_followed_to_the_contact_kept(harness):
    h = harness
    # Given a contact and its invoice in Xero
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1"))
    old_id = h.record("contact", "cus-1").xero_id
    # When the accountant merges it in Xero into another contact
    kept = new_xero_contact(h, "Harbour Cafe Limited")
    merge(h, old_id, kept)
    # and the host sends a new invoice for the same customer
    h.export(invoice("inv-2", "INV-1002", "cus-1"))
    # Then the invoice is in Xero on the contact kept, and the host contact now points to it
    assert XeroState(h).invoice("INV-1002")["Contact"]["ContactID"] == kept
    row = h.record("contact", "cus-1")
    assert row.xero_id == kept and row.xero_refs["merged_from"] == old_id
    assert h.record("invoice", "inv-2").status == "synced"


def test_a_contact_archived_in_xero_is_reported_not_used(harness):
    h = harness
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1"))
    # When the accountant archives the contact in Xero, and the host sends a new invoice for it
    as_xero_user(h, "POST", f"Contacts/{h.record('contact', 'cus-1').xero_id}", {"ContactStatus": "ARCHIVED"})
    h.export(invoice("inv-2", "INV-1002", "cus-1"))
    # Then the invoice failed saying the contact is archived and what to do; nothing was created
    row = h.record("invoice", "inv-2")
    assert row.status == "failed" and row.error_code == "contact_archived"
    assert "Harbour Cafe Ltd' is archived in Xero" in row.last_message and "Restore" in row.last_message
    assert XeroState(h).invoices("INV-1002") == []


def test_a_contact_number_match_follows_a_merge_and_never_links_an_archived_contact(harness):
    h = harness
    # Given Xero has, under the host's contact numbers, one contact merged into another and one archived
    merged = new_xero_contact(h, "Old Cafe", ContactNumber="C-1")
    kept = new_xero_contact(h, "Cafe Kept")
    merge(h, merged, kept)
    archived = new_xero_contact(h, "Gone Cafe", ContactNumber="C-2")
    as_xero_user(h, "POST", f"Contacts/{archived}", {"ContactStatus": "ARCHIVED"})
    # When the host's contacts with those numbers are exported with their invoices
    h.export(
        contact("cus-1", "Old Cafe", contact_number="C-1"),
        invoice("inv-1", "INV-1001", "cus-1"),
        contact("cus-2", "Gone Cafe", contact_number="C-2"),
        invoice("inv-2", "INV-1002", "cus-2"),
    )
    # Then the first is linked to the contact kept, and its invoice is there
    assert h.record("contact", "cus-1").xero_id == kept
    assert XeroState(h).invoice("INV-1001")["Contact"]["ContactID"] == kept
    # And the archived one is not linked: the contact fails saying so, its invoice waits for it
    row = h.record("contact", "cus-2")
    assert row.status == "failed" and row.error_code == "contact_archived"
    assert h.record("invoice", "inv-2").status == "waiting"
    assert len(XeroState(h).contacts("Gone Cafe")) == 1
