"""Documents: invoices, credit notes, bills and vendor credits — one mapper, four kinds (F3.3).

What the four share (seed 000 / seed 001 field tables): Invoice# / Bill# → the number field; Date →
``Date``; Currency code → ``CurrencyCode``; Exchange rate → ``CurrencyRate`` (converted,
domain.currency); Tax type → ``LineAmountTypes``; status open → ``AUTHORISED``; the lines
(:mod:`.lines`). What differs is in one table at the top of this module:

* :class:`DocumentKind` — Xero ``Type`` (ACCREC, ACCRECCREDIT, ACCPAY, ACCPAYCREDIT), the field the
  host's number goes to (``InvoiceNumber`` / ``CreditNoteNumber``; a bill's ``InvoiceNumber`` is
  what Xero shows as "Reference", seed 001), and line discounts (``DiscountRate``, ACCREC invoices
  only: xero-facts §6.1, §6.3);
* its :class:`Side`, sales or purchases — the host field naming the contact (``contact_id`` /
  ``vendor_id``), ``reference`` → ``Reference`` (sales only), the settings accounts for lines
  without an account and for discount and adjustment lines, the document-level amounts (sales
  also have shipping charges and round-off, on their own accounts when chosen), and the tax types.

Invoices and bills also have Due date → ``DueDate`` (the document date when absent) and a link back
to the host → ``Url`` when the settings have a URL template; Xero credit notes have neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from xero_sync.domain import money
from xero_sync.domain.currency import DocumentCurrency
from xero_sync.domain.mapping.base import Mapped, MappingContext
from xero_sync.domain.mapping.collector import Collector
from xero_sync.domain.mapping.line_fields import LineFields
from xero_sync.domain.mapping.lines import ADJUSTMENT, DISCOUNT, ROUND_OFF, SHIPPING, BuiltLines, ExtraLine, build_lines
from xero_sync.domain.mapping.overrides import apply_overrides
from xero_sync.domain.problems import Notice, NoticeCode, Problem, ProblemCode
from xero_sync.models.org_config import OrgSettings
from xero_sync.models.records import AmountsAre, Bill, CreditNote, EntityName, Invoice, VendorCredit
from xero_sync.models.xero_payloads import (
    ContactRef,
    CreditNoteType,
    InvoiceType,
    LineAmountType,
    XeroCreditNote,
    XeroInvoice,
)

HostDocument = Invoice | CreditNote | Bill | VendorCredit
D = TypeVar("D", XeroInvoice, XeroCreditNote)

LINE_AMOUNT_TYPES = {
    AmountsAre.EXCLUSIVE: LineAmountType.EXCLUSIVE,
    AmountsAre.INCLUSIVE: LineAmountType.INCLUSIVE,
    AmountsAre.NO_TAX: LineAmountType.NO_TAX,
}


@dataclass(frozen=True)
class Side:
    """A customer's documents or a vendor's: the accounts, taxes and host fields they use."""

    purchases: bool  # purchases tax types (TaxMapping.purchases_xero_tax_type) and accounts
    contact_field: str  # the host field naming the customer or vendor
    reference_field: str | None  # the host field that goes to Xero's Reference
    lines_setting: str  # settings account for lines without account_code
    adjustments_setting: str  # settings account for discount and adjustment lines, and the fallback
    extra_lines: tuple[ExtraLine, ...]  # document-level amounts, each a line of its own, in this order


@dataclass(frozen=True)
class DocumentKind(Generic[D]):
    """What one kind of document does differently."""

    entity: EntityName
    label: str  # "invoice", used in messages
    payload: type[D]
    xero_type: InvoiceType | CreditNoteType
    number_field: str  # the Xero field the host's number goes to
    side: Side
    line_discounts: bool = False  # Xero takes DiscountRate (ACCREC invoices only)


# fmt: off
SALES = Side(purchases=False, contact_field="contact_id", reference_field="reference",
             lines_setting="sales_account", adjustments_setting="sales_adjustments_account",
             extra_lines=(DISCOUNT, SHIPPING, ADJUSTMENT, ROUND_OFF))
PURCHASES = Side(purchases=True, contact_field="vendor_id", reference_field=None,
                 lines_setting="purchases_account", adjustments_setting="purchase_adjustments_account",
                 extra_lines=(DISCOUNT, ADJUSTMENT))

INVOICE = DocumentKind(EntityName.INVOICE, "invoice", XeroInvoice, InvoiceType.ACCREC, "InvoiceNumber", SALES,
                       line_discounts=True)
CREDIT_NOTE = DocumentKind(EntityName.CREDIT_NOTE, "credit note", XeroCreditNote, CreditNoteType.ACCRECCREDIT,
                           "CreditNoteNumber", SALES)
BILL = DocumentKind(EntityName.BILL, "bill", XeroInvoice, InvoiceType.ACCPAY, "InvoiceNumber", PURCHASES)
VENDOR_CREDIT = DocumentKind(EntityName.VENDOR_CREDIT, "vendor credit", XeroCreditNote, CreditNoteType.ACCPAYCREDIT,
                             "CreditNoteNumber", PURCHASES)
# fmt: on
DOCUMENT_KINDS: dict[EntityName, DocumentKind[Any]] = {
    kind.entity: kind for kind in (INVOICE, CREDIT_NOTE, BILL, VENDOR_CREDIT)
}


def map_document(
    kind: DocumentKind[D], doc: HostDocument, ctx: MappingContext, *, host_id: str, contact_xero_id: str
) -> Mapped[D]:
    """Any of the four kinds of document, for the customer or vendor ``contact_xero_id``."""
    c = Collector(ctx)
    currency = c.currency(doc.currency, doc.exchange_rate)
    amounts = LINE_AMOUNT_TYPES[doc.amounts_are]
    built = build_lines(doc, kind, amounts, c, LineFields(kind.entity, doc, ctx, c))
    totals = _totals_checks(doc, kind, built, amounts, c)
    payload = None
    if currency is not None and not c.problems:
        fields = _payload_fields(kind, doc, ctx.settings, host_id, contact_xero_id, currency, amounts, built)
        payload = apply_overrides(kind.payload(**fields), doc, kind.entity, ctx.settings, c)
    return c.result(payload, unitdp=money.unitdp(built.units), totals=totals)


def map_invoice(invoice: Invoice, ctx: MappingContext, *, host_id: str, contact_xero_id: str) -> Mapped[XeroInvoice]:
    """``map_document(INVOICE, …)``, the most common call."""
    return map_document(INVOICE, invoice, ctx, host_id=host_id, contact_xero_id=contact_xero_id)


def _payload_fields(
    kind: DocumentKind[D],
    doc: HostDocument,
    settings: OrgSettings,
    host_id: str,
    contact_xero_id: str,
    currency: DocumentCurrency,
    amounts: LineAmountType,
    built: BuiltLines,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "Type": kind.xero_type,
        kind.number_field: doc.number,
        "Reference": getattr(doc, kind.side.reference_field) if kind.side.reference_field else None,
        "Contact": ContactRef(ContactID=contact_xero_id),
        "Date": doc.date,
        "Status": "AUTHORISED",
        "LineAmountTypes": amounts,
        "CurrencyCode": currency.code,
        "CurrencyRate": currency.xero_rate,
        "LineItems": built.items,
    }
    if kind.payload is XeroInvoice:  # Xero credit notes have no due date and no Url
        fields["DueDate"] = doc.due_date or doc.date
        fields["Url"] = _document_url(settings, kind.entity, host_id, doc.number)
    return fields


def _document_url(settings: OrgSettings, entity: EntityName, host_id: str, number: str) -> str | None:
    template = settings.document_url_template
    if template is None:
        return None
    return template.format(entity=entity.value, id=quote(host_id, safe=""), number=quote(number, safe=""))


def _totals_checks(
    doc: HostDocument, kind: DocumentKind[Any], built: BuiltLines, amounts: LineAmountType, c: Collector
) -> money.DocumentTotals:
    """Xero's totals; a negative total is refused, a host total that differs is reported."""
    totals = money.document_totals(built.results, amounts)
    if totals.total < 0:
        c.problem(
            Problem(
                code=ProblemCode.NEGATIVE_TOTAL,
                message=(
                    f"This {kind.label} would total {totals.total} in Xero, and Xero does not accept a negative "
                    "total. Correct the amounts in the host (use a credit note for a refund), then retry."
                ),
                params={"total": str(totals.total)},
            )
        )
    check = money.check_total(totals.total, doc.total)
    if check is not None and not check.matches:
        c.notice(
            Notice(
                code=NoticeCode.TOTAL_MISMATCH,
                message=(
                    f"The host's total is {check.host_total} but Xero will compute {check.xero_total} "
                    f"(difference {check.difference}). Xero rounds tax on each line; check the tax mapping or "
                    "add a round-off in the host if the totals must match."
                ),
                field="total",
                params={
                    "host_total": str(check.host_total),
                    "xero_total": str(check.xero_total),
                    "difference": str(check.difference),
                },
            )
        )
    return totals
