"""Every action row of both sync tables (seed 000: sales; seed 001: sales, purchases, bank
charges), driven through the real pipeline against the emulated Xero.

Each case pushes the set-up records and exports them, pushes the row's action and exports
again, then checks the emulated Xero's *state* (documents, statuses, totals, payments,
allocations) and the record's status — never just that a call was made.

There is one case per row of ``domain/restrictions.py::SYNC_TABLE`` (seed 000 and seed 001 rows
that read the same share a scenario; the case id names the row). Restriction variants (the
row's "Sync Restrictions" column, and refusals that come from Xero itself) are attached to the
first row that states them. ``test_every_sync_row_is_covered`` checks the ids against the table.
"""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from export_harness import ExportHarness, contact, invoice
from scenario_helpers import (
    BANK_CHARGES_ACCOUNT,
    WRITE_OFF_ACCOUNT,
    XeroState,
    bank_charge,
    bill,
    bill_payment,
    credit_note,
    credit_note_allocation,
    credit_note_refund,
    delete,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    invoice_payment,
    line,
    line_summary,
    money,
    vendor,
    vendor_credit,
    vendor_credit_allocation,
    vendor_credit_refund,
    write_off,
)

from xero_sync.domain.sync_table import ROWS_BY_ID, SYNC_TABLE
from xero_sync.models.records import EntityName


@dataclass(frozen=True)
class Case:
    row_id: str
    variant: str | None
    scenario: Callable[[ExportHarness], None]

    @property
    def id(self) -> str:
        text = f"{self.row_id} {ROWS_BY_ID[self.row_id].host_action_text}"
        return f"{text} ({self.variant})" if self.variant else text


CASES: list[Case] = []


def rows(*row_ids: str, variant: str | None = None):
    """Register a scenario for the given SYNC_TABLE rows (one test case per row)."""

    def register(scenario: Callable[[ExportHarness], None]) -> Callable[[ExportHarness], None]:
        for row_id in row_ids:
            assert row_id in ROWS_BY_ID, row_id
            CASES.append(Case(row_id, variant, scenario))
        return scenario

    return register


# --- common set-ups ------------------------------------------------------------------------------

CUSTOMER = "Harbour Cafe Ltd"
SUPPLIER = "Beanery Supplies Ltd"


def sale(h: ExportHarness, *extra: dict) -> None:
    """A customer and invoice INV-1001 (2 × 50.00 + 15 % GST = 115.00) in Xero, plus ``extra``."""
    h.export(contact("cus-1", CUSTOMER), invoice("inv-1", "INV-1001", "cus-1"), *extra)


def purchase(h: ExportHarness, *extra: dict) -> None:
    """A supplier and bill BILL-77 (2 × 40.00 + 15 % GST = 92.00) in Xero, plus ``extra``."""
    h.export(vendor("ven-1", SUPPLIER), bill("bill-1", "BILL-77", "ven-1"), *extra)


def status(h: ExportHarness, entity: str, record_id: str) -> str:
    return h.record(entity, record_id).status


def assert_refused(h: ExportHarness, entity: str, record_id: str, *fragments: str) -> None:
    """The record failed with the restriction's message (reported to the admin)."""
    row = h.record(entity, record_id)
    assert row.status == "failed", (row.status, row.last_message)
    for fragment in fragments:
        assert fragment in (row.last_message or ""), row.last_message


def assert_synced(h: ExportHarness, *keys: tuple[str, str]) -> None:
    for entity, record_id in keys:
        row = h.record(entity, record_id)
        assert row.status == "synced", (entity, record_id, row.status, row.last_message)


def xero_client(h: ExportHarness):
    """A direct Xero call as the org (someone working in Xero itself)."""
    return h.container.xero_api.for_org(h.org_id)


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
# Write-offs (000-05, 001-05)
# ==================================================================================================


def assert_written_off(h: ExportHarness, amount: str) -> None:
    xero = XeroState(h)
    found = xero.invoice("INV-1001")
    note = xero.credit_note("INV-1001-WO")
    assert note["Status"] in ("AUTHORISED", "PAID") and note["Contact"]["ContactID"] == found["Contact"]["ContactID"]
    assert [(item["AccountCode"], money(item["LineAmount"])) for item in note["LineItems"]] == [
        (WRITE_OFF_ACCOUNT, money(amount))
    ]
    allocations = xero.live_allocations("INV-1001-WO")
    assert [(a["Invoice"]["InvoiceID"], money(a["Amount"])) for a in allocations] == [
        (found["InvoiceID"], money(amount))
    ]
    assert found["Status"] == "PAID" and money(found["AmountDue"]) == 0
    assert money(note["RemainingCredit"]) == 0
    assert_synced(h, ("write_off", "wo-1"))


