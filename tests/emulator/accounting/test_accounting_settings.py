"""Organisation, Accounts, TaxRates, Currencies, ContactGroups and the seeded demo company
(xero-facts §6.6–6.8, §3.1)."""

from __future__ import annotations

import pytest

from local.xero_emulator.accounting.ids import seed_id
from tests.emulator.accounting.helpers import TENANT_ID, Engine, invoice_element, messages_of, new_books

# --- the seed ----------------------------------------------------------------------------------


def test_seeded_company_is_deterministic_per_tenant():
    first, second, other = new_books(), new_books(), new_books(tenant_id="another-tenant")
    assert first.snapshot() == second.snapshot()
    assert set(first.accounts) != set(other.accounts)
    assert seed_id(TENANT_ID, "account", "200") in first.accounts


def test_organisation(engine: Engine):
    organisation = engine.get("/Organisation").body["Organisations"][0]
    assert organisation["BaseCurrency"] == "NZD"
    assert organisation["OrganisationID"] == TENANT_ID
    assert organisation["Version"] == "NZ" and organisation["CountryCode"] == "NZ"
    actions = engine.get("/Organisation/Actions").body["Actions"]
    assert {"Name": "UseMulticurrency", "Status": "ALLOWED"} in actions


def test_seeded_chart_of_accounts(engine: Engine):
    accounts = {a.get("Code") or a["Name"]: a for a in engine.get("/Accounts").body["Accounts"]}
    assert accounts["090"]["Type"] == "BANK" and accounts["090"]["CurrencyCode"] == "NZD"
    assert accounts["091"]["Type"] == "BANK" and accounts["091"]["CurrencyCode"] == "USD"
    assert accounts["200"]["Type"] == "REVENUE" and accounts["200"]["TaxType"] == "OUTPUT2"
    assert accounts["300"]["TaxType"] == "INPUT2"
    assert accounts["408"]["Name"] == "Bad Debts" and accounts["408"]["Class"] == "EXPENSE"
    assert accounts["630"]["Type"] == "INVENTORY"
    assert accounts["610"]["SystemAccount"] == "DEBTORS" and accounts["800"]["SystemAccount"] == "CREDITORS"
    assert accounts["820"]["SystemAccount"] == "GST" and accounts["860"]["SystemAccount"] == "ROUNDING"
    assert accounts["970"]["EnablePaymentsToAccount"] is True and accounts["970"]["Type"] != "BANK"
    assert accounts["210"]["Status"] == "ARCHIVED"
    assert "Code" not in accounts["Merchant Fees"] and accounts["Merchant Fees"]["Status"] == "ACTIVE"


def test_seeded_tax_rates_include_zero_15_percent_and_compound(engine: Engine):
    rates = {r["TaxType"]: r for r in engine.get("/TaxRates").body["TaxRates"]}
    assert rates["NONE"]["EffectiveRate"] == 0.0
    assert rates["OUTPUT2"]["EffectiveRate"] == 15.0 and rates["OUTPUT2"]["CanApplyToExpenses"] is False
    assert rates["INPUT2"]["EffectiveRate"] == 15.0 and rates["INPUT2"]["CanApplyToRevenue"] is False
    assert rates["TAX001"]["EffectiveRate"] == 12.0 and len(rates["TAX001"]["TaxComponents"]) == 2
    compound = rates["TAX002"]
    assert compound["DisplayTaxRate"] == 14.975 and compound["EffectiveRate"] == 15.4738
    assert [c["IsCompound"] for c in compound["TaxComponents"]] == [False, True]
    assert rates["OUTPUT"]["Status"] == "DELETED"
    assert engine.get("/TaxRates/OUTPUT2").body["TaxRates"][0]["Name"] == "15% GST on Income"
    assert engine.get("/TaxRates", query={"where": 'Status=="ACTIVE" AND EffectiveRate>0'}).status == 200


def test_seed_with_usd_base_enables_eur():
    books = new_books("USD")
    assert set(books.currencies) == {"USD", "EUR"}
    assert books.organisation["Version"] == "US"


# --- accounts ---------------------------------------------------------------------------------------


