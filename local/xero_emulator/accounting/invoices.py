"""Invoices (ACCREC) and bills (ACCPAY) (xero-facts §6.1; SPEC ``createInvoices``,
``updateOrCreateInvoices``, ``updateInvoice``, ``getInvoices``, ``getInvoice``)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingResponse
from . import contacts, document_api, lines, messages, wire
from .context import RequestContext

if TYPE_CHECKING:
    from .books import Books

Record = dict[str, Any]


def _applied(books: Books, invoice: Record) -> tuple[Decimal, Decimal]:
    paid, credited, _ = books.invoice_amounts(invoice)
    return paid, credited


def render_invoice(books: Books, invoice: Record, ctx: RequestContext, detail: str) -> Record:
    """An invoice in Xero's shape (SPEC ``Invoice``; field order follows Xero's examples).
    ``detail``: ``full``, or ``nested`` (inside a payment: short contact)."""
    paid, credited, due = books.invoice_amounts(invoice)
    contact = books.contacts.get(invoice["ContactID"] or "")
    contact_detail = "short" if detail == "nested" else "nested"
    view: Record = {
        "Type": invoice["Type"],
        "InvoiceID": invoice["InvoiceID"],
        "InvoiceNumber": invoice.get("InvoiceNumber") or "",
        "Reference": (invoice.get("Reference") or "") if invoice["Type"] == "ACCREC" else None,
        "Payments": [payment_summary(p) for p in _payments_by_date(books, invoice["InvoiceID"])],
        "CreditNotes": [_credit_note_summary(books, a) for a in books.allocations_of(invoice["InvoiceID"])],
        "Prepayments": [],
        "Overpayments": [],
        "AmountDue": due,
        "AmountPaid": paid,
        "AmountCredited": credited,
        "SentToContact": invoice.get("SentToContact", False),
        "CurrencyRate": invoice["CurrencyRate"],
        "IsDiscounted": any(line.get("DiscountRate") or line.get("DiscountAmount") for line in invoice["LineItems"]),
        "HasAttachments": False,
        "HasErrors": False,
        "Contact": contacts.render_contact(books, contact, ctx, contact_detail) if contact else None,
        "Date": invoice["Date"],
        "DueDate": invoice.get("DueDate"),
        "ExpectedPaymentDate": invoice.get("ExpectedPaymentDate"),
        "PlannedPaymentDate": invoice.get("PlannedPaymentDate"),
        "BrandingThemeID": invoice.get("BrandingThemeID"),
        "Url": invoice.get("Url"),
        "Status": invoice["Status"],
        "LineAmountTypes": invoice["LineAmountTypes"],
        "LineItems": lines.render_lines(invoice["LineItems"], ctx.unitdp, books),
        "SubTotal": invoice["SubTotal"],
        "TotalTax": invoice["TotalTax"],
        "Total": invoice["Total"],
        "TotalDiscount": invoice["TotalDiscount"] if invoice["TotalDiscount"] else None,
        "UpdatedDateUTC": invoice["UpdatedDateUTC"],
        "UpdatedDateUTCString": wire.utc_string(invoice["UpdatedDateUTC"]),
        "CurrencyCode": invoice["CurrencyCode"],
        "FullyPaidOnDate": invoice.get("FullyPaidOnDate"),
    }
    return view


def _payments_by_date(books: Books, document_id: str) -> list[Record]:
    return sorted(books.active_payments_of(document_id), key=lambda p: (p["Date"], p["PaymentID"]))


def payment_summary(payment: Record) -> Record:
    """A payment as listed inside its invoice or credit note."""
    return {
        "PaymentID": payment["PaymentID"],
        "Date": payment["Date"],
        "Amount": payment["Amount"],
        "Reference": payment.get("Reference"),
        "CurrencyRate": payment["CurrencyRate"],
        "HasAccount": False,
        "HasValidationErrors": False,
    }


def _credit_note_summary(books: Books, allocation: Record) -> Record:
    credit_note = books.credit_notes[allocation["CreditNoteID"]]
    return {
        "CreditNoteID": credit_note["CreditNoteID"],
        "CreditNoteNumber": credit_note.get("CreditNoteNumber") or "",
        "Type": credit_note["Type"],
        "Date": allocation["Date"],
        "Total": credit_note["Total"],
        "AppliedAmount": allocation["Amount"],
        "LineItems": [],
    }


INVOICE = document_api.DocumentKind(
    label="Invoice",
    collection="Invoices",
    schema="Invoice",
    id_field="InvoiceID",
    number_field="InvoiceNumber",
    sales_type="ACCREC",
    purchase_type="ACCPAY",
    number_prefix="INV-",
    event_category="INVOICE",
    invalid_status_message=messages.INVALID_STATUS_FOR_MODIFICATION,
    duplicate_number_message=messages.INVOICE_NUMBER_NOT_UNIQUE,
    discounts_allowed=True,
    due_date_required=True,
    store=lambda books: books.invoices,
    render=render_invoice,
    applied=_applied,
)


# --- handlers -----------------------------------------------------------------------------------------


def list_invoices(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """GET /Invoices with ``IDs``, ``InvoiceNumbers``, ``ContactIDs``, ``Statuses``,
    ``searchTerm`` (number and reference), ``where``, ``order``, paging, ``summaryOnly`` and
    ``If-Modified-Since``. DELETED invoices only when asked for by Statuses or IDs (§6.1)."""
    q = ctx.query
    records = list(books.invoices.values())
    ids = q.guids("IDs")
    numbers = [n.lower() for n in q.csv("InvoiceNumbers") or []]
    contact_ids = q.guids("ContactIDs")
    statuses = [s.upper() for s in q.csv("Statuses") or []]
    if ids is not None:
        records = [i for i in records if i["InvoiceID"] in ids]
    if numbers:
        records = [i for i in records if (i.get("InvoiceNumber") or "").lower() in numbers]
    if contact_ids is not None:
        records = [i for i in records if i["ContactID"] in contact_ids]
    if statuses:
        records = [i for i in records if i["Status"] in statuses]
    elif ids is None and not numbers:
        records = [i for i in records if i["Status"] != "DELETED"]
    term = (q.get("searchTerm") or "").strip().lower()
    if term:
        records = [
            i
            for i in records
            if term in (i.get("InvoiceNumber") or "").lower() or term in (i.get("Reference") or "").lower()
        ]
    summary_only = bool(q.flag("summaryOnly"))
    # "Statuses" and "summaryOnly" force paging (xero-facts §5).
    return document_api.list_documents(books, ctx, INVOICE, records, bool(statuses) or summary_only, summary_only)


def get_invoice(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    return document_api.get_one(books, ctx, INVOICE, segments[1])


def create_invoices(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    return document_api.create_many(books, ctx, INVOICE)


def upsert_invoices(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    return document_api.upsert_many(books, ctx, INVOICE)


def update_invoice(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    return document_api.update_one(books, ctx, INVOICE, segments[1])
