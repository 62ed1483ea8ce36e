"""Payments, refunds, allocations, write-offs and bank charges (F3.2, F3.3).

Payments and refunds — ``Invoice {InvoiceID}`` / ``CreditNote {CreditNoteID}``, ``Account {Code}``
(a BANK account or one with payments enabled), ``Date``, ``Amount``, ``Reference`` with the
reference stamp (natural_keys), ``CurrencyRate`` for foreign documents (the payment's rate, else
the document's). What differs per kind is in :class:`PaymentKind`.

Allocations — ``{"Allocations": [{"Invoice": {"InvoiceID"}, "Amount", "Date"}]}`` for
``PUT /CreditNotes/{CreditNoteID}/Allocations``.

Write-offs — an ACCRECCREDIT credit note for the amount (default: the invoice balance the service
passes in) on the write-off account, for the invoice's contact and currency, numbered
``<invoice number>-WO``, then its allocation to the invoice (:class:`WriteOffPlan`: two steps).

Bank charges — a SPEND bank transaction on the bank account given by ``account_code`` (must be a
BANK account) with one line on the bank charges account (default: the sales adjustments account),
for the host's contact or the settings' ``bank_contact_name`` (Xero's docs require a contact).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from xero_sync.domain import money
from xero_sync.domain.currency import is_foreign, to_xero_currency_rate
from xero_sync.domain.dependencies import ParentLink
from xero_sync.domain.mapping.base import Mapped, MappingContext
from xero_sync.domain.mapping.checks import AccountNeed, AccountUse
from xero_sync.domain.mapping.collector import Collector
from xero_sync.domain.mapping.overrides import apply_overrides
from xero_sync.domain.natural_keys import build_reference, write_off_number
from xero_sync.domain.problems import Problem, ProblemCode
from xero_sync.models.records import (
    BankCharge,
    BillPayment,
    CreditNoteAllocation,
    CreditNoteRefund,
    EntityName,
    InvoicePayment,
    VendorCreditAllocation,
    VendorCreditRefund,
    WriteOff,
)
from xero_sync.models.xero_payloads import (
    AccountRef,
    ContactRef,
    CreditNoteRef,
    CreditNoteType,
    InvoiceRef,
    LineAmountType,
    XeroAllocation,
    XeroAllocations,
    XeroBankTransaction,
    XeroCreditNote,
    XeroLineItem,
    XeroPayment,
)

HostPayment = InvoicePayment | BillPayment | CreditNoteRefund | VendorCreditRefund


class AllocationRequest(BaseModel):
    """``PUT /CreditNotes/{credit_note_xero_id}/Allocations`` with ``body``."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    credit_note_xero_id: str
    body: XeroAllocations


class WriteOffPlan(BaseModel):
    """A write-off in two steps: create ``credit_note`` (``PUT /CreditNotes``), then allocate it
    with ``allocation`` (``PUT /CreditNotes/{new CreditNoteID}/Allocations``, wrapped in
    ``{"Allocations": [...]}``) — Xero cannot create and allocate in one call (xero-facts §6.3)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    credit_note: XeroCreditNote
    allocation: XeroAllocation


# ----------------------------------------------------------------------------------------------
# Payments and refunds
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentKind:
    entity: EntityName
    parent_field: str  # the host field naming the document paid or refunded
    purpose: str  # what messages call it
    against_credit_note: bool  # a refund is a Payment against the credit note (xero-facts §6.3)


INVOICE_PAYMENT = PaymentKind(EntityName.INVOICE_PAYMENT, "invoice_id", "the payment", against_credit_note=False)
BILL_PAYMENT = PaymentKind(EntityName.BILL_PAYMENT, "bill_id", "the bill payment", against_credit_note=False)
CREDIT_NOTE_REFUND = PaymentKind(
    EntityName.CREDIT_NOTE_REFUND, "credit_note_id", "the refund", against_credit_note=True
)
VENDOR_CREDIT_REFUND = PaymentKind(
    EntityName.VENDOR_CREDIT_REFUND, "vendor_credit_id", "the refund", against_credit_note=True
)
PAYMENT_KINDS = {
    kind.entity: kind for kind in (INVOICE_PAYMENT, BILL_PAYMENT, CREDIT_NOTE_REFUND, VENDOR_CREDIT_REFUND)
}


def map_payment(
    kind: PaymentKind, payment: HostPayment, ctx: MappingContext, *, host_id: str, parent: ParentLink
) -> Mapped[XeroPayment]:
    """A payment of ``parent`` (an invoice or bill), or a cash refund of it (a credit note)."""
    c = Collector(ctx)
    use = AccountUse(purpose=kind.purpose, field="account_code", need=AccountNeed.PAYMENTS)
    account = c.account(payment.account_code, use)
    payload = None
    if account is not None and account.Code and not c.problems:
        document = CreditNoteRef(CreditNoteID=parent.xero_id) if kind.against_credit_note else None
        payload = XeroPayment(
            Invoice=None if kind.against_credit_note else InvoiceRef(InvoiceID=parent.xero_id),
            CreditNote=document,
            Account=AccountRef(Code=account.Code),
            Date=payment.date,
            Amount=payment.amount,
            Reference=build_reference(payment.reference, ctx.org_id, kind.entity, host_id),
            CurrencyRate=_payment_rate(parent, getattr(payment, "exchange_rate", None), ctx),
        )
    return c.result(payload)


def _payment_rate(parent: ParentLink, own_rate: Decimal | None, ctx: MappingContext) -> Decimal | None:
    """CurrencyRate only for documents in a foreign currency (xero-facts §6.2): the payment's own
    rate (refunds have none), else the document's; None lets Xero use its daily rate."""
    if not is_foreign(parent.currency, ctx.reference.base_currency):
        return None
    rate = own_rate or parent.exchange_rate
    return to_xero_currency_rate(rate) if rate else None


