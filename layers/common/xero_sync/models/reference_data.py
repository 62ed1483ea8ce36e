"""Xero's reference data for an org (F4.1) — chart of accounts, tax rates, currencies, contact
groups and the organisation — parsed from Xero's JSON, with the look-ups the mapping and the
settings checks need."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from xero_sync.models.fields import parse_decimal
from xero_sync.models.org_config import is_account_id


class XeroModel(BaseModel):
    """Base of the models parsed from Xero's JSON: extra Xero fields are ignored."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


XeroDecimal = Annotated[Decimal, BeforeValidator(parse_decimal)]

_MS_DATE = re.compile(r"^/Date\((?P<ms>-?\d+)(?:[+-]\d{4})?\)/$")


def parse_xero_date(value: Any) -> Any:
    """Xero's Microsoft JSON date (``/Date(1546214400000+0000)/``, SPEC ``x-is-msdate``) → a
    calendar date; the stored form (``2026-01-31``) and dates pass through."""
    if isinstance(value, str):
        match = _MS_DATE.match(value.strip())
        if match:
            return datetime.fromtimestamp(int(match["ms"]) / 1000, tz=UTC).date()
        return date.fromisoformat(value.strip()[:10]) if value.strip() else None
    return value


XeroDate = Annotated[date | None, BeforeValidator(parse_xero_date)]


class XeroAccount(XeroModel):
    AccountID: str
    Code: str | None = None
    Name: str
    Type: str | None = None  # BANK, REVENUE, EXPENSE … (SPEC AccountType)
    Status: str = "ACTIVE"  # ACTIVE | ARCHIVED | DELETED
    Class: str | None = None  # ASSET | EQUITY | EXPENSE | LIABILITY | REVENUE
    TaxType: str | None = None
    EnablePaymentsToAccount: bool = False
    BankAccountType: str | None = None
    CurrencyCode: str | None = None
    SystemAccount: str | None = None

    @field_validator("Code", mode="before")
    @classmethod
    def _blank_code(cls, value: Any) -> Any:
        # Xero sends "" (or nothing) for an account without a code.
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def is_active(self) -> bool:
        return self.Status == "ACTIVE"

    @property
    def is_bank(self) -> bool:
        return self.Type == "BANK"

    @property
    def accepts_payments(self) -> bool:
        """F2.3 / xero-facts §6.2: payments go to BANK accounts or accounts with payments enabled."""
        return self.is_bank or self.EnablePaymentsToAccount

    @property
    def label(self) -> str:
        """How messages name the account: its name, and its code when it has one."""
        return f"{self.Name} ({self.Code})" if self.Code else self.Name


class XeroTaxComponent(XeroModel):
    Name: str | None = None
    Rate: XeroDecimal = Decimal(0)
    IsCompound: bool = False
    IsNonRecoverable: bool = False


class XeroTaxRate(XeroModel):
    Name: str
    TaxType: str
    Status: str = "ACTIVE"
    TaxComponents: list[XeroTaxComponent] = Field(default_factory=list)
    EffectiveRate: XeroDecimal | None = None
    DisplayTaxRate: XeroDecimal | None = None
    ReportTaxType: str | None = None
    CanApplyToAssets: bool | None = None
    CanApplyToEquity: bool | None = None
    CanApplyToExpenses: bool | None = None
    CanApplyToLiabilities: bool | None = None
    CanApplyToRevenue: bool | None = None

    @property
    def is_active(self) -> bool:
        return self.Status == "ACTIVE"

    def can_apply_to(self, account_class: str | None) -> bool | None:
        """Whether Xero lets this tax rate be used on an account of that Class (None: unknown)."""
        flag = {
            "ASSET": self.CanApplyToAssets,
            "EQUITY": self.CanApplyToEquity,
            "EXPENSE": self.CanApplyToExpenses,
            "LIABILITY": self.CanApplyToLiabilities,
            "REVENUE": self.CanApplyToRevenue,
        }.get(account_class or "")
        return flag


class XeroCurrency(XeroModel):
    Code: str
    Description: str | None = None


class XeroContactGroup(XeroModel):
    ContactGroupID: str
    Name: str
    Status: str = "ACTIVE"


