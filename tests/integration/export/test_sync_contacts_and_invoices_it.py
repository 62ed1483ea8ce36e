"""Sync-table rows of contacts and invoices (000-01..04, 001-01..04), driven through the real
pipeline against the emulated Xero: a contact exported with its first transaction, an invoice
created, updated, deleted or voided, and the restrictions that refuse a change (payments, credit
allocated, written off, voided).

Each case pushes the set-up records and exports them, pushes the row's action and exports
again, then checks the emulated Xero's *state* (documents, statuses, totals, payments,
allocations) and the record's status — never just that a call was made. Restriction variants
(the row's "Sync Restrictions" column, and refusals that come from Xero itself) are attached to
the first row that states them. The registry and set-ups are in ``sync_row_helpers.py``;
``test_sync_rows_it.py`` checks that the cases of all the sync-row modules cover the table.
"""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

import pytest
from export_harness import ExportHarness, contact, invoice
from scenario_helpers import (
    CUSTOMER,
    SUPPLIER,
    XeroState,
    bill,
    credit_note,
    credit_note_allocation,
    delete,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    invoice_payment,
    line,
    line_summary,
    money,
    vendor,
    write_off,
)
from sync_row_helpers import Case, assert_refused, assert_synced, registering_into, sale, status, xero_client

CASES: list[Case] = []
rows = registering_into(CASES)


# ==================================================================================================
# Contacts (000-01, 001-01)
# ==================================================================================================


@rows("000-01")
def customer_exported_with_its_first_transaction(h: ExportHarness) -> None:
    # Given a customer pushed on its own
    h.export(contact("cus-1", CUSTOMER, email="ap@harbour.example"))
    # Then it does not reach Xero ("exported only if it's associated with a transaction")
    assert XeroState(h).contacts(CUSTOMER) == []
    assert status(h, "contact", "cus-1") == "idle"
    # When an invoice refers to it
    h.export(invoice("inv-1", "INV-1001", "cus-1"))
    # Then Xero has the contact exactly once and the invoice is for it
    xero = XeroState(h)
    created = xero.contact(CUSTOMER)
    assert created["EmailAddress"] == "ap@harbour.example"
    assert xero.invoice("INV-1001")["Contact"]["ContactID"] == created["ContactID"]
    assert h.record("contact", "cus-1").xero_id == created["ContactID"]


@rows("001-01")
def vendor_exported_with_its_first_bill(h: ExportHarness) -> None:
    # Given a vendor pushed on its own
    h.export(vendor("ven-1", SUPPLIER))
    assert XeroState(h).contacts(SUPPLIER) == []
    # When a bill refers to it
    h.export(bill("bill-1", "BILL-77", "ven-1"))
    # Then the vendor is in Xero once, as the bill's contact
    xero = XeroState(h)
    created = xero.contact(SUPPLIER)
    assert xero.invoice("BILL-77", "ACCPAY")["Contact"]["ContactID"] == created["ContactID"]


@rows("001-01", variant="updated after export")
def exported_contact_updated(h: ExportHarness) -> None:
    # Given a customer in Xero (through its invoice)
    h.export(contact("cus-1", CUSTOMER, email="ap@harbour.example"), invoice("inv-1", "INV-1001", "cus-1"))
    before = XeroState(h).contact(CUSTOMER)
    # When the host changes the customer's email and phone
    h.export(contact("cus-1", CUSTOMER, version=2, email="accounts@harbour.example", phone_work="09 555 0100"))
    # Then the same Xero contact holds the new values
    after = XeroState(h).contact(CUSTOMER)
    assert after["ContactID"] == before["ContactID"] and after["EmailAddress"] == "accounts@harbour.example"
    assert {p["PhoneType"]: p["PhoneNumber"] for p in after["Phones"]}["DEFAULT"] == "09 555 0100"


@rows("000-01", variant="a draft refers to it, then opens")
def contact_of_a_draft_follows_when_it_opens(h: ExportHarness) -> None:
    # Given a customer whose only transaction is a draft invoice
    h.export(contact("cus-1", CUSTOMER), invoice("inv-1", "INV-1001", "cus-1", status="draft"))
    # Then the draft is not exported
    assert XeroState(h).invoices("INV-1001") == []
    # When the invoice is opened
    h.export(invoice("inv-1", "INV-1001", "cus-1", status="open", version=2))
    # Then the contact and the invoice are in Xero, once each
    xero = XeroState(h)
    assert xero.invoice("INV-1001")["Contact"]["ContactID"] == xero.contact(CUSTOMER)["ContactID"]


