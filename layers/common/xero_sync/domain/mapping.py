"""Host record → Xero payload (F3.3, F2.1–F2.4), or the needs-admin problems that stop it.

Every ``map_*`` function is pure: it takes the host record, a :class:`MappingContext` (the org's
settings, tax mappings and Xero reference data) and the Xero ids of the parents already in Xero,
and returns a :class:`Mapped` result::

    result = map_invoice(invoice, ctx, host_id="inv-1042", contact_xero_id="…")
    if result.ok:
        client.put_invoices([to_wire(result.payload)], unitdp=result.unitdp)
    else:
        report(result.problems)          # each with a stable code and an actionable message
    history.note(result.notices)         # e.g. the host's total differs from Xero's

:func:`map_record` dispatches by entity, with the parents' links as :func:`dependencies.resolve`
returns them. :func:`fingerprint` tells whether a new host version changes what Xero holds.

Field mapping, row by row (seed 000 / seed 001 tables, SPEC F3.3):

Contacts — Display Name → ``Name``; First/Last name → ``FirstName``/``LastName``; Email →
``EmailAddress``; Phone (work) → ``Phones[DEFAULT]``; Phone (mobile) → ``Phones[MOBILE]``;
Billing address → ``Addresses[POBOX]`` (Xero's billing/postal address); Shipping address →
``Addresses[STREET]`` (Xero's delivery address); Currency → ``DefaultCurrency``; Contact persons →
``ContactPersons`` ("Additional People", at most 5: the rest are reported); plus
``contact_number`` → ``ContactNumber`` (natural_keys.contact_number) and tax number →
``TaxNumber``. Omitted fields keep their Xero value on update (xero-facts §6.5).

Invoices (ACCREC) and credit notes (ACCRECCREDIT) — Invoice# → ``InvoiceNumber`` /
``CreditNoteNumber``; Date → ``Date``; Due date → ``DueDate`` (the invoice date when absent);
Currency code → ``CurrencyCode``; Exchange rate → ``CurrencyRate`` (converted,
domain.currency); Tax type → ``LineAmountTypes``; per line: item name and description →
``Description``, rate → ``UnitAmount`` (``unitdp=4`` when needed), quantity → ``Quantity``,
discount % → ``DiscountRate`` (ACCREC only), tax → ``TaxType`` via the tax mapping, account →
``AccountCode`` (default: the sales account). Status open → ``AUTHORISED``. Discount, shipping
charges, adjustment and round-off each become a separate line ("the item name along with the
amount") on the account chosen in the settings; discount, adjustment and round-off carry no tax,
shipping carries the tax of ``shipping_tax_id``. ``reference`` → ``Reference``; a link back to the
host → ``Url`` (invoices) when the settings have a URL template.

Bills (ACCPAY) and vendor credits (ACCPAYCREDIT) — Bill# → ``InvoiceNumber`` (which Xero shows as
"Reference"; seed 001) / ``CreditNoteNumber``; the rest as invoices, with the purchases account as
default and the purchase adjustments account for discount and adjustment lines.

Line discounts where Xero has none (ACCPAY, both kinds of credit note — xero-facts §6.1, §6.3):
the discount is folded into the unit price, ``UnitAmount = rate × (100 − discount) / 100`` (to 4
places with ``unitdp=4`` when needed), keeping the quantity. When that cannot reproduce the host's
discounted line amount to the cent, the line goes as quantity 1 at the line amount, and its
description records "quantity × rate less discount %" (reported as a notice).

Payments and refunds — ``Invoice {InvoiceID}`` / ``CreditNote {CreditNoteID}``, ``Account {Code}``
(a BANK account or one with payments enabled), ``Date``, ``Amount``, ``Reference`` with the
reference stamp (natural_keys), ``CurrencyRate`` for foreign documents (the payment's rate, else
the document's). Allocations — ``{"Allocations": [{"Invoice": {"InvoiceID"}, "Amount", "Date"}]}``
for ``PUT /CreditNotes/{CreditNoteID}/Allocations``. Write-offs — an ACCRECCREDIT credit note for
the amount (default: the invoice balance the service passes in) on the write-off account, for the
invoice's contact and currency, numbered ``<invoice number>-WO``, then its allocation to the
invoice (:class:`WriteOffPlan`: two steps). Bank charges — a SPEND bank transaction on the bank
account given by ``account_code`` (must be a BANK account) with one line on the bank charges
account (default: the sales adjustments account), for the host's contact or the settings'
``bank_contact_name`` (Xero's docs require a contact).

Per-org overrides (F2.4, ``OrgSettings.field_mappings``) are applied after the defaults.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict

from xero_sync.domain import money
from xero_sync.domain.currency import (
    DocumentCurrency,
    base_currency_mismatch,
    currency_not_enabled,
    document_currency,
    is_foreign,
    to_xero_currency_rate,
)
from xero_sync.domain.dependencies import ParentLink
from xero_sync.domain.money import UnitAmount
from xero_sync.domain.natural_keys import build_reference, contact_number, write_off_number
from xero_sync.domain.problems import Notice, NoticeCode, Problem, ProblemCode
from xero_sync.domain.tax import ResolvedTax, resolve_line_tax, zero_tax_rate
from xero_sync.models.org_config import (
    OVERRIDE_TARGETS,
    FieldMapping,
    OrgSettings,
    ReferenceData,
    TaxMappings,
    XeroAccount,
    XeroTaxRate,
)
from xero_sync.models.records import (
    AmountsAre,
    BankCharge,
    Bill,
    BillPayment,
    Contact,
    CreditNote,
    CreditNoteAllocation,
    CreditNoteRefund,
    DocumentLine,
    EntityName,
    HostModel,
    Invoice,
    InvoicePayment,
    VendorCredit,
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
    InvoiceType,
    LineAmountType,
    XeroAddress,
    XeroAllocation,
    XeroAllocations,
    XeroBankTransaction,
    XeroContact,
    XeroContactPerson,
    XeroCreditNote,
    XeroInvoice,
    XeroLineItem,
    XeroPayment,
    XeroPhone,
)

P = TypeVar("P")

MAX_CONTACT_PERSONS = 5  # xero-facts §6.5

LINE_AMOUNT_TYPES = {
    AmountsAre.EXCLUSIVE: LineAmountType.EXCLUSIVE,
    AmountsAre.INCLUSIVE: LineAmountType.INCLUSIVE,
    AmountsAre.NO_TAX: LineAmountType.NO_TAX,
}


# ----------------------------------------------------------------------------------------------
# Inputs and results
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingContext:
    """What the mapping knows about the org. ``reference`` must be the latest import (F4.1)."""

    org_id: str
    settings: OrgSettings
    tax_mappings: TaxMappings
    reference: ReferenceData


@dataclass(frozen=True)
class Mapped(Generic[P]):
    """A payload ready for Xero, or the problems that stop it; notices either way.
    ``unitdp`` is the query parameter the request needs (2 = leave it out)."""

    payload: P | None
    problems: tuple[Problem, ...] = ()
    notices: tuple[Notice, ...] = ()
    unitdp: int = 2
    totals: money.DocumentTotals | None = None  # documents: Xero's expected totals

    @property
    def ok(self) -> bool:
        return self.payload is not None and not self.problems


class AllocationRequest(BaseModel):
    """``PUT /CreditNotes/{credit_note_xero_id}/Allocations`` with ``body``."""

    model_config = ConfigDict(frozen=True)

    credit_note_xero_id: str
    body: XeroAllocations


class WriteOffPlan(BaseModel):
    """A write-off in two steps: create ``credit_note`` (``PUT /CreditNotes``), then allocate it
    with ``allocation`` (``PUT /CreditNotes/{new CreditNoteID}/Allocations``, wrapped in
    ``{"Allocations": [...]}``) — Xero cannot create and allocate in one call (xero-facts §6.3)."""

    model_config = ConfigDict(frozen=True)

    credit_note: XeroCreditNote
    allocation: XeroAllocation


# ----------------------------------------------------------------------------------------------
# The collector: accounts, taxes and currencies checked once, problems gathered
# ----------------------------------------------------------------------------------------------


class _Collector:
    def __init__(self, ctx: MappingContext) -> None:
        self.ctx = ctx
        self.problems: list[Problem] = []
        self.notices: list[Notice] = []
        self._zero_rates: dict[bool, XeroTaxRate | None] = {}
        self._seen: set[tuple[str, ...]] = set()
        if ctx.settings.base_currency:
            mismatch = base_currency_mismatch(ctx.settings.base_currency, ctx.reference)
            if mismatch is not None:
                self.problem(mismatch)

    def problem(self, problem: Problem, *, key: tuple[str, ...] | None = None) -> None:
        """Record a problem once: by ``key`` when given (one account used for several purposes is
        one problem), else by code and message."""
        key = key or (problem.code.value, problem.message)
        if key not in self._seen:
            self._seen.add(key)
            self.problems.append(problem)

    def notice(self, notice: Notice) -> None:
        self.notices.append(notice)

    def result(self, payload: P | None, *, unitdp: int = 2, totals: money.DocumentTotals | None = None) -> Mapped[P]:
        return Mapped(
            payload=None if self.problems else payload,
            problems=tuple(self.problems),
            notices=tuple(self.notices),
            unitdp=unitdp,
            totals=totals,
        )

    # --- accounts (F2.1, F2.2) ----------------------------------------------------------------

    def account(
        self,
        ref: str | None,
        *,
        purpose: str,
        field: str | None = None,
        setting: str | None = None,
        payments: bool = False,
        bank: bool = False,
    ) -> XeroAccount | None:
        """Resolve an account used by the integration and check that Xero can take it.
        ``field`` names the host field the reference came from; ``setting`` the settings entry."""
        if ref is None:
            self.problem(
                Problem(
                    code=ProblemCode.ACCOUNT_NOT_CONFIGURED,
                    message=(
                        f"No account is chosen for {purpose}. Choose one in the Xero integration settings "
                        f"({setting}), then retry."
                    ),
                    field=field,
                    params={"purpose": purpose, "setting": setting or ""},
                ),
                key=("setting", setting or purpose),
            )
            return None
        account = self.ctx.reference.resolve_account(ref)
        if account is None:
            where = (
                f"Choose another account for {purpose} in the Xero integration settings ({setting})"
                if setting
                else f"Give the account the code '{ref}' in Xero (Accounting → Chart of accounts), or use "
                "an existing code from Xero's chart of accounts in the host"
            )
            self.problem(
                Problem(
                    code=ProblemCode.UNKNOWN_ACCOUNT,
                    message=f"Account '{ref}' ({purpose}) was not found in Xero's chart of accounts. {where}, then retry.",
                    field=field,
                    params={"account": ref, "purpose": purpose},
                ),
                key=("account", ref),
            )
            return None
        if not account.is_active:
            self.problem(
                Problem(
                    code=ProblemCode.ARCHIVED_ACCOUNT,
                    message=(
                        f"Account '{account.label}' ({purpose}) is {account.Status.lower()} in Xero. Restore it in "
                        "Xero (Accounting → Chart of accounts) or choose another account, then retry."
                    ),
                    field=field,
                    params={"account": account.Name, "purpose": purpose},
                ),
                key=("account", account.AccountID),
            )
            return None
        if not account.Code:
            # F2.2: accounts used by the integration must have a code.
            self.problem(
                Problem(
                    code=ProblemCode.MISSING_ACCOUNT_CODE,
                    message=(
                        f"Account '{account.Name}' ({purpose}) has no code in Xero. Add a code to it in Xero "
                        "(Accounting → Chart of accounts), then retry."
                    ),
                    field=field,
                    params={"account": account.Name, "purpose": purpose},
                ),
                key=("account", account.AccountID),
            )
            return None
        if bank and not account.is_bank:
            self.problem(
                Problem(
                    code=ProblemCode.NOT_A_BANK_ACCOUNT,
                    message=(
                        f"Account '{account.label}' is not a bank account in Xero, but {purpose} must be recorded "
                        "on a bank account. Choose a bank account in the host, then retry."
                    ),
                    field=field,
                    params={"account": account.label, "purpose": purpose},
                )
            )
            return None
        if payments and not account.accepts_payments:
            self.problem(
                Problem(
                    code=ProblemCode.ACCOUNT_NOT_PAYMENT_ENABLED,
                    message=(
                        f"Account '{account.label}' cannot take payments in Xero: it is not a bank account and "
                        "payments are not enabled on it. Turn on 'Enable payments to this account' in Xero "
                        "(Accounting → Chart of accounts → edit the account), or use a bank account, then retry."
                    ),
                    field=field,
                    params={"account": account.label},
                )
            )
            return None
        return account

    # --- taxes (F2.3) -------------------------------------------------------------------------

    def zero_rate(self, *, purchases: bool) -> XeroTaxRate | None:
        if purchases not in self._zero_rates:
            found = zero_tax_rate(
                self.ctx.reference, purchases=purchases, preferred_tax_type=self.ctx.settings.no_tax_type
            )
            if isinstance(found, Problem):
                self.problem(found)
                self._zero_rates[purchases] = None
            else:
                self._zero_rates[purchases] = found
        return self._zero_rates[purchases]

    def line_tax(
        self,
        tax_id: str | None,
        account: XeroAccount | None,
        *,
        amounts: LineAmountType,
        purchases: bool,
        field: str,
    ) -> tuple[str | None, Decimal]:
        """(TaxType to send, rate in percent). NoTax documents send no TaxType at all."""
        if amounts is LineAmountType.NO_TAX:
            return None, Decimal(0)
        if tax_id is None:
            rate = self.zero_rate(purchases=purchases)
            if rate is None:
                return None, Decimal(0)
            resolved = ResolvedTax(tax_type=rate.TaxType, rate_percent=Decimal(0), rate=rate)
        else:
            found = resolve_line_tax(
                tax_id, self.ctx.tax_mappings, self.ctx.reference, purchases=purchases, field=field
            )
            if isinstance(found, Problem):
                self.problem(found)
                return None, Decimal(0)
            resolved = found
        if account is not None and resolved.rate.can_apply_to(account.Class) is False:
            self.problem(
                Problem(
                    code=ProblemCode.TAX_NOT_ALLOWED_FOR_ACCOUNT,
                    message=(
                        f"Xero does not allow the tax rate '{resolved.rate.Name}' ({resolved.tax_type}) on account "
                        f"'{account.label}' (a {(account.Class or '').lower()} account). Change the tax or the "
                        "account in the host, or the tax mapping, then retry."
                    ),
                    field=field,
                    params={"tax_type": resolved.tax_type, "account": account.label},
                )
            )
        return resolved.tax_type, resolved.rate_percent

    # --- currencies ---------------------------------------------------------------------------

    def currency(self, code: str | None, exchange_rate: Decimal | None) -> DocumentCurrency | None:
        fields, problems, notices = document_currency(code, exchange_rate, self.ctx.reference)
        for problem in problems:
            self.problem(problem)
        self.notices.extend(notices)
        return fields


# ----------------------------------------------------------------------------------------------
# Contacts
# ----------------------------------------------------------------------------------------------


def map_contact(contact: Contact, ctx: MappingContext, *, host_id: str) -> Mapped[XeroContact]:
    c = _Collector(ctx)
    if contact.currency and not ctx.reference.currency_enabled(contact.currency):
        c.problem(currency_not_enabled(contact.currency))

    phones = [
        XeroPhone(PhoneType=phone_type, PhoneNumber=number)
        for phone_type, number in (("DEFAULT", contact.phone_work), ("MOBILE", contact.phone_mobile))
        if number
    ]
    addresses = [
        _address(address_type, address)
        for address_type, address in (("POBOX", contact.billing_address), ("STREET", contact.shipping_address))
        if address is not None and any(address.model_dump().values())
    ]
    persons = [
        XeroContactPerson(
            FirstName=person.first_name,
            LastName=person.last_name,
            EmailAddress=person.email,
            IncludeInEmails=person.include_in_emails,
        )
        for person in contact.contact_persons
    ]
    if len(persons) > MAX_CONTACT_PERSONS:
        dropped = contact.contact_persons[MAX_CONTACT_PERSONS:]
        names = ", ".join(_person_name(p) for p in dropped)
        c.notice(
            Notice(
                code=NoticeCode.CONTACT_PERSONS_DROPPED,
                message=(
                    f"Xero keeps at most {MAX_CONTACT_PERSONS} additional people per contact; "
                    f"{len(dropped)} were not sent: {names}."
                ),
                field="contact_persons",
                params={"count": str(len(dropped)), "names": names},
            )
        )
        persons = persons[:MAX_CONTACT_PERSONS]

    payload = XeroContact(
        Name=contact.display_name,
        ContactNumber=contact_number(contact.contact_number, ctx.org_id, host_id),
        FirstName=contact.first_name,
        LastName=contact.last_name,
        EmailAddress=contact.email,
        TaxNumber=contact.tax_number,
        DefaultCurrency=contact.currency,
        Phones=phones or None,
        Addresses=addresses or None,
        ContactPersons=persons or None,
    )
    payload = _apply_overrides(payload, contact, EntityName.CONTACT, ctx.settings, c)
    return c.result(payload)


def _address(address_type: str, address: Any) -> XeroAddress:
    return XeroAddress(
        AddressType=address_type,
        AddressLine1=address.line1,
        AddressLine2=address.line2,
        City=address.city,
        Region=address.region,
        PostalCode=address.postal_code,
        Country=address.country,
        AttentionTo=address.attention,
    )


def _person_name(person: Any) -> str:
    name = " ".join(part for part in (person.first_name, person.last_name) if part)
    return name or person.email or "(no name)"


# ----------------------------------------------------------------------------------------------
# Documents: invoices, credit notes, bills, vendor credits
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DocumentKind:
    entity: EntityName
    label: str  # "invoice", used in messages
    purchases: bool
    line_discounts: bool  # Xero DiscountRate allowed (ACCREC invoices only)
    default_account_setting: str  # settings field for lines without account_code
    default_account_purpose: str
    adjustments_setting: str
    adjustments_purpose: str


_SALES = dict(
    purchases=False,
    default_account_setting="sales_account",
    default_account_purpose="sales lines without an account",
    adjustments_setting="sales_adjustments_account",
    adjustments_purpose="discounts, shipping and adjustments on sales",
)
_PURCHASES = dict(
    purchases=True,
    default_account_setting="purchases_account",
    default_account_purpose="purchase lines without an account",
    adjustments_setting="purchase_adjustments_account",
    adjustments_purpose="discounts and adjustments on purchases",
)
# Only ACCREC invoices take DiscountRate (xero-facts §6.1, §6.3).
_INVOICE = _DocumentKind(entity=EntityName.INVOICE, label="invoice", line_discounts=True, **_SALES)
_CREDIT_NOTE = _DocumentKind(entity=EntityName.CREDIT_NOTE, label="credit note", line_discounts=False, **_SALES)
_BILL = _DocumentKind(entity=EntityName.BILL, label="bill", line_discounts=False, **_PURCHASES)
_VENDOR_CREDIT = _DocumentKind(
    entity=EntityName.VENDOR_CREDIT, label="vendor credit", line_discounts=False, **_PURCHASES
)


@dataclass
class _BuiltLines:
    items: list[XeroLineItem] = field(default_factory=list)
    results: list[money.LineResult] = field(default_factory=list)
    units: list[UnitAmount] = field(default_factory=list)


def _describe(item_name: str | None, description: str | None) -> str | None:
    """Seed 001: "The item name and description will be recorded in the description field"."""
    parts = [part for part in (item_name, description) if part]
    return "\n".join(parts) if parts else None


def _build_lines(doc: Any, kind: _DocumentKind, amounts: LineAmountType, c: _Collector) -> _BuiltLines:
    settings = c.ctx.settings
    built = _BuiltLines()

    def add(
        description: str,
        quantity: Decimal,
        unit: UnitAmount,
        discount: Decimal | None,
        account: XeroAccount | None,
        tax_id: str | None,
        tax_field: str,
    ) -> None:
        tax_type, rate = c.line_tax(tax_id, account, amounts=amounts, purchases=kind.purchases, field=tax_field)
        built.items.append(
            XeroLineItem(
                Description=description,
                Quantity=quantity,
                UnitAmount=unit.value,
                AccountCode=account.Code if account and account.Code else "",
                TaxType=tax_type,
                DiscountRate=discount,
            )
        )
        built.units.append(unit)
        built.results.append(money.compute_line(quantity, unit.value, discount, rate, amounts))

    # --- the host's lines ---
    for index, line in enumerate(doc.lines):
        where = f"lines[{index}]"
        if line.account_code:
            account = c.account(line.account_code, purpose=f"line {index + 1}", field=f"{where}.account_code")
        else:
            account = c.account(
                getattr(settings, kind.default_account_setting),
                purpose=kind.default_account_purpose,
                field=f"{where}.account_code",
                setting=kind.default_account_setting,
            )
        description = _describe(line.item_name, line.description) or f"Line {index + 1}"
        quantity, unit, discount, description = _line_price(line, kind, description, index, c)
        add(description, quantity, unit, discount, account, line.tax_id, f"{where}.tax_id")

    # --- document-level amounts, each a separate line (seeds' field tables) ---
    def adjustments_account(specific_setting: str | None, purpose: str, host_field: str) -> XeroAccount | None:
        ref = getattr(settings, specific_setting) if specific_setting else None
        setting = specific_setting if ref else kind.adjustments_setting
        return c.account(
            ref or getattr(settings, kind.adjustments_setting), purpose=purpose, field=host_field, setting=setting
        )

    def fixed(amount: Decimal) -> UnitAmount:
        return UnitAmount(value=amount, places=2, original=amount)

    one = Decimal(1)
    if doc.discount:
        account = adjustments_account(None, kind.adjustments_purpose, "discount")
        add("Discount", one, fixed(-doc.discount), None, account, None, "discount")
    shipping = getattr(doc, "shipping_charge", None)
    if shipping:
        account = adjustments_account("shipping_account", "shipping charges", "shipping_charge")
        add("Shipping charges", one, fixed(shipping), None, account, doc.shipping_tax_id, "shipping_tax_id")
    if doc.adjustment:
        account = adjustments_account(None, kind.adjustments_purpose, "adjustment")
        add(doc.adjustment_description or "Adjustment", one, fixed(doc.adjustment), None, account, None, "adjustment")
    round_off = getattr(doc, "round_off", None)
    if round_off:
        account = adjustments_account("rounding_account", "round-off", "round_off")
        add("Round off", one, fixed(round_off), None, account, None, "round_off")
    return built


def _line_price(
    line: DocumentLine, kind: _DocumentKind, description: str, index: int, c: _Collector
) -> tuple[Decimal, UnitAmount, Decimal | None, str]:
    """Quantity, unit amount, discount rate and description for one host line."""
    unit = money.unit_amount(line.rate)
    if unit.rounded:
        kept = money.HUNDRED - (line.discount_percent or 0)
        exact = money.round_money(line.quantity * line.rate * kept / money.HUNDRED)
        sent = money.line_amount(line.quantity, unit.value, line.discount_percent)
        c.notice(
            Notice(
                code=NoticeCode.UNIT_PRICE_ROUNDED,
                message=(
                    f"Line {index + 1}: Xero keeps unit prices to 4 decimal places, so {_plain(line.rate)} was sent "
                    f"as {unit.value}; the line amount is {sent} in Xero instead of {exact} "
                    f"(difference {sent - exact})."
                ),
                field=f"lines[{index}].rate",
                params={
                    "line": str(index + 1),
                    "rate": _plain(line.rate),
                    "sent": str(unit.value),
                    "xero_line_amount": str(sent),
                    "host_line_amount": str(exact),
                },
            )
        )
    discount = line.discount_percent or None
    if discount is None or kind.line_discounts:
        return line.quantity, unit, discount, description

    # No DiscountRate on this kind of document: fold the discount into the unit price.
    expected = money.round_money(line.quantity * line.rate * (money.HUNDRED - discount) / money.HUNDRED)
    net_unit = money.unit_amount(line.rate * (money.HUNDRED - discount) / money.HUNDRED)
    if money.line_amount(line.quantity, net_unit.value) == expected:
        return line.quantity, net_unit, None, description
    detail = f"{_plain(line.quantity)} × {_plain(line.rate)} less {_plain(discount)} %"
    c.notice(
        Notice(
            code=NoticeCode.LINE_DISCOUNT_FOLDED,
            message=(
                f"Line {index + 1}: Xero takes no line discounts on a {kind.label}, so the line was sent as "
                f"1 × {expected} ({detail})."
            ),
            field=f"lines[{index}].discount_percent",
            params={"line": str(index + 1), "amount": str(expected), "detail": detail},
        )
    )
    return Decimal(1), UnitAmount(value=expected, places=2, original=expected), None, f"{description} ({detail})"


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _totals_checks(
    doc: Any, kind: _DocumentKind, built: _BuiltLines, amounts: LineAmountType, c: _Collector
) -> money.DocumentTotals:
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


def _document_url(settings: OrgSettings, entity: EntityName, host_id: str, number: str) -> str | None:
    template = settings.document_url_template
    if template is None:
        return None
    return template.format(entity=entity.value, id=quote(host_id, safe=""), number=quote(number, safe=""))


def _map_document(
    doc: Any, kind: _DocumentKind, ctx: MappingContext, *, host_id: str, contact_xero_id: str
) -> tuple[_Collector, dict[str, Any] | None, _BuiltLines, money.DocumentTotals | None]:
    """The fields every document shares, or None when the currency is unusable."""
    c = _Collector(ctx)
    currency = c.currency(doc.currency, doc.exchange_rate)
    amounts = LINE_AMOUNT_TYPES[doc.amounts_are]
    built = _build_lines(doc, kind, amounts, c)
    totals = _totals_checks(doc, kind, built, amounts, c)
    if currency is None:
        return c, None, built, totals
    fields = {
        "Contact": ContactRef(ContactID=contact_xero_id),
        "Date": doc.date,
        "Status": "AUTHORISED",
        "LineAmountTypes": amounts,
        "CurrencyCode": currency.code,
        "CurrencyRate": currency.xero_rate,
        "LineItems": built.items,
    }
    return c, fields, built, totals


def map_invoice(invoice: Invoice, ctx: MappingContext, *, host_id: str, contact_xero_id: str) -> Mapped[XeroInvoice]:
    c, fields, built, totals = _map_document(invoice, _INVOICE, ctx, host_id=host_id, contact_xero_id=contact_xero_id)
    payload = None
    if fields is not None and not c.problems:
        payload = XeroInvoice(
            Type=InvoiceType.ACCREC,
            InvoiceNumber=invoice.number,
            Reference=invoice.reference,
            DueDate=invoice.due_date or invoice.date,
            Url=_document_url(ctx.settings, EntityName.INVOICE, host_id, invoice.number),
            **fields,
        )
        payload = _apply_overrides(payload, invoice, EntityName.INVOICE, ctx.settings, c)
    return c.result(payload, unitdp=money.unitdp(built.units), totals=totals)


def map_credit_note(
    credit_note: CreditNote, ctx: MappingContext, *, host_id: str, contact_xero_id: str
) -> Mapped[XeroCreditNote]:
    c, fields, built, totals = _map_document(
        credit_note, _CREDIT_NOTE, ctx, host_id=host_id, contact_xero_id=contact_xero_id
    )
    payload = None
    if fields is not None and not c.problems:
        payload = XeroCreditNote(
            Type=CreditNoteType.ACCRECCREDIT,
            CreditNoteNumber=credit_note.number,
            Reference=credit_note.reference,
            **fields,
        )
        payload = _apply_overrides(payload, credit_note, EntityName.CREDIT_NOTE, ctx.settings, c)
    return c.result(payload, unitdp=money.unitdp(built.units), totals=totals)


def map_bill(bill: Bill, ctx: MappingContext, *, host_id: str, vendor_xero_id: str) -> Mapped[XeroInvoice]:
    c, fields, built, totals = _map_document(bill, _BILL, ctx, host_id=host_id, contact_xero_id=vendor_xero_id)
    payload = None
    if fields is not None and not c.problems:
        payload = XeroInvoice(
            Type=InvoiceType.ACCPAY,
            InvoiceNumber=bill.number,  # seed 001: "Bill# → Reference" (Xero's UI name for it)
            DueDate=bill.due_date or bill.date,
            Url=_document_url(ctx.settings, EntityName.BILL, host_id, bill.number),
            **fields,
        )
        payload = _apply_overrides(payload, bill, EntityName.BILL, ctx.settings, c)
    return c.result(payload, unitdp=money.unitdp(built.units), totals=totals)


def map_vendor_credit(
    vendor_credit: VendorCredit, ctx: MappingContext, *, host_id: str, vendor_xero_id: str
) -> Mapped[XeroCreditNote]:
    c, fields, built, totals = _map_document(
        vendor_credit, _VENDOR_CREDIT, ctx, host_id=host_id, contact_xero_id=vendor_xero_id
    )
    payload = None
    if fields is not None and not c.problems:
        payload = XeroCreditNote(Type=CreditNoteType.ACCPAYCREDIT, CreditNoteNumber=vendor_credit.number, **fields)
        payload = _apply_overrides(payload, vendor_credit, EntityName.VENDOR_CREDIT, ctx.settings, c)
    return c.result(payload, unitdp=money.unitdp(built.units), totals=totals)


# ----------------------------------------------------------------------------------------------
# Payments, refunds, allocations, write-offs, bank charges
# ----------------------------------------------------------------------------------------------


def _payment_rate(parent: ParentLink, own_rate: Decimal | None, ctx: MappingContext) -> Decimal | None:
    """CurrencyRate only for documents in a foreign currency (xero-facts §6.2): the payment's own
    rate, else the document's; None lets Xero use its daily rate."""
    if not is_foreign(parent.currency, ctx.reference.base_currency):
        return None
    rate = own_rate or parent.exchange_rate
    return to_xero_currency_rate(rate) if rate else None