@rows("000-05")
def invoice_written_off(h: ExportHarness) -> None:
    # Given an open invoice in Xero
    sale(h)
    # When the host writes it off (no amount: the whole balance)
    h.export(write_off("wo-1", "inv-1", reason="Customer closed"))
    # Then a credit note on the write-off account is allocated to it, and the invoice is settled
    assert_written_off(h, "115.00")


@rows("001-05")
def part_paid_invoice_written_off(h: ExportHarness) -> None:
    # Given an invoice with a part payment in Xero
    sale(h, invoice_payment("pay-1", "inv-1", "15.00"))
    # When the host writes off the rest, in the same push as nothing else
    h.export(write_off("wo-1", "inv-1", amount="100.00"))
    # Then the credit note covers the balance and the invoice is paid off
    assert_written_off(h, "100.00")


@rows("000-05", variant="pushed with its invoice")
def invoice_and_write_off_in_one_push(h: ExportHarness) -> None:
    # Given an invoice and its write-off arriving together (the write-off waits for the invoice)
    # When they are exported
    sale(h, write_off("wo-1", "inv-1"))
    # Then both reach Xero in the same sync
    assert_written_off(h, "115.00")


@rows("000-05", variant="changed, then undone by the host")
def write_off_changed_then_deleted(h: ExportHarness) -> None:
    # Given an invoice written off for 100.00 of its 115.00
    sale(h, write_off("wo-1", "inv-1", amount="100.00"))
    first = XeroState(h).credit_note("INV-1001-WO")
    # When the host changes the write-off to the whole 115.00
    h.export(write_off("wo-1", "inv-1", version=2, amount="115.00"))
    # Then the first note is voided (its allocation removed) and a second one writes off 115.00
    xero = XeroState(h)
    assert xero.credit_note("INV-1001-WO")["Status"] == "VOIDED"
    second = xero.credit_note("INV-1001-WO2")
    assert second["CreditNoteID"] != first["CreditNoteID"] and money(second["Total"]) == money(115)
    assert [money(a["Amount"]) for a in xero.live_allocations("INV-1001-WO2")] == [money(115)]
    assert xero.invoice("INV-1001")["Status"] == "PAID"
    # When the host deletes the write-off
    h.export(delete("write_off", "wo-1", 3))
    # Then the note is voided and the invoice is due again in full
    xero = XeroState(h)
    assert xero.credit_note("INV-1001-WO2")["Status"] == "VOIDED"
    found = xero.invoice("INV-1001")
    assert found["Status"] == "AUTHORISED" and money(found["AmountDue"]) == money(115)
    assert len(xero.credit_notes(type_="ACCRECCREDIT")) == 2


# ==================================================================================================
# Invoice payments (000-06..08, 001-06, 001-08, 001-09)
# ==================================================================================================


@rows("000-06", "001-06")
def invoice_payment_recorded(h: ExportHarness) -> None:
    # Given an invoice in Xero
    sale(h)
    # When the host records a part payment
    h.export(invoice_payment("pay-1", "inv-1", "50.00", reference="Cheque 118"))
    # Then Xero has one AUTHORISED payment on the bank account applied to the invoice
    xero = XeroState(h)
    found = xero.invoice("INV-1001")
    payment = xero.live_payment("invoice_payment", "pay-1")
    assert payment["Status"] == "AUTHORISED" and money(payment["Amount"]) == money(50)
    assert payment["Invoice"]["InvoiceID"] == found["InvoiceID"] and payment["Account"]["Code"] == "090"
    assert payment["Reference"].startswith("Cheque 118 [xs:")
    assert money(found["AmountDue"]) == money(65) and found["Status"] == "AUTHORISED"


@rows("000-06", variant="Xero refuses: more than the balance")
def payment_over_balance_refused_by_xero(h: ExportHarness) -> None:
    # Given an invoice of 115.00 in Xero
    sale(h)
    # When the host records a payment of 200.00
    h.export(invoice_payment("pay-1", "inv-1", "200.00"))
    # Then Xero refuses it: no payment, the record failed with an actionable message
    xero = XeroState(h)
    assert xero.payments_stamped("invoice_payment", "pay-1") == []
    assert money(xero.invoice("INV-1001")["AmountDue"]) == money(115)
    row = h.record("invoice_payment", "pay-1")
    assert row.status == "failed" and row.error_code == "payment_exceeds_balance", row.last_message


