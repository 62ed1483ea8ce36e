"""Sync-table rows of credit notes, their allocations and refunds (000-09..15, 001-16..19,
001-24..26), driven through the real pipeline against the emulated Xero: a credit note created,
updated, allocated and deleted (and what is refused while it is allocated), and its refunds
created, changed and deleted.

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
from export_harness import ExportHarness, contact
from scenario_helpers import (
    CUSTOMER,
    XeroState,
    credit_note,
    credit_note_allocation,
    credit_note_refund,
    delete,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    line,
    money,
)
from sync_row_helpers import Case, assert_refused, assert_synced, registering_into, sale, status

CASES: list[Case] = []
rows = registering_into(CASES)


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
# The test
# ==================================================================================================


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sync_row(harness: ExportHarness, case: Case) -> None:
    case.scenario(harness)
