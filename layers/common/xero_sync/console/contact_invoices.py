"""What the invoices panel needs from the invoices-on-a-contact read view (F5): a small interface
(the panel's unit tests use an in-memory one), and :class:`ReadViewInvoices`, which serves it
from the read view's service (``services/invoice_view``) — the host API's routes and the panel
read the same cache and follow the same rules.

Views (seed 003): ``paid`` (balance 0 and status paid), ``unpaid`` (balance > 0, open, overdue or
partly paid), ``open`` (balance > 0, due date after today; the default), ``overdue`` (balance > 0,
due date before today), ``pinned`` (pinned to the contact). Newest first. The implementation
raises ``services.errors``: ``NotFound`` (the contact is not linked to a Xero contact),
``Conflict`` (the org is not connected), ``InvalidInput`` (a bad date or cursor, naming the
query field).
"""

from __future__ import annotations

import builtins
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from xero_sync.domain.contact_documents import RecordRef
from xero_sync.domain.invoice_view import View

if TYPE_CHECKING:
    from xero_sync.models.invoice_view import InvoiceItemView
    from xero_sync.services.invoice_view import InvoiceViewService

VIEWS = ("open", "unpaid", "paid", "overdue", "pinned")
DEFAULT_VIEW = "open"


@dataclass(frozen=True)
class Instalment:
    """One payment towards an invoice (seed 003: "date, amount and payment number")."""

    date: datetime.date
    amount: Decimal
    reference: str | None = None


@dataclass(frozen=True)
class ContactInvoice:
    invoice_id: str
    number: str
    date: datetime.date
    due_date: datetime.date | None
    type: str  # ACCREC | ACCPAY …
    status: str  # Xero's: AUTHORISED, PAID, VOIDED …
    total: Decimal
    balance: Decimal  # amount still due
    currency: str
    pinned: bool = False
    payments: list[Instalment] = field(default_factory=list)
    link: str | None = None  # the invoice in Xero (deep link)


@dataclass(frozen=True)
class ContactInvoicePage:
    items: list[ContactInvoice]
    next_cursor: str | None = None


@dataclass(frozen=True)
class CurrencyTotals:
    """Totals paid and unpaid of one contact in one currency (seed 003's two boxes)."""

    currency: str
    paid: Decimal
    unpaid: Decimal


class ContactInvoices(Protocol):
    def list(
        self,
        org_id: str,
        contact_id: str,
        *,
        view: str,
        q: str | None,
        date_from: datetime.date | None,
        date_to: datetime.date | None,
        cursor: str | None,
    ) -> ContactInvoicePage: ...
    def summary(self, org_id: str, contact_id: str) -> builtins.list[CurrencyTotals]: ...
    def pin(self, org_id: str, contact_id: str, invoice_id: str) -> None: ...
    def unpin(self, org_id: str, contact_id: str, invoice_id: str) -> None: ...


PAGE_SIZE = 25


@dataclass(frozen=True)
class ReadViewInvoices:
    """The panel's interface over the read view's service."""

    service: InvoiceViewService

    def list(
        self,
        org_id: str,
        contact_id: str,
        *,
        view: str,
        q: str | None,
        date_from: datetime.date | None,
        date_to: datetime.date | None,
        cursor: str | None,
    ) -> ContactInvoicePage:
        from xero_sync.services.invoice_view import list_query

        query = list_query(view=View(view), q=q, date_from=date_from, date_to=date_to, limit=PAGE_SIZE, cursor=cursor)
        listed = self.service.contact_invoices(org_id, contact_id, query)
        return ContactInvoicePage(items=[_panel_item(item) for item in listed.items], next_cursor=listed.next_cursor)

    def summary(self, org_id: str, contact_id: str) -> builtins.list[CurrencyTotals]:
        sales = self.service.summary(org_id, contact_id).totals.sales
        return [CurrencyTotals(t.currency, paid=t.paid, unpaid=t.unpaid) for t in sales.by_currency]

    def pin(self, org_id: str, contact_id: str, invoice_id: str) -> None:
        self.service.pin(org_id, RecordRef("contact", contact_id), invoice_id.lower())

    def unpin(self, org_id: str, contact_id: str, invoice_id: str) -> None:
        self.service.unpin(org_id, RecordRef("contact", contact_id), invoice_id.lower())


def _panel_item(item: InvoiceItemView) -> ContactInvoice:
    return ContactInvoice(
        invoice_id=item.invoice_id,
        number=item.number,
        date=item.date,
        due_date=item.due_date,
        type=item.type,
        status=item.xero_status,
        total=item.total,
        balance=item.balance,
        currency=item.currency,
        pinned=item.pinned,
        payments=[Instalment(i.date, i.amount, i.reference) for i in item.instalments],
        link=item.xero_url,
    )