# ----------------------------------------------------------------------------------------------
# Allocations
# ----------------------------------------------------------------------------------------------


def map_allocation(
    allocation: CreditNoteAllocation | VendorCreditAllocation,
    ctx: MappingContext,
    *,
    credit_note: ParentLink,
    document: ParentLink,
) -> Mapped[AllocationRequest]:
    """A credit note (or vendor credit) allocated to an invoice (or bill)."""
    c = Collector(ctx)
    allocated = XeroAllocation(
        Invoice=InvoiceRef(InvoiceID=document.xero_id), Amount=allocation.amount, Date=allocation.date
    )
    body = XeroAllocations(Allocations=[allocated])
    return c.result(AllocationRequest(credit_note_xero_id=credit_note.xero_id, body=body))


# ----------------------------------------------------------------------------------------------
# Write-offs
# ----------------------------------------------------------------------------------------------


def map_write_off(
    write_off: WriteOff,
    ctx: MappingContext,
    *,
    host_id: str,
    invoice: ParentLink,
    invoice_balance: Decimal | None,
    sequence: int = 1,
) -> Mapped[WriteOffPlan]:
    """Seed 000/001 "Write off an invoice": "A credit note will be created, and the credits will be
    associated with the invoice". The credit note carries no tax (the amount written off is the
    gross balance); reclaiming GST/VAT on bad debts, where allowed, is left to the accountant."""
    if invoice.contact_xero_id is None or invoice.number is None:
        raise ValueError("a write-off needs the invoice's number and ContactID in its link")
    c = Collector(ctx)
    amount = write_off.amount if write_off.amount is not None else invoice_balance
    if amount is None or amount <= 0:
        c.problem(_no_amount(invoice.number, amount))
    account = c.setting_account("write_off_account", fallback="sales_adjustments_account")
    currency = c.currency(invoice.currency, invoice.exchange_rate)
    if c.problems or amount is None or account is None or currency is None:
        return c.result(None)
    description = f"Write-off of invoice {invoice.number}" + (f": {write_off.reason}" if write_off.reason else "")
    credit_note = XeroCreditNote(
        Type=CreditNoteType.ACCRECCREDIT,
        Contact=ContactRef(ContactID=invoice.contact_xero_id),
        CreditNoteNumber=write_off_number(invoice.number, sequence),
        Reference=write_off.reason,
        Date=write_off.date,
        Status="AUTHORISED",
        LineAmountTypes=LineAmountType.NO_TAX,
        CurrencyCode=currency.code,
        CurrencyRate=currency.xero_rate,
        LineItems=[_single_line(description, amount, account.Code)],
    )
    allocation = XeroAllocation(Invoice=InvoiceRef(InvoiceID=invoice.xero_id), Amount=amount, Date=write_off.date)
    return c.result(WriteOffPlan(credit_note=credit_note, allocation=allocation), totals=_untaxed_totals(amount))


def _no_amount(invoice_number: str, amount: Decimal | None) -> Problem:
    said = (
        f"Invoice {invoice_number} has no balance left to write off in Xero"
        if amount is not None
        else f"The write-off of invoice {invoice_number} has no amount and the invoice's balance is not known"
    )
    return Problem(
        code=ProblemCode.WRITE_OFF_AMOUNT_UNKNOWN,
        message=said + ". Send the amount with the write-off, then retry.",
        field="amount",
        params={"invoice": invoice_number},
    )


def _single_line(description: str, amount: Decimal, account_code: str | None) -> XeroLineItem:
    return XeroLineItem(Description=description, Quantity=Decimal(1), UnitAmount=amount, AccountCode=account_code or "")


def _untaxed_totals(amount: Decimal) -> money.DocumentTotals:
    return money.DocumentTotals(sub_total=amount, total_tax=money.ZERO, total=amount)


# ----------------------------------------------------------------------------------------------
# Bank charges
# ----------------------------------------------------------------------------------------------


def map_bank_charge(
    charge: BankCharge, ctx: MappingContext, *, host_id: str, contact_xero_id: str | None
) -> Mapped[XeroBankTransaction]:
    """Seed 001 "Record a bank charge": "A spend bank transaction will be created and associated
    with the specified bank". The expense goes to ``bank_charges_account`` (default: the sales
    adjustments account, which seed 000 names for bank charges)."""
    c = Collector(ctx)
    use = AccountUse(purpose="the bank charge", field="account_code", need=AccountNeed.BANK)
    bank = c.account(charge.account_code, use)
    expense = c.setting_account("bank_charges_account", fallback="sales_adjustments_account")
    if c.problems or bank is None or expense is None:
        return c.result(None)
    contact = (
        ContactRef(ContactID=contact_xero_id) if contact_xero_id else ContactRef(Name=ctx.settings.bank_contact_name)
    )
    payload = XeroBankTransaction(
        Contact=contact,
        BankAccount=AccountRef(Code=bank.Code or ""),
        Date=charge.date,
        Reference=build_reference(charge.reference, ctx.org_id, EntityName.BANK_CHARGE, host_id),
        LineAmountTypes=LineAmountType.NO_TAX,
        LineItems=[_single_line(charge.description or "Bank charge", charge.amount, expense.Code)],
    )
    payload = apply_overrides(payload, charge, EntityName.BANK_CHARGE, ctx.settings, c)
    return c.result(payload, totals=_untaxed_totals(charge.amount))