@rows("001-06", variant="Xero refuses, fixed in Xero, retried")
def payment_refused_by_xero_then_retried_after_the_fix(h: ExportHarness) -> None:
    # Given an invoice of 115.00 that someone part-paid (100.00) directly in Xero
    sale(h)
    invoice_id = XeroState(h).invoice("INV-1001")["InvoiceID"]
    direct = xero_client(h).put(
        "/Payments",
        json={
            "Payments": [
                {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}, "Date": "2026-11-05", "Amount": 100}
            ]
        },
    )
    direct_id = direct.body["Payments"][0]["PaymentID"]
    # When the host records the full payment of 115.00
    h.export(invoice_payment("pay-1", "inv-1", "115.00"))
    # Then Xero refuses it and the admin is told why
    assert h.record("invoice_payment", "pay-1").error_code == "payment_exceeds_balance"
    # When the admin deletes the stray payment in Xero and retries the record (within minutes:
    # Xero's idempotency store still holds the refused request)
    xero_client(h).post(f"/Payments/{direct_id}", json={"Status": "DELETED"})
    h.container.records_service.retry(h.org_id, EntityName.INVOICE_PAYMENT, "pay-1")
    h.drain()
    # Then the payment is in Xero once and the invoice is paid
    xero = XeroState(h)
    assert money(xero.live_payment("invoice_payment", "pay-1")["Amount"]) == money(115)
    assert xero.invoice("INV-1001")["Status"] == "PAID"
    assert_synced(h, ("invoice_payment", "pay-1"))


@rows("000-07", "001-08")
def invoice_payment_updated(h: ExportHarness) -> None:
    # Given a payment of 50.00 in Xero
    sale(h, invoice_payment("pay-1", "inv-1", "50.00"))
    old = XeroState(h).live_payment("invoice_payment", "pay-1")
    # When the host changes it to 60.00
    h.export(invoice_payment("pay-1", "inv-1", "60.00", version=2))
    # Then the old payment is DELETED and one new AUTHORISED payment holds the new amount
    xero = XeroState(h)
    payments = {p["PaymentID"]: p for p in xero.payments_stamped("invoice_payment", "pay-1")}
    assert payments[old["PaymentID"]]["Status"] == "DELETED"
    new = xero.live_payment("invoice_payment", "pay-1")
    assert new["PaymentID"] != old["PaymentID"] and money(new["Amount"]) == money(60)
    assert money(xero.invoice("INV-1001")["AmountPaid"]) == money(60)
    assert h.record("invoice_payment", "pay-1").xero_id == new["PaymentID"]


@rows("000-08", "001-09")
def invoice_payment_deleted(h: ExportHarness) -> None:
    # Given a paid invoice
    sale(h, invoice_payment("pay-1", "inv-1", "115.00"))
    assert XeroState(h).invoice("INV-1001")["Status"] == "PAID"
    # When the host deletes the payment
    h.export(delete("invoice_payment", "pay-1", 2))
    # Then the payment is DELETED and the invoice is open again for the full amount
    xero = XeroState(h)
    assert [p["Status"] for p in xero.payments_stamped("invoice_payment", "pay-1")] == ["DELETED"]
    found = xero.invoice("INV-1001")
    assert found["Status"] == "AUTHORISED" and money(found["AmountDue"]) == money(115)
    assert_synced(h, ("invoice_payment", "pay-1"))


# ==================================================================================================
# Bank charges (001-07)
# ==================================================================================================


@rows("001-07")
def bank_charge_recorded(h: ExportHarness) -> None:
    # Given bank charges are exported
    # When the host records a bank charge on the business bank account
    h.export(bank_charge("bc-1", "3.50", description="Monthly account fee", reference="Nov fees"))
    # Then Xero has one SPEND bank transaction on 090 with the expense line on the bank charges account
    found = XeroState(h).bank_transactions_stamped("bc-1")
    assert len(found) == 1
    txn = found[0]
    assert txn["Type"] == "SPEND" and txn["Status"] == "AUTHORISED"
    assert txn["BankAccount"]["Code"] == "090"
    assert money(txn["Total"]) == money("3.50")
    assert [(i["Description"], i["AccountCode"], money(i["LineAmount"])) for i in txn["LineItems"]] == [
        ("Monthly account fee", BANK_CHARGES_ACCOUNT, money("3.50"))
    ]
    assert_synced(h, ("bank_charge", "bc-1"))


