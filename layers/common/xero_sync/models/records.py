"""Host record schemas v1 (SPEC §7): what the host sends in ``POST /v1/orgs/{org_id}/records``.

Field names are the host's (snake_case), exactly as SPEC §7 lists them; the domain maps them to
Xero (``xero_sync.domain.mapping``). Required fields are the ones SPEC §7 prints in bold.

Rules every model here follows:

* Unknown fields are rejected (``extra="forbid"``) so that a typo is an error, not silently lost —
  except inside ``custom_fields``, which is a free JSON object.
* Amounts, quantities and rates are ``Decimal``: JSON numbers, or strings of ASCII digits with no
  blanks (``"１２３"`` and ``" 5 "`` are refused); a float that slips through (``json.loads``
  without ``parse_float=Decimal``) goes through its shortest ``repr``. NaN, infinities, exponents
  and booleans are refused.
* Money amounts (discount, payment amount …) have at most 2 decimal places: Xero keeps every total
  to the cent (xero-facts §6.1), so a third decimal would be silently rounded — we refuse instead.
  Unit prices (``rate``) may carry more decimals: the money module decides between 2 and 4 decimal
  places (``unitdp=4``) and reports any rounding. Quantities have at most 4 decimal places (Xero).
* Dates are ``YYYY-MM-DD`` strings (``datetime.date``); nothing else is accepted.
* Texts are stripped; an empty optional text counts as absent. Maximum lengths are Xero's, so a
  record that could never fit in Xero is refused at the door (N3) instead of failing later.

Validation errors carry the field's location (pydantic ``loc``, e.g. ``("invoice", "data",
"lines", 0, "quantity")``) and a message naming the rule.

The envelope (``RecordEnvelope``) is a union discriminated by ``entity``: one envelope class per
entity, each with a typed ``data``. Parse one with :func:`parse_envelope`, or use
``RecordEnvelope`` as a field type (``list[RecordEnvelope]``) in an API body model.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import ConfigDict, Field, TypeAdapter, model_validator

from xero_sync.models.fields import (  # HostModel and CustomFields are imported from here too
    AccountCode,
    CurrencyCode,
    CustomFields,
    DiscountPercent,
    ExchangeRate,
    HostId,
    IsoDate,
    ItemCode,
    Money,
    NonNegativeMoney,
    OptionalAccountCode,
    OptionalEmail,
    OptionalHostId,
    OptionalTaxId,
    PositiveMoney,
    Quantity,
    RequiredText,
    Text50,
    Text200,
    Text255,
    Text500,
    Text3700,
    UnitCost,
    UnitRate,
    json_int,
)
from xero_sync.models.fields import HostModel as HostModel  # re-exported: every record model's base
from xero_sync.models.host_items import Item  # the items module's record (F3.10)

# ----------------------------------------------------------------------------------------------
# Enumerations
# ----------------------------------------------------------------------------------------------


class EntityName(StrEnum):
    """The record kinds of SPEC §7."""

    CONTACT = "contact"
    INVOICE = "invoice"
    INVOICE_PAYMENT = "invoice_payment"
    BANK_CHARGE = "bank_charge"
    WRITE_OFF = "write_off"
    CREDIT_NOTE = "credit_note"
    CREDIT_NOTE_ALLOCATION = "credit_note_allocation"
    CREDIT_NOTE_REFUND = "credit_note_refund"
    BILL = "bill"
    BILL_PAYMENT = "bill_payment"
    VENDOR_CREDIT = "vendor_credit"
    VENDOR_CREDIT_ALLOCATION = "vendor_credit_allocation"
    VENDOR_CREDIT_REFUND = "vendor_credit_refund"
    ITEM = "item"


class RecordAction(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class DocumentStatus(StrEnum):
    """Status of an invoice, bill, credit note or vendor credit in the host."""

    DRAFT = "draft"  # not exported (sync tables: "… in the draft status won't be exported")
    OPEN = "open"  # issued: exported as AUTHORISED
    VOID = "void"  # voided in the host: voided in Xero, like a delete


class AmountsAre(StrEnum):
    """Whether line rates include tax; becomes Xero's ``LineAmountTypes`` (seed "Tax type →
    Amounts are")."""

    EXCLUSIVE = "exclusive"
    INCLUSIVE = "inclusive"
    NO_TAX = "no_tax"


