"""Sync-table rows of vendor credits (debit notes), their allocations and refunds (001-20..23,
001-27..29), driven through the real pipeline against the emulated Xero: a debit note created,
updated, allocated and deleted (refused while allocated), and its refunds created, changed and
deleted.

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
from export_harness import ExportHarness
from scenario_helpers import (
    SUPPLIER,
    XeroState,
    delete,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    line,
    money,
    vendor,
    vendor_credit,
    vendor_credit_allocation,
    vendor_credit_refund,
)
from sync_row_helpers import Case, assert_refused, purchase, registering_into, status

CASES: list[Case] = []
rows = registering_into(CASES)


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
# The test
# ==================================================================================================


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sync_row(harness: ExportHarness, case: Case) -> None:
    case.scenario(harness)