@rows("001-07", variant="changed, then deleted")
def bank_charge_changed_then_deleted(h: ExportHarness) -> None:
    # Given a bank charge of 3.50 in Xero
    h.export(bank_charge("bc-1", "3.50", description="Monthly account fee"))
    first = XeroState(h).bank_transactions_stamped("bc-1")[0]
    # When the host corrects it to 4.00
    h.export(bank_charge("bc-1", "4.00", version=2, description="Monthly account fee"))
    # Then the same transaction holds 4.00
    found = XeroState(h).bank_transactions_stamped("bc-1")
    assert [(t["BankTransactionID"], money(t["Total"])) for t in found] == [(first["BankTransactionID"], money(4))]
    # When the host deletes it
    h.export(delete("bank_charge", "bc-1", 3))
    # Then it is DELETED in Xero
    assert [t["Status"] for t in XeroState(h).bank_transactions_stamped("bc-1")] == ["DELETED"]
    assert_synced(h, ("bank_charge", "bc-1"))


# ==================================================================================================
# Bills and bill payments (001-10..15)
# ==================================================================================================


@rows("001-10")
def bill_created(h: ExportHarness) -> None:
    # Given a supplier and an open bill
    # When they are exported
    purchase(h)
    # Then Xero holds one ACCPAY bill whose InvoiceNumber (Xero's "Reference") is the bill #
    found = XeroState(h).invoice("BILL-77", "ACCPAY")
    assert found["Status"] == "AUTHORISED" and money(found["Total"]) == money(92)
    assert line_summary(found) == [("Green beans", 2, 40, "300")]
    assert [i["TaxType"] for i in found["LineItems"]] == ["INPUT2"]


@rows("001-10", variant="draft not exported")
def draft_bill_not_exported(h: ExportHarness) -> None:
    # Given a draft bill
    h.export(vendor("ven-1", SUPPLIER), bill("bill-1", "BILL-77", "ven-1", status="draft"))
    # Then it is not in Xero
    assert XeroState(h).invoices("BILL-77") == []
    assert status(h, "bill", "bill-1") == "skipped"
    # When it is opened, it is exported once
    h.export(bill("bill-1", "BILL-77", "ven-1", version=2))
    assert XeroState(h).invoice("BILL-77", "ACCPAY")["Status"] == "AUTHORISED"


@rows("001-11")
def bill_updated(h: ExportHarness) -> None:
    # Given a bill in Xero
    purchase(h)
    before = XeroState(h).invoice("BILL-77", "ACCPAY")
    # When the host changes its lines
    h.export(
        bill("bill-1", "BILL-77", "ven-1", version=2, lines=[line("40", 5, item="Green beans", account_code="300")])
    )
    # Then the same Xero bill holds the new amounts
    after = XeroState(h).invoice("BILL-77", "ACCPAY")
    assert after["InvoiceID"] == before["InvoiceID"]
    assert money(after["Total"]) == money(230)


@rows("001-11", variant="refused: it has a payment")
def paid_bill_not_updated(h: ExportHarness) -> None:
    # Given a bill with a payment
    purchase(h, bill_payment("bp-1", "bill-1", "40.00"))
    # When the host changes the bill
    h.export(bill("bill-1", "BILL-77", "ven-1", version=2, lines=[line("40", 5, account_code="300")]))
    # Then the bill is unchanged in Xero and the record failed with the seed's reason
    assert money(XeroState(h).invoice("BILL-77", "ACCPAY")["Total"]) == money(92)
    assert_refused(h, "bill", "bill-1", "has payments or debit notes")


@rows("001-11", variant="refused: debit note allocated")
def credited_bill_not_updated(h: ExportHarness) -> None:
    # Given a bill with a vendor credit allocated to it
    purchase(h, vendor_credit("vc-1", "DN-5", "ven-1"), vendor_credit_allocation("va-1", "vc-1", "bill-1", "11.50"))
    assert money(XeroState(h).invoice("BILL-77", "ACCPAY")["AmountCredited"]) == money("11.50")
    # When the host changes the bill
    h.export(bill("bill-1", "BILL-77", "ven-1", version=2, lines=[line("40", 5, account_code="300")]))
    # Then it is refused
    assert money(XeroState(h).invoice("BILL-77", "ACCPAY")["Total"]) == money(92)
    assert_refused(h, "bill", "bill-1", "has payments or debit notes")


@rows("001-12")
def bill_voided(h: ExportHarness) -> None:
    # Given a bill in Xero
    purchase(h)
    # When the host deletes it
    h.export(delete("bill", "bill-1", 2))
    # Then it is VOIDED in Xero
    assert XeroState(h).invoice("BILL-77", "ACCPAY")["Status"] == "VOIDED"
    assert_synced(h, ("bill", "bill-1"))