class ContactKind(StrEnum):
    CUSTOMER = "customer"
    VENDOR = "vendor"
    BOTH = "both"


# ----------------------------------------------------------------------------------------------
# Record models
# ----------------------------------------------------------------------------------------------


class Address(HostModel):
    line1: Text500 = None
    line2: Text500 = None
    city: Text255 = None
    region: Text255 = None
    postal_code: Text50 = None
    country: Text50 = None
    attention: Text255 = None


class ContactPerson(HostModel):
    first_name: Text255 = None
    last_name: Text255 = None
    email: OptionalEmail = None
    phone: Text50 = Field(default=None, description="Kept for the host; Xero's contact persons have no phone.")
    include_in_emails: bool = False


class Contact(HostModel):
    display_name: RequiredText
    kind: ContactKind = ContactKind.CUSTOMER
    contact_number: Text50 = Field(
        default=None,
        description="Becomes Xero's ContactNumber, the key that finds the contact again; "
        "when absent the service derives one from the host id.",
    )
    first_name: Text255 = None
    last_name: Text255 = None
    email: OptionalEmail = None
    phone_work: Text50 = None
    phone_mobile: Text50 = None
    billing_address: Address | None = None
    shipping_address: Address | None = None
    currency: CurrencyCode | None = None
    tax_number: Text50 = None
    contact_persons: list[ContactPerson] = Field(
        default_factory=list, max_length=50, description="Xero keeps at most 5; the rest are reported."
    )
    custom_fields: CustomFields = Field(default_factory=dict)


class DocumentLine(HostModel):
    item_name: Text255 = None
    description: Text3700 = None
    quantity: Quantity
    rate: UnitRate
    discount_percent: DiscountPercent | None = None
    tax_id: OptionalTaxId = None
    account_code: OptionalAccountCode = Field(
        default=None, description="Defaults to the org's sales (or purchases) account."
    )
    item_code: ItemCode | None = Field(
        default=None,
        description="The item's code (part number): Xero shows the line with that item (F3.10). The item must "
        "be in Xero: exported by the items module, or created there.",
    )
    unit_cost: UnitCost | None = Field(
        default=None,
        description="What one unit of the item cost the org (its inventory value): the daily inventory journal "
        "moves quantity × unit cost between the inventory asset account and cost of goods sold or purchases "
        "(F3.9). Not sent to Xero on the line.",
    )
    custom_fields: CustomFields = Field(default_factory=dict)


Lines = Annotated[
    list[DocumentLine],
    Field(min_length=1, max_length=1000, description="At least one line."),
]


class _SalesDocument(HostModel):
    number: RequiredText
    contact_id: HostId
    date: IsoDate
    due_date: IsoDate | None = None
    status: DocumentStatus = DocumentStatus.OPEN
    currency: CurrencyCode | None = None
    exchange_rate: ExchangeRate | None = None
    reference: Text255 = None
    amounts_are: AmountsAre = AmountsAre.EXCLUSIVE
    lines: Lines
    discount: NonNegativeMoney | None = Field(default=None, description="Document-level discount, a positive amount.")
    shipping_charge: NonNegativeMoney | None = None
    shipping_tax_id: OptionalTaxId = None
    adjustment: Money | None = Field(default=None, description="Positive or negative.")
    adjustment_description: Text255 = None
    round_off: Money | None = Field(default=None, description="Positive or negative.")
    total: Money | None = Field(default=None, description="The host's own total, cross-checked against Xero's.")
    custom_fields: CustomFields = Field(default_factory=dict)


class Invoice(_SalesDocument):
    """A sales invoice (Xero ``ACCREC``)."""


class CreditNote(_SalesDocument):
    """A customer credit note (Xero ``ACCRECCREDIT``)."""

    invoice_id: OptionalHostId = Field(default=None, description="The invoice it was raised against, if any.")


class _PurchaseDocument(HostModel):
    number: RequiredText = Field(description="The bill #; Xero shows it as the bill's Reference.")
    vendor_id: HostId
    date: IsoDate
    due_date: IsoDate | None = None
    status: DocumentStatus = DocumentStatus.OPEN
    currency: CurrencyCode | None = None
    exchange_rate: ExchangeRate | None = None
    amounts_are: AmountsAre = AmountsAre.EXCLUSIVE
    lines: Lines
    discount: NonNegativeMoney | None = None
    adjustment: Money | None = None
    adjustment_description: Text255 = None
    total: Money | None = None
    custom_fields: CustomFields = Field(default_factory=dict)


