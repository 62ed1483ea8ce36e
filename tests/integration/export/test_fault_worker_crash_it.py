"""The worker dies between Xero's answer and the record update: Xero saved the record, the
worker died before writing that down; the next run finds it in Xero and links it (no duplicate),
and the record's history says it succeeded. One case per kind of record (contact, invoice,
payment, write-off, bank charge, bill, allocation).
"""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

import pytest
from export_harness import ExportHarness
from fault_helpers import (
    SALE,
    check_allocation,
    check_bank_charge,
    check_contact_and_invoice,
    check_payment,
    check_write_off,
    one_invoice,
)
from scenario_helpers import (
    XeroState,
    bank_charge,
    bill,
    credit_note,
    credit_note_allocation,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    invoice_payment,
    vendor,
    write_off,
)

CRASH_CASES = {
    "contact": ([], SALE, ("contact", "cus-1")),
    "invoice": ([], SALE, ("invoice", "inv-1")),
    "payment": (SALE, [invoice_payment("pay-1", "inv-1", "50.00")], ("invoice_payment", "pay-1")),
    "write-off": (SALE, [write_off("wo-1", "inv-1")], ("write_off", "wo-1")),
    "bank charge": ([], [bank_charge("bc-1", "3.50")], ("bank_charge", "bc-1")),
    "bill": ([], [vendor("ven-1", "Beanery Supplies Ltd"), bill("bill-1", "BILL-77", "ven-1")], ("bill", "bill-1")),
    "allocation": (
        [*SALE, credit_note("cn-1", "CN-1", "cus-1")],
        [credit_note_allocation("al-1", "cn-1", "inv-1", "23.00")],
        ("credit_note_allocation", "al-1"),
    ),
}
CRASH_CHECKS = {
    "contact": check_contact_and_invoice,
    "invoice": check_contact_and_invoice,
    "payment": check_payment("50.00"),
    "write-off": check_write_off,
    "bank charge": check_bank_charge,
    "bill": one_invoice("BILL-77", "92.00", "ACCPAY"),
    "allocation": check_allocation,
}


@pytest.mark.parametrize("case", list(CRASH_CASES))
def test_worker_dies_between_xeros_answer_and_the_record_update(harness: ExportHarness, monkeypatch, case: str) -> None:
    # Given a worker whose claims expire at once, and that dies right after Xero saved one record
    # (before writing down the outcome)
    setup, action, (entity, record_id) = CRASH_CASES[case]
    if setup:
        harness.export(*setup)
    worker = harness.container.export_worker
    monkeypatch.setattr(worker, "claim_seconds", 0)
    records = harness.container.records
    mark_synced, mark_all_synced = records.mark_synced, records.mark_all_synced
    crashed = []

    def dies_once(key):
        if (key.entity, key.record_id) == (entity, record_id) and not crashed:
            crashed.append(key)
            raise RuntimeError("the worker died")

    def marks_one(mark, now):
        dies_once(mark.key)
        return mark_synced(mark, now)

    def marks_all(marks, now):  # the marks of a call are written together: all die with it
        for mark in marks:
            dies_once(mark.key)
        return mark_all_synced(marks, now)

    monkeypatch.setattr(records, "mark_synced", marks_one)
    monkeypatch.setattr(records, "mark_all_synced", marks_all)
    harness.export(*action)
    assert crashed, "the crash never happened"
    # When the next sync runs (the claim has expired; the crashed batch's message is still in
    # flight). (A contact may be settled already: the invoice waiting for it nudged it at once.)
    harness.sync()
    harness.drain()
    # Then the record is found in Xero and linked — exactly one in Xero, the record synced
    CRASH_CHECKS[case](harness, XeroState(harness))
    row = harness.record(entity, record_id)
    assert row.status == "synced" and row.claim_operation is None, (row.status, row.last_message)
    assert "linked to it (no duplicate)" in (row.last_message or "")
    # And the history says it succeeded (the crashed attempt could not write that down)
    outcomes = [e.outcome for e in harness.container.history.for_record(harness.org_id, entity, record_id)]
    assert "succeeded" in outcomes, outcomes
