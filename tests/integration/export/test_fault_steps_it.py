"""Fault injection at each step of the export: each fault kind at each single-call step, run
to completion.

For every (fault kind × step) the set-up records are exported cleanly, then the step's records
are pushed, one fault is armed on the step's Xero call, and the queues are drained until empty
(the worker re-queues retryable failures with zero delay here). Then the emulated Xero's state
must hold every record exactly once with the right amounts — counted by number, reference stamp
or id — and every record must be synced. (A single transient fault must not leave a record
failed; the contract's other outcome, "failed with a reason", would be a finding here.) Nothing
pending or waiting may be left behind: that would be a record lost.

Beyond the steps of the issue, the matrix covers payment and allocation deletes. The fault kinds,
``Step`` and ``run_with_fault`` are in ``fault_helpers.py``; the steps of a changed or deleted
write-off and the reads before a write are in ``test_fault_multi_step_it.py``.
"""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

import pytest
from export_harness import ExportHarness, invoice
from fault_helpers import (
    SALE,
    Step,
    check_allocation,
    check_bank_charge,
    check_contact_and_invoice,
    check_payment,
    check_write_off,
    one_invoice,
    run_with_fault,
)
from scenario_helpers import (
    XeroState,
    bank_charge,
    bill,
    credit_note,
    credit_note_allocation,
    credit_note_refund,
    delete,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    invoice_payment,
    line,
    money,
    vendor,
    write_off,
)

KINDS = ["http_500", "http_503", "http_429", "slow", "drop_after_commit", "timeout_after_commit"]


def check_credit_note(h: ExportHarness, xero: XeroState) -> None:
    note = xero.credit_note("CN-1")
    assert money(note["Total"]) == money(23) and note["Status"] == "AUTHORISED"


def check_refund(h: ExportHarness, xero: XeroState) -> None:
    refund = xero.live_payment("credit_note_refund", "rf-1")
    assert money(refund["Amount"]) == money(10) and len(xero.payments_stamped("credit_note_refund", "rf-1")) == 1
    assert money(xero.credit_note("CN-1")["RemainingCredit"]) == money(13)


def check_payment_deleted(h: ExportHarness, xero: XeroState) -> None:
    assert [p["Status"] for p in xero.payments_stamped("invoice_payment", "pay-1")] == ["DELETED"]
    found = xero.invoice("INV-1001")
    assert money(found["AmountPaid"]) == 0 and money(found["AmountDue"]) == money(115)


def check_allocation_deleted(h: ExportHarness, xero: XeroState) -> None:
    assert xero.live_allocations("CN-1") == []
    assert money(xero.credit_note("CN-1")["RemainingCredit"]) == money(23)
    assert money(xero.invoice("INV-1001")["AmountDue"]) == money(115)


STEPS = [
    Step(
        "contact create",
        "PUT",
        "/Contacts",
        [],
        SALE,
        check_contact_and_invoice,
        [("contact", "cus-1"), ("invoice", "inv-1")],
    ),
    Step(
        "invoice create",
        "PUT",
        "/Invoices",
        [],
        SALE,
        check_contact_and_invoice,
        [("contact", "cus-1"), ("invoice", "inv-1")],
    ),
    Step(
        "invoice update",
        "POST",
        "/Invoices",
        SALE,
        [invoice("inv-1", "INV-1001", "cus-1", version=2, lines=[line("50", 3)])],
        one_invoice("INV-1001", "172.50"),
        [("invoice", "inv-1")],
    ),
    Step(
        "payment create",
        "PUT",
        "/Payments",
        SALE,
        [invoice_payment("pay-1", "inv-1", "50.00")],
        check_payment("50.00"),
        [("invoice_payment", "pay-1")],
    ),
    Step(
        "payment recreate: delete the old",
        "POST",
        "/Payments/",
        [*SALE, invoice_payment("pay-1", "inv-1", "50.00")],
        [invoice_payment("pay-1", "inv-1", "60.00", version=2)],
        check_payment("60.00", replaced=True),
        [("invoice_payment", "pay-1")],
    ),
    Step(
        "payment recreate: create the new",
        "PUT",
        "/Payments",
        [*SALE, invoice_payment("pay-1", "inv-1", "50.00")],
        [invoice_payment("pay-1", "inv-1", "60.00", version=2)],
        check_payment("60.00", replaced=True),
        [("invoice_payment", "pay-1")],
    ),
    Step(
        "credit note create",
        "PUT",
        "/CreditNotes",
        SALE,
        [credit_note("cn-1", "CN-1", "cus-1")],
        check_credit_note,
        [("credit_note", "cn-1")],
    ),
    Step(
        "allocation",
        "PUT",
        "/CreditNotes/",
        [*SALE, credit_note("cn-1", "CN-1", "cus-1")],
        [credit_note_allocation("al-1", "cn-1", "inv-1", "23.00")],
        check_allocation,
        [("credit_note_allocation", "al-1")],
    ),
    Step(
        "refund",
        "PUT",
        "/Payments",
        [*SALE, credit_note("cn-1", "CN-1", "cus-1")],
        [credit_note_refund("rf-1", "cn-1", "10.00")],
        check_refund,
        [("credit_note_refund", "rf-1")],
    ),
    Step(
        "bank charge",
        "PUT",
        "/BankTransactions",
        [],
        [bank_charge("bc-1", "3.50")],
        check_bank_charge,
        [("bank_charge", "bc-1")],
    ),
    Step(
        "bill",
        "PUT",
        "/Invoices",
        [],
        [vendor("ven-1", "Beanery Supplies Ltd"), bill("bill-1", "BILL-77", "ven-1")],
        one_invoice("BILL-77", "92.00", "ACCPAY"),
        [("bill", "bill-1")],
    ),
    Step(
        "write-off: credit note",
        "PUT",
        "/CreditNotes",
        SALE,
        [write_off("wo-1", "inv-1")],
        check_write_off,
        [("write_off", "wo-1")],
    ),
    Step(
        "write-off: allocation",
        "PUT",
        "/CreditNotes/",
        SALE,
        [write_off("wo-1", "inv-1")],
        check_write_off,
        [("write_off", "wo-1")],
    ),
    Step(
        "void",
        "POST",
        "/Invoices",
        SALE,
        [delete("invoice", "inv-1", 2)],
        one_invoice("INV-1001", "115.00", status="VOIDED"),
        [("invoice", "inv-1")],
    ),
    Step(
        "payment delete",
        "POST",
        "/Payments/",
        [*SALE, invoice_payment("pay-1", "inv-1", "50.00")],
        [delete("invoice_payment", "pay-1", 2)],
        check_payment_deleted,
        [("invoice_payment", "pay-1")],
    ),
    Step(
        "allocation delete",
        "DELETE",
        "/CreditNotes/",
        [*SALE, credit_note("cn-1", "CN-1", "cus-1"), credit_note_allocation("al-1", "cn-1", "inv-1", "23.00")],
        [delete("credit_note_allocation", "al-1", 2)],
        check_allocation_deleted,
        [("credit_note_allocation", "al-1")],
    ),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("step", STEPS, ids=[s.name for s in STEPS])
def test_fault_at_step_ends_exactly_once(harness: ExportHarness, step: Step, kind: str) -> None:
    run_with_fault(harness, step, kind)
