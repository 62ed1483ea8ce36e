"""The engine snapshot: the whole state of one tenant in wire shapes (control plane, tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..interfaces import AccountingRequest
from . import wire
from .context import RequestContext

if TYPE_CHECKING:
    from .books import Books


def snapshot(books: Books) -> dict[str, Any]:
    """Everything, in wire shapes (UnitAmounts with 4 dp so nothing is hidden), for the control
    plane and tests. Deleted records are included, with their status."""
    from . import bank_transactions, contacts, credit_notes, invoices, items, manual_journals, payments, tracking
    from .contact_groups import render_contact_group
    from .settings_entities import render_account, render_tax_rate

    request = AccountingRequest("GET", "/snapshot", {"unitdp": "4"}, {}, None, books.last_now)
    ctx = RequestContext(request, wire.ZERO_GUID)
    body = {
        "TenantID": books.tenant_id,
        "Organisation": books.organisation,
        "OrganisationUpdatedDateUTC": books.organisation_updated_at,
        "Accounts": [render_account(a) for a in books.accounts.values()],
        "TaxRates": [render_tax_rate(r) for r in books.tax_rates.values()],
        "Currencies": list(books.currencies.values()),
        "ContactGroups": [render_contact_group(books, g, True) for g in books.contact_groups.values()],
        "TrackingCategories": [tracking.render_category(c) for c in books.tracking_categories.values()],
        "Items": [items.render_item(i, 4) for i in books.items.values()],
        "Contacts": [contacts.render_contact(books, c, ctx, "full") for c in books.contacts.values()],
        "Invoices": [invoices.render_invoice(books, i, ctx, "full") for i in books.invoices.values()],
        "CreditNotes": [credit_notes.render_credit_note(books, n, ctx, "full") for n in books.credit_notes.values()],
        "Payments": [payments.render_payment(books, p, ctx) for p in books.payments.values()],
        "Allocations": [credit_notes.render_allocation(books, a, ctx, False) for a in books.allocations.values()],
        "BankTransactions": [
            bank_transactions.render_bank_transaction(books, t, ctx) for t in books.bank_transactions.values()
        ],
        "ManualJournals": [manual_journals.render_manual_journal(j, books) for j in books.manual_journals.values()],
    }
    return wire.to_json(body)
