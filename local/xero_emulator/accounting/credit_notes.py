"""Credit notes (ACCRECCREDIT / ACCPAYCREDIT) and their allocations to invoices
(xero-facts §6.3; SPEC ``createCreditNotes``, ``updateOrCreateCreditNotes``, ``updateCreditNote``,
``getCreditNotes``, ``createCreditNoteAllocation``, ``deleteCreditNoteAllocations``).

Refunds of credit notes are Payments against the credit note (payments.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingResponse
from . import contacts, document_api, invoices, lines, locks, messages, money, wire
from .batch import Saved, run_batch
from .context import RequestContext
from .errors import ElementInvalid, not_found
from .ids import is_guid, normalise_guid
from .parsing import Element, Problems, elements_of, read_decimal

if TYPE_CHECKING:
    from .books import Books

Record = dict[str, Any]

# Which invoices a credit note may be allocated to (§6.3).
INVOICE_TYPE_FOR = {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}


def _applied(books: Books, credit_note: Record) -> tuple[Decimal, Decimal]:
    allocated, refunded, _ = books.credit_note_amounts(credit_note)
    return refunded, allocated


def render_credit_note(books: Books, credit_note: Record, ctx: RequestContext, detail: str) -> Record:
    """A credit note in Xero's shape (SPEC ``CreditNote``)."""
    _, _, remaining = books.credit_note_amounts(credit_note)
    contact = books.contacts.get(credit_note["ContactID"] or "")
    payments = sorted(books.active_payments_of(credit_note["CreditNoteID"]), key=lambda p: (p["Date"], p["PaymentID"]))
    return {
        "CreditNoteID": credit_note["CreditNoteID"],
        "CreditNoteNumber": credit_note.get("CreditNoteNumber") or "",
        "Payments": [invoices.payment_summary(p) for p in payments],
        "CurrencyRate": credit_note["CurrencyRate"],
        "Type": credit_note["Type"],
        "Reference": (credit_note.get("Reference") or "") if credit_note["Type"] == "ACCRECCREDIT" else None,
        "RemainingCredit": remaining,
        "Allocations": [
            render_allocation(books, a, ctx, inside_credit_note=True)
            for a in books.allocations_of(credit_note["CreditNoteID"])
        ],
        "HasAttachments": False,
        "HasErrors": False,
        "Contact": (
            contacts.render_contact(books, contact, ctx, "short" if detail == "nested" else "nested")
            if contact
            else None
        ),
        "Date": credit_note["Date"],
        "DueDate": credit_note.get("DueDate"),
        "BrandingThemeID": credit_note.get("BrandingThemeID"),
        "Status": credit_note["Status"],
        "LineAmountTypes": credit_note["LineAmountTypes"],
        "LineItems": lines.render_lines(credit_note["LineItems"], ctx.unitdp, books),
        "SubTotal": credit_note["SubTotal"],
        "TotalTax": credit_note["TotalTax"],
        "Total": credit_note["Total"],
        "UpdatedDateUTC": credit_note["UpdatedDateUTC"],
        "UpdatedDateUTCString": wire.utc_string(credit_note["UpdatedDateUTC"]),
        "CurrencyCode": credit_note["CurrencyCode"],
        "FullyPaidOnDate": credit_note.get("FullyPaidOnDate"),
        "SentToContact": credit_note.get("SentToContact", False),
    }


CREDIT_NOTE = document_api.DocumentKind(
    label="Credit Note",
    collection="CreditNotes",
    schema="CreditNote",
    id_field="CreditNoteID",
    number_field="CreditNoteNumber",
    sales_type="ACCRECCREDIT",
    purchase_type="ACCPAYCREDIT",
    number_prefix="CN-",
    event_category="CREDITNOTE",
    invalid_status_message=messages.CREDIT_NOTE_INVALID_STATUS,
    duplicate_number_message=messages.CREDIT_NOTE_NUMBER_NOT_UNIQUE,
    discounts_allowed=False,  # credit notes have no line discounts (§6.3)
    due_date_required=False,
    store=lambda books: books.credit_notes,
    render=render_credit_note,
    applied=_applied,
)


# --- credit note handlers ---------------------------------------------------------------------------------