def _payment(
    *,
    entity: EntityName,
    host_id: str,
    parent: ParentLink,
    account_code: str,
    amount: Decimal,
    day: date,
    reference: str | None,
    own_rate: Decimal | None,
    purpose: str,
    ctx: MappingContext,
    against_credit_note: bool,
) -> Mapped[XeroPayment]:
    c = _Collector(ctx)
    account = c.account(account_code, purpose=purpose, field="account_code", payments=True)
    payload = None
    if account is not None and account.Code and not c.problems:
        payload = XeroPayment(
            Invoice=None if against_credit_note else InvoiceRef(InvoiceID=parent.xero_id),
            CreditNote=CreditNoteRef(CreditNoteID=parent.xero_id) if against_credit_note else None,
            Account=AccountRef(Code=account.Code),
            Date=day,
            Amount=amount,
            Reference=build_reference(reference, ctx.org_id, entity, host_id),
            CurrencyRate=_payment_rate(parent, own_rate, ctx),
        )
    return c.result(payload)


def map_invoice_payment(
    payment: InvoicePayment, ctx: MappingContext, *, host_id: str, invoice: ParentLink
) -> Mapped[XeroPayment]:
    return _payment(
        entity=EntityName.INVOICE_PAYMENT, host_id=host_id, parent=invoice, account_code=payment.account_code,
        amount=payment.amount, day=payment.date, reference=payment.reference, own_rate=payment.exchange_rate,
        purpose="the payment", ctx=ctx, against_credit_note=False,
    )


