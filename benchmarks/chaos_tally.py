"""The chaos harness's final count (benchmarks/chaos.py): each record of the data set looked up in
the emulated Xero's books and the records table, and sorted into in Xero exactly once, failed and
reported, lost, duplicated or with a wrong amount (``Tally``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chaos_data import Expected  # benchmarks/chaos_data.py: what each record must be in Xero

from local.xero_books import XeroBooks, money


@dataclass
class Tally:
    pushed: int = 0
    exactly_once: int = 0
    failed_reported: int = 0
    lost: int = 0
    duplicated: int = 0
    wrong_amount: int = 0
    failure_reasons: Counter = field(default_factory=Counter)
    lost_examples: list[str] = field(default_factory=list)
    duplicated_examples: list[str] = field(default_factory=list)
    wrong_amount_examples: list[str] = field(default_factory=list)


def in_xero(books: XeroBooks, expected: Expected) -> list[Decimal]:
    """The amounts of the live Xero objects that are this record (one amount per object)."""
    entity, number = expected.entity, expected.number
    if entity == "contact":
        return [Decimal(0) for c in books.contacts(expected.name) if c.get("ContactStatus") != "ARCHIVED"]
    if entity in ("invoice", "bill"):
        documents = books.invoices(number, "ACCREC" if entity == "invoice" else "ACCPAY")
        return [money(d["Total"]) for d in documents if d["Status"] not in ("DELETED", "VOIDED")]
    if entity in ("credit_note", "vendor_credit", "write_off"):
        kind = "ACCPAYCREDIT" if entity == "vendor_credit" else "ACCRECCREDIT"
        return [money(n["Total"]) for n in books.credit_notes(number, kind) if n["Status"] not in ("DELETED", "VOIDED")]
    if entity in ("credit_note_allocation", "vendor_credit_allocation"):
        kind = "ACCPAYCREDIT" if entity == "vendor_credit_allocation" else "ACCRECCREDIT"
        notes = books.credit_notes(number, kind)
        invoices = {i["InvoiceID"] for i in books.invoices(expected.on_invoice)}
        return [
            money(a["Amount"])
            for note in notes
            for a in note["Allocations"]
            if not a.get("IsDeleted") and (a.get("Invoice") or {}).get("InvoiceID") in invoices
        ]
    if entity == "bank_charge":
        return [money(t["Total"]) for t in books.bank_transactions_stamped(expected.record_id, live_only=True)]
    return [money(p["Amount"]) for p in books.payments_stamped(entity, expected.record_id, live_only=True)]


def tally(expectations: list[Expected], books: XeroBooks, stored: dict[tuple[str, str], Any], org_id: str) -> Tally:
    result = Tally(pushed=len(expectations))
    for expected in expectations:
        amounts = in_xero(books, expected)
        row = stored.get((expected.entity, expected.record_id))
        status = row.status.value if row is not None else "missing"
        what = f"{expected.entity} {expected.record_id} ({status}, {len(amounts)} in Xero)"
        if len(amounts) > 1:
            result.duplicated += 1
            result.duplicated_examples.append(what)
        elif status == "synced" and len(amounts) == 1:
            result.exactly_once += 1
            if expected.amount is not None and amounts[0] != expected.amount:
                result.wrong_amount += 1
                result.wrong_amount_examples.append(f"{what}: {amounts[0]} instead of {expected.amount}")
        elif status in ("failed", "skipped") and not amounts and row.last_message:
            result.failed_reported += 1
            result.failure_reasons[row.error_code or status] += 1
        elif status == "waiting" and not amounts and _parent_failed(row, stored, org_id):
            result.failed_reported += 1
            result.failure_reasons["waiting on a failed record"] += 1
        else:
            result.lost += 1
            result.lost_examples.append(f"{what}: {row.last_message if row is not None else 'never stored'}")
    return result


def _parent_failed(row: Any, stored: dict[tuple[str, str], Any], org_id: str) -> bool:
    """A waiting record whose parent failed: reported with its parent (it goes once the parent
    is fixed), not lost."""
    from xero_sync.domain.records import parse_waiting_key

    if not row.waiting_on:
        return False
    found = stored.get(parse_waiting_key(org_id, row.waiting_on))
    return found is not None and found.status.value in ("failed", "skipped")


def stored_records(expectations: list[Expected], org_id: str) -> dict[tuple[str, str], Any]:
    from xero_sync.domain.records import RecordKey
    from xero_sync.wiring import container

    keys = [RecordKey(org_id, e.entity, e.record_id) for e in expectations]
    rows: dict[tuple[str, str], Any] = {}
    for start in range(0, len(keys), 100):
        for key, row in container().records.get_many(keys[start : start + 100]).items():
            rows[(key.entity, key.record_id)] = row
    return rows