class Bill(_PurchaseDocument):
    """A supplier bill (Xero ``ACCPAY``)."""


class VendorCredit(_PurchaseDocument):
    """A vendor credit, which Xero calls a debit note / supplier credit (``ACCPAYCREDIT``)."""

    bill_id: OptionalHostId = Field(default=None, description="The bill it was raised against, if any.")


class InvoicePayment(HostModel):
    invoice_id: HostId
    date: IsoDate
    amount: PositiveMoney
    account_code: AccountCode = Field(description="A bank account, or an account with payments enabled.")
    reference: Text200 = None
    exchange_rate: ExchangeRate | None = None


class BillPayment(HostModel):
    bill_id: HostId
    date: IsoDate
    amount: PositiveMoney
    account_code: AccountCode
    reference: Text200 = None
    exchange_rate: ExchangeRate | None = None


class BankCharge(HostModel):
    date: IsoDate
    amount: PositiveMoney
    account_code: AccountCode = Field(description="The bank account charged (a Xero BANK account).")
    description: Text3700 = None
    contact_id: OptionalHostId = None
    reference: Text200 = None


class WriteOff(HostModel):
    invoice_id: HostId
    date: IsoDate
    amount: PositiveMoney | None = Field(default=None, description="Default: the invoice's balance.")
    reason: Text200 = None


class CreditNoteAllocation(HostModel):
    credit_note_id: HostId
    invoice_id: HostId
    amount: PositiveMoney
    date: IsoDate


class CreditNoteRefund(HostModel):
    credit_note_id: HostId
    date: IsoDate
    amount: PositiveMoney
    account_code: AccountCode
    reference: Text200 = None


class VendorCreditAllocation(HostModel):
    vendor_credit_id: HostId
    bill_id: HostId
    amount: PositiveMoney
    date: IsoDate


class VendorCreditRefund(HostModel):
    vendor_credit_id: HostId
    date: IsoDate
    amount: PositiveMoney
    account_code: AccountCode
    reference: Text200 = None


AnyRecord = (
    Contact
    | Invoice
    | InvoicePayment
    | BankCharge
    | WriteOff
    | CreditNote
    | CreditNoteAllocation
    | CreditNoteRefund
    | Bill
    | BillPayment
    | VendorCredit
    | VendorCreditAllocation
    | VendorCreditRefund
    | Item
)

MODEL_BY_ENTITY: dict[EntityName, type[HostModel]] = {
    EntityName.CONTACT: Contact,
    EntityName.INVOICE: Invoice,
    EntityName.INVOICE_PAYMENT: InvoicePayment,
    EntityName.BANK_CHARGE: BankCharge,
    EntityName.WRITE_OFF: WriteOff,
    EntityName.CREDIT_NOTE: CreditNote,
    EntityName.CREDIT_NOTE_ALLOCATION: CreditNoteAllocation,
    EntityName.CREDIT_NOTE_REFUND: CreditNoteRefund,
    EntityName.BILL: Bill,
    EntityName.BILL_PAYMENT: BillPayment,
    EntityName.VENDOR_CREDIT: VendorCredit,
    EntityName.VENDOR_CREDIT_ALLOCATION: VendorCreditAllocation,
    EntityName.VENDOR_CREDIT_REFUND: VendorCreditRefund,
    EntityName.ITEM: Item,
}
"""Entity name → the model of its ``data``."""

# ----------------------------------------------------------------------------------------------
# The envelope: one per record
# ----------------------------------------------------------------------------------------------

MAX_VERSION = 2**53 - 1
"""The largest ``version``: JavaScript hosts (and many JSON parsers) lose integers above it, and
DynamoDB numbers hold 38 digits — 10^200 would be refused by the table, not by the API."""

if TYPE_CHECKING:
    Version: TypeAlias = int
else:
    Version = json_int(ge=0, le=MAX_VERSION)


