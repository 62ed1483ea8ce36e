"""What the invoices panel needs from the invoices-on-a-contact read view (F5; issue 11): a small
interface, shaped like that service, so the panel is built and tested now and wired to the
service when it lands (``wiring.py::Container.contact_invoices``).

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
from typing import Protocol

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
