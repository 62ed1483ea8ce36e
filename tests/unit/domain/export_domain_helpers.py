"""Builders shared by the export-domain unit tests: a New Zealand Xero organisation's reference
data, an org's settings and tax mappings, and host records with sensible defaults."""

from __future__ import annotations

from typing import Any

from xero_sync.domain.dependencies import ParentLink
from xero_sync.domain.mapping import MappingContext
from xero_sync.models.org_config import OrgSettings, TaxMapping, TaxMappings
from xero_sync.models.records import (
    BankCharge,
    Bill,
    BillPayment,
    Contact,
    CreditNote,
    CreditNoteAllocation,
    CreditNoteRefund,
    EntityName,
    Invoice,
    InvoicePayment,
    VendorCredit,
    VendorCreditAllocation,
    VendorCreditRefund,
    WriteOff,
)
from xero_sync.models.reference_data import ReferenceData

ORG_ID = "org-1"
NO_CODE_ACCOUNT_ID = "7d1c3c59-0d3f-4b5f-9a63-2b0a7b0e0a01"
CLEARING_ACCOUNT_ID = "7d1c3c59-0d3f-4b5f-9a63-2b0a7b0e0a02"


def _account(code: str | None, name: str, type_: str, class_: str, n: int, **extra: Any) -> dict[str, Any]:
    return {
        "AccountID": f"00000000-0000-4000-8000-{n:012d}",
        "Code": code or "",
        "Name": name,
        "Type": type_,
        "Class": class_,
        "Status": "ACTIVE",
        **extra,
    }


def xero_reference_json() -> dict[str, Any]:
    """Reference data as Xero's JSON would give it (floats for rates, "" for a missing code)."""
    return {
        "organisation": {"Name": "Harbour Demo Ltd", "BaseCurrency": "NZD", "CountryCode": "NZ"},
        "accounts": [
            _account("200", "Sales", "REVENUE", "REVENUE", 1, TaxType="OUTPUT2"),
            _account("260", "Other Revenue", "REVENUE", "REVENUE", 2),
            _account("270", "Freight Income", "REVENUE", "REVENUE", 3),
            _account("300", "Purchases", "DIRECTCOSTS", "EXPENSE", 4, TaxType="INPUT2"),
            _account("310", "Purchase Adjustments", "DIRECTCOSTS", "EXPENSE", 5),
            _account("404", "Bank Fees", "EXPENSE", "EXPENSE", 6),
            _account("684", "Bad Debts", "EXPENSE", "EXPENSE", 7),
            _account("090", "Business Bank Account", "BANK", "ASSET", 8, BankAccountType="BANK", CurrencyCode="NZD"),
            _account("150", "Card Clearing", "CURRENT", "ASSET", 9, EnablePaymentsToAccount=True),
            _account("610", "Accounts Receivable", "CURRENT", "ASSET", 10, SystemAccount="DEBTORS"),
            _account("299", "Old Sales", "REVENUE", "REVENUE", 11, Status="ARCHIVED"),
            _account("860", "Rounding", "CURRENT", "ASSET", 12, SystemAccount="ROUNDING"),
            {**_account(None, "Discounts Given", "REVENUE", "REVENUE", 13), "AccountID": NO_CODE_ACCOUNT_ID},
            {
                **_account(None, "Stripe Clearing", "CURRENT", "ASSET", 14, EnablePaymentsToAccount=True),
                "AccountID": CLEARING_ACCOUNT_ID,
            },
        ],
        "tax_rates": [
            {
                "Name": "15% GST on Income",
                "TaxType": "OUTPUT2",
                "Status": "ACTIVE",
                "TaxComponents": [{"Name": "GST", "Rate": 15.0, "IsCompound": False}],
                "EffectiveRate": 15.0,
                "DisplayTaxRate": 15.0,
                "ReportTaxType": "OUTPUT",
                "CanApplyToRevenue": True,
                "CanApplyToExpenses": False,
                "CanApplyToAssets": True,
            },
            {
                "Name": "15% GST on Expenses",
                "TaxType": "INPUT2",
                "Status": "ACTIVE",
                "TaxComponents": [{"Name": "GST", "Rate": 15.0, "IsCompound": False}],
                "EffectiveRate": 15.0,
                "ReportTaxType": "INPUT",
                "CanApplyToRevenue": False,
                "CanApplyToExpenses": True,
                "CanApplyToAssets": True,
            },
            {
                "Name": "No GST",
                "TaxType": "NONE",
                "Status": "ACTIVE",
                "TaxComponents": [{"Name": "GST", "Rate": 0.0}],
                "EffectiveRate": 0.0,
                "ReportTaxType": "NONE",
                "CanApplyToRevenue": True,
                "CanApplyToExpenses": True,
                "CanApplyToAssets": True,
                "CanApplyToLiabilities": True,
                "CanApplyToEquity": True,
            },
            {
                "Name": "Zero Rated",
                "TaxType": "ZERORATED",
                "Status": "ACTIVE",
                "TaxComponents": [{"Name": "GST", "Rate": 0.0}],
                "EffectiveRate": 0.0,
                "ReportTaxType": "OUTPUT",
                "CanApplyToRevenue": True,
                "CanApplyToExpenses": False,
            },
            {
                # A two-component rate, the second compounding on the first (e.g. Quebec before 2013).
                "Name": "GST + QST",
                "TaxType": "TAX001",
                "Status": "ACTIVE",
                "TaxComponents": [
                    {"Name": "GST", "Rate": 5.0, "IsCompound": False},
                    {"Name": "QST", "Rate": 7.5, "IsCompound": True},
                ],
                "EffectiveRate": 12.875,
                "DisplayTaxRate": 12.5,
                "CanApplyToRevenue": True,
                "CanApplyToExpenses": True,
            },
            {
                "Name": "Old 12.5% GST",
                "TaxType": "TAX002",
                "Status": "ARCHIVED",
                "TaxComponents": [{"Name": "GST", "Rate": 12.5}],
                "CanApplyToRevenue": True,
            },
        ],
        "currencies": [{"Code": "NZD", "Description": "New Zealand Dollar"}, {"Code": "EUR", "Description": "Euro"}],
        "contact_groups": [{"ContactGroupID": "00000000-0000-4000-8000-0000000000aa", "Name": "Wholesale"}],
    }


