"""The demo company every emulated tenant starts as.

Everything is deterministic: ids are derived from the tenant id (ids.seed_id), so tests and the
demo can rely on them. The chart of accounts and tax rates follow a New Zealand organisation
(GST 15 %, codes OUTPUT2/INPUT2) whatever the base currency, so that the service's tests can use
the same codes for every tenant.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from .books import Books
from .ids import is_guid, normalise_guid, seed_id
from .reference_data import ACCOUNT_CLASS_BY_TYPE, CURRENCY_CODES, CURRENCY_NAMES, REGION_BY_CURRENCY

# code, name, type, tax type, extra fields. ``None`` as code: an active account without a code.
CHART_OF_ACCOUNTS: list[tuple[str | None, str, str, str, dict[str, Any]]] = [
    ("090", "Business Bank Account", "BANK", "NONE", {"BankAccountNumber": "12-3456-7890123-00"}),
    (
        "091",
        "{second} Bank Account",
        "BANK",
        "NONE",
        {"BankAccountNumber": "12-3456-7890123-01", "_second_currency": True},
    ),
    ("200", "Sales", "REVENUE", "OUTPUT2", {"Description": "Income from any normal business activity"}),
    ("210", "Old Sales (archived)", "REVENUE", "OUTPUT2", {"Status": "ARCHIVED"}),
    ("260", "Other Revenue", "REVENUE", "OUTPUT2", {}),
    ("270", "Interest Income", "OTHERINCOME", "NONE", {}),
    ("300", "Purchases", "DIRECTCOSTS", "INPUT2", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "INPUT2", {}),
    ("404", "Bank Fees", "OVERHEADS", "NONE", {}),
    ("408", "Bad Debts", "EXPENSE", "INPUT2", {"Description": "Invoices written off as uncollectable"}),
    ("429", "General Expenses", "OVERHEADS", "INPUT2", {}),
    ("610", "Accounts Receivable", "CURRENT", "NONE", {"SystemAccount": "DEBTORS"}),
    ("630", "Inventory", "INVENTORY", "NONE", {"Description": "Value of stock on hand"}),
    ("800", "Accounts Payable", "CURRLIAB", "NONE", {"SystemAccount": "CREDITORS"}),
    ("820", "GST", "CURRLIAB", "NONE", {"SystemAccount": "GST"}),
    ("860", "Rounding", "CURRLIAB", "NONE", {"SystemAccount": "ROUNDING"}),
    ("960", "Retained Earnings", "EQUITY", "NONE", {"SystemAccount": "RETAINEDEARNINGS"}),
    ("970", "Owner A Funds Introduced", "EQUITY", "NONE", {"EnablePaymentsToAccount": True}),
    (None, "Merchant Fees", "EXPENSE", "NONE", {"Description": "An account without a code (xero-sync F2.2)"}),
]

_SALES = {
    "CanApplyToAssets": True,
    "CanApplyToEquity": True,
    "CanApplyToExpenses": False,
    "CanApplyToLiabilities": True,
    "CanApplyToRevenue": True,
}
_PURCHASES = {
    "CanApplyToAssets": True,
    "CanApplyToEquity": True,
    "CanApplyToExpenses": True,
    "CanApplyToLiabilities": True,
    "CanApplyToRevenue": False,
}
_EVERYWHERE = {
    "CanApplyToAssets": True,
    "CanApplyToEquity": True,
    "CanApplyToExpenses": True,
    "CanApplyToLiabilities": True,
    "CanApplyToRevenue": True,
}
_ZERO_RATED = {
    "CanApplyToAssets": False,
    "CanApplyToEquity": False,
    "CanApplyToExpenses": False,
    "CanApplyToLiabilities": True,
    "CanApplyToRevenue": True,
}

# TaxType, name, report type, status, applicability, components (name, rate %, compound), system rate?
TAX_RATES: list[tuple[str, str, str, str, dict[str, bool], list[tuple[str, str, bool]], bool]] = [
    ("NONE", "No GST", "NONE", "ACTIVE", _EVERYWHERE, [("GST", "0", False)], True),
    ("ZERORATED", "Zero Rated", "OUTPUT", "ACTIVE", _ZERO_RATED, [("GST", "0", False)], True),
    ("OUTPUT2", "15% GST on Income", "OUTPUT", "ACTIVE", _SALES, [("GST", "15", False)], True),
    ("INPUT2", "15% GST on Expenses", "INPUT", "ACTIVE", _PURCHASES, [("GST", "15", False)], True),
    ("OUTPUT", "12.5% GST on Income (old)", "OUTPUT", "DELETED", _SALES, [("GST", "12.5", False)], True),
    ("TAX001", "GST + PST (12%)", "OUTPUT", "ACTIVE", _SALES, [("GST", "5", False), ("PST", "7", False)], False),
    (
        "TAX002",
        "GST + QST (compound)",
        "OUTPUT",
        "ACTIVE",
        _SALES,
        [("GST", "5", False), ("QST", "9.975", True)],
        False,
    ),
]

CONTACT_GROUPS = ["Wholesale Customers", "Preferred Suppliers"]

# One tracking category, so that the demo can show tracking on lines (Xero allows two active).
TRACKING_CATEGORIES = {"Region": ["North", "South"]}


def seed_demo_company(tenant_id: str, name: str, base_currency: str, now: datetime) -> Books:
    """A tenant's books: organisation, chart of accounts, tax rates, two currencies (the base and
    USD — or EUR when the base is USD), two contact groups and the tracking category "Region"
    (North, South); no contacts, items or transactions."""
    base_currency = base_currency.strip().upper()
    if base_currency not in CURRENCY_CODES:
        raise ValueError(f"{base_currency} is not an ISO 4217 currency code")
    second_currency = "EUR" if base_currency == "USD" else "USD"
    books = Books(tenant_id, _organisation(tenant_id, name, base_currency, now), now)

    for currency in (base_currency, second_currency):
        books.currencies[currency] = {"Code": currency, "Description": CURRENCY_NAMES.get(currency, currency)}

    for tax_type, rate_name, report, status, flags, components, system in TAX_RATES:
        books.tax_rates[tax_type] = {
            "TaxType": tax_type,
            "Name": rate_name,
            "ReportTaxType": report,
            "Status": status,
            **flags,
            "TaxComponents": [
                {"Name": c_name, "Rate": Decimal(rate), "IsCompound": compound, "IsNonRecoverable": False}
                for c_name, rate, compound in components
            ],
            "System": system,
        }

    for code, account_name, account_type, tax_type, extra in CHART_OF_ACCOUNTS:
        extra = dict(extra)
        account_name = account_name.format(second=second_currency)
        account: dict[str, Any] = {
            "AccountID": seed_id(tenant_id, "account", code or account_name),
            "Code": code,
            "Name": account_name,
            "Type": account_type,
            "Status": extra.pop("Status", "ACTIVE"),
            "TaxType": tax_type,
            "Description": extra.pop("Description", None),
            "Class": ACCOUNT_CLASS_BY_TYPE[account_type],
            "EnablePaymentsToAccount": extra.pop("EnablePaymentsToAccount", False),
            "ShowInExpenseClaims": False,
            "SystemAccount": extra.pop("SystemAccount", None),
            "UpdatedDateUTC": now,
            "CreatedDateUTC": now,
        }
        if account_type == "BANK":
            account["BankAccountType"] = "BANK"
            account["CurrencyCode"] = second_currency if extra.pop("_second_currency", False) else base_currency
        account.update(extra)
        books.accounts[account["AccountID"]] = account

    for group_name in CONTACT_GROUPS:
        group_id = seed_id(tenant_id, "contactgroup", group_name)
        books.contact_groups[group_id] = {
            "ContactGroupID": group_id,
            "Name": group_name,
            "Status": "ACTIVE",
            "ContactIDs": [],
        }

    for category_name, option_names in TRACKING_CATEGORIES.items():
        category_id = seed_id(tenant_id, "trackingcategory", category_name)
        books.tracking_categories[category_id] = {
            "TrackingCategoryID": category_id,
            "Name": category_name,
            "Status": "ACTIVE",
            "Options": [
                {
                    "TrackingOptionID": seed_id(tenant_id, "trackingoption", f"{category_name}/{option}"),
                    "Name": option,
                    "Status": "ACTIVE",
                }
                for option in option_names
            ],
        }
    return books


def _organisation(tenant_id: str, name: str, base_currency: str, now: datetime) -> dict[str, Any]:
    version, country, timezone_name = REGION_BY_CURRENCY.get(base_currency, ("GLOBAL", "NZ", "UTC"))
    organisation_id = normalise_guid(tenant_id) if is_guid(tenant_id) else seed_id(tenant_id, "organisation", "")
    short = organisation_id.replace("-", "")[:5]
    return {
        "APIKey": organisation_id.replace("-", "").upper()[:30],
        "Name": name,
        "LegalName": name,
        "PaysTax": True,
        "Version": version,
        "OrganisationType": "COMPANY",
        "BaseCurrency": base_currency,
        "CountryCode": country,
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "TaxNumber": "123-456-789",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 3,
        "SalesTaxBasis": "INVOICE",
        "SalesTaxPeriod": "TWOMONTHS",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": now,
        "OrganisationEntityType": "COMPANY",
        "Timezone": timezone_name,
        "ShortCode": f"!{short}",
        "OrganisationID": organisation_id,
        "Edition": "BUSINESS",
        "Class": "PREMIUM",  # a plan with multicurrency (xero-facts §6.8)
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }
