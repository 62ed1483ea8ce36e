"""In-memory stand-ins and builders for the export services' unit tests (no I/O at all): Xero
reference data shaped like the emulator's demo company. The fakes of the repositories, queues
and the Xero client are the shared ones of ``tests/fakes``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from xero_sync.models.reference_data import ReferenceData

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
NO_CODE_ACCOUNT_ID = "00000000-0000-4000-8000-000000000099"
GROUP_ID = "00000000-0000-4000-8000-0000000000aa"


def _account(code: str | None, name: str, type_: str, n: int, **extra: Any) -> dict[str, Any]:
    return {
        "AccountID": f"00000000-0000-4000-8000-{n:012d}",
        "Code": code or "",
        "Name": name,
        "Type": type_,
        "Status": "ACTIVE",
        **extra,
    }


def _rate(tax_type: str, name: str, components: list[tuple[str, float, bool]], **extra: Any) -> dict[str, Any]:
    return {
        "TaxType": tax_type,
        "Name": name,
        "Status": "ACTIVE",
        "TaxComponents": [{"Name": n, "Rate": r, "IsCompound": c} for n, r, c in components],
        **extra,
    }


def xero_bodies() -> dict[str, Any]:
    """What Xero answers to GET /Organisation, /Accounts, /TaxRates, /Currencies, /ContactGroups
    (JSON numbers as floats, "" for a missing code), keyed by kind."""
    return {
        "organisation": {
            "Organisations": [
                {
                    "Name": "Demo Ltd",
                    "BaseCurrency": "NZD",
                    "CountryCode": "NZ",
                    "OrganisationID": "org-x",
                    "ShortCode": "!abc",
                }
            ]
        },
        "accounts": {
            "Accounts": [
                _account("090", "Business Bank Account", "BANK", 1, BankAccountType="BANK", CurrencyCode="NZD"),
                _account("200", "Sales", "REVENUE", 2, TaxType="OUTPUT2"),
                _account("210", "Old Sales", "REVENUE", 3, Status="ARCHIVED"),
                _account("260", "Other Revenue", "REVENUE", 4),
                _account("404", "Bank Fees", "OVERHEADS", 5),
                _account("970", "Owner Funds", "EQUITY", 6, EnablePaymentsToAccount=True),
                {**_account(None, "Merchant Fees", "EXPENSE", 99), "AccountID": NO_CODE_ACCOUNT_ID},
            ]
        },
        "tax_rates": {
            "TaxRates": [
                _rate("NONE", "No GST", [("GST", 0.0, False)], CanApplyToRevenue=True, CanApplyToExpenses=True),
                _rate("OUTPUT2", "15% GST on Income", [("GST", 15.0, False)], CanApplyToRevenue=True),
                _rate("INPUT2", "15% GST on Expenses", [("GST", 15.0, False)], CanApplyToExpenses=True),
                _rate("TAX002", "GST + QST (compound)", [("GST", 5.0, False), ("QST", 9.975, True)]),
                {**_rate("OUTPUT", "12.5% (old)", [("GST", 12.5, False)]), "Status": "DELETED"},
            ]
        },
        "currencies": {
            "Currencies": [
                {"Code": "NZD", "Description": "New Zealand Dollar"},
                {"Code": "USD", "Description": "US Dollar"},
            ]
        },
        "contact_groups": {"ContactGroups": [{"ContactGroupID": GROUP_ID, "Name": "Wholesale", "Status": "ACTIVE"}]},
    }


def reference() -> ReferenceData:
    from xero_sync.services.reference_data import parse_xero_bodies

    return parse_xero_bodies(xero_bodies())