@rows("001-12", variant="refused: debit note allocated")
def credited_bill_not_voided(h: ExportHarness) -> None:
    # Given a bill with a vendor credit allocated
    purchase(h, vendor_credit("vc-1", "DN-5", "ven-1"), vendor_credit_allocation("va-1", "vc-1", "bill-1", "11.50"))
    # When the host voids the bill
    h.export(bill("bill-1", "BILL-77", "ven-1", version=2, status="void"))
    # Then it stays AUTHORISED in Xero and the record failed with the seed's reason
    assert XeroState(h).invoice("BILL-77", "ACCPAY")["Status"] == "AUTHORISED"
    assert_refused(h, "bill", "bill-1", "associated with a debit note")


@rows("001-13")
def bill_payment_recorded(h: ExportHarness) -> None:
    # Given a bill in Xero
    purchase(h)
    # When the host records its payment in full
    h.export(bill_payment("bp-1", "bill-1", "92.00"))
    # Then an ACCPAYPAYMENT pays the bill off
    xero = XeroState(h)
    payment = xero.live_payment("bill_payment", "bp-1")
    found = xero.invoice("BILL-77", "ACCPAY")
    assert payment["PaymentType"] == "ACCPAYPAYMENT" and money(payment["Amount"]) == money(92)
    assert payment["Invoice"]["InvoiceID"] == found["InvoiceID"]
    assert found["Status"] == "PAID"


@rows("001-14")
def bill_payment_updated(h: ExportHarness) -> None:
    # Given a bill payment of 40.00
    purchase(h, bill_payment("bp-1", "bill-1", "40.00"))
    old = XeroState(h).live_payment("bill_payment", "bp-1")
    # When the host changes it to 92.00
    h.export(bill_payment("bp-1", "bill-1", "92.00", version=2))
    # Then the old one is DELETED and the new one pays the bill off
    xero = XeroState(h)
    new = xero.live_payment("bill_payment", "bp-1")
    statuses = {p["PaymentID"]: p["Status"] for p in xero.payments_stamped("bill_payment", "bp-1")}
    assert statuses[old["PaymentID"]] == "DELETED" and money(new["Amount"]) == money(92)
    assert xero.invoice("BILL-77", "ACCPAY")["Status"] == "PAID"


@rows("001-15")
def bill_payment_deleted(h: ExportHarness) -> None:
    # Given a paid bill
    purchase(h, bill_payment("bp-1", "bill-1", "92.00"))
    # When the host deletes the payment
    h.export(delete("bill_payment", "bp-1", 2))
    # Then the payment is DELETED and the bill is due again
    xero = XeroState(h)
    assert [p["Status"] for p in xero.payments_stamped("bill_payment", "bp-1")] == ["DELETED"]
    found = xero.invoice("BILL-77", "ACCPAY")
    assert found["Status"] == "AUTHORISED" and money(found["AmountDue"]) == money(92)


# ==================================================================================================
# Credit notes, allocations and refunds (000-09..15, 001-16..19, 001-24..26)
# ==================================================================================================


@rows("000-09", "001-16")
def credit_note_created(h: ExportHarness) -> None:
    # Given a customer
    # When the host creates an open credit note for them
    h.export(contact("cus-1", CUSTOMER), credit_note("cn-1", "CN-1", "cus-1"))
    # Then Xero holds one AUTHORISED ACCRECCREDIT with its full credit remaining
    xero = XeroState(h)
    note = xero.credit_note("CN-1")
    assert note["Status"] == "AUTHORISED" and money(note["Total"]) == money(23)
    assert money(note["RemainingCredit"]) == money(23)
    assert note["Contact"]["ContactID"] == xero.contact(CUSTOMER)["ContactID"]


@rows("000-09", variant="draft not exported")
def draft_credit_note_not_exported(h: ExportHarness) -> None:
    # Given a draft credit note
    h.export(contact("cus-1", CUSTOMER), credit_note("cn-1", "CN-1", "cus-1", status="draft"))
    # Then it is not in Xero
    assert XeroState(h).credit_notes("CN-1") == []
    assert status(h, "credit_note", "cn-1") == "skipped"