def map_bill_payment(
    payment: BillPayment, ctx: MappingContext, *, host_id: str, bill: ParentLink
) -> Mapped[XeroPayment]:
    return _payment(
        entity=EntityName.BILL_PAYMENT, host_id=host_id, parent=bill, account_code=payment.account_code,
        amount=payment.amount, day=payment.date, reference=payment.reference, own_rate=payment.exchange_rate,
        purpose="the bill payment", ctx=ctx, against_credit_note=False,
    )


def map_credit_note_refund(
    refund: CreditNoteRefund, ctx: MappingContext, *, host_id: str, credit_note: ParentLink
) -> Mapped[XeroPayment]:
    """A cash refund of a credit note is a Payment against the credit note (xero-facts §6.3)."""
    return _payment(
        entity=EntityName.CREDIT_NOTE_REFUND, host_id=host_id, parent=credit_note, account_code=refund.account_code,
        amount=refund.amount, day=refund.date, reference=refund.reference, own_rate=None,
        purpose="the refund", ctx=ctx, against_credit_note=True,
    )


def map_vendor_credit_refund(
    refund: VendorCreditRefund, ctx: MappingContext, *, host_id: str, vendor_credit: ParentLink
) -> Mapped[XeroPayment]:
    return _payment(
        entity=EntityName.VENDOR_CREDIT_REFUND, host_id=host_id, parent=vendor_credit,
        account_code=refund.account_code, amount=refund.amount, day=refund.date, reference=refund.reference,
        own_rate=None, purpose="the refund", ctx=ctx, against_credit_note=True,
    )