def test_put_account_takes_one_object_and_truncates_a_list(engine: Engine):
    response = engine.put(
        "/Accounts",
        {
            "Accounts": [
                {"Code": "450", "Name": "Freight", "Type": "EXPENSE", "TaxType": "INPUT2"},
                {"Code": "451", "Name": "Ignored", "Type": "EXPENSE"},
            ]
        },
    )
    created = engine.ok(response, "Accounts")
    assert (created["Code"], created["Class"], created["Status"]) == ("450", "EXPENSE", "ACTIVE")
    codes = [a.get("Code") for a in engine.get("/Accounts").body["Accounts"]]
    assert "450" in codes and "451" not in codes


@pytest.mark.parametrize(
    "account, message",
    [
        (
            {"Code": "12345678901", "Name": "Too long", "Type": "EXPENSE"},
            "Account Code is too long. Maximum of 10 characters allowed",
        ),
        ({"Code": "200", "Name": "Dup code", "Type": "EXPENSE"}, "Please enter a unique Code."),
        ({"Code": "451", "Name": "sales", "Type": "REVENUE"}, "Please enter a unique Name."),
        ({"Code": "452", "Name": "Bad type", "Type": "MONEY"}, "Account Type MONEY is not valid."),
        ({"Code": "453", "Type": "EXPENSE"}, "Account Name is required."),
        (
            {"Code": "454", "Name": "Bank no number", "Type": "BANK"},
            "A BankAccountNumber is required for a BANK account.",
        ),
        (
            {"Code": "455", "Name": "Wrong tax", "Type": "EXPENSE", "TaxType": "OUTPUT2"},
            "The TaxType code 'OUTPUT2' cannot be used with account code '455'.",
        ),
        (
            {"Code": "456", "Name": "EUR bank", "Type": "BANK", "BankAccountNumber": "1", "CurrencyCode": "EUR"},
            "Organisation is not subscribed to currency EUR",
        ),
    ],
)
def test_account_rules(engine: Engine, account, message):
    response = engine.put("/Accounts", account)
    assert response.status == 400
    assert message in messages_of(response)
    assert response.body["Elements"][0]["AccountID"] == "00000000-0000-0000-0000-000000000000"


def test_adding_a_code_to_an_account_without_one(engine: Engine, customer):
    no_code = next(a for a in engine.get("/Accounts").body["Accounts"] if "Code" not in a)
    line = {"Description": "Fee", "Quantity": 1, "UnitAmount": 5, "AccountCode": "455"}
    refused = engine.put(
        "/Invoices", {"Invoices": [invoice_element(customer["ContactID"], Type="ACCPAY", LineItems=[line])]}
    )
    assert messages_of(refused) == ["Account code '455' is not a valid code for this document."]
    engine.advance(1)
    updated = engine.ok(engine.post(f"/Accounts/{no_code['AccountID']}", {"Accounts": [{"Code": "455"}]}), "Accounts")
    assert updated["Code"] == "455" and updated["UpdatedDateUTC"] != no_code["UpdatedDateUTC"]
    accepted = engine.put(
        "/Invoices", {"Invoices": [invoice_element(customer["ContactID"], Type="ACCPAY", LineItems=[line])]}
    )
    assert accepted.status == 200


def test_archive_and_delete_accounts(engine: Engine, customer):
    accounts = {a.get("Code"): a for a in engine.get("/Accounts").body["Accounts"]}
    archived = engine.ok(engine.post(f"/Accounts/{accounts['260']['AccountID']}", {"Status": "ARCHIVED"}), "Accounts")
    assert archived["Status"] == "ARCHIVED"
    system = engine.post(f"/Accounts/{accounts['610']['AccountID']}", {"Status": "ARCHIVED"})
    assert messages_of(system) == ["System account Accounts Receivable cannot be archived."]
    # an account used on a transaction cannot be deleted; an unused one can
    engine.invoice(customer["ContactID"])
    in_use = engine.delete(f"/Accounts/{accounts['200']['AccountID']}")
    assert in_use.status == 400 and "cannot be deleted" in messages_of(in_use)[0]
    deleted = engine.ok(engine.delete(f"/Accounts/{accounts['270']['AccountID']}"), "Accounts")
    assert deleted["Status"] == "DELETED"
    assert "270" not in [a.get("Code") for a in engine.get("/Accounts").body["Accounts"]]
    assert engine.delete(f"/Accounts/{accounts['270']['AccountID']}").status == 404


# --- tax rates ----------------------------------------------------------------------------------------


