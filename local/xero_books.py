"""Reading an emulated Xero tenant's books: which Xero documents belong to which host record.

Host records reach Xero under natural keys the service controls: a contact by its name, invoices,
bills, credit notes and vendor credits by number (a write-off is a credit note numbered
``<invoice number>-WO``), payments, refunds and bank charges by the reference stamp the service
writes (``domain/natural_keys.py``), allocations as the lines of their credit note. Shared by the
export integration tests and the chaos harness (benchmarks/chaos.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xero_sync.domain.natural_keys import build_stamp


class XeroBooks:
    """One snapshot of an emulated tenant's books (``GET /_emulator/tenants/{id}/state``), with
    the look-ups that tell which Xero documents belong to which host record of ``org_id``."""

    def __init__(self, raw: dict[str, Any], org_id: str) -> None:
        self.raw = raw
        self.org_id = org_id

    def contacts(self, name: str | None = None) -> list[dict[str, Any]]:
        return [c for c in self.raw["Contacts"] if name is None or c["Name"] == name]

    def contact(self, name: str) -> dict[str, Any]:
        found = self.contacts(name)
        assert len(found) == 1, f"{len(found)} Xero contacts named {name!r}"
        return found[0]

    def invoices(self, number: str | None = None, type_: str | None = None) -> list[dict[str, Any]]:
        return [
            i
            for i in self.raw["Invoices"]
            if (number is None or i.get("InvoiceNumber") == number) and (type_ is None or i["Type"] == type_)
        ]

    def invoice(self, number: str, type_: str = "ACCREC") -> dict[str, Any]:
        found = self.invoices(number, type_)
        assert len(found) == 1, f"{len(found)} Xero {type_} documents numbered {number!r}"
        return found[0]

    def credit_notes(self, number: str | None = None, type_: str | None = None) -> list[dict[str, Any]]:
        return [
            n
            for n in self.raw["CreditNotes"]
            if (number is None or n.get("CreditNoteNumber") == number) and (type_ is None or n["Type"] == type_)
        ]

    def credit_note(self, number: str, type_: str = "ACCRECCREDIT") -> dict[str, Any]:
        found = self.credit_notes(number, type_)
        assert len(found) == 1, f"{len(found)} Xero {type_} credit notes numbered {number!r}"
        return found[0]

    def payments_stamped(self, entity: str, record_id: str, *, live_only: bool = False) -> list[dict[str, Any]]:
        """Payments (incl. refunds) carrying the reference stamp of one host record."""
        stamp = build_stamp(self.org_id, entity, record_id)
        return [
            p
            for p in self.raw["Payments"]
            if stamp in (p.get("Reference") or "") and (not live_only or p["Status"] != "DELETED")
        ]

    def live_payment(self, entity: str, record_id: str) -> dict[str, Any]:
        found = self.payments_stamped(entity, record_id, live_only=True)
        assert len(found) == 1, f"{len(found)} live Xero payments for {entity} {record_id}"
        return found[0]

    def bank_transactions_stamped(self, record_id: str, *, live_only: bool = False) -> list[dict[str, Any]]:
        stamp = build_stamp(self.org_id, "bank_charge", record_id)
        return [
            t
            for t in self.raw["BankTransactions"]
            if stamp in (t.get("Reference") or "") and (not live_only or t["Status"] != "DELETED")
        ]

    def live_allocations(self, credit_note_number: str, type_: str = "ACCRECCREDIT") -> list[dict[str, Any]]:
        note = self.credit_note(credit_note_number, type_)
        return [a for a in note["Allocations"] if not a.get("IsDeleted")]


def money(value: Any) -> Decimal:
    """Xero's JSON numbers as Decimal, to compare amounts exactly."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def line_summary(document: dict[str, Any]) -> list[tuple[str, Decimal, Decimal, str]]:
    """(description, quantity, unit amount, account) per Xero line."""
    return [
        (item["Description"], Decimal(str(item["Quantity"])), Decimal(str(item["UnitAmount"])), item["AccountCode"])
        for item in document["LineItems"]
    ]
