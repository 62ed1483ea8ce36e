"""Org settings (F2.1, F2.4), tax mappings (F2.3) and Xero reference data (F4.1)."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from xero_sync.domain.families import Family
from xero_sync.models.org_config import (
    ActionToggles,
    Language,
    OrgSettings,
    SyncFrequency,
    TaxMapping,
    TaxMappings,
    is_account_id,
)
from xero_sync.models.records import EntityName
from xero_sync.models.reference_data import ReferenceData

ACCOUNT_ID = "5040915e-8ce7-4177-8d08-fde416232f18"


def messages(**settings) -> str:
    with pytest.raises(ValidationError) as caught:
        OrgSettings.model_validate(settings)
    return str(caught.value)


def test_defaults():
    settings = OrgSettings()
    assert settings.sync_frequency is SyncFrequency.EVERY_10_MINUTES
    assert settings.language is Language.EN
    assert settings.import_options.chart_of_accounts is True
    assert settings.bank_contact_name == "Bank"
    assert settings.toggles(Family.INVOICES) == ActionToggles()


def test_families_follow_the_export_options():
    export = OrgSettings.model_validate({"export": {"bills_and_payments": True, "credit_notes": False}}).export
    enabled = {family for family in Family if export.enabled(family)}
    assert enabled == {Family.CONTACTS, Family.INVOICES, Family.INVOICE_PAYMENTS, Family.BILLS, Family.BILL_PAYMENTS}


@pytest.mark.parametrize("value", ["200", "SALES", "1234567890", ACCOUNT_ID])
def test_account_references(value):
    assert OrgSettings(sales_account=value).sales_account == value


def test_account_reference_too_long():
    assert "account code (at most 10 characters) or an AccountID" in messages(sales_account="12345678901")
    assert is_account_id(ACCOUNT_ID) and not is_account_id("200")


def test_admin_emails_are_checked_lowercased_and_deduplicated():
    settings = OrgSettings(admin_emails=["Admin@Example.com", "admin@example.com", "ops@example.com"])
    assert settings.admin_emails == ["admin@example.com", "ops@example.com"]
    assert "'nope' is not an email address" in messages(admin_emails=["nope"])


@pytest.mark.parametrize("frequency", [f.value for f in SyncFrequency])
def test_sync_frequencies(frequency):
    assert OrgSettings(sync_frequency=frequency).sync_frequency == frequency


def test_unknown_settings_are_refused():
    assert "Extra inputs are not permitted" in messages(sales_acount="200")
    assert "Input should be 'en', 'de' or 'fr'" in messages(language="es")


def test_chart_of_accounts_is_always_imported():
    assert "always imported" in messages(import_options={"chart_of_accounts": False})
    options = OrgSettings.model_validate(
        {"import_options": {"customers": True, "contact_group_ids": ["g1"]}}
    ).import_options
    assert options.customers and options.contact_group_ids == ["g1"]


def test_toggles_per_family():
    settings = OrgSettings.model_validate({"actions": {"bills": {"delete": False}}})
    assert settings.toggles(Family.BILLS) == ActionToggles(create=True, update=True, delete=False)
    assert "Input should be" in messages(actions={"quotes": {}})


def test_url_template():
    assert OrgSettings(document_url_template="https://app.example/{entity}/{id}").document_url_template
    assert "unknown placeholder {tenant}" in messages(document_url_template="https://app.example/{tenant}")
    assert "absolute http(s) URL" in messages(document_url_template="app.example/{id}")


# --- field mappings (F2.4) ---------------------------------------------------------------------


def mapping(entity: str, xero_field: str, source: str | None) -> dict:
    return {"field_mappings": [{"entity": entity, "xero_field": xero_field, "source": source}]}


@pytest.mark.parametrize(
    ("entity", "xero_field", "source"),
    [
        ("invoice", "Reference", "custom_fields.po_number"),
        ("contact", "AccountNumber", "contact_number"),
        ("contact", "TaxNumber", None),
        ("bill", "Url", "custom_fields.link"),
        ("credit_note", "Reference", "number"),
    ],
)
def test_allowed_overrides(entity, xero_field, source):
    settings = OrgSettings.model_validate(mapping(entity, xero_field, source))
    [override] = settings.overrides_for(EntityName(entity))
    assert (override.xero_field, override.source) == (xero_field, source)


@pytest.mark.parametrize(
    ("entity", "xero_field", "source", "message"),
    [
        (
            "invoice",
            "InvoiceNumber",
            "reference",
            "cannot be re-mapped for invoice; allowed: BrandingThemeID, Reference, Url",
        ),
        ("invoice", "Total", "total", "cannot be re-mapped"),
        ("bill", "Reference", "number", "cannot be re-mapped for bill"),
        ("invoice_payment", "Reference", "reference", "has no Xero fields that can be re-mapped"),
        ("contact", "AccountNumber", "acount_number", "is not a field of contact"),
        ("contact", "AccountNumber", "billing_address", "is not a field of contact"),
        ("contact", "Name", None, "Name is required by Xero"),
        ("invoice", "Reference", "custom_fields.", "needs a key"),
    ],
)
def test_refused_overrides(entity, xero_field, source, message):
    assert message in messages(**mapping(entity, xero_field, source))


def test_one_override_per_xero_field():
    twice = {
        "field_mappings": [
            {"entity": "invoice", "xero_field": "Reference", "source": "number"},
            {"entity": "invoice", "xero_field": "Reference", "source": "reference"},
        ]
    }
    assert "invoice.Reference is mapped more than once" in messages(**twice)


# --- tax mappings (F2.3) ----------------------------------------------------------------------


def test_tax_mapping_types_for_sales_and_purchases():
    both = TaxMapping(host_tax_id="gst", host_rate="15", xero_tax_type="OUTPUT2", purchases_xero_tax_type="INPUT2")
    one = TaxMapping(host_tax_id="gst", host_rate=15, xero_tax_type="OUTPUT")
    assert (both.tax_type_for(purchases=False), both.tax_type_for(purchases=True)) == ("OUTPUT2", "INPUT2")
    assert one.tax_type_for(purchases=True) == "OUTPUT" and one.host_rate == D(15)


def test_tax_mappings_refuse_duplicates_and_bad_rates():
    with pytest.raises(ValidationError, match="mapped more than once"):
        TaxMappings.model_validate(
            {
                "mappings": [
                    {"host_tax_id": "a", "host_rate": 1, "xero_tax_type": "X"},
                    {"host_tax_id": "a", "host_rate": 1, "xero_tax_type": "Y"},
                ]
            }
        )
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        TaxMapping(host_tax_id="a", host_rate=101, xero_tax_type="X")
    assert TaxMappings(mappings=[TaxMapping(host_tax_id="a", host_rate=1, xero_tax_type="X")]).get("b") is None


# --- Xero reference data --------------------------------------------------------------------

XERO = {
    "organisation": {"Name": "Demo", "BaseCurrency": "NZD", "CountryCode": "NZ", "ShortCode": "!abc", "Version": "NZ"},
    "accounts": [
        {
            "AccountID": "00000000-0000-4000-8000-000000000001",
            "Code": "200",
            "Name": "Sales",
            "Type": "REVENUE",
            "Status": "ACTIVE",
            "Class": "REVENUE",
            "TaxType": "OUTPUT2",
            "EnablePaymentsToAccount": False,
            "UpdatedDateUTC": "/Date(1700000000000+0000)/",
            "ReportingCode": "REV.TRA",
        },
        {
            "AccountID": "00000000-0000-4000-8000-000000000002",
            "Code": "sales2",
            "Name": "Old",
            "Type": "REVENUE",
            "Status": "ARCHIVED",
            "Class": "REVENUE",
        },
        {
            "AccountID": "00000000-0000-4000-8000-000000000003",
            "Code": "SALES2",
            "Name": "New",
            "Type": "REVENUE",
            "Status": "ACTIVE",
            "Class": "REVENUE",
        },
        {
            "AccountID": "00000000-0000-4000-8000-000000000004",
            "Code": "090",
            "Name": "Bank",
            "Type": "BANK",
            "Status": "ACTIVE",
            "Class": "ASSET",
            "BankAccountType": "BANK",
            "CurrencyCode": "NZD",
        },
        {
            "AccountID": "00000000-0000-4000-8000-000000000005",
            "Code": "",
            "Name": "Clearing",
            "Type": "CURRENT",
            "Status": "ACTIVE",
            "Class": "ASSET",
            "EnablePaymentsToAccount": True,
        },
        {
            "AccountID": "00000000-0000-4000-8000-000000000006",
            "Code": "091",
            "Name": "Closed bank",
            "Type": "BANK",
            "Status": "ARCHIVED",
            "Class": "ASSET",
        },
    ],
    "tax_rates": [
        {
            "Name": "GST on Income",
            "TaxType": "OUTPUT2",
            "Status": "ACTIVE",
            "EffectiveRate": 15.0,
            "TaxComponents": [{"Name": "GST", "Rate": 15.0, "IsCompound": False, "IsNonRecoverable": False}],
            "CanApplyToRevenue": True,
            "CanApplyToExpenses": False,
        },
    ],
    "currencies": [{"Code": "EUR", "Description": "Euro"}],
    "contact_groups": [{"ContactGroupID": "00000000-0000-4000-8000-0000000000aa", "Name": "VIP", "Status": "ACTIVE"}],
}


def test_reference_data_parses_xero_json_and_looks_things_up():
    ref = ReferenceData.model_validate(json.loads(json.dumps(XERO)))
    assert ref.base_currency == "NZD"
    assert ref.account_by_code("200").Name == "Sales"
    assert ref.account_by_code("sales2").Name == "New"  # case-insensitive, active wins over archived
    assert ref.account_by_code("999") is None
    clearing = ref.account_by_id("00000000-0000-4000-8000-000000000005")
    assert clearing.Code is None and clearing.label == "Clearing"
    assert ref.resolve_account("00000000-0000-4000-8000-000000000005") is clearing
    assert ref.resolve_account("090").is_bank
    assert [a.Name for a in ref.payment_accounts()] == ["Bank", "Clearing"]
    rate = ref.tax_rate("OUTPUT2")
    assert rate.TaxComponents[0].Rate == D("15.0") and isinstance(rate.EffectiveRate, D)
    assert rate.can_apply_to("REVENUE") is True and rate.can_apply_to("EXPENSE") is False
    assert rate.can_apply_to("EQUITY") is None
    assert ref.currency_enabled("eur") and ref.currency_enabled("NZD") and not ref.currency_enabled("USD")
    assert ref.contact_groups[0].Name == "VIP"


def test_settings_and_reference_data_render_as_json_schema():
    for model in (OrgSettings, TaxMappings, ReferenceData):
        json.dumps(model.model_json_schema())
    props = OrgSettings.model_json_schema()["properties"]
    assert {
        "export_from",
        "sync_frequency",
        "export",
        "import_options",
        "sales_adjustments_account",
        "purchase_adjustments_account",
        "inventory_asset_account",
        "admin_emails",
        "language",
        "field_mappings",
        "actions",
    } <= set(props)