class XeroOrganisation(XeroModel):
    Name: str
    BaseCurrency: str
    CountryCode: str | None = None
    OrganisationID: str | None = None
    ShortCode: str | None = None  # for deep links into this organisation (domain/xero_org.py)
    Timezone: str | None = None  # Xero's TimeZone enum (a Windows zone id in capitals), e.g. NEWZEALANDSTANDARDTIME
    PeriodLockDate: XeroDate = None  # SPEC: "Shown if set"
    EndOfYearLockDate: XeroDate = None

    @property
    def lock_date(self) -> date | None:
        """The date on or before which Xero refuses what the integration sends: the later of the
        two lock dates (the app is not an adviser, so the period lock applies to it too)."""
        dates = [d for d in (self.PeriodLockDate, self.EndOfYearLockDate) if d is not None]
        return max(dates) if dates else None


class XeroItemDetails(XeroModel):
    UnitPrice: XeroDecimal | None = None
    AccountCode: str | None = None
    COGSAccountCode: str | None = None
    TaxType: str | None = None


class XeroItem(XeroModel):
    """A Xero item (F3.10): imported for viewing, and the target of the host's items."""

    ItemID: str
    Code: str
    Name: str | None = None
    Description: str | None = None
    PurchaseDescription: str | None = None
    IsSold: bool = True
    IsPurchased: bool = True
    IsTrackedAsInventory: bool = False
    InventoryAssetAccountCode: str | None = None
    SalesDetails: XeroItemDetails | None = None
    PurchaseDetails: XeroItemDetails | None = None


class XeroTrackingOption(XeroModel):
    TrackingOptionID: str
    Name: str
    Status: str = "ACTIVE"


class XeroTrackingCategory(XeroModel):
    """Xero's own custom dimension (at most two active), whose options lines may carry."""

    TrackingCategoryID: str
    Name: str
    Status: str = "ACTIVE"
    Options: list[XeroTrackingOption] = Field(default_factory=list)

    def option(self, name: str) -> XeroTrackingOption | None:
        """The ACTIVE option of that name (Xero compares names without regard to case)."""
        wanted = name.strip().casefold()
        return next((o for o in self.Options if o.Status == "ACTIVE" and o.Name.casefold() == wanted), None)


class ReferenceData(XeroModel):
    """The org's Xero reference data as last imported, with the look-ups the mapping needs."""

    organisation: XeroOrganisation
    accounts: list[XeroAccount] = Field(default_factory=list)
    tax_rates: list[XeroTaxRate] = Field(default_factory=list)
    currencies: list[XeroCurrency] = Field(default_factory=list)
    contact_groups: list[XeroContactGroup] = Field(default_factory=list)
    items: list[XeroItem] = Field(default_factory=list)
    tracking_categories: list[XeroTrackingCategory] = Field(default_factory=list)

    def tracking_category(self, name_or_id: str) -> XeroTrackingCategory | None:
        """An ACTIVE tracking category by name (any case) or TrackingCategoryID."""
        wanted = name_or_id.strip().casefold()
        return next(
            (
                c
                for c in self.tracking_categories
                if c.Status == "ACTIVE" and wanted in (c.Name.casefold(), c.TrackingCategoryID.casefold())
            ),
            None,
        )

    @property
    def base_currency(self) -> str:
        return self.organisation.BaseCurrency

    def account_by_code(self, code: str) -> XeroAccount | None:
        """Xero account codes are compared without regard to case; an ACTIVE account wins over
        an archived one that carries the same code."""
        wanted = code.strip().casefold()
        matches = [a for a in self.accounts if a.Code is not None and a.Code.casefold() == wanted]
        matches.sort(key=lambda account: not account.is_active)
        return matches[0] if matches else None

    def account_by_id(self, account_id: str) -> XeroAccount | None:
        wanted = account_id.strip().lower()
        return next((a for a in self.accounts if a.AccountID.lower() == wanted), None)

    def resolve_account(self, reference: str) -> XeroAccount | None:
        """An :data:`AccountRef` (code or AccountID) → the account, or None when unknown."""
        if is_account_id(reference):
            return self.account_by_id(reference)
        return self.account_by_code(reference)

    def payment_accounts(self) -> list[XeroAccount]:
        """Accounts offered for payments and refunds (F2.3): active, BANK or payments-enabled."""
        return [a for a in self.accounts if a.is_active and a.accepts_payments]

    def tax_rate(self, tax_type: str) -> XeroTaxRate | None:
        return next((rate for rate in self.tax_rates if rate.TaxType == tax_type), None)

    def currency_enabled(self, code: str) -> bool:
        """The base currency is always usable; others must be added in Xero (xero-facts §6.8)."""
        code = code.upper()
        return code == self.base_currency.upper() or any(c.Code.upper() == code for c in self.currencies)