# ==================================================================================================
# Invoices (000-02..04, 001-02..04)
# ==================================================================================================


@rows("000-02", "001-02")
def invoice_created(h: ExportHarness) -> None:
    # Given a customer and an open invoice
    # When they are exported
    sale(h)
    # Then Xero holds one AUTHORISED ACCREC invoice with the host's number, lines and totals
    found = XeroState(h).invoice("INV-1001")
    assert found["Status"] == "AUTHORISED"
    assert (money(found["SubTotal"]), money(found["TotalTax"]), money(found["Total"])) == (
        money(100),
        money(15),
        money(115),
    )
    assert line_summary(found) == [("Beans", 2, 50, "200")]
    assert h.record("invoice", "inv-1").xero_id == found["InvoiceID"]


@rows("000-02", variant="draft not exported until open")
def draft_invoice_not_exported(h: ExportHarness) -> None:
    # Given a draft invoice
    h.export(contact("cus-1", CUSTOMER), invoice("inv-1", "INV-1001", "cus-1", status="draft"))
    # Then it is not in Xero and the record says why
    assert XeroState(h).invoices("INV-1001") == []
    row = h.record("invoice", "inv-1")
    assert row.status == "skipped" and "Drafts are not exported" in row.last_message
    # When it becomes open
    h.export(invoice("inv-1", "INV-1001", "cus-1", version=2))
    # Then it is exported once
    assert XeroState(h).invoice("INV-1001")["Status"] == "AUTHORISED"


@rows("000-03", "001-03")
def invoice_updated(h: ExportHarness) -> None:
    # Given an invoice in Xero
    sale(h)
    before = XeroState(h).invoice("INV-1001")
    # When the host changes its lines
    h.export(
        invoice(
            "inv-1",
            "INV-1001",
            "cus-1",
            version=2,
            lines=[line("50", 3), line("20", 1, item="Filter papers", account_code="260")],
        )
    )
    # Then the same Xero invoice holds the new lines and totals
    after = XeroState(h).invoice("INV-1001")
    assert after["InvoiceID"] == before["InvoiceID"]
    assert line_summary(after) == [("Beans", 3, 50, "200"), ("Filter papers", 1, 20, "260")]
    assert money(after["Total"]) == money("195.50")
    assert_synced(h, ("invoice", "inv-1"))


@rows("000-03", variant="refused: it has a payment")
def paid_invoice_not_updated(h: ExportHarness) -> None:
    # Given an invoice with a payment in Xero
    sale(h, invoice_payment("pay-1", "inv-1", "50.00"))
    # When the host changes the invoice's lines
    h.export(invoice("inv-1", "INV-1001", "cus-1", version=2, lines=[line("50", 3)]))
    # Then Xero's invoice is unchanged and the record failed with the restriction's reason
    found = XeroState(h).invoice("INV-1001")
    assert money(found["Total"]) == money(115) and money(found["AmountPaid"]) == money(50)
    assert_refused(h, "invoice", "inv-1", "has associated payments or credit")


@rows("000-03", variant="refused: paid directly in Xero")
def invoice_paid_in_xero_not_updated(h: ExportHarness) -> None:
    # Given an invoice in Xero that someone paid directly in Xero (the host knows nothing of it)
    sale(h)
    invoice_id = XeroState(h).invoice("INV-1001")["InvoiceID"]
    xero_client(h).put(
        "/Payments",
        json={
            "Payments": [
                {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Date": "2026-11-05", "Amount": 20}
            ]
        },
    )
    # When the host changes the invoice
    h.export(invoice("inv-1", "INV-1001", "cus-1", version=2, lines=[line("50", 3)]))
    # Then the invoice is not changed (Xero's payments count) and the admin is told why
    assert money(XeroState(h).invoice("INV-1001")["Total"]) == money(115)
    assert_refused(h, "invoice", "inv-1", "has associated payments or credit")


@rows("000-03", variant="refused: credit allocated")
def credited_invoice_not_updated(h: ExportHarness) -> None:
    # Given an invoice with a credit note allocated to it
    sale(h, credit_note("cn-1", "CN-1", "cus-1"), credit_note_allocation("al-1", "cn-1", "inv-1", "23.00"))
    assert money(XeroState(h).invoice("INV-1001")["AmountCredited"]) == money(23)
    # When the host changes the invoice
    h.export(invoice("inv-1", "INV-1001", "cus-1", version=2, lines=[line("50", 3)]))
    # Then it is refused
    assert money(XeroState(h).invoice("INV-1001")["Total"]) == money(115)
    assert_refused(h, "invoice", "inv-1", "has associated payments or credit")


@rows("000-03", variant="refused: written off")
def written_off_invoice_not_updated(h: ExportHarness) -> None:
    # Given a written-off invoice
    sale(h, write_off("wo-1", "inv-1"))
    # When the host changes it
    h.export(invoice("inv-1", "INV-1001", "cus-1", version=2, lines=[line("50", 3)]))
    # Then it is refused and Xero keeps the written-off invoice as it was
    found = XeroState(h).invoice("INV-1001")
    assert money(found["Total"]) == money(115) and found["Status"] == "PAID"
    assert_refused(h, "invoice", "inv-1", "not updated in Xero because it has been written off")


@rows("000-03", variant="refused: voided")
def voided_invoice_not_updated(h: ExportHarness) -> None:
    # Given an invoice voided through the host
    sale(h)
    h.export(delete("invoice", "inv-1", 2))
    assert XeroState(h).invoice("INV-1001")["Status"] == "VOIDED"
    # When the host sends a newer open version
    h.export(invoice("inv-1", "INV-1001", "cus-1", version=3, lines=[line("50", 3)]))
    # Then Xero's invoice stays voided and unchanged, and the admin is told to create a new one
    found = XeroState(h).invoice("INV-1001")
    assert found["Status"] == "VOIDED" and money(found["Total"]) == money(115)
    assert_refused(h, "invoice", "inv-1", "voided in Xero")


@rows("000-04")
def invoice_deleted_is_voided(h: ExportHarness) -> None:
    # Given an invoice in Xero
    sale(h)
    # When the host deletes it
    h.export(delete("invoice", "inv-1", 2))
    # Then Xero's invoice is VOIDED (still there, once)
    found = XeroState(h).invoice("INV-1001")
    assert found["Status"] == "VOIDED"
    assert_synced(h, ("invoice", "inv-1"))


@rows("001-04")
def invoice_voided_in_host_is_voided(h: ExportHarness) -> None:
    # Given an invoice in Xero
    sale(h)
    # When the host voids it (an upsert with status void)
    h.export(invoice("inv-1", "INV-1001", "cus-1", version=2, status="void"))
    # Then Xero's invoice is VOIDED
    assert XeroState(h).invoice("INV-1001")["Status"] == "VOIDED"
    assert_synced(h, ("invoice", "inv-1"))


@rows("000-04", variant="refused: written off")
def written_off_invoice_not_voided(h: ExportHarness) -> None:
    # Given a written-off invoice
    sale(h, write_off("wo-1", "inv-1"))
    # When the host deletes it
    h.export(delete("invoice", "inv-1", 2))
    # Then Xero's invoice is not voided, and the admin reads the seed's restriction
    assert XeroState(h).invoice("INV-1001")["Status"] == "PAID"
    assert_refused(h, "invoice", "inv-1", "has been written off", "cannot be voided")


@rows("000-04", variant="refused: credit note allocated")
def credited_invoice_not_voided(h: ExportHarness) -> None:
    # Given an invoice with a credit note allocated to it
    sale(h, credit_note("cn-1", "CN-1", "cus-1"), credit_note_allocation("al-1", "cn-1", "inv-1", "23.00"))
    # When the host deletes the invoice
    h.export(delete("invoice", "inv-1", 2))
    # Then it stays AUTHORISED in Xero, refused with the seed's reason
    found = XeroState(h).invoice("INV-1001")
    assert found["Status"] == "AUTHORISED" and money(found["AmountCredited"]) == money(23)
    assert_refused(h, "invoice", "inv-1", "associated with a credit note", "cannot be voided")


@rows("001-04", variant="paid: waits for the payment's removal, then voids")
def paid_invoice_voided_after_its_payment_is_deleted(h: ExportHarness) -> None:
    # Given an invoice with a payment
    sale(h, invoice_payment("pay-1", "inv-1", "115.00"))
    # When the host deletes the payment and voids the invoice in the same push
    h.export(delete("invoice_payment", "pay-1", 2), invoice("inv-1", "INV-1001", "cus-1", version=2, status="void"))
    # Then the payment is deleted first and the invoice voided after it (Xero voids only unpaid ones)
    xero = XeroState(h)
    assert [p["Status"] for p in xero.payments_stamped("invoice_payment", "pay-1")] == ["DELETED"]
    assert xero.invoice("INV-1001")["Status"] == "VOIDED"
    assert_synced(h, ("invoice", "inv-1"), ("invoice_payment", "pay-1"))


# ==================================================================================================
# The test
# ==================================================================================================


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sync_row(harness: ExportHarness, case: Case) -> None:
    case.scenario(harness)