@rows("000-10", "001-17")
def credit_note_updated(h: ExportHarness) -> None:
    # Given a credit note in Xero
    h.export(contact("cus-1", CUSTOMER), credit_note("cn-1", "CN-1", "cus-1"))
    before = XeroState(h).credit_note("CN-1")
    # When the host changes its amount
    h.export(
        credit_note(
            "cn-1", "CN-1", "cus-1", version=2, lines=[line("30", 1, item="Returned beans", account_code="200")]
        )
    )
    # Then the same credit note holds the new total
    after = XeroState(h).credit_note("CN-1")
    assert after["CreditNoteID"] == before["CreditNoteID"]
    assert money(after["Total"]) == money("34.50") and money(after["RemainingCredit"]) == money("34.50")


@rows("000-10", variant="Xero refuses: it is allocated")
def allocated_credit_note_update_refused_by_xero(h: ExportHarness) -> None:
    # Given a credit note allocated to an invoice ("No restrictions" in the seeds, but Xero
    # does not edit the amounts of a document with allocations)
    sale(h, credit_note("cn-1", "CN-1", "cus-1"), credit_note_allocation("al-1", "cn-1", "inv-1", "23.00"))
    # When the host changes the credit note's amount
    h.export(
        credit_note(
            "cn-1", "CN-1", "cus-1", version=2, lines=[line("30", 1, item="Returned beans", account_code="200")]
        )
    )
    # Then Xero's credit note is unchanged and the admin is told what Xero refused and why
    assert money(XeroState(h).credit_note("CN-1")["Total"]) == money(23)
    row = h.record("credit_note", "cn-1")
    assert row.status == "failed" and row.error_code == "invalid_status", (row.status, row.last_message)
    assert "does not allow this change" in row.last_message


@rows("000-11", "001-18")
def credit_note_allocated(h: ExportHarness) -> None:
    # Given an invoice and a credit note in Xero
    sale(h, credit_note("cn-1", "CN-1", "cus-1"))
    # When the host allocates the credit to the invoice
    h.export(credit_note_allocation("al-1", "cn-1", "inv-1", "23.00"))
    # Then Xero's credit note is allocated to the invoice, whose balance dropped by the amount
    xero = XeroState(h)
    found = xero.invoice("INV-1001")
    allocations = xero.live_allocations("CN-1")
    assert [(a["Invoice"]["InvoiceID"], money(a["Amount"])) for a in allocations] == [(found["InvoiceID"], money(23))]
    assert money(found["AmountCredited"]) == money(23) and money(found["AmountDue"]) == money(92)
    assert money(xero.credit_note("CN-1")["RemainingCredit"]) == 0
    assert_synced(h, ("credit_note_allocation", "al-1"))


@rows("000-12", "001-19")
def credit_note_deleted(h: ExportHarness) -> None:
    # Given an unallocated credit note in Xero
    h.export(contact("cus-1", CUSTOMER), credit_note("cn-1", "CN-1", "cus-1"))
    # When the host deletes it
    h.export(delete("credit_note", "cn-1", 2))
    # Then it is VOIDED in Xero (Xero cannot delete an approved credit note)
    assert XeroState(h).credit_note("CN-1")["Status"] == "VOIDED"
    assert_synced(h, ("credit_note", "cn-1"))


@rows("000-12", variant="refused while allocated, done once the allocation is removed")
def allocated_credit_note_deleted_after_its_allocation(h: ExportHarness) -> None:
    # Given a credit note allocated to an invoice
    sale(h, credit_note("cn-1", "CN-1", "cus-1"), credit_note_allocation("al-1", "cn-1", "inv-1", "23.00"))
    # When the host deletes the credit note
    h.export(delete("credit_note", "cn-1", 2))
    # Then it is refused with the seed's restriction and stays in Xero, allocated
    assert XeroState(h).credit_note("CN-1")["Status"] in ("AUTHORISED", "PAID")
    assert_refused(h, "credit_note", "cn-1", "you must remove it")
    # When the host removes the allocation
    h.export(delete("credit_note_allocation", "al-1", 2))
    # Then the allocation is gone and the refused delete goes through: the note is VOIDED
    xero = XeroState(h)
    assert xero.live_allocations("CN-1") == []
    assert xero.credit_note("CN-1")["Status"] == "VOIDED"
    assert money(xero.invoice("INV-1001")["AmountDue"]) == money(115)


@rows("000-13", "001-24")
def credit_note_refund_created(h: ExportHarness) -> None:
    # Given a credit note of 23.00 in Xero
    h.export(contact("cus-1", CUSTOMER), credit_note("cn-1", "CN-1", "cus-1"))
    # When the host refunds 10.00 of it
    h.export(credit_note_refund("rf-1", "cn-1", "10.00"))
    # Then Xero has a payment against the credit note and its remaining credit dropped
    xero = XeroState(h)
    note = xero.credit_note("CN-1")
    refund = xero.live_payment("credit_note_refund", "rf-1")
    assert refund["CreditNote"]["CreditNoteID"] == note["CreditNoteID"]
    assert refund["PaymentType"] == "ARCREDITPAYMENT" and money(refund["Amount"]) == money(10)
    assert money(note["RemainingCredit"]) == money(13)


