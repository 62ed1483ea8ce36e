"""Contact and document identity (F3.6): what already exists in Xero is linked, never duplicated
— or, when it is not ours, reported.

Each test first creates something directly in Xero (as a person working in Xero would), then
exports host records that match it, and checks the emulated Xero's contacts and invoices.
"""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

from typing import Any

from export_harness import ExportHarness, contact, invoice
from scenario_helpers import XeroState, emulator, harness  # noqa: F401 — fixtures: see scenario_helpers

from xero_sync.domain.families import Family


def in_xero(harness: ExportHarness, collection: str, element: dict[str, Any]) -> dict[str, Any]:
    """Create one record directly in Xero (not through the pipeline)."""
    response = harness.container.xero_api.for_org(harness.org_id).put(f"/{collection}", json={collection: [element]})
    return response.body[collection][0]


def existing_invoice(contact_id: str, number: str) -> dict[str, Any]:
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "InvoiceNumber": number,
        "Date": "2026-11-02",
        "DueDate": "2026-12-02",
        "Status": "AUTHORISED",
        "LineItems": [
            {"Description": "Beans", "Quantity": 2, "UnitAmount": 50, "AccountCode": "200", "TaxType": "OUTPUT2"}
        ],
    }


def test_same_name_is_linked_not_duplicated(harness: ExportHarness) -> None:
    # Given Xero already has a contact named "Harbour Cafe Ltd"
    existing = in_xero(harness, "Contacts", {"Name": "Harbour Cafe Ltd"})
    # When the host exports a customer of that name with an invoice
    harness.export(contact("cus-1", "Harbour Cafe Ltd", email="ap@harbour.example"), invoice("inv-1", "INV-1", "cus-1"))
    # Then there is still one such contact, the invoice is on it, and nothing failed
    xero = XeroState(harness)
    assert [c["ContactID"] for c in xero.contacts("Harbour Cafe Ltd")] == [existing["ContactID"]]
    assert xero.invoice("INV-1")["Contact"]["ContactID"] == existing["ContactID"]
    row = harness.record("contact", "cus-1")
    assert row.status == "synced" and row.xero_id == existing["ContactID"]
    assert "same name" in row.last_message
    assert harness.record("invoice", "inv-1").status == "synced"


def test_same_name_in_another_case_is_linked(harness: ExportHarness) -> None:
    # Given Xero has "HARBOUR CAFE LTD" (Xero compares names without regard to case)
    existing = in_xero(harness, "Contacts", {"Name": "HARBOUR CAFE LTD"})
    # When the host exports "Harbour Cafe Ltd"
    harness.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1", "cus-1"))
    # Then it is linked, not created (Xero would refuse a second contact of that name anyway)
    xero = XeroState(harness)
    assert len(xero.raw["Contacts"]) == 1
    assert xero.invoice("INV-1")["Contact"]["ContactID"] == existing["ContactID"]


def test_same_email_is_linked(harness: ExportHarness) -> None:
    # Given Xero has a contact under another name but with the customer's email
    existing = in_xero(harness, "Contacts", {"Name": "Harbour Café (old name)", "EmailAddress": "ap@harbour.example"})
    # When the host exports the customer
    harness.export(contact("cus-1", "Harbour Cafe Ltd", email="ap@harbour.example"), invoice("inv-1", "INV-1", "cus-1"))
    # Then the existing contact is used: one contact in Xero, the invoice on it
    xero = XeroState(harness)
    assert [c["ContactID"] for c in xero.raw["Contacts"]] == [existing["ContactID"]]
    assert xero.invoice("INV-1")["Contact"]["ContactID"] == existing["ContactID"]
    assert "same email" in harness.record("contact", "cus-1").last_message


def test_contact_number_is_linked(harness: ExportHarness) -> None:
    # Given Xero has a contact whose ContactNumber is the host's contact number (another name)
    existing = in_xero(harness, "Contacts", {"Name": "HC Ltd", "ContactNumber": "CUST-0017"})
    # When the host exports the customer with that contact number
    harness.export(contact("cus-1", "Harbour Cafe Ltd", contact_number="CUST-0017"), invoice("inv-1", "INV-1", "cus-1"))
    # Then it is linked by number
    xero = XeroState(harness)
    assert [c["ContactID"] for c in xero.raw["Contacts"]] == [existing["ContactID"]]
    assert xero.invoice("INV-1")["Contact"]["ContactID"] == existing["ContactID"]
    assert "same contact number" in harness.record("contact", "cus-1").last_message


def test_invoice_number_already_in_xero_for_the_same_contact_is_linked(harness: ExportHarness) -> None:
    # Given the customer is in Xero and INV-1001 already exists there for them (e.g. sent before
    # the link was lost)
    harness.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-0", "INV-0999", "cus-1"))
    contact_id = harness.record("contact", "cus-1").xero_id
    existing = in_xero(harness, "Invoices", existing_invoice(contact_id, "INV-1001"))
    # When the host exports INV-1001 for the same customer
    harness.export(invoice("inv-1", "INV-1001", "cus-1"))
    # Then Xero still has one INV-1001 and the record is linked to it
    xero = XeroState(harness)
    assert [i["InvoiceID"] for i in xero.invoices("INV-1001")] == [existing["InvoiceID"]]
    row = harness.record("invoice", "inv-1")
    assert row.status == "synced" and row.xero_id == existing["InvoiceID"]
    assert "already in Xero" in row.last_message


def test_invoice_number_used_by_another_contact_is_reported(harness: ExportHarness) -> None:
    # Given INV-1001 exists in Xero for another customer
    other = in_xero(harness, "Contacts", {"Name": "Someone Else Ltd"})
    existing = in_xero(harness, "Invoices", existing_invoice(other["ContactID"], "INV-1001"))
    # When the host exports its own INV-1001 for its customer, with INV-1002 in the same batch
    harness.export(
        contact("cus-1", "Harbour Cafe Ltd"),
        invoice("inv-1", "INV-1001", "cus-1"),
        invoice("inv-2", "INV-1002", "cus-1"),
    )
    # Then nothing is duplicated: Xero's INV-1001 is still only the other customer's
    xero = XeroState(harness)
    assert [i["InvoiceID"] for i in xero.invoices("INV-1001")] == [existing["InvoiceID"]]
    # And the bad record did not fail its batch (F3.5): INV-1002 went in the same call and is in Xero
    assert xero.invoice("INV-1002")["Contact"]["ContactID"] == harness.record("contact", "cus-1").xero_id
    assert harness.record("invoice", "inv-2").status == "synced"
    ours = [
        r for r in harness.requests_log("PUT", "/api.xro/2.0/Invoices") if r["query"].get("summarizeErrors") == "false"
    ]
    assert len(ours) == 1
    # And the record failed with duplicate_number and what to do, parked for the admin
    row = harness.record("invoice", "inv-1")
    assert row.status == "failed" and row.error_code == "duplicate_number"
    assert "INV-1001" in row.last_message and "Renumber" in row.last_message
    assert [k.record_id for k in harness.dlq_keys(Family.INVOICES)] == ["inv-1"]