class EnvelopeBase(HostModel):
    """Fields shared by every envelope. ``data`` is required for ``upsert`` and must be absent for
    ``delete``."""

    entity: str  # each envelope class narrows it to its own Literal: the union's discriminator
    id: HostId
    version: Annotated[
        Version,
        Field(
            description="Increases with every change; older versions never win. At most 2^53−1, the largest "
            "integer every JSON parser reads exactly.",
        ),
    ]
    action: RecordAction

    @model_validator(mode="before")
    @classmethod
    def _data_matches_action(cls, raw: Any) -> Any:
        # Checked before ``data`` is parsed, so that a delete carrying data gets this message
        # rather than a list of the data's missing fields.
        if isinstance(raw, dict):
            action, data = raw.get("action"), raw.get("data")
            if action == RecordAction.UPSERT and data is None:
                raise ValueError("data is required when action is upsert")
            if action == RecordAction.DELETE and data is not None:
                raise ValueError("data must be omitted when action is delete")
        return raw

    @property
    def entity_name(self) -> EntityName:
        return EntityName(self.entity)


class ContactEnvelope(EnvelopeBase):
    entity: Literal["contact"]
    data: Contact | None = None


class InvoiceEnvelope(EnvelopeBase):
    entity: Literal["invoice"]
    data: Invoice | None = None


class InvoicePaymentEnvelope(EnvelopeBase):
    entity: Literal["invoice_payment"]
    data: InvoicePayment | None = None


class BankChargeEnvelope(EnvelopeBase):
    entity: Literal["bank_charge"]
    data: BankCharge | None = None


class WriteOffEnvelope(EnvelopeBase):
    entity: Literal["write_off"]
    data: WriteOff | None = None


class CreditNoteEnvelope(EnvelopeBase):
    entity: Literal["credit_note"]
    data: CreditNote | None = None


class CreditNoteAllocationEnvelope(EnvelopeBase):
    entity: Literal["credit_note_allocation"]
    data: CreditNoteAllocation | None = None


class CreditNoteRefundEnvelope(EnvelopeBase):
    entity: Literal["credit_note_refund"]
    data: CreditNoteRefund | None = None


class BillEnvelope(EnvelopeBase):
    entity: Literal["bill"]
    data: Bill | None = None


class BillPaymentEnvelope(EnvelopeBase):
    entity: Literal["bill_payment"]
    data: BillPayment | None = None


class VendorCreditEnvelope(EnvelopeBase):
    entity: Literal["vendor_credit"]
    data: VendorCredit | None = None


class VendorCreditAllocationEnvelope(EnvelopeBase):
    entity: Literal["vendor_credit_allocation"]
    data: VendorCreditAllocation | None = None


class VendorCreditRefundEnvelope(EnvelopeBase):
    entity: Literal["vendor_credit_refund"]
    data: VendorCreditRefund | None = None


class ItemEnvelope(EnvelopeBase):
    entity: Literal["item"]
    data: Item | None = None


RecordEnvelope = Annotated[
    ContactEnvelope
    | InvoiceEnvelope
    | InvoicePaymentEnvelope
    | BankChargeEnvelope
    | WriteOffEnvelope
    | CreditNoteEnvelope
    | CreditNoteAllocationEnvelope
    | CreditNoteRefundEnvelope
    | BillEnvelope
    | BillPaymentEnvelope
    | VendorCreditEnvelope
    | VendorCreditAllocationEnvelope
    | VendorCreditRefundEnvelope
    | ItemEnvelope,
    Field(discriminator="entity"),
]
"""One record as the host sends it: ``{"entity", "id", "version", "action", "data"}``."""

_ENVELOPE_ADAPTER: TypeAdapter[Any] = TypeAdapter(RecordEnvelope, config=ConfigDict(defer_build=True))  # N6


def parse_envelope(raw: Any) -> EnvelopeBase:
    """Validate one envelope (a dict from JSON). Raises ``pydantic.ValidationError`` whose error
    locations start with the entity name, e.g. ``("invoice", "data", "lines", 0, "rate")``."""
    envelope: EnvelopeBase = _ENVELOPE_ADAPTER.validate_python(raw)
    return envelope


def parse_record(entity: EntityName | str, data: Any) -> HostModel:
    """Validate the ``data`` of one entity (e.g. a stored record read back from the table)."""
    return MODEL_BY_ENTITY[EntityName(entity)].model_validate(data)
