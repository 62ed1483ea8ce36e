"""The export pipeline end to end against the emulated Xero: the basic chain."""

from export_harness import contact, invoice, record


def test_invoice_with_its_contact_and_payment_reach_xero_once(harness):
    # Given a customer, an invoice for them and a payment of it
    harness.push(
        contact("cus-1", "Harbour Cafe Ltd", email="ap@harbour.example"),
        invoice("inv-1", "INV-1001", "cus-1"),
        record("invoice_payment", "pay-1", invoice_id="inv-1", date="2026-11-05", amount="115.00", account_code="090"),
    )
    # When the org syncs
    harness.sync()
    harness.drain()
    # Then Xero holds one contact, one paid invoice with Xero's totals, and one payment
    xero = harness.xero()
    contacts = [c for c in xero["Contacts"] if c["Name"] == "Harbour Cafe Ltd"]
    assert len(contacts) == 1
    invoices = harness.invoices("INV-1001")
    assert len(invoices) == 1
    assert invoices[0]["Total"] == 115.0 and invoices[0]["Status"] == "PAID"
    payments = [p for p in xero["Payments"] if p["Invoice"]["InvoiceID"] == invoices[0]["InvoiceID"]]
    assert len(payments) == 1 and payments[0]["Amount"] == 115.0
    # And each record is synced with its Xero id
    assert harness.record("invoice", "inv-1").xero_id == invoices[0]["InvoiceID"]
    assert harness.record("invoice_payment", "pay-1").status == "synced"
