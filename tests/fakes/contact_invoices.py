"""In-memory invoices of host contacts (``xero_sync.console.contact_invoices.ContactInvoices``),
with the read view's rules: the five views of seed 003, search by number, the invoice-date filter,
newest first, cursor paging, totals per currency, and pins per org and contact (one org never sees
another's invoices or pins). It stands in for the read-view service (issue 11) until that is
wired into ``Container.contact_invoices``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from xero_sync.console.contact_invoices import VIEWS, ContactInvoice, ContactInvoicePage, CurrencyTotals, Instalment
from xero_sync.models.api import ErrorDetail
from xero_sync.services.errors import InvalidInput, NotFound


def contact_invoice(
    invoice_id: str,
    number: str,
    day: date,
    due: date,
    total: str,
    balance: str,
    status: str = "AUTHORISED",
    paid: str | None = None,
) -> ContactInvoice:
    """A sales invoice in NZD as the read view returns it; ``paid``: one instalment of that amount."""
    payments = [Instalment(date=day, amount=Decimal(paid), reference="Card")] if paid else []
    return ContactInvoice(
        invoice_id=invoice_id,
        number=number,
        date=day,
        due_date=due,
        type="ACCREC",
        status=status,
        total=Decimal(total),
        balance=Decimal(balance),
        currency="NZD",
        payments=payments,
        link=f"https://go.xero.com/app/invoicing/view/{invoice_id}",
    )


class InMemoryContactInvoices:
    def __init__(self, today: Callable[[], date], page_size: int = 25) -> None:
        self.today = today
        self.page_size = page_size
        self.invoices: dict[tuple[str, str], list[ContactInvoice]] = {}
        self.pins: dict[tuple[str, str], set[str]] = {}

    # --- tests set the scene ------------------------------------------------------------------

    def add(self, org_id: str, contact_id: str, *invoices: ContactInvoice) -> None:
        self.invoices.setdefault((org_id, contact_id), []).extend(invoices)

    # --- the interface ----------------------------------------------------------------------------

    def list(
        self,
        org_id: str,
        contact_id: str,
        *,
        view: str,
        q: str | None,
        date_from: date | None,
        date_to: date | None,
        cursor: str | None,
    ) -> ContactInvoicePage:
        if view not in VIEWS:
            raise InvalidInput("Unknown view.", [ErrorDetail(field="query.view", message=f"one of {', '.join(VIEWS)}")])
        pinned = self.pins.get((org_id, contact_id), set())
        chosen = [
            replace(invoice, pinned=invoice.invoice_id in pinned)
            for invoice in self._of(org_id, contact_id)
            if self._in_view(invoice, view, pinned)
            and (not q or q.lower() in invoice.number.lower())
            and (date_from is None or invoice.date >= date_from)
            and (date_to is None or invoice.date <= date_to)
        ]
        chosen.sort(key=lambda invoice: (invoice.date, invoice.number), reverse=True)
        start = self._start(cursor)
        page = chosen[start : start + self.page_size]
        more = start + self.page_size < len(chosen)
        return ContactInvoicePage(items=page, next_cursor=str(start + self.page_size) if more else None)

    def summary(self, org_id: str, contact_id: str) -> list[CurrencyTotals]:
        totals: dict[str, list[Decimal]] = {}
        for invoice in self._of(org_id, contact_id):
            if invoice.status in ("VOIDED", "DELETED", "DRAFT"):
                continue
            paid, unpaid = totals.setdefault(invoice.currency, [Decimal(0), Decimal(0)])
            totals[invoice.currency] = [paid + invoice.total - invoice.balance, unpaid + invoice.balance]
        return [CurrencyTotals(currency, paid, unpaid) for currency, (paid, unpaid) in sorted(totals.items())]

    def pin(self, org_id: str, contact_id: str, invoice_id: str) -> None:
        self._find(org_id, contact_id, invoice_id)
        self.pins.setdefault((org_id, contact_id), set()).add(invoice_id)

    def unpin(self, org_id: str, contact_id: str, invoice_id: str) -> None:
        self.pins.get((org_id, contact_id), set()).discard(invoice_id)

    # --- the rules ------------------------------------------------------------------------------

    def _of(self, org_id: str, contact_id: str) -> list[ContactInvoice]:
        if (org_id, contact_id) not in self.invoices:
            raise NotFound(f"Contact {contact_id!r} is not linked to a Xero contact.")
        return self.invoices[(org_id, contact_id)]

    def _find(self, org_id: str, contact_id: str, invoice_id: str) -> ContactInvoice:
        for invoice in self._of(org_id, contact_id):
            if invoice.invoice_id == invoice_id:
                return invoice
        raise NotFound(f"No invoice {invoice_id!r} on contact {contact_id!r}.")

    def _in_view(self, invoice: ContactInvoice, view: str, pinned: set[str]) -> bool:
        """Seed 003's saved views."""
        today = self.today()
        due = invoice.due_date
        owing = invoice.balance > 0 and invoice.status == "AUTHORISED"
        return {
            "paid": invoice.balance == 0 and invoice.status == "PAID",
            "unpaid": owing,
            "open": owing and due is not None and due > today,
            "overdue": owing and due is not None and due < today,
            "pinned": invoice.invoice_id in pinned,
        }[view]

    @staticmethod
    def _start(cursor: str | None) -> int:
        if cursor is None:
            return 0
        if not cursor.isdigit():
            raise InvalidInput("The cursor is not valid.", [ErrorDetail(field="query.cursor", message="not a cursor")])
        return int(cursor)
