"""Outgoing Xero payloads: what the export pipeline sends to Xero's Accounting API.

Field names are Xero's wire names (PascalCase), as in ``shared/xero-openapi/xero_accounting.yaml``
(schemas ``Contact``, ``Invoice``, ``LineItem``, ``CreditNote``, ``Allocation``, ``Payment``,
``BankTransaction``), so a payload dumps straight into a request body. Only the fields this service
writes are modelled; ``extra="forbid"`` catches a misspelt field in our own code.

How to send one:

* ``to_wire(payload)`` → a dict without ``None`` values, Decimals kept as ``Decimal`` and dates as
  ``YYYY-MM-DD`` text; ``to_wire_json(payload)`` → the JSON text, with Decimals written as JSON
  numbers (exactly: every value we produce has at most 6 decimal places and fewer than 16
  significant digits, which is checked).
* Collections wrap the element: ``{"Invoices": [..]}``, ``{"Contacts": [..]}``,
  ``{"CreditNotes": [..]}``, ``{"Payments": [..]}``, ``{"BankTransactions": [..]}``;
  allocations are already wrapped (``XeroAllocations``). Wrapping and batching are the client's job.
* A payload never carries the Xero id of the record itself; updates put the id in the URL
  (``POST /Invoices/{InvoiceID}``) and :func:`with_id` adds it to the body where the client wants
  it there. That keeps ``fingerprint`` (domain.mapping) identical for create and update.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class XeroPayload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class LineAmountType(StrEnum):
    """Xero ``LineAmountTypes`` (SPEC schema ``LineAmountTypes``)."""

    EXCLUSIVE = "Exclusive"
    INCLUSIVE = "Inclusive"
    NO_TAX = "NoTax"


class InvoiceType(StrEnum):
    ACCREC = "ACCREC"  # sales invoice
    ACCPAY = "ACCPAY"  # bill


class CreditNoteType(StrEnum):
    ACCRECCREDIT = "ACCRECCREDIT"  # customer credit note (also our write-offs)
    ACCPAYCREDIT = "ACCPAYCREDIT"  # supplier credit = the host's vendor credit ("debit note")


# --- references to other Xero records ---------------------------------------------------------


class ContactRef(XeroPayload):
    """A contact inside a document: the id only (xero-facts §6.5: more fields would update the
    contact). ``Name`` only for bank charges without a host contact (Xero finds or creates it)."""

    ContactID: str | None = None
    Name: str | None = None


class InvoiceRef(XeroPayload):
    InvoiceID: str


class CreditNoteRef(XeroPayload):
    CreditNoteID: str


class AccountRef(XeroPayload):
    """An account by code. F2.2: every account this service uses must have a code."""

    Code: str


# --- contacts ---------------------------------------------------------------------------------


class XeroAddress(XeroPayload):
    AddressType: Literal["POBOX", "STREET"]
    AddressLine1: str | None = None
    AddressLine2: str | None = None
    City: str | None = None
    Region: str | None = None
    PostalCode: str | None = None
    Country: str | None = None
    AttentionTo: str | None = None


class XeroPhone(XeroPayload):
    PhoneType: Literal["DEFAULT", "DDI", "MOBILE", "FAX"]
    PhoneNumber: str


class XeroContactPerson(XeroPayload):
    FirstName: str | None = None
    LastName: str | None = None
    EmailAddress: str | None = None
    IncludeInEmails: bool = False


class XeroContact(XeroPayload):
    Name: str
    ContactNumber: str | None = None
    AccountNumber: str | None = None
    FirstName: str | None = None
    LastName: str | None = None
    EmailAddress: str | None = None
    CompanyNumber: str | None = None
    TaxNumber: str | None = None
    BankAccountDetails: str | None = None
    DefaultCurrency: str | None = None
    Addresses: list[XeroAddress] | None = None
    Phones: list[XeroPhone] | None = None
    ContactPersons: list[XeroContactPerson] | None = None


# --- documents --------------------------------------------------------------------------------


class XeroTracking(XeroPayload):
    """A line's tracking: an option of one of the org's (at most two) tracking categories."""

    Name: str  # the category's name
    Option: str  # the option's name


class XeroLineItem(XeroPayload):
    Description: str
    Quantity: Decimal
    UnitAmount: Decimal
    AccountCode: str
    TaxType: str | None = None  # omitted on NoTax documents
    DiscountRate: Decimal | None = None  # ACCREC invoices only (xero-facts §6.1)
    ItemCode: str | None = None  # F3.10: Xero shows the item on the line
    Tracking: list[XeroTracking] | None = None  # F2.4: tracking category options


class XeroJournalLine(XeroPayload):
    """A manual journal line: debits positive, credits negative (SPEC ``ManualJournalLine``)."""

    Description: str
    LineAmount: Decimal
    AccountCode: str
    TaxType: str | None = None


class XeroManualJournal(XeroPayload):
    """The daily inventory journal (F3.9): ``PUT /ManualJournals``; it must balance."""

    Narration: str
    Date: date
    Status: Literal["POSTED"] = "POSTED"
    LineAmountTypes: LineAmountType = LineAmountType.NO_TAX
    ShowOnCashBasisReports: bool = False
    JournalLines: list[XeroJournalLine]


class XeroInvoice(XeroPayload):
    """An ACCREC invoice or an ACCPAY bill. ``Reference`` exists on ACCREC only."""

    Type: InvoiceType
    Contact: ContactRef
    InvoiceNumber: str
    Reference: str | None = None
    Date: date
    DueDate: date
    Status: Literal["DRAFT", "AUTHORISED"] = "AUTHORISED"
    LineAmountTypes: LineAmountType
    CurrencyCode: str
    CurrencyRate: Decimal | None = None
    Url: str | None = None
    BrandingThemeID: str | None = None
    LineItems: list[XeroLineItem]


class XeroCreditNote(XeroPayload):
    """An ACCRECCREDIT credit note or an ACCPAYCREDIT supplier credit. ``Reference`` exists on
    ACCRECCREDIT only; credit notes take no line discounts (xero-facts §6.3)."""

    Type: CreditNoteType
    Contact: ContactRef
    CreditNoteNumber: str
    Reference: str | None = None
    Date: date
    Status: Literal["DRAFT", "AUTHORISED"] = "AUTHORISED"
    LineAmountTypes: LineAmountType
    CurrencyCode: str
    CurrencyRate: Decimal | None = None
    BrandingThemeID: str | None = None
    LineItems: list[XeroLineItem]


class XeroStatusChange(XeroPayload):
    """Void or delete a document: ``POST /Invoices/{id}`` or ``POST /CreditNotes/{id}``.
    ``Status: DELETED`` is for DRAFT/SUBMITTED documents, ``VOIDED`` for AUTHORISED ones."""

    Status: Literal["VOIDED", "DELETED"]


# --- payments, refunds, allocations -----------------------------------------------------------


class XeroPayment(XeroPayload):
    """A payment of an invoice/bill (``Invoice``) or a cash refund of a credit note
    (``CreditNote``): exactly one of the two (xero-facts §6.2, §6.3). Payments are never edited:
    an update is a delete then a create."""

    Invoice: InvoiceRef | None = None
    CreditNote: CreditNoteRef | None = None
    Account: AccountRef
    Date: date
    Amount: Decimal
    Reference: str | None = None
    CurrencyRate: Decimal | None = None


class XeroPaymentDelete(XeroPayload):
    """``POST /Payments/{PaymentID}``: Xero accepts only the status (xero-facts §6.2)."""

    Status: Literal["DELETED"] = "DELETED"


class XeroAllocation(XeroPayload):
    Invoice: InvoiceRef
    Amount: Decimal
    Date: date


class XeroAllocations(XeroPayload):
    """Body of ``PUT /CreditNotes/{CreditNoteID}/Allocations``."""

    Allocations: list[XeroAllocation] = Field(min_length=1)


# --- bank transactions ------------------------------------------------------------------------


class XeroBankTransaction(XeroPayload):
    """A bank charge: a SPEND transaction on a BANK account (xero-facts §6.4)."""

    Type: Literal["SPEND"] = "SPEND"
    Contact: ContactRef
    BankAccount: AccountRef
    Date: date
    Reference: str | None = None
    LineAmountTypes: LineAmountType
    LineItems: list[XeroLineItem]
    Url: str | None = None


class XeroBankTransactionDelete(XeroPayload):
    """``POST /BankTransactions/{id}`` deleting a SPEND transaction."""

    Status: Literal["DELETED"] = "DELETED"


# --- items (F3.10) ------------------------------------------------------------------------------


class XeroItemDetailsPayload(XeroPayload):
    """``SalesDetails`` / ``PurchaseDetails`` of an item (SPEC ``Purchase``)."""

    UnitPrice: Decimal | None = None
    AccountCode: str | None = None
    COGSAccountCode: str | None = None  # tracked items' purchases side
    TaxType: str | None = None


class XeroItemPayload(XeroPayload):
    """``POST /Items``: Xero creates the item, or updates the one with that ``Code`` (or ItemID)."""

    Code: str
    Name: str
    Description: str | None = None
    PurchaseDescription: str | None = None
    IsSold: bool = True
    IsPurchased: bool = True
    IsTrackedAsInventory: bool | None = None
    InventoryAssetAccountCode: str | None = None
    SalesDetails: XeroItemDetailsPayload | None = None
    PurchaseDetails: XeroItemDetailsPayload | None = None


# --- serialising ------------------------------------------------------------------------------

_ID_FIELDS = {
    "XeroContact": "ContactID",
    "XeroInvoice": "InvoiceID",
    "XeroCreditNote": "CreditNoteID",
    "XeroBankTransaction": "BankTransactionID",
    "XeroItemPayload": "ItemID",
}


def to_wire(payload: XeroPayload) -> dict[str, Any]:
    """The payload as a dict for Xero: ``None`` fields left out, dates as ``YYYY-MM-DD``,
    Decimals kept (see :func:`to_wire_json`)."""
    wire: dict[str, Any] = _clean(payload.model_dump(mode="python", exclude_none=True))
    return wire


def with_id(payload: XeroPayload, xero_id: str) -> dict[str, Any]:
    """The wire dict with the record's own Xero id added (``InvoiceID`` …), for updates."""
    field = _ID_FIELDS.get(type(payload).__name__)
    if field is None:
        raise ValueError(f"{type(payload).__name__} has no id field")
    return {field: xero_id, **to_wire(payload)}


def json_ready(body: Any) -> Any:
    """A wire body (dicts/lists with Decimals) made ready for ``requests``' ``json=``: every
    Decimal becomes the float whose shortest repr is exactly that decimal (or it raises)."""
    return _numbers_as_floats(_clean(body))


def to_wire_json(payload: XeroPayload | dict[str, Any]) -> str:
    """JSON text with every Decimal written as a JSON number."""
    body = to_wire(payload) if isinstance(payload, XeroPayload) else payload
    return json.dumps(_numbers_as_floats(body), separators=(",", ":"), ensure_ascii=False)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def _numbers_as_floats(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _numbers_as_floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers_as_floats(item) for item in value]
    if isinstance(value, Decimal):
        as_float = float(value)
        # json writes floats with their shortest repr; make sure that repr is our decimal.
        if Decimal(repr(as_float)) != value:
            raise ValueError(f"{value} cannot be written exactly as a JSON number")
        return as_float
    return value