def map_credit_note_allocation(
    allocation: CreditNoteAllocation, ctx: MappingContext, *, credit_note: ParentLink, invoice: ParentLink
) -> Mapped[AllocationRequest]:
    return _allocation(allocation.amount, allocation.date, ctx, credit_note=credit_note, document=invoice)


def map_vendor_credit_allocation(
    allocation: VendorCreditAllocation, ctx: MappingContext, *, vendor_credit: ParentLink, bill: ParentLink
) -> Mapped[AllocationRequest]:
    return _allocation(allocation.amount, allocation.date, ctx, credit_note=vendor_credit, document=bill)


def _allocation(
    amount: Decimal, day: date, ctx: MappingContext, *, credit_note: ParentLink, document: ParentLink
) -> Mapped[AllocationRequest]:
    c = _Collector(ctx)
    body = XeroAllocations(
        Allocations=[XeroAllocation(Invoice=InvoiceRef(InvoiceID=document.xero_id), Amount=amount, Date=day)]
    )
    return c.result(AllocationRequest(credit_note_xero_id=credit_note.xero_id, body=body))


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
    c = _Collector(ctx)
    amount = write_off.amount if write_off.amount is not None else invoice_balance
    if amount is None or amount <= 0:
        c.problem(
            Problem(
                code=ProblemCode.WRITE_OFF_AMOUNT_UNKNOWN,
                message=(
                    f"Invoice {invoice.number} has no balance left to write off in Xero"
                    if amount is not None
                    else f"The write-off of invoice {invoice.number} has no amount and the invoice's balance is not known"
                )
                + ". Send the amount with the write-off, then retry.",
                field="amount",
                params={"invoice": invoice.number},
            )
        )
    account_ref = ctx.settings.write_off_account or ctx.settings.sales_adjustments_account
    setting = "write_off_account" if ctx.settings.write_off_account else "sales_adjustments_account"
    account = c.account(account_ref, purpose="write-offs", setting=setting)
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
        LineItems=[
            XeroLineItem(
                Description=description, Quantity=Decimal(1), UnitAmount=amount, AccountCode=account.Code or ""
            )
        ],
    )
    allocation = XeroAllocation(Invoice=InvoiceRef(InvoiceID=invoice.xero_id), Amount=amount, Date=write_off.date)
    totals = money.DocumentTotals(sub_total=amount, total_tax=money.ZERO, total=amount)
    return c.result(WriteOffPlan(credit_note=credit_note, allocation=allocation), totals=totals)


