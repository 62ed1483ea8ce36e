"""Per-org configuration (F2) and the Xero reference data it is checked against (F4.1).

Stored in the OrgConfig table as JSON, one item each: ``settings`` (:class:`OrgSettings`),
``tax_mappings`` (:class:`TaxMappings`), ``xero#accounts`` … (bundled in :class:`ReferenceData`).

Accounts in the settings are :data:`AccountRef` strings: a Xero account **code** (≤ 10 characters)
or, when the admin picked an account that has no code yet, its **AccountID** (a UUID). That is how
F2.2 works: the mapping resolves the reference against the latest chart of accounts; an account
without a code makes the record fail with a message naming the account ("missing_account_code"),
and the same reference succeeds once the admin has added the code in Xero and the chart was
re-imported.

Xero reference models (``Xero*``) keep Xero's PascalCase names so that a Xero response parses as is;
unknown Xero fields are ignored (Xero adds fields over time). Rates are percentages (15 = 15 %).
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from xero_sync.domain.families import Family
from xero_sync.models.fields import CurrencyCode, IsoDate, decimal_field
from xero_sync.models.language import Language
from xero_sync.models.line_mappings import LineMapping, TrackingMapping
from xero_sync.models.origins import ORIGIN_PATTERN, check_origin
from xero_sync.models.records import MODEL_BY_ENTITY, EntityName
from xero_sync.models.sync_frequency import SyncFrequency

# ----------------------------------------------------------------------------------------------
# Small types
# ----------------------------------------------------------------------------------------------


def is_account_id(reference: str) -> bool:
    """Whether an :data:`AccountRef` is an AccountID (a UUID) rather than a code."""
    try:
        uuid.UUID(reference)
    except ValueError:
        return False
    return len(reference) == 36


def _check_account_ref(value: str) -> str:
    if is_account_id(value) or 1 <= len(value) <= 10:
        return value
    raise ValueError("must be a Xero account code (at most 10 characters) or an AccountID (a UUID)")


AccountRef = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=36),
    AfterValidator(_check_account_ref),
    Field(description="A Xero account code (≤ 10 characters), or its AccountID when it has no code yet."),
]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    return value.lower()


AdminEmail = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_check_email)]


def _normalise_origin(value: object) -> object:
    # Only texts are origins; anything else is left to the str type to refuse (a TypeError here
    # would not be a validation error but a 500).
    return check_origin(value) if isinstance(value, str) else value


AllowedOrigin = Annotated[
    str,
    StringConstraints(max_length=300, pattern=ORIGIN_PATTERN),
    BeforeValidator(_normalise_origin),  # wraps the pattern: its message first, then normalised
    Field(description="An origin: https://host[:port] (http only for localhost), nothing after it."),
]


class ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


if TYPE_CHECKING:
    HostTaxRate: TypeAlias = Decimal
else:
    HostTaxRate = decimal_field(ge=0, le=100, description="The host's tax rate in percent (15 = 15 %).")

# ----------------------------------------------------------------------------------------------
# Settings (F2.1, F2.4, F3.11, F6.3)
# ----------------------------------------------------------------------------------------------


class ExportOptions(ConfigModel):
    """Which entity families are exported (F2.1). Contacts are not an option: a contact follows
    the first transaction that refers to it (sync tables, "Create a contact")."""

    invoices_and_payments: bool = Field(
        default=True, description="Invoices, payments received and write-offs (seed: a write-off is part of invoices)."
    )
    credit_notes: bool = Field(default=True, description="Credit notes, their allocations and refunds.")
    bills_and_payments: bool = Field(default=False, description="Bills and payments made.")
    vendor_credits: bool = Field(default=False, description="Vendor credits (Xero debit notes), allocations, refunds.")
    bank_charges: bool = False
    items: bool = Field(
        default=False,
        description="The items module (seed 002 'Products'): the host's items are exported to Xero Items, keyed "
        "by code. Xero's items are imported for viewing whatever this says.",
    )

    def enabled(self, family: Family) -> bool:
        return {
            Family.CONTACTS: True,
            Family.INVOICES: self.invoices_and_payments,
            Family.INVOICE_PAYMENTS: self.invoices_and_payments,
            Family.CREDIT_NOTES: self.credit_notes,
            Family.BILLS: self.bills_and_payments,
            Family.BILL_PAYMENTS: self.bills_and_payments,
            Family.VENDOR_CREDITS: self.vendor_credits,
            Family.BANK_CHARGES: self.bank_charges,
            Family.ITEMS: self.items,
        }[family]


class ImportOptions(ConfigModel):
    """What is imported from Xero (F2.1, F4.2). The chart of accounts is always imported."""

    chart_of_accounts: bool = Field(default=True, description="Always true: the chart of accounts is always imported.")
    customers: bool = False
    vendors: bool = False
    contact_group_ids: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="Import only contacts of these Xero contact groups (empty: all).",
    )
    documents: bool = Field(
        default=False,
        description="Two-way hosts: invoices, bills and credit notes created or edited in Xero reach the change "
        "feed. Without it only the payment status of the documents the host exported comes back (F4.3).",
    )

    @field_validator("chart_of_accounts")
    @classmethod
    def _always(cls, value: bool) -> bool:
        if not value:
            raise ValueError("the chart of accounts is always imported; it cannot be turned off")
        return value


class ActionToggles(ConfigModel):
    """Which host actions reach Xero for one family (F3.11, seed 002 "Create / Update / Delete")."""

    create: bool = True
    update: bool = True
    delete: bool = True


# --- field mapping overrides (F2.4) -----------------------------------------------------------


class OverrideTarget(BaseModel):
    """A Xero field that an org may fill from a host field of its choice."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    max_length: int
    pattern: str | None = None
    required: bool = False
    description: str = ""


