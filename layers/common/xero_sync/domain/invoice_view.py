"""The read view of a contact's Xero documents (F5, seed 003): what a document is, the five saved
views, search, the date filter and newest-first paging. Pure rules: "today" is an argument (the
org's local date, domain/xero_org.py), nothing here reads a clock or a store.

The saved views are the seed's definitions, word for word, with the seed's words in Xero's terms —
*balance* is Xero's ``AmountDue`` (``RemainingCredit`` for a credit note), the seed's statuses
*Open*, *Overdue* and *Partially paid* are all Xero's ``AUTHORISED`` (approved, awaiting payment;
Xero has no overdue status), *Paid* is ``PAID``:

* ``paid``     — balance = 0 and status paid;
* ``unpaid``   — balance > 0 and status open, overdue or partially paid;
* ``open``     — balance > 0 and due date after today;
* ``overdue``  — balance > 0 and due date before today;
* ``pinned``   — pinned to the host record.

``open`` and ``overdue`` count only approved documents (a draft also has a balance, but it is not
an invoice the contact owes yet), and both compare strictly, as the seed does: a document due
*today* is unpaid but neither open nor overdue. A credit note has no due date, so it is never
open or overdue. ``open`` is the default view (seed 003: "By default, all the open invoices are
listed"); ``all`` is every document, for search and the date filter across all of them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)


class DocumentKind(StrEnum):
    """The seed's "invoice type", from Xero's ``Type``."""

    SALES_INVOICE = "sales_invoice"  # ACCREC
    BILL = "bill"  # ACCPAY
    SALES_CREDIT_NOTE = "sales_credit_note"  # ACCRECCREDIT
    PURCHASE_CREDIT_NOTE = "purchase_credit_note"  # ACCPAYCREDIT

    @property
    def is_credit_note(self) -> bool:
        return self in (DocumentKind.SALES_CREDIT_NOTE, DocumentKind.PURCHASE_CREDIT_NOTE)


KIND_BY_XERO_TYPE = {
    "ACCREC": DocumentKind.SALES_INVOICE,
    "ACCPAY": DocumentKind.BILL,
    "ACCRECCREDIT": DocumentKind.SALES_CREDIT_NOTE,
    "ACCPAYCREDIT": DocumentKind.PURCHASE_CREDIT_NOTE,
}
XERO_TYPE_BY_KIND = {kind: xero_type for xero_type, kind in KIND_BY_XERO_TYPE.items()}

AWAITING_PAYMENT = "AUTHORISED"
PAID = "PAID"


class View(StrEnum):
    """The saved views (seed 003), plus ``all``."""

    OPEN = "open"
    PAID = "paid"
    UNPAID = "unpaid"
    OVERDUE = "overdue"
    PINNED = "pinned"
    ALL = "all"


@dataclass(frozen=True)
class Instalment:
    """One payment on a document (a refund, on a credit note): the seed's instalments."""

    payment_id: str
    date: dt.date
    amount: Decimal
    reference: str | None = None
    currency_rate: Decimal | None = None  # Xero's: foreign units per base unit


@dataclass(frozen=True)
class XeroDocument:
    """A sales invoice, bill or credit note of a Xero contact, as the read view keeps it."""

    xero_id: str
    kind: DocumentKind
    number: str
    date: dt.date
    xero_status: str
    currency: str
    total: Decimal
    balance: Decimal  # AmountDue; RemainingCredit for a credit note
    amount_paid: Decimal = ZERO  # AmountPaid; the refunds for a credit note
    amount_credited: Decimal = ZERO  # AmountCredited (credit notes allocated, write-offs)
    due_date: dt.date | None = None
    reference: str | None = None
    currency_rate: Decimal | None = None  # Xero's CurrencyRate
    instalments: tuple[Instalment, ...] = ()

    @property
    def awaiting_payment(self) -> bool:
        """Approved with something left to pay: the seed's Open, Overdue or Partially paid."""
        return self.xero_status == AWAITING_PAYMENT and self.balance > ZERO

    def is_overdue(self, today: dt.date) -> bool:
        return self.awaiting_payment and self.due_date is not None and self.due_date < today

    def is_open(self, today: dt.date) -> bool:
        return self.awaiting_payment and self.due_date is not None and self.due_date > today

    @property
    def is_paid(self) -> bool:
        return self.balance == ZERO and self.xero_status == PAID

    @property
    def partially_paid(self) -> bool:
        return self.awaiting_payment and (self.amount_paid > ZERO or self.amount_credited > ZERO)

    @property
    def status(self) -> str:
        """The seed's "paid or unpaid" for approved documents; Xero's status otherwise."""
        if self.xero_status == PAID:
            return "paid"
        if self.xero_status == AWAITING_PAYMENT:
            return "unpaid"
        return self.xero_status.lower()


def in_view(document: XeroDocument, view: View, today: dt.date, pinned: Collection[str]) -> bool:
    if view is View.PAID:
        return document.is_paid
    if view is View.UNPAID:
        return document.awaiting_payment
    if view is View.OPEN:
        return document.is_open(today)
    if view is View.OVERDUE:
        return document.is_overdue(today)
    if view is View.PINNED:
        return document.xero_id in pinned
    return True


def matches_number(document: XeroDocument, search: str) -> bool:
    """Search by invoice number: the text anywhere in the number (so a prefix too), ignoring case."""
    return search.casefold() in document.number.casefold()


# --- the query -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListQuery:
    view: View = View.OPEN
    search: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = 50
    after: SortKey | None = None  # the cursor: the last document of the previous page


@dataclass(frozen=True, order=True)
class SortKey:
    """Newest first: by invoice date, then number, then Xero id (so the order is total)."""

    date: dt.date
    number: str
    xero_id: str

    @classmethod
    def of(cls, document: XeroDocument) -> SortKey:
        return cls(document.date, document.number, document.xero_id)

    def encode(self) -> str:
        text = json.dumps([self.date.isoformat(), self.number, self.xero_id], separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> SortKey:
        """The key a cursor holds; ``ValueError`` for anything this API did not hand out."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            day, number, xero_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
            return cls(dt.date.fromisoformat(day), str(number), str(xero_id))
        except (binascii.Error, UnicodeDecodeError, TypeError, ValueError) as error:
            raise ValueError("not a cursor of this list") from error


def _order(document: XeroDocument) -> tuple[dt.date, str, str]:
    """``SortKey`` as a plain tuple: sorting 500 documents compares tuples in C."""
    return (document.date, document.number, document.xero_id)


@dataclass(frozen=True)
class Page:
    documents: tuple[XeroDocument, ...]
    next_cursor: str | None
    matched: int  # documents in the view and filters, over all pages


def select(documents: Iterable[XeroDocument], query: ListQuery, today: dt.date, pinned: Collection[str]) -> Page:
    """The documents of one page of the list, newest first."""
    chosen = [
        document
        for document in documents
        if in_view(document, query.view, today, pinned)
        and (not query.search or matches_number(document, query.search))
        and (query.date_from is None or document.date >= query.date_from)
        and (query.date_to is None or document.date <= query.date_to)
    ]
    chosen.sort(key=_order, reverse=True)
    after = query.after
    remaining = [d for d in chosen if _order(d) < (after.date, after.number, after.xero_id)] if after else chosen
    page = remaining[: query.limit]
    more = len(remaining) > query.limit
    return Page(tuple(page), SortKey.of(page[-1]).encode() if more and page else None, len(chosen))