def map_bank_charge(
    charge: BankCharge, ctx: MappingContext, *, host_id: str, contact_xero_id: str | None
) -> Mapped[XeroBankTransaction]:
    """Seed 001 "Record a bank charge": "A spend bank transaction will be created and associated
    with the specified bank". The expense goes to ``bank_charges_account`` (default: the sales
    adjustments account, which seed 000 names for bank charges)."""
    c = _Collector(ctx)
    bank = c.account(charge.account_code, purpose="the bank charge", field="account_code", bank=True)
    line_ref = ctx.settings.bank_charges_account or ctx.settings.sales_adjustments_account
    setting = "bank_charges_account" if ctx.settings.bank_charges_account else "sales_adjustments_account"
    expense = c.account(line_ref, purpose="bank charges", setting=setting)
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
        LineItems=[
            XeroLineItem(
                Description=charge.description or "Bank charge",
                Quantity=Decimal(1),
                UnitAmount=charge.amount,
                AccountCode=expense.Code or "",
            )
        ],
    )
    totals = money.DocumentTotals(sub_total=charge.amount, total_tax=money.ZERO, total=charge.amount)
    return c.result(payload, totals=totals)


# ----------------------------------------------------------------------------------------------
# Dispatch by entity
# ----------------------------------------------------------------------------------------------