_URL = r"https?://\S+"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

OVERRIDE_TARGETS: dict[EntityName, dict[str, OverrideTarget]] = {
    EntityName.CONTACT: {
        "Name": OverrideTarget(max_length=255, required=True, description="Contact name (default: display_name)"),
        "AccountNumber": OverrideTarget(max_length=50, description="Must be unique in Xero"),
        "CompanyNumber": OverrideTarget(max_length=50),
        "TaxNumber": OverrideTarget(max_length=50, description="Default: tax_number"),
        "EmailAddress": OverrideTarget(max_length=255, description="Default: email"),
        "FirstName": OverrideTarget(max_length=255, description="Default: first_name"),
        "LastName": OverrideTarget(max_length=255, description="Default: last_name"),
        "BankAccountDetails": OverrideTarget(max_length=255),
    },
    EntityName.INVOICE: {
        "Reference": OverrideTarget(max_length=255, description="Default: reference"),
        "Url": OverrideTarget(max_length=2000, pattern=_URL, description="Default: the settings' document URL"),
        "BrandingThemeID": OverrideTarget(max_length=36, pattern=_UUID),
    },
    EntityName.CREDIT_NOTE: {
        "Reference": OverrideTarget(max_length=255, description="Default: reference"),
        "BrandingThemeID": OverrideTarget(max_length=36, pattern=_UUID),
    },
    EntityName.BILL: {
        "Url": OverrideTarget(max_length=2000, pattern=_URL, description="Default: the settings' document URL"),
        "BrandingThemeID": OverrideTarget(max_length=36, pattern=_UUID),
    },
    EntityName.VENDOR_CREDIT: {
        "BrandingThemeID": OverrideTarget(max_length=36, pattern=_UUID),
    },
    EntityName.BANK_CHARGE: {
        "Url": OverrideTarget(max_length=2000, pattern=_URL, description="A link back to the host"),
    },
    EntityName.ITEM: {
        "Name": OverrideTarget(max_length=50, required=True, description="Default: name, else code"),
        "Description": OverrideTarget(max_length=4000, description="Default: description"),
        "PurchaseDescription": OverrideTarget(max_length=4000, description="Default: purchase_description"),
    },
}
"""The allow-list of F2.4: per host entity, the Xero fields an org may re-map. Natural keys
(ContactNumber, InvoiceNumber, CreditNoteNumber) and amounts are deliberately absent: re-mapping
them would break duplicate detection (N1) or the totals; so are the references of payments, refunds
and bank charges, which carry the stamp that finds them again after an unknown outcome. Lines
have their own mappings (``tracking``, ``line_mappings``: models/line_mappings.py)."""

_STRUCTURED_FIELDS = {"lines", "custom_fields", "billing_address", "shipping_address", "contact_persons"}


def source_fields(entity: EntityName) -> list[str]:
    """Host fields usable as an override source (besides ``custom_fields.<key>``)."""
    return [name for name in MODEL_BY_ENTITY[entity].model_fields if name not in _STRUCTURED_FIELDS]