@rows("000-14", "001-25")
def credit_note_refund_updated(h: ExportHarness) -> None:
    # Given a refund of 10.00 of a credit note
    h.export(
        contact("cus-1", CUSTOMER), credit_note("cn-1", "CN-1", "cus-1"), credit_note_refund("rf-1", "cn-1", "10.00")
    )
    old = XeroState(h).live_payment("credit_note_refund", "rf-1")
    # When the host changes it to 15.00
    h.export(credit_note_refund("rf-1", "cn-1", "15.00", version=2))
    # Then the old refund is DELETED, one new refund holds 15.00 and the remaining credit is 8.00
    xero = XeroState(h)
    statuses = {p["PaymentID"]: p["Status"] for p in xero.payments_stamped("credit_note_refund", "rf-1")}
    assert statuses[old["PaymentID"]] == "DELETED"
    assert money(xero.live_payment("credit_note_refund", "rf-1")["Amount"]) == money(15)
    assert money(xero.credit_note("CN-1")["RemainingCredit"]) == money(8)


@rows("000-15", "001-26")
def credit_note_refund_deleted(h: ExportHarness) -> None:
    # Given a refund of 10.00 of a credit note
    h.export(
        contact("cus-1", CUSTOMER), credit_note("cn-1", "CN-1", "cus-1"), credit_note_refund("rf-1", "cn-1", "10.00")
    )
    # When the host deletes the refund
    h.export(delete("credit_note_refund", "rf-1", 2))
    # Then the refund is DELETED and the whole credit is available again
    xero = XeroState(h)
    assert [p["Status"] for p in xero.payments_stamped("credit_note_refund", "rf-1")] == ["DELETED"]
    assert money(xero.credit_note("CN-1")["RemainingCredit"]) == money(23)


# ==================================================================================================
# Vendor credits (debit notes), allocations and refunds (001-20..23, 001-27..29)
# ==================================================================================================


@rows("001-20")
def vendor_credit_created(h: ExportHarness) -> None:
    # Given a supplier
    # When the host creates an open vendor credit
    h.export(vendor("ven-1", SUPPLIER), vendor_credit("vc-1", "DN-5", "ven-1"))
    # Then Xero holds one AUTHORISED ACCPAYCREDIT (a debit note)
    note = XeroState(h).credit_note("DN-5", "ACCPAYCREDIT")
    assert note["Status"] == "AUTHORISED" and money(note["Total"]) == money("11.50")
    assert [i["TaxType"] for i in note["LineItems"]] == ["INPUT2"]


@rows("001-20", variant="draft not exported")
def draft_vendor_credit_not_exported(h: ExportHarness) -> None:
    h.export(vendor("ven-1", SUPPLIER), vendor_credit("vc-1", "DN-5", "ven-1", status="draft"))
    assert XeroState(h).credit_notes("DN-5") == []
    assert status(h, "vendor_credit", "vc-1") == "skipped"


@rows("001-21")
def vendor_credit_updated(h: ExportHarness) -> None:
    # Given a vendor credit in Xero
    h.export(vendor("ven-1", SUPPLIER), vendor_credit("vc-1", "DN-5", "ven-1"))
    before = XeroState(h).credit_note("DN-5", "ACCPAYCREDIT")
    # When the host changes it
    h.export(
        vendor_credit(
            "vc-1", "DN-5", "ven-1", version=2, lines=[line("20", 1, item="Damaged sacks", account_code="300")]
        )
    )
    # Then the same debit note holds the new total
    after = XeroState(h).credit_note("DN-5", "ACCPAYCREDIT")
    assert after["CreditNoteID"] == before["CreditNoteID"] and money(after["Total"]) == money(23)


@rows("001-22")
def vendor_credit_allocated(h: ExportHarness) -> None:
    # Given a bill and a vendor credit in Xero
    purchase(h, vendor_credit("vc-1", "DN-5", "ven-1"))
    # When the host allocates the credit to the bill
    h.export(vendor_credit_allocation("va-1", "vc-1", "bill-1", "11.50"))
    # Then the debit note is allocated to the bill, whose balance dropped
    xero = XeroState(h)
    found = xero.invoice("BILL-77", "ACCPAY")
    allocations = xero.live_allocations("DN-5", "ACCPAYCREDIT")
    assert [(a["Invoice"]["InvoiceID"], money(a["Amount"])) for a in allocations] == [
        (found["InvoiceID"], money("11.50"))
    ]
    assert money(found["AmountDue"]) == money("80.50")