def test_create_tax_rate_gets_next_tax_code_and_computed_rates(engine: Engine):
    body = {
        "TaxRates": [
            {
                "Name": "Levy + GST",
                "ReportTaxType": "OUTPUT",
                "TaxComponents": [{"Name": "Levy", "Rate": 2.5}, {"Name": "GST", "Rate": 15, "IsCompound": True}],
            }
        ]
    }
    created = engine.ok(engine.put("/TaxRates", body), "TaxRates")
    assert created["TaxType"] == "TAX003"
    assert created["EffectiveRate"] == 17.875  # 2.5 + 15 × 1.025
    assert created["CanApplyToRevenue"] is True and created["CanApplyToExpenses"] is False


@pytest.mark.parametrize(
    "rate, message",
    [
        (
            {"Name": "No parts", "ReportTaxType": "OUTPUT", "TaxComponents": []},
            "A tax rate needs at least one TaxComponent.",
        ),
        (
            {"Name": "Too precise", "ReportTaxType": "OUTPUT", "TaxComponents": [{"Name": "X", "Rate": 1.23456}]},
            "TaxComponent Rate must be a number between 0 and 100 with at most 4 decimal places.",
        ),
        (
            {"Name": "No report type", "TaxComponents": [{"Name": "X", "Rate": 1}]},
            "ReportTaxType is required for NZ organisations.",
        ),
        (
            {"Name": "15% GST on Income", "ReportTaxType": "OUTPUT", "TaxComponents": [{"Name": "X", "Rate": 1}]},
            "A tax rate named 15% GST on Income already exists.",
        ),
    ],
)
def test_tax_rate_rules(engine: Engine, rate, message):
    response = engine.put("/TaxRates", {"TaxRates": [rate]})
    assert response.status == 400 and message in messages_of(response)


def test_update_and_delete_a_user_tax_rate(engine: Engine):
    updated = engine.ok(
        engine.post("/TaxRates", {"TaxRates": [{"TaxType": "TAX001", "Status": "DELETED"}]}), "TaxRates"
    )
    assert updated["Status"] == "DELETED"
    system = engine.post(
        "/TaxRates", {"TaxRates": [{"TaxType": "OUTPUT2", "TaxComponents": [{"Name": "GST", "Rate": 10}]}]}
    )
    assert messages_of(system) == ["System tax rate OUTPUT2 cannot be changed."]


# --- currencies and contact groups -----------------------------------------------------------------


def test_currencies(engine: Engine, customer):
    assert [c["Code"] for c in engine.get("/Currencies").body["Currencies"]] == ["NZD", "USD"]
    refused = engine.put("/Invoices", {"Invoices": [invoice_element(customer["ContactID"], CurrencyCode="EUR")]})
    assert "Organisation is not subscribed to currency EUR" in messages_of(refused)
    added = engine.ok(engine.put("/Currencies", {"Code": "EUR"}), "Currencies")
    assert added == {"Code": "EUR", "Description": "Euro"}
    assert (
        engine.put("/Invoices", {"Invoices": [invoice_element(customer["ContactID"], CurrencyCode="EUR")]}).status
        == 200
    )
    bad = engine.put("/Currencies", {"Code": "XYZ"})
    assert bad.status == 400 and messages_of(bad) == ["Currency code XYZ is not a valid ISO 4217 currency code."]


def test_contact_groups_create_rename_delete(engine: Engine):
    created = engine.ok(engine.put("/ContactGroups", {"ContactGroups": [{"Name": "VIP"}]}), "ContactGroups")
    duplicate = engine.put("/ContactGroups", {"ContactGroups": [{"Name": "vip"}]})
    assert messages_of(duplicate) == ["A contact group named vip already exists."]
    engine.post(f"/ContactGroups/{created['ContactGroupID']}", {"ContactGroups": [{"Status": "DELETED"}]})
    names = [g["Name"] for g in engine.get("/ContactGroups").body["ContactGroups"]]
    assert names == ["Wholesale Customers", "Preferred Suppliers"]  # only ACTIVE groups are listed


def test_snapshot_holds_everything_in_wire_shapes(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    engine.pay(invoice["InvoiceID"], 15)
    snapshot = engine.books.snapshot()
    assert snapshot["TenantID"] == TENANT_ID
    assert snapshot["Invoices"][0]["AmountPaid"] == 15.0
    assert snapshot["Payments"][0]["Date"].startswith("/Date(")
    assert {
        "Accounts",
        "TaxRates",
        "Currencies",
        "ContactGroups",
        "Contacts",
        "CreditNotes",
        "Allocations",
        "BankTransactions",
    } <= set(snapshot)
