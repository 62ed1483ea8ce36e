"""Sync-table rows of bills and bill payments (001-10..15), driven through the real pipeline
against the emulated Xero: a bill created, updated and voided (and refused when paid or
credited), and its payments recorded, changed and deleted.

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
    bill,
    bill_payment,
    delete,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    line,
    line_summary,
    money,
    vendor,
    vendor_credit,
    vendor_credit_allocation,
)
from sync_row_helpers import Case, assert_refused, assert_synced, purchase, registering_into, status

CASES: list[Case] = []
rows = registering_into(CASES)


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
# The test
# ==================================================================================================


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sync_row(harness: ExportHarness, case: Case) -> None:
    case.scenario(harness)
