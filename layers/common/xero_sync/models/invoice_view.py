"""Bodies of the read view of the host API (SPEC §5, F5): a contact's Xero invoices, their totals,
pins on host records, and the contact's link to a Xero contact. These models generate the
published OpenAPI document. Amounts are JSON strings (decimals, never floats)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from xero_sync.models.api import ApiModel

GUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

DocumentType = Literal["sales_invoice", "bill", "sales_credit_note", "purchase_credit_note"]
LinkSourceName = Literal["explicit", "export", "match_email", "match_phone"]


# --- freshness ---------------------------------------------------------------------------------


class Freshness(ApiModel):
    as_of: datetime = Field(description="When this data was read from Xero.")
    stale: bool = Field(
        description="True when Xero could not be reached (rate limit, outage) and the last data read from Xero "
        "is served instead; as_of says how old it is."
    )
    stale_reason: str | None = Field(default=None, description="Why fresh data could not be read.")


# --- the list (F5) -------------------------------------------------------------------------------


class InstalmentView(ApiModel):
    payment_id: str
    date: dt.date
    amount: Decimal = Field(description="In the document's currency.")
    reference: str | None = None


class InvoiceItemView(ApiModel):
    invoice_id: str = Field(description="Xero's InvoiceID (CreditNoteID for a credit note).")
    number: str
    type: DocumentType = Field(description="The invoice type: sales invoice, bill or credit note.")
    date: dt.date
    due_date: dt.date | None = None
    status: str = Field(
        description="paid | unpaid for approved documents; otherwise Xero's status in lower case "
        "(draft, submitted, voided)."
    )
    xero_status: str = Field(description="Xero's Status: DRAFT, SUBMITTED, AUTHORISED, PAID, VOIDED …")
    overdue: bool = Field(description="Balance > 0 and due before the org's today.")
    partially_paid: bool
    total: Decimal
    balance: Decimal = Field(
        description="What is left to pay (Xero's AmountDue; the remaining credit of a credit note)."
    )
    amount_paid: Decimal
    amount_credited: Decimal
    currency: str
    reference: str | None = None
    payment_count: int = Field(description="How many instalments were paid (refunds, for a credit note).")
    instalments: list[InstalmentView] = Field(description="Each payment: date, amount and reference, oldest first.")
    xero_url: str = Field(description="Opens the document in Xero, in the org's Xero organisation.")
    pinned: bool = Field(description="Pinned to this contact.")


class CurrencyTotalsView(ApiModel):
    currency: str
    paid: Decimal
    unpaid: Decimal
    overdue: Decimal
    documents: int


class TotalsView(ApiModel):
    base_currency: str
    paid: Decimal = Field(description="Paid so far, in the base currency (instalments at the rate of their payment).")
    unpaid: Decimal = Field(description="Still to pay, in the base currency.")
    overdue: Decimal = Field(description="The part of unpaid that is overdue, in the base currency.")
    paid_count: int = Field(description="Documents fully paid.")
    unpaid_count: int = Field(description="Documents awaiting payment.")
    overdue_count: int
    by_currency: list[CurrencyTotalsView] = Field(
        description="The same amounts per document currency (base currency first), exact."
    )
    unconverted: int = Field(
        default=0, description="Foreign-currency documents without a Xero rate, left out of the base-currency sums."
    )


class InvoiceTotalsView(ApiModel):
    sales: TotalsView = Field(description="Sales invoices: what the contact paid and still owes.")
    bills: TotalsView = Field(description="Bills: what the org paid and still owes the contact.")


class InvoiceSummaryView(Freshness):
    contact_id: str
    xero_contact_id: str
    totals: InvoiceTotalsView
    today: dt.date = Field(description="The org's date in its Xero time zone, which decides what is overdue.")


class InvoiceListView(InvoiceSummaryView):
    view: str = Field(description="The saved view listed: open, paid, unpaid, overdue, pinned or all.")
    link_source: LinkSourceName = Field(description="How the host contact is linked to the Xero contact.")
    items: list[InvoiceItemView] = Field(description="Newest first (invoice date, then number).")
    matched: int = Field(description="Documents in the view and filters, over all pages.")
    next_cursor: str | None = Field(default=None, description="Pass as ?cursor= for the next page; null at the end.")


# --- pins -----------------------------------------------------------------------------------------


class PinView(ApiModel):
    record_type: str
    record_id: str
    invoice_id: str
    pinned: bool
    pinned_at: datetime | None = None
    changed: bool = Field(description="False when the pin was already as asked.")


class PinnedInvoicesView(Freshness):
    record_type: str
    record_id: str
    items: list[InvoiceItemView] = Field(description="The pinned documents still in Xero, newest first.")
    missing: list[str] = Field(
        default_factory=list,
        description="Pinned document ids Xero no longer lists for their contact (deleted, or moved by a merge).",
    )
    totals: InvoiceTotalsView = Field(description="Paid and unpaid over the pinned documents.")
    today: dt.date


# --- the contact's link to Xero -------------------------------------------------------------------


class ContactLinkRequest(ApiModel):
    xero_contact_id: str = Field(pattern=GUID_PATTERN, description="Xero's ContactID.")


class ContactLinkView(ApiModel):
    contact_id: str
    linked: bool
    xero_contact_id: str | None = None
    source: LinkSourceName | None = Field(
        default=None,
        description="explicit (the host linked it), export (the service exported it), or the import's match.",
    )
    linked_at: datetime | None = None
    xero_contact_name: str | None = None