def map_record(
    entity: EntityName | str,
    host_id: str,
    data: Any,
    ctx: MappingContext,
    links: Mapping[str, ParentLink],
    *,
    invoice_balance: Decimal | None = None,
    write_off_sequence: int = 1,
) -> Mapped[Any]:
    """Map any record, given the links :func:`dependencies.resolve` returned (by field name)."""
    entity = EntityName(entity)

    def link(field_name: str) -> ParentLink:
        if field_name not in links:
            raise ValueError(f"{entity.value} needs the Xero link of its {field_name}")
        return links[field_name]

    match entity:
        case EntityName.CONTACT:
            return map_contact(data, ctx, host_id=host_id)
        case EntityName.INVOICE:
            return map_invoice(data, ctx, host_id=host_id, contact_xero_id=link("contact_id").xero_id)
        case EntityName.CREDIT_NOTE:
            return map_credit_note(data, ctx, host_id=host_id, contact_xero_id=link("contact_id").xero_id)
        case EntityName.BILL:
            return map_bill(data, ctx, host_id=host_id, vendor_xero_id=link("vendor_id").xero_id)
        case EntityName.VENDOR_CREDIT:
            return map_vendor_credit(data, ctx, host_id=host_id, vendor_xero_id=link("vendor_id").xero_id)
        case EntityName.INVOICE_PAYMENT:
            return map_invoice_payment(data, ctx, host_id=host_id, invoice=link("invoice_id"))
        case EntityName.BILL_PAYMENT:
            return map_bill_payment(data, ctx, host_id=host_id, bill=link("bill_id"))
        case EntityName.CREDIT_NOTE_REFUND:
            return map_credit_note_refund(data, ctx, host_id=host_id, credit_note=link("credit_note_id"))
        case EntityName.VENDOR_CREDIT_REFUND:
            return map_vendor_credit_refund(data, ctx, host_id=host_id, vendor_credit=link("vendor_credit_id"))
        case EntityName.CREDIT_NOTE_ALLOCATION:
            return map_credit_note_allocation(
                data, ctx, credit_note=link("credit_note_id"), invoice=link("invoice_id")
            )
        case EntityName.VENDOR_CREDIT_ALLOCATION:
            return map_vendor_credit_allocation(
                data, ctx, vendor_credit=link("vendor_credit_id"), bill=link("bill_id")
            )
        case EntityName.WRITE_OFF:
            return map_write_off(
                data,
                ctx,
                host_id=host_id,
                invoice=link("invoice_id"),
                invoice_balance=invoice_balance,
                sequence=write_off_sequence,
            )
        case EntityName.BANK_CHARGE:
            contact = links.get("contact_id")
            return map_bank_charge(data, ctx, host_id=host_id, contact_xero_id=contact.xero_id if contact else None)
    raise ValueError(f"no mapping for {entity}")  # pragma: no cover