def reference() -> ReferenceData:
    return ReferenceData.model_validate(xero_reference_json())


def settings(**overrides: Any) -> OrgSettings:
    values: dict[str, Any] = {
        "sales_account": "200",
        "purchases_account": "300",
        "sales_adjustments_account": "260",
        "purchase_adjustments_account": "310",
        "write_off_account": "684",
        "bank_charges_account": "404",
        "export": {
            "invoices_and_payments": True,
            "credit_notes": True,
            "bills_and_payments": True,
            "vendor_credits": True,
            "bank_charges": True,
        },
    }
    values.update(overrides)
    return OrgSettings.model_validate(values)


def tax_mappings() -> TaxMappings:
    return TaxMappings(
        mappings=[
            TaxMapping(
                host_tax_id="gst15",
                host_tax_name="GST 15%",
                host_rate="15",
                xero_tax_type="OUTPUT2",
                purchases_xero_tax_type="INPUT2",
            ),
            TaxMapping(host_tax_id="zero", host_rate="0", xero_tax_type="ZERORATED"),
            TaxMapping(host_tax_id="gst_qst", host_rate="12.875", xero_tax_type="TAX001"),
        ]
    )


def context(settings_overrides: dict[str, Any] | None = None, ref: ReferenceData | None = None) -> MappingContext:
    return MappingContext(
        org_id=ORG_ID,
        settings=settings(**(settings_overrides or {})),
        tax_mappings=tax_mappings(),
        reference=ref or reference(),
    )


# --- host records -----------------------------------------------------------------------------

LINE = {
    "item_name": "Espresso beans 1kg",
    "description": "Single origin",
    "quantity": 12,
    "rate": "31.5",
    "tax_id": "gst15",
    "account_code": "200",
}


def spec_example_invoice(**overrides: Any) -> Invoice:
    """The invoice of SPEC §7's example (Xero total 441.96)."""
    data: dict[str, Any] = {
        "number": "INV-1042",
        "contact_id": "cus-17",
        "date": "2026-11-02",
        "due_date": "2026-12-02",
        "status": "open",
        "currency": "NZD",
        "amounts_are": "exclusive",
        "lines": [dict(LINE)],
        "discount": "10.00",
        "shipping_charge": "15.00",
        "shipping_tax_id": "gst15",
        "round_off": "0.01",
        "total": "441.96",
    }
    data.update(overrides)
    return Invoice.model_validate(data)