class FieldMapping(ConfigModel):
    """One override: ``xero_field`` of ``entity`` is filled from ``source`` (F2.4).

    ``source`` is a host field name (``contact_number``) or ``custom_fields.<key>``; ``null``
    sends nothing for that Xero field (not allowed for a required one such as contact ``Name``).
    Example: ``{"entity": "invoice", "xero_field": "Reference", "source": "custom_fields.po_number"}``.
    """

    entity: EntityName
    xero_field: str
    source: str | None

    @model_validator(mode="after")
    def _check_allowed(self) -> FieldMapping:
        targets = OVERRIDE_TARGETS.get(self.entity)
        if not targets:
            raise ValueError(f"{self.entity.value} has no Xero fields that can be re-mapped")
        target = targets.get(self.xero_field)
        if target is None:
            allowed = ", ".join(sorted(targets))
            raise ValueError(
                f"xero_field {self.xero_field!r} cannot be re-mapped for {self.entity.value}; allowed: {allowed}"
            )
        if self.source is None:
            if target.required:
                raise ValueError(f"{self.xero_field} is required by Xero; choose a source field")
            return self
        if self.source.startswith("custom_fields."):
            key = self.source.removeprefix("custom_fields.")
            if not key:
                raise ValueError("source 'custom_fields.' needs a key, e.g. custom_fields.po_number")
            return self
        allowed_sources = source_fields(self.entity)
        if self.source not in allowed_sources:
            raise ValueError(
                f"source {self.source!r} is not a field of {self.entity.value}; use one of "
                f"{', '.join(allowed_sources)} or custom_fields.<key>"
            )
        return self


# --- the settings -----------------------------------------------------------------------------


class OrgSettings(ConfigModel):
    """Everything an org configures on its "Settings → Integrations → Xero" page (F2.1–F2.4).

    Accounts used on documents (F2.1, seeds 000/001 "Select an account under which …"):

    * ``sales_adjustments_account`` — discounts, shipping, adjustments and round-off lines on sales
      documents; also the default for write-offs and bank charges (seed 000 names one account for
      "bank charges, write-offs, discounts, shipping charges, and adjustments").
    * ``purchase_adjustments_account`` — discounts and adjustments on bills and vendor credits.
    * ``sales_account`` / ``purchases_account`` — lines sent without ``account_code``.
    * ``write_off_account``, ``bank_charges_account``, ``shipping_account``, ``rounding_account`` —
      optional finer choices; each falls back to ``sales_adjustments_account``.
    * ``inventory_asset_account`` — the daily inventory journal (F3.9): set, the org journals its
      inventory movement once a day; ``cost_of_goods_sold_account`` (default: the purchases
      account) takes the cost of what was sold, ``purchases_account`` gives up what was bought.
    """

    export_from: IsoDate | None = Field(
        default=None, description="Documents dated before this day are not exported (YYYY-MM-DD)."
    )
    sync_frequency: SyncFrequency = SyncFrequency.EVERY_10_MINUTES
    export: ExportOptions = Field(default_factory=ExportOptions)
    import_options: ImportOptions = Field(default_factory=ImportOptions)

    sales_account: AccountRef | None = None
    purchases_account: AccountRef | None = None
    sales_adjustments_account: AccountRef | None = None
    purchase_adjustments_account: AccountRef | None = None
    inventory_asset_account: AccountRef | None = None
    cost_of_goods_sold_account: AccountRef | None = Field(
        default=None, description="The daily inventory journal's cost of goods sold (default: purchases_account)."
    )
    write_off_account: AccountRef | None = None
    bank_charges_account: AccountRef | None = None
    shipping_account: AccountRef | None = None
    rounding_account: AccountRef | None = None

    no_tax_type: str | None = Field(
        default=None,
        max_length=50,
        description="Xero TaxType for untaxed lines (discount, adjustment, round-off, lines without tax_id). "
        "Default: the org's zero-rate tax found in Xero (TaxType NONE when it exists).",
    )
    bank_contact_name: str = Field(
        default="Bank",
        min_length=1,
        max_length=255,
        description="Xero contact for bank charges that name no contact (Xero requires one).",
    )
    document_url_template: str | None = Field(
        default=None,
        max_length=2000,
        description="Link back to the host shown in Xero as 'Go to …'; placeholders {entity}, {id}, {number}.",
        examples=["https://app.example.com/{entity}s/{id}"],
    )
    base_currency: CurrencyCode | None = Field(
        default=None,
        description="The host org's base currency; when set it must equal Xero's (seeds' prerequisite).",
    )

    admin_emails: list[AdminEmail] = Field(default_factory=list, max_length=20)
    language: Language = Language.EN
    actions: dict[Family, ActionToggles] = Field(
        default_factory=dict, description="Per family: which host actions reach Xero (F3.11). Missing: all."
    )
    field_mappings: list[FieldMapping] = Field(default_factory=list, max_length=100)
    allowed_host_origins: list[AllowedOrigin] = Field(
        default_factory=list,
        max_length=20,
        description="The host product's origins (https://app.example.com), besides the deployment's "
        "(HOST_APP_ORIGINS): where a connect or a console link may send the admin back (return_url), and which "
        "may embed the integration console in an iframe (F8).",
    )

    tracking: list[TrackingMapping] = Field(
        default_factory=list,
        max_length=2,
        description="Xero tracking categories on document lines (Xero has at most two active), each filled from a "
        "host field or custom field (F2.4).",
    )
    line_mappings: list[LineMapping] = Field(
        default_factory=list, max_length=10, description="Line fields filled from a source of the org's choice."
    )

    @field_validator("admin_emails")
    @classmethod
    def _unique_emails(cls, emails: list[str]) -> list[str]:
        return list(dict.fromkeys(emails))

    @field_validator("allowed_host_origins")
    @classmethod
    def _unique_origins(cls, origins: list[str]) -> list[str]:
        return list(dict.fromkeys(origins))

    @field_validator("document_url_template")
    @classmethod
    def _check_url_template(cls, template: str | None) -> str | None:
        if template is None:
            return None
        if not re.fullmatch(_URL, template):
            raise ValueError("must be an absolute http(s) URL")
        for name in re.findall(r"\{([^}]*)\}", template):
            if name not in {"entity", "id", "number"}:
                raise ValueError(f"unknown placeholder {{{name}}}; use {{entity}}, {{id}} or {{number}}")
        return template

    @field_validator("field_mappings")
    @classmethod
    def _one_override_per_field(cls, mappings: list[FieldMapping]) -> list[FieldMapping]:
        seen: set[tuple[str, str]] = set()
        for mapping in mappings:
            key = (mapping.entity.value, mapping.xero_field)
            if key in seen:
                raise ValueError(f"{mapping.entity.value}.{mapping.xero_field} is mapped more than once")
            seen.add(key)
        return mappings

    @field_validator("tracking")
    @classmethod
    def _one_mapping_per_category(cls, mappings: list[TrackingMapping]) -> list[TrackingMapping]:
        names = [m.category.casefold() for m in mappings]
        if len(set(names)) != len(names):
            raise ValueError("a tracking category is mapped more than once")
        return mappings

    def toggles(self, family: Family) -> ActionToggles:
        return self.actions.get(family, ActionToggles())

    def overrides_for(self, entity: EntityName) -> list[FieldMapping]:
        return [mapping for mapping in self.field_mappings if mapping.entity is entity]


