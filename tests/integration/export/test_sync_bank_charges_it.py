"""Sync-table rows of bank charges (001-07), driven through the real pipeline against the
emulated Xero: a bank charge recorded as a SPEND transaction, changed, then deleted.

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
    BANK_CHARGES_ACCOUNT,
    XeroState,
    bank_charge,
    delete,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    harness,  # noqa: F401
    money,
)
from sync_row_helpers import Case, assert_synced, registering_into

CASES: list[Case] = []
rows = registering_into(CASES)


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
# The test
# ==================================================================================================


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sync_row(harness: ExportHarness, case: Case) -> None:
    case.scenario(harness)
