"""Every action row of both sync tables (seed 000: sales; seed 001: sales, purchases, bank
charges) has a case, driven through the real pipeline against the emulated Xero.

There is one case per row of ``domain/restrictions.py::SYNC_TABLE`` (seed 000 and seed 001 rows
that read the same share a scenario; the case id names the row). The cases live with their
document family, each module running its own with ``test_sync_row``:

* ``test_sync_contacts_and_invoices_it.py`` — contacts and invoices (000-01..04, 001-01..04)
* ``test_sync_payments_and_write_offs_it.py`` — write-offs and invoice payments (000-05..08,
  001-05, 001-06, 001-08, 001-09)
* ``test_sync_bank_charges_it.py`` — bank charges (001-07)
* ``test_sync_bills_it.py`` — bills and bill payments (001-10..15)
* ``test_sync_credit_notes_it.py`` — credit notes, allocations, refunds (000-09..15, 001-16..19,
  001-24..26)
* ``test_sync_vendor_credits_it.py`` — vendor credits, allocations, refunds (001-20..23, 001-27..29)

``test_every_sync_row_is_covered`` here checks the ids of all of them against the table.
"""

from __future__ import annotations

import test_sync_bank_charges_it
import test_sync_bills_it
import test_sync_contacts_and_invoices_it
import test_sync_credit_notes_it
import test_sync_payments_and_write_offs_it
import test_sync_vendor_credits_it

from xero_sync.domain.sync_table import ROWS_BY_ID, SYNC_TABLE

CASES = [
    *test_sync_contacts_and_invoices_it.CASES,
    *test_sync_payments_and_write_offs_it.CASES,
    *test_sync_bank_charges_it.CASES,
    *test_sync_bills_it.CASES,
    *test_sync_credit_notes_it.CASES,
    *test_sync_vendor_credits_it.CASES,
]


def test_every_sync_row_is_covered() -> None:
    # Given the sync table of both seeds and the cases above
    covered = {case.row_id for case in CASES}
    # Then every row has at least one case, and no case names a row that does not exist
    assert [row.row_id for row in SYNC_TABLE if row.row_id not in covered] == []
    assert covered <= set(ROWS_BY_ID)
