"""The read view's documents and totals as the host API shows them (models/invoice_view.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from datetime import date

from xero_sync.domain.contact_documents import OrgFacts
from xero_sync.domain.invoice_totals import Totals, totals
from xero_sync.domain.invoice_view import DocumentKind, XeroDocument
from xero_sync.domain.xero_org import deep_link
from xero_sync.models.invoice_view import (
    InstalmentView,
    InvoiceItemView,
    InvoiceTotalsView,
    TotalsView,
)


def item_view(document: XeroDocument, today: date, org: OrgFacts, pinned: Collection[str]) -> InvoiceItemView:
    return InvoiceItemView(
        invoice_id=document.xero_id,
        number=document.number,
        type=document.kind.value,
        date=document.date,
        due_date=document.due_date,
        status=document.status,
        xero_status=document.xero_status,
        overdue=document.is_overdue(today),
        partially_paid=document.partially_paid,
        total=document.total,
        balance=document.balance,
        amount_paid=document.amount_paid,
        amount_credited=document.amount_credited,
        currency=document.currency,
        reference=document.reference,
        payment_count=len(document.instalments),
        instalments=[
            InstalmentView(payment_id=i.payment_id, date=i.date, amount=i.amount, reference=i.reference)
            for i in document.instalments
        ],
        xero_url=deep_link(org.short_code, document.kind, document.xero_id),
        pinned=document.xero_id in pinned,
    )


def totals_view(result: Totals) -> TotalsView:
    """The view's fields are the entity's, by name (by_currency included)."""
    return TotalsView.model_validate(dataclasses.asdict(result))


def invoice_totals(documents: Iterable[XeroDocument], org: OrgFacts, today: date) -> InvoiceTotalsView:
    documents = tuple(documents)
    return InvoiceTotalsView(
        sales=totals_view(totals(documents, DocumentKind.SALES_INVOICE, org.base_currency, today)),
        bills=totals_view(totals(documents, DocumentKind.BILL, org.base_currency, today)),
    )