def list_credit_notes(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """GET /CreditNotes: every status, ``where``, ``order``, paging, ``If-Modified-Since``."""
    return document_api.list_documents(books, ctx, CREDIT_NOTE, list(books.credit_notes.values()), False)


def get_credit_note(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    return document_api.get_one(books, ctx, CREDIT_NOTE, segments[1])


def create_credit_notes(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    return document_api.create_many(books, ctx, CREDIT_NOTE)


def upsert_credit_notes(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    return document_api.upsert_many(books, ctx, CREDIT_NOTE)


def update_credit_note(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    return document_api.update_one(books, ctx, CREDIT_NOTE, segments[1])


# --- allocations -------------------------------------------------------------------------------------------


def create_allocations(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """PUT /CreditNotes/{CreditNoteID}/Allocations: apply credit to outstanding invoices of the
    same contact. The credit note must already be AUTHORISED — Xero cannot create and allocate
    in one call (§6.3)."""
    credit_note = document_api.find(books, CREDIT_NOTE, segments[1])
    if credit_note is None:
        raise not_found()
    elements = elements_of(ctx.request.body, "Allocations")
    return run_batch(ctx, elements, lambda e: _allocate(books, ctx, credit_note, e), "Allocations", None)


def _allocate(books: Books, ctx: RequestContext, credit_note: Record, element: Element) -> Saved:
    problems = Problems()
    invoice = _allocation_invoice(books, element.child("Invoice"), problems)
    amount = read_decimal(element, "Amount", problems)
    if amount is None or amount <= 0:
        problems.add(messages.ALLOCATION_AMOUNT_REQUIRED)
    else:
        amount = money.round_money(amount)

    if credit_note["Status"] != "AUTHORISED":
        problems.add(messages.ALLOCATION_CREDIT_NOT_AUTHORISED)
    if invoice is not None:
        _, _, invoice_due = books.invoice_amounts(invoice)
        _, _, remaining = books.credit_note_amounts(credit_note)
        if invoice["Type"] != INVOICE_TYPE_FOR[credit_note["Type"]]:
            problems.add(messages.ALLOCATION_WRONG_TYPE)
        if invoice["Status"] == "PAID":
            problems.add(messages.ALLOCATION_INVOICE_PAID)
        elif invoice["Status"] != "AUTHORISED":
            problems.add(messages.ALLOCATION_INVOICE_NOT_AUTHORISED)
        if invoice["ContactID"] != credit_note["ContactID"]:
            problems.add(messages.ALLOCATION_OTHER_CONTACT)
        if invoice["CurrencyCode"] != credit_note["CurrencyCode"]:
            problems.add(messages.ALLOCATION_CURRENCY)
        if amount is not None and amount > 0:
            if invoice["Status"] == "AUTHORISED" and amount > invoice_due:
                problems.add(messages.ALLOCATION_EXCEEDS_INVOICE)
            if credit_note["Status"] == "AUTHORISED" and amount > remaining:
                problems.add(messages.ALLOCATION_EXCEEDS_CREDIT)

    if invoice is not None:
        locks.check_dates(books, problems, max(invoice["Date"], credit_note["Date"]))
    if problems:
        raise ElementInvalid(list(problems), _echo(element, credit_note, invoice, amount))

    assert invoice is not None and amount is not None
    allocation = {
        "AllocationID": books.ids.new("allocation"),
        "CreditNoteID": credit_note["CreditNoteID"],
        "InvoiceID": invoice["InvoiceID"],
        "Amount": amount,
        # Read-only in Xero: the later of the invoice and credit note dates (§6.3).
        "Date": max(invoice["Date"], credit_note["Date"]),
        "IsDeleted": False,
        "CreatedDateUTC": ctx.now,
    }
    books.add_allocation(allocation)
    _rebalance(books, ctx, credit_note, invoice)
    return Saved(render_allocation(books, allocation, ctx, inside_credit_note=False))


def _allocation_invoice(books: Books, element: Element | None, problems: Problems) -> Record | None:
    if element is None or not (element.present("InvoiceID") or element.present("InvoiceNumber")):
        problems.add(messages.ALLOCATION_INVOICE_REQUIRED)
        return None
    invoice_id = element.get("InvoiceID")
    if invoice_id:
        invoice = books.invoices.get(normalise_guid(invoice_id)) if is_guid(invoice_id) else None
    else:
        invoice = document_api.find(books, invoices.INVOICE, str(element.get("InvoiceNumber")))
    if invoice is None:
        problems.add(messages.ALLOCATION_INVOICE_NOT_FOUND)
    return invoice


def _echo(element: Element, credit_note: Record, invoice: Record | None, amount: Decimal | None) -> Record:
    sent = element.child("Invoice")
    invoice_echo = {"InvoiceID": invoice["InvoiceID"] if invoice else wire.ZERO_GUID}
    if sent is not None and isinstance(sent.get("InvoiceNumber"), str):
        invoice_echo["InvoiceNumber"] = sent.get("InvoiceNumber")
    return {
        "Amount": amount if amount is not None else money.ZERO,
        "Date": credit_note["Date"],
        "Invoice": invoice_echo,
        "CreditNote": {"CreditNoteID": credit_note["CreditNoteID"]},
    }


def delete_allocation(books: Books, ctx: RequestContext, segments: list[str]) -> AccountingResponse:
    """DELETE /CreditNotes/{CreditNoteID}/Allocations/{AllocationID}: remove the allocation and
    restore both balances. Answers the Allocation itself (not an envelope) with IsDeleted true."""
    credit_note = document_api.find(books, CREDIT_NOTE, segments[1])
    allocation_id = normalise_guid(segments[3]) if is_guid(segments[3]) else None
    allocation = books.allocations.get(allocation_id or "")
    if credit_note is None or allocation is None or allocation["IsDeleted"]:
        raise not_found()
    if allocation["CreditNoteID"] != credit_note["CreditNoteID"]:
        raise not_found()
    problems = Problems()
    locks.check_dates(books, problems, allocation["Date"])
    if problems:
        element = render_allocation(books, allocation, ctx, inside_credit_note=False)
        element["ValidationErrors"] = [{"Message": message} for message in problems]
        return AccountingResponse(400, wire.validation_exception([element]), {}, ctx.events)
    allocation["IsDeleted"] = True
    invoice = books.invoices[allocation["InvoiceID"]]
    _rebalance(books, ctx, credit_note, invoice)
    body = wire.to_json(render_allocation(books, allocation, ctx, inside_credit_note=False))
    return AccountingResponse(200, body, {}, ctx.events)


def _rebalance(books: Books, ctx: RequestContext, credit_note: Record, invoice: Record) -> None:
    for kind, document in ((CREDIT_NOTE, credit_note), (invoices.INVOICE, invoice)):
        document_api.touch(ctx, kind, document)
        document_api.settle(books, ctx, kind, document)


def render_allocation(books: Books, allocation: Record, ctx: RequestContext, inside_credit_note: bool) -> Record:
    invoice = books.invoices[allocation["InvoiceID"]]
    _, _, due = books.invoice_amounts(invoice)
    view: Record = {
        "AllocationID": allocation["AllocationID"],
        "Amount": allocation["Amount"],
        "Date": allocation["Date"],
        "Invoice": {
            "InvoiceID": invoice["InvoiceID"],
            "InvoiceNumber": invoice.get("InvoiceNumber") or "",
            "Type": invoice["Type"],
            "Status": invoice["Status"],
            "AmountDue": due,
            "Total": invoice["Total"],
            "Payments": [],
            "CreditNotes": [],
            "Prepayments": [],
            "Overpayments": [],
            "HasErrors": False,
            "IsDiscounted": False,
            "LineItems": [],
        },
        "IsDeleted": allocation["IsDeleted"],
    }
    if not inside_credit_note:
        credit_note = books.credit_notes[allocation["CreditNoteID"]]
        view["CreditNote"] = {
            "CreditNoteID": credit_note["CreditNoteID"],
            "CreditNoteNumber": credit_note.get("CreditNoteNumber") or "",
            "Type": credit_note["Type"],
            "Status": credit_note["Status"],
            "RemainingCredit": books.credit_note_amounts(credit_note)[2],
            "LineItems": [],
        }
    return view
