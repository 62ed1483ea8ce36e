"""Records in the host's schema (SPEC §7), built the way a host would send them to
``POST /v1/orgs/{org_id}/records``: one builder per entity, with sensible defaults (the demo
company's accounts, the ``gst15`` tax) that a caller overrides by keyword.

Shared by the export integration tests, the chaos harness (benchmarks/chaos.py) and anything else
that needs host records, so that every one of them sends the same shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Builder = Callable[..., dict[str, Any]]

EXPORT_EVERYTHING = {
    "sync_frequency": "manual",
    "export": dict.fromkeys(
        ("invoices_and_payments", "credit_notes", "bills_and_payments", "vendor_credits", "bank_charges"), True
    ),
    "sales_account": "200",
    "purchases_account": "300",
    "sales_adjustments_account": "260",
    "purchase_adjustments_account": "429",
    "write_off_account": "408",
    "bank_charges_account": "404",
}
"""Org settings that export every family to the demo company's accounts (manual sync)."""
GST = {"host_tax_id": "gst15", "host_rate": "15", "xero_tax_type": "OUTPUT2", "purchases_xero_tax_type": "INPUT2"}
"""The tax mapping of the ``gst15`` tax the builders' lines carry."""


def record(entity: str, record_id: str, version: int = 1, action: str = "upsert", **data: Any) -> dict[str, Any]:
    envelope = {"entity": entity, "id": record_id, "version": version, "action": action}
    if action == "upsert":
        envelope["data"] = data
    return envelope


def delete(entity: str, record_id: str, version: int) -> dict[str, Any]:
    return record(entity, record_id, version, action="delete")


def line(
    rate: str = "50",
    quantity: Any = 2,
    *,
    item: str = "Beans",
    tax_id: str | None = "gst15",
    account_code: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data = {"item_name": item, "quantity": quantity, "rate": rate, **extra}
    if tax_id is not None:
        data["tax_id"] = tax_id
    if account_code is not None:
        data["account_code"] = account_code
    return data


def _party(kind: str) -> Builder:
    """A contact of one kind: ``(record_id, name, version=1, **data)``."""

    def build(record_id: str, name: str, version: int = 1, **data: Any) -> dict[str, Any]:
        return record("contact", record_id, version, display_name=name, kind=kind, **data)

    return build


def _document(entity: str, party: str, dates: dict[str, str], default_line: dict[str, Any]) -> Builder:
    """A document with lines: ``(record_id, number, <party>_id, *, version=1, status="open",
    lines=None, **data)``."""

    def build(
        record_id: str,
        number: str,
        party_id: str,
        *,
        version: int = 1,
        status: str = "open",
        lines: Iterable[dict] | None = None,
        **data: Any,
    ) -> dict[str, Any]:
        # ``data`` may override the default dates (e.g. ``date=``), as any other field
        fields = {"number": number, party: party_id, **dates, "status": status, **data}
        return record(entity, record_id, version, **fields, lines=list(lines or [dict(default_line)]))

    return build


def _money(entity: str, parent: str, date: str) -> Builder:
    """Money against one document: ``(record_id, <parent>_id, amount, *, version=1,
    account_code="090", **data)``."""

    def build(
        record_id: str, parent_id: str, amount: str, *, version: int = 1, account_code: str = "090", **data: Any
    ) -> dict[str, Any]:
        fields = {parent: parent_id, "date": date, "amount": amount, "account_code": account_code}
        return record(entity, record_id, version, **fields, **data)

    return build


def _allocation(entity: str, credit: str, document: str) -> Builder:
    """A credit allocated to a document: ``(record_id, <credit>_id, <document>_id, amount, *, version=1)``."""

    def build(record_id: str, credit_id: str, document_id: str, amount: str, *, version: int = 1) -> dict[str, Any]:
        fields = {credit: credit_id, document: document_id, "amount": amount, "date": "2026-11-07"}
        return record(entity, record_id, version, **fields)

    return build


contact = _party("customer")
vendor = _party("vendor")

invoice = _document("invoice", "contact_id", {"date": "2026-11-02", "due_date": "2026-12-02"}, line(account_code="200"))
bill = _document(
    "bill",
    "vendor_id",
    {"date": "2026-11-03", "due_date": "2026-12-03"},
    line("40", 2, item="Green beans", account_code="300"),
)
credit_note = _document(
    "credit_note", "contact_id", {"date": "2026-11-04"}, line("20", 1, item="Returned beans", account_code="200")
)
vendor_credit = _document(
    "vendor_credit", "vendor_id", {"date": "2026-11-04"}, line("10", 1, item="Damaged sacks", account_code="300")
)

invoice_payment = _money("invoice_payment", "invoice_id", "2026-11-05")
bill_payment = _money("bill_payment", "bill_id", "2026-11-06")
credit_note_refund = _money("credit_note_refund", "credit_note_id", "2026-11-08")
vendor_credit_refund = _money("vendor_credit_refund", "vendor_credit_id", "2026-11-08")

credit_note_allocation = _allocation("credit_note_allocation", "credit_note_id", "invoice_id")
vendor_credit_allocation = _allocation("vendor_credit_allocation", "vendor_credit_id", "bill_id")


def write_off(record_id: str, invoice_id: str, *, version: int = 1, **data: Any) -> dict[str, Any]:
    return record("write_off", record_id, version, invoice_id=invoice_id, date="2026-11-09", **data)


def bank_charge(
    record_id: str, amount: str, *, version: int = 1, account_code: str = "090", **data: Any
) -> dict[str, Any]:
    return record(
        "bank_charge", record_id, version, date="2026-11-10", amount=amount, account_code=account_code, **data
    )
