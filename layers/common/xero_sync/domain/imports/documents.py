"""Xero's invoices, bills and credit notes in the host's schema (SPEC §7), and their payment
status (F4.3).

A document's state has two parts, each with its own fingerprint:

* the **content** — number, contact, dates, lines, totals … (the seeds' invoice tables read
  backwards: ``InvoiceNumber`` → number, ``UnitAmount`` → rate, ``LineAmountTypes`` →
  amounts_are, ``CurrencyRate`` → exchange_rate in the host's direction …);
* the **payment status** — Xero's status, amount paid, amount due, amount credited and each
  payment with its date, amount and reference. For credit notes: the credit remaining, and the
  refunds as payments.

So an invoice the service exported reports ``invoice.payment_status_changed`` when a payment
lands in Xero, without the content (which the host owns) coming back as a change.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from xero_sync.domain.changes import Resource
from xero_sync.domain.currency import from_xero_currency_rate
from xero_sync.domain.imports.wire import amount, fingerprint, iso_date, iso_time, text
from xero_sync.domain.money import round_to

RESOURCE_OF_TYPE = {
    "ACCREC": Resource.INVOICE,
    "ACCPAY": Resource.BILL,
    "ACCRECCREDIT": Resource.CREDIT_NOTE,
    "ACCPAYCREDIT": Resource.VENDOR_CREDIT,
}
HOST_STATUS = {
    "DRAFT": "draft",
    "SUBMITTED": "submitted",
    "AUTHORISED": "open",
    "PAID": "paid",
    "VOIDED": "void",
    "DELETED": "deleted",
}
AMOUNTS_ARE = {"Exclusive": "exclusive", "Inclusive": "inclusive", "NoTax": "no_tax"}
VOIDED = frozenset({"VOIDED", "DELETED"})


def document_resource(xero: dict[str, Any]) -> Resource | None:
    return RESOURCE_OF_TYPE.get(str(xero.get("Type") or ""))


def is_credit(xero: dict[str, Any]) -> bool:
    return "CreditNoteID" in xero or str(xero.get("Type") or "").endswith("CREDIT")


def document_id(xero: dict[str, Any]) -> str | None:
    return xero.get("CreditNoteID") if is_credit(xero) else xero.get("InvoiceID")


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _exchange_rate(xero: dict[str, Any]) -> str | None:
    rate = _decimal(xero.get("CurrencyRate"))
    if rate is None or rate <= 0 or rate == 1:
        return None
    return format(round_to(from_xero_currency_rate(rate), 6).normalize(), "f")


def _line(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "item_name": text(line.get("ItemCode")),
        "description": text(line.get("Description")),
        "quantity": amount(line.get("Quantity")),
        "rate": amount(line.get("UnitAmount")),
        "discount_percent": amount(line.get("DiscountRate")),
        "account_code": text(line.get("AccountCode")),
        "xero_tax_type": text(line.get("TaxType")),
        "tax_amount": amount(line.get("TaxAmount")),
        "line_amount": amount(line.get("LineAmount")),
    }


def map_document(xero: dict[str, Any]) -> dict[str, Any]:
    """The content of an invoice, bill, credit note or vendor credit, as the host reads it.
    ``lines`` is present only when Xero sent them (paged reads and fetches by id do)."""
    contact = xero.get("Contact") or {}
    state: dict[str, Any] = {
        "number": text(xero.get("CreditNoteNumber") if is_credit(xero) else xero.get("InvoiceNumber")),
        "contact": {"xero_id": text(contact.get("ContactID")), "name": text(contact.get("Name"))},
        "date": iso_date(xero.get("Date")),
        "due_date": None if is_credit(xero) else iso_date(xero.get("DueDate")),
        "status": HOST_STATUS.get(str(xero.get("Status") or ""), str(xero.get("Status") or "").lower() or None),
        "currency": text(xero.get("CurrencyCode")),
        "exchange_rate": _exchange_rate(xero),
        "reference": text(xero.get("Reference")),
        "amounts_are": AMOUNTS_ARE.get(str(xero.get("LineAmountTypes") or "")),
        "subtotal": amount(xero.get("SubTotal")),
        "total_tax": amount(xero.get("TotalTax")),
        "total": amount(xero.get("Total")),
    }
    if xero.get("LineItems") is not None:
        state["lines"] = [_line(line) for line in xero.get("LineItems") or []]
    return state


def _payments(xero: dict[str, Any]) -> list[dict[str, Any]]:
    payments = [
        {
            "xero_id": text(payment.get("PaymentID")),
            "date": iso_date(payment.get("Date")),
            "amount": amount(payment.get("Amount")),
            "reference": text(payment.get("Reference")),
        }
        for payment in xero.get("Payments") or []
        if str(payment.get("Status") or "AUTHORISED") != "DELETED"
    ]
    return sorted(payments, key=lambda p: (p["date"] or "", p["xero_id"] or ""))


def payment_word(status: str, paid: Decimal, due: Decimal | None) -> str:
    """paid | partially_paid | unpaid | void | draft — what a host shows next to the document."""
    if status == "PAID":
        return "paid"
    if status in VOIDED:
        return "void"
    if status in ("DRAFT", "SUBMITTED"):
        return "draft"
    if paid > 0 and (due is None or due > 0):
        return "partially_paid"
    return "unpaid" if due is None or due > 0 else "paid"


def payment_status(xero: dict[str, Any]) -> dict[str, Any]:
    """F4.3: status, amount paid, amount due, each payment with date, amount and reference."""
    status = str(xero.get("Status") or "")
    total = _decimal(xero.get("Total")) or Decimal(0)
    if is_credit(xero):
        due = _decimal(xero.get("RemainingCredit"))
        paid = total - due if due is not None else Decimal(0)
        credited = None
    else:
        due = _decimal(xero.get("AmountDue"))
        paid = _decimal(xero.get("AmountPaid")) or Decimal(0)
        credited = amount(xero.get("AmountCredited"))
    return {
        "status": payment_word(status, paid + (_decimal(credited) or Decimal(0)), due),
        "xero_status": status or None,
        "total": amount(total),
        "amount_paid": amount(paid),
        "amount_due": amount(due),
        "amount_credited": credited,
        "fully_paid_on": iso_date(xero.get("FullyPaidOnDate")),
        "payments": _payments(xero),
    }


def payment_fingerprint(payment: dict[str, Any]) -> str:
    return fingerprint(payment)


def document_updated(xero: dict[str, Any]) -> str | None:
    return iso_time(xero.get("UpdatedDateUTC"))


def is_voided(xero: dict[str, Any]) -> bool:
    return str(xero.get("Status") or "") in VOIDED
