"""Fault injection at the steps of a multi-step operation and at the reads before a write,
with a 500 and a dropped answer, run to completion.

A changed write-off removes the old allocation, voids the old note, then creates a new note and
allocation; a deleted one removes the allocation and voids the note. The reads are the contact
look-up and the invoice's state read before an update (its restrictions). As in
``test_fault_steps_it.py`` (``run_with_fault`` in ``fault_helpers.py``), one fault is armed on the
step's call, the queues are drained, and Xero must hold every record exactly once, all synced.
"""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

import pytest
from export_harness import ExportHarness, invoice
from fault_helpers import SALE, Step, check_contact_and_invoice, one_invoice, run_with_fault
from scenario_helpers import (
    XeroState,
    delete,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    line,
    money,
    write_off,
)


def check_write_off_replaced(h: ExportHarness, xero: XeroState) -> None:
    assert len(xero.credit_notes(type_="ACCRECCREDIT")) == 2  # the old note and exactly one new
    assert xero.credit_note("INV-1001-WO")["Status"] == "VOIDED"
    assert xero.live_allocations("INV-1001-WO") == []
    assert [money(a["Amount"]) for a in xero.live_allocations("INV-1001-WO2")] == [money(115)]
    assert xero.invoice("INV-1001")["Status"] == "PAID"


def check_write_off_undone(h: ExportHarness, xero: XeroState) -> None:
    assert len(xero.credit_notes(type_="ACCRECCREDIT")) == 1
    assert xero.credit_note("INV-1001-WO")["Status"] == "VOIDED"
    found = xero.invoice("INV-1001")
    assert found["Status"] == "AUTHORISED" and money(found["AmountDue"]) == money(115)


WRITTEN_OFF = [*SALE, write_off("wo-1", "inv-1", amount="100.00")]
CHANGED_WRITE_OFF = [write_off("wo-1", "inv-1", version=2, amount="115.00")]
MORE_STEPS = [
    # A changed write-off: remove the old allocation, void the old note, then a new note + allocation.
    Step(
        "write-off change: remove the old allocation",
        "DELETE",
        "/CreditNotes/",
        WRITTEN_OFF,
        CHANGED_WRITE_OFF,
        check_write_off_replaced,
        [("write_off", "wo-1")],
    ),
    Step(
        "write-off change: void the old note",
        "POST",
        "/CreditNotes",
        WRITTEN_OFF,
        CHANGED_WRITE_OFF,
        check_write_off_replaced,
        [("write_off", "wo-1")],
    ),
    Step(
        "write-off change: the new note",
        "PUT",
        "/CreditNotes",
        WRITTEN_OFF,
        CHANGED_WRITE_OFF,
        check_write_off_replaced,
        [("write_off", "wo-1")],
    ),
    # A deleted write-off: remove the allocation, void the note.
    Step(
        "write-off delete: remove the allocation",
        "DELETE",
        "/CreditNotes/",
        WRITTEN_OFF,
        [delete("write_off", "wo-1", 2)],
        check_write_off_undone,
        [("write_off", "wo-1")],
    ),
    Step(
        "write-off delete: void the note",
        "POST",
        "/CreditNotes",
        WRITTEN_OFF,
        [delete("write_off", "wo-1", 2)],
        check_write_off_undone,
        [("write_off", "wo-1")],
    ),
    # Reads before a write: the contact look-up (F3.6) and the invoice's state (restrictions).
    Step(
        "contact look-up (read)",
        "GET",
        "/Contacts",
        [],
        SALE,
        check_contact_and_invoice,
        [("contact", "cus-1"), ("invoice", "inv-1")],
    ),
    Step(
        "invoice state before update (read)",
        "GET",
        "/Invoices",
        SALE,
        [invoice("inv-1", "INV-1001", "cus-1", version=2, lines=[line("50", 3)])],
        one_invoice("INV-1001", "172.50"),
        [("invoice", "inv-1")],
    ),
]
MORE_KINDS = ["http_500", "drop_after_commit"]  # a lost answer after Xero saved (or not) the change


@pytest.mark.parametrize("kind", MORE_KINDS)
@pytest.mark.parametrize("step", MORE_STEPS, ids=[s.name for s in MORE_STEPS])
def test_fault_at_multi_step_operation_or_read(harness: ExportHarness, step: Step, kind: str) -> None:
    run_with_fault(harness, step, kind)