# ----------------------------------------------------------------------------------------------
# Per-org field mapping overrides (F2.4)
# ----------------------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def _source_value(record: HostModel, source: str) -> Any:
    if source.startswith("custom_fields."):
        return getattr(record, "custom_fields", {}).get(source.removeprefix("custom_fields."))
    return getattr(record, source, None)


def _as_text(value: Any) -> str | None:
    """A host value as Xero text; None for "nothing"; raises TypeError for objects and lists."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        text = str(value).strip()
        return text or None
    raise TypeError(type(value).__name__)


def apply_field_mappings(
    payload: M, record: HostModel, entity: EntityName, overrides: list[FieldMapping]
) -> tuple[M, list[Problem]]:
    """Fill the overridden Xero fields of ``payload`` from ``record`` (F2.4). Returns the new
    payload and the problems of values that cannot go into their Xero field."""
    problems: list[Problem] = []
    updates: dict[str, Any] = {}
    targets = OVERRIDE_TARGETS.get(entity, {})
    for mapping in overrides:
        target = targets.get(mapping.xero_field)
        if target is None or mapping.xero_field not in type(payload).model_fields:
            continue
        raw = _source_value(record, mapping.source) if mapping.source else None
        try:
            value = _as_text(raw)
        except TypeError:
            problems.append(
                Problem(
                    code=ProblemCode.INVALID_VALUE,
                    message=(
                        f"The field mapping fills Xero's {mapping.xero_field} from {mapping.source}, which holds "
                        "a list or an object. Map it from a plain text field instead (field mapping settings)."
                    ),
                    field=mapping.source,
                    params={"xero_field": mapping.xero_field, "source": mapping.source or ""},
                )
            )
            continue
        if value is None and target.required:
            problems.append(
                Problem(
                    code=ProblemCode.REQUIRED_VALUE_MISSING,
                    message=(
                        f"Xero's {mapping.xero_field} is filled from {mapping.source} (field mapping settings), "
                        "which is empty on this record. Fill it in the host or change the mapping, then retry."
                    ),
                    field=mapping.source,
                    params={"xero_field": mapping.xero_field, "source": mapping.source or ""},
                )
            )
            continue
        if value is not None and len(value) > target.max_length:
            problems.append(
                Problem(
                    code=ProblemCode.VALUE_TOO_LONG,
                    message=(
                        f"{mapping.source} has {len(value)} characters but Xero's {mapping.xero_field} takes at most "
                        f"{target.max_length}. Shorten it in the host or change the field mapping, then retry."
                    ),
                    field=mapping.source,
                    params={"xero_field": mapping.xero_field, "max_length": str(target.max_length)},
                )
            )
            continue
        if value is not None and target.pattern and not re.fullmatch(target.pattern, value):
            problems.append(
                Problem(
                    code=ProblemCode.INVALID_VALUE,
                    message=(
                        f"{mapping.source} ({value!r}) is not a valid value for Xero's {mapping.xero_field}. "
                        "Correct it in the host or change the field mapping, then retry."
                    ),
                    field=mapping.source,
                    params={"xero_field": mapping.xero_field, "value": value},
                )
            )
            continue
        updates[mapping.xero_field] = value
    if updates:
        payload = type(payload).model_validate({**payload.model_dump(), **updates})
    return payload, problems


def _apply_overrides(payload: M, record: HostModel, entity: EntityName, settings: OrgSettings, c: _Collector) -> M:
    overrides = settings.overrides_for(entity)
    if not overrides:
        return payload
    payload, problems = apply_field_mappings(payload, record, entity, overrides)
    for problem in problems:
        c.problem(problem)
    return payload


# ----------------------------------------------------------------------------------------------
# Fingerprint
# ----------------------------------------------------------------------------------------------


def fingerprint(payload: BaseModel) -> str:
    """A stable SHA-256 of what a payload asks Xero to hold. Equal fingerprints mean a new host
    version changes nothing in Xero (the update can be skipped). Decimals are compared by value
    (12 = 12.00), ``None`` fields are ignored, dict keys are sorted."""
    canonical = json.dumps(
        _canonical(payload.model_dump(mode="python", exclude_none=True)),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, Decimal):
        return _plain(value) if value != 0 else "0"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value