# ----------------------------------------------------------------------------------------------
# Tax mapping (F2.3)
# ----------------------------------------------------------------------------------------------


class TaxMapping(ConfigModel):
    """One host tax → the Xero tax rate(s) it becomes. Refused unless the rates are equal
    (``xero_sync.domain.tax.check_tax_mapping``)."""

    host_tax_id: str = Field(min_length=1, max_length=255)
    host_tax_name: str | None = Field(default=None, max_length=255)
    host_rate: HostTaxRate
    xero_tax_type: str = Field(min_length=1, max_length=50, description="Xero TaxType for sales documents.")
    purchases_xero_tax_type: str | None = Field(
        default=None,
        max_length=50,
        description="Xero TaxType for bills and vendor credits when it differs (e.g. NZ OUTPUT2 vs INPUT2).",
    )

    def tax_type_for(self, purchases: bool) -> str:
        if purchases and self.purchases_xero_tax_type:
            return self.purchases_xero_tax_type
        return self.xero_tax_type


class TaxMappings(ConfigModel):
    mappings: list[TaxMapping] = Field(default_factory=list, max_length=500)

    @field_validator("mappings")
    @classmethod
    def _unique_host_taxes(cls, mappings: list[TaxMapping]) -> list[TaxMapping]:
        seen: set[str] = set()
        for mapping in mappings:
            if mapping.host_tax_id in seen:
                raise ValueError(f"host tax {mapping.host_tax_id!r} is mapped more than once")
            seen.add(mapping.host_tax_id)
        return mappings

    def get(self, host_tax_id: str) -> TaxMapping | None:
        for mapping in self.mappings:
            if mapping.host_tax_id == host_tax_id:
                return mapping
        return None


__all__ = [
    "OVERRIDE_TARGETS",
    "AccountRef",
    "ActionToggles",
    "ExportOptions",
    "FieldMapping",
    "ImportOptions",
    "Language",
    "OrgSettings",
    "OverrideTarget",
    "SyncFrequency",
    "TaxMapping",
    "TaxMappings",
    "is_account_id",
    "source_fields",
]