def invoice(**overrides: Any) -> Invoice:
    data: dict[str, Any] = {
        "number": "INV-1",
        "contact_id": "cus-1",
        "date": "2026-11-02",
        "lines": [{"item_name": "Widget", "quantity": 2, "rate": "10.00", "tax_id": "gst15"}],
    }
    data.update(overrides)
    return Invoice.model_validate(data)


def credit_note(**overrides: Any) -> CreditNote:
    data: dict[str, Any] = {
        "number": "CN-1",
        "contact_id": "cus-1",
        "date": "2026-11-03",
        "lines": [{"item_name": "Return", "quantity": 1, "rate": "20.00", "tax_id": "gst15"}],
    }
    data.update(overrides)
    return CreditNote.model_validate(data)


def bill(**overrides: Any) -> Bill:
    data: dict[str, Any] = {
        "number": "SUP-778",
        "vendor_id": "ven-1",
        "date": "2026-11-04",
        "lines": [{"item_name": "Green beans", "quantity": 10, "rate": "8.00", "tax_id": "gst15"}],
    }
    data.update(overrides)
    return Bill.model_validate(data)


def vendor_credit(**overrides: Any) -> VendorCredit:
    data: dict[str, Any] = {
        "number": "DN-5",
        "vendor_id": "ven-1",
        "date": "2026-11-05",
        "lines": [{"item_name": "Damaged sack", "quantity": 1, "rate": "8.00", "tax_id": "gst15"}],
    }
    data.update(overrides)
    return VendorCredit.model_validate(data)


def contact(**overrides: Any) -> Contact:
    data: dict[str, Any] = {"display_name": "Harbour Cafe Ltd", "kind": "customer"}
    data.update(overrides)
    return Contact.model_validate(data)


def invoice_payment(**overrides: Any) -> InvoicePayment:
    data: dict[str, Any] = {"invoice_id": "inv-1", "date": "2026-11-20", "amount": "23.00", "account_code": "090"}
    data.update(overrides)
    return InvoicePayment.model_validate(data)


def bill_payment(**overrides: Any) -> BillPayment:
    data: dict[str, Any] = {"bill_id": "bill-1", "date": "2026-11-21", "amount": "92.00", "account_code": "090"}
    data.update(overrides)
    return BillPayment.model_validate(data)


def credit_note_refund(**overrides: Any) -> CreditNoteRefund:
    data: dict[str, Any] = {"credit_note_id": "cn-1", "date": "2026-11-22", "amount": "23.00", "account_code": "090"}
    data.update(overrides)
    return CreditNoteRefund.model_validate(data)


def vendor_credit_refund(**overrides: Any) -> VendorCreditRefund:
    data: dict[str, Any] = {"vendor_credit_id": "vc-1", "date": "2026-11-22", "amount": "9.20", "account_code": "090"}
    data.update(overrides)
    return VendorCreditRefund.model_validate(data)


def credit_note_allocation(**overrides: Any) -> CreditNoteAllocation:
    data: dict[str, Any] = {"credit_note_id": "cn-1", "invoice_id": "inv-1", "amount": "23.00", "date": "2026-11-23"}
    data.update(overrides)
    return CreditNoteAllocation.model_validate(data)


def vendor_credit_allocation(**overrides: Any) -> VendorCreditAllocation:
    data: dict[str, Any] = {"vendor_credit_id": "vc-1", "bill_id": "bill-1", "amount": "9.20", "date": "2026-11-23"}
    data.update(overrides)
    return VendorCreditAllocation.model_validate(data)


def write_off(**overrides: Any) -> WriteOff:
    data: dict[str, Any] = {"invoice_id": "inv-1", "date": "2026-12-31", "reason": "Customer went out of business"}
    data.update(overrides)
    return WriteOff.model_validate(data)


def bank_charge(**overrides: Any) -> BankCharge:
    data: dict[str, Any] = {
        "date": "2026-11-30",
        "amount": "12.50",
        "account_code": "090",
        "description": "Monthly account fee",
    }
    data.update(overrides)
    return BankCharge.model_validate(data)


def link(entity: EntityName, host_id: str = "p-1", xero_id: str = "x-parent", **extra: Any) -> ParentLink:
    return ParentLink(entity=entity, host_id=host_id, xero_id=xero_id, **extra)