@rows("001-23")
def vendor_credit_deleted(h: ExportHarness) -> None:
    # Given an unallocated vendor credit
    h.export(vendor("ven-1", SUPPLIER), vendor_credit("vc-1", "DN-5", "ven-1"))
    # When the host deletes it
    h.export(delete("vendor_credit", "vc-1", 2))
    # Then it is VOIDED in Xero
    assert XeroState(h).credit_note("DN-5", "ACCPAYCREDIT")["Status"] == "VOIDED"


@rows("001-23", variant="refused while allocated")
def allocated_vendor_credit_not_deleted(h: ExportHarness) -> None:
    # Given a vendor credit allocated to a bill
    purchase(h, vendor_credit("vc-1", "DN-5", "ven-1"), vendor_credit_allocation("va-1", "vc-1", "bill-1", "11.50"))
    # When the host deletes the vendor credit
    h.export(delete("vendor_credit", "vc-1", 2))
    # Then it is refused: the credits must be de-allocated first
    assert XeroState(h).credit_note("DN-5", "ACCPAYCREDIT")["Status"] in ("AUTHORISED", "PAID")
    assert_refused(h, "vendor_credit", "vc-1", "de-allocate")


@rows("001-27")
def vendor_credit_refund_created(h: ExportHarness) -> None:
    # Given a vendor credit of 11.50
    h.export(vendor("ven-1", SUPPLIER), vendor_credit("vc-1", "DN-5", "ven-1"))
    # When the supplier refunds 5.00 of it
    h.export(vendor_credit_refund("vr-1", "vc-1", "5.00"))
    # Then a payment against the debit note records it
    xero = XeroState(h)
    refund = xero.live_payment("vendor_credit_refund", "vr-1")
    assert refund["PaymentType"] == "APCREDITPAYMENT" and money(refund["Amount"]) == money(5)
    assert money(xero.credit_note("DN-5", "ACCPAYCREDIT")["RemainingCredit"]) == money("6.50")


@rows("001-28")
def vendor_credit_refund_updated(h: ExportHarness) -> None:
    h.export(
        vendor("ven-1", SUPPLIER), vendor_credit("vc-1", "DN-5", "ven-1"), vendor_credit_refund("vr-1", "vc-1", "5.00")
    )
    old = XeroState(h).live_payment("vendor_credit_refund", "vr-1")
    # When the host changes the refund to the full 11.50
    h.export(vendor_credit_refund("vr-1", "vc-1", "11.50", version=2))
    # Then the old one is DELETED and the debit note is fully refunded
    xero = XeroState(h)
    statuses = {p["PaymentID"]: p["Status"] for p in xero.payments_stamped("vendor_credit_refund", "vr-1")}
    assert statuses[old["PaymentID"]] == "DELETED"
    assert money(xero.live_payment("vendor_credit_refund", "vr-1")["Amount"]) == money("11.50")
    assert money(xero.credit_note("DN-5", "ACCPAYCREDIT")["RemainingCredit"]) == 0


@rows("001-29")
def vendor_credit_refund_deleted(h: ExportHarness) -> None:
    h.export(
        vendor("ven-1", SUPPLIER), vendor_credit("vc-1", "DN-5", "ven-1"), vendor_credit_refund("vr-1", "vc-1", "5.00")
    )
    # When the host deletes the refund
    h.export(delete("vendor_credit_refund", "vr-1", 2))
    # Then it is DELETED and the credit is whole again
    xero = XeroState(h)
    assert [p["Status"] for p in xero.payments_stamped("vendor_credit_refund", "vr-1")] == ["DELETED"]
    assert money(xero.credit_note("DN-5", "ACCPAYCREDIT")["RemainingCredit"]) == money("11.50")


# ==================================================================================================
# The tests
# ==================================================================================================


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sync_row(harness: ExportHarness, case: Case) -> None:
    case.scenario(harness)


def test_every_sync_row_is_covered() -> None:
    # Given the sync table of both seeds and the cases above
    covered = {case.row_id for case in CASES}
    # Then every row has at least one case, and no case names a row that does not exist
    assert [row.row_id for row in SYNC_TABLE if row.row_id not in covered] == []
    assert covered <= set(ROWS_BY_ID)
