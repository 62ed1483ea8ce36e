"""Field mappings and money maths reach the emulated Xero (seed field tables, SPEC §7, F2.2,
xero-facts §6.1, §6.5, §6.8): what Xero *holds* after an export — totals, lines, rates, contact
fields — and the missing-account-code failure that the admin can fix in Xero."""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

from decimal import Decimal

from export_harness import ExportHarness, contact, invoice
from scenario_helpers import (
    XeroState,
    bank_charge,
    bill,
    emulator,  # noqa: F401 — fixtures: see scenario_helpers
    enable_everything,
    harness,  # noqa: F401
    invoice_payment,
    line,
    line_summary,
    money,
    vendor,
)

from xero_sync.domain.families import Family


def test_spec_example_invoice_totals_441_96_with_separate_lines(harness: ExportHarness) -> None:
    # Given the SPEC §7 example: 12 × 31.50 with 15 % GST, discount 10.00, shipping 15.00 with
    # GST and a round-off of 0.01, adjustments on the configured account (260)
    harness.push(
        contact(
            "cus-17",
            "Harbour Cafe Ltd",
            version=2,
            email="ap@harbourcafe.example",
            billing_address={"line1": "12 Quay St", "city": "Auckland", "country": "NZ"},
            currency="NZD",
        ),
        {
            "entity": "invoice",
            "id": "inv-1042",
            "version": 5,
            "action": "upsert",
            "data": {
                "number": "INV-1042",
                "contact_id": "cus-17",
                "date": "2026-11-02",
                "due_date": "2026-12-02",
                "status": "open",
                "currency": "NZD",
                "amounts_are": "exclusive",
                "lines": [
                    {
                        "item_name": "Espresso beans 1kg",
                        "description": "Single origin",
                        "quantity": 12,
                        "rate": "31.5",
                        "tax_id": "gst15",
                        "account_code": "200",
                    }
                ],
                "discount": "10.00",
                "shipping_charge": "15.00",
                "shipping_tax_id": "gst15",
                "round_off": "0.01",
                "total": "441.96",
            },
        },
    )
    # When it is exported
    harness.sync()
    harness.drain()
    # Then Xero's invoice totals 441.96, as the host's does
    found = XeroState(harness).invoice("INV-1042")
    assert money(found["Total"]) == Decimal("441.96")
    assert (money(found["SubTotal"]), money(found["TotalTax"])) == (Decimal("383.01"), Decimal("58.95"))
    # And discount, shipping and round-off are separate lines on the configured account
    assert [(d, q, u, a) for d, q, u, a in line_summary(found)] == [
        ("Espresso beans 1kg\nSingle origin", 12, Decimal("31.5"), "200"),
        ("Discount", 1, Decimal(-10), "260"),
        ("Shipping charges", 1, Decimal(15), "260"),
        ("Round off", 1, Decimal("0.01"), "260"),
    ]
    taxes = [(item["TaxType"], money(item["TaxAmount"])) for item in found["LineItems"]]
    assert taxes == [("OUTPUT2", Decimal("56.70")), ("NONE", 0), ("OUTPUT2", Decimal("2.25")), ("NONE", 0)]
    # And the record is synced without a total-mismatch notice
    row = harness.record("invoice", "inv-1042")
    assert row.status == "synced" and "total" not in (row.last_message or "").lower()


def test_unit_price_with_four_decimals_is_kept(harness: ExportHarness) -> None:
    # Given an invoice line priced at 12.3456
    # When it is exported
    harness.export(
        contact("cus-1", "Harbour Cafe Ltd"),
        invoice("inv-1", "INV-1", "cus-1", lines=[line("12.3456", 3, account_code="200")]),
    )
    # Then Xero keeps the 4 decimals (unitdp=4) and rounds only the line amount
    item = XeroState(harness).invoice("INV-1")["LineItems"][0]
    assert Decimal(str(item["UnitAmount"])) == Decimal("12.3456")
    assert money(item["LineAmount"]) == Decimal("37.04")
    assert money(item["TaxAmount"]) == Decimal("5.56")


def test_foreign_currency_invoice_and_payment_use_the_hosts_rate_in_xeros_direction(harness: ExportHarness) -> None:
    # Given a USD invoice where the host says 1 USD = 1.65 NZD, and its payment into the USD bank
    # account at 1.60
    # When they are exported
    harness.export(
        contact("cus-1", "Boston Roasters Inc", currency="USD"),
        invoice(
            "inv-1",
            "INV-US-1",
            "cus-1",
            currency="USD",
            exchange_rate="1.65",
            lines=[line("100", 1, tax_id=None, account_code="200")],
            amounts_are="no_tax",
        ),
        invoice_payment("pay-1", "inv-1", "40.00", account_code="091", exchange_rate="1.60"),
    )
    # Then Xero holds the invoice in USD at 1 / 1.65 (Xero quotes foreign units per base unit)
    xero = XeroState(harness)
    found = xero.invoice("INV-US-1")
    assert found["CurrencyCode"] == "USD"
    assert Decimal(str(found["CurrencyRate"])) == Decimal("0.606061")
    assert money(found["Total"]) == Decimal("100.00")
    # And the payment carries its own rate, converted the same way
    payment = xero.live_payment("invoice_payment", "pay-1")
    assert Decimal(str(payment["CurrencyRate"])) == Decimal("0.625")
    assert money(payment["Amount"]) == Decimal("40.00") and payment["Account"]["Code"] == "091"
    assert money(found["AmountDue"]) == Decimal("60.00")
    # And the contact's default currency is USD
    assert xero.contact("Boston Roasters Inc")["DefaultCurrency"] == "USD"


def test_contact_fields_are_mapped(harness: ExportHarness) -> None:
    # Given a customer with every mapped field (seed "Sync Details of Customers")
    harness.export(
        contact(
            "cus-1",
            "Harbour Cafe Ltd",
            first_name="Mere",
            last_name="Tane",
            email="ap@harbour.example",
            phone_work="09 555 0100",
            phone_mobile="021 555 0199",
            tax_number="123-456-789",
            billing_address={"line1": "PO Box 12", "city": "Auckland", "postal_code": "1010", "country": "NZ"},
            shipping_address={
                "line1": "12 Quay St",
                "line2": "Unit 3",
                "city": "Auckland",
                "region": "Auckland",
                "country": "NZ",
                "attention": "Goods in",
            },
            contact_persons=[
                {"first_name": "Ana", "last_name": "Smith", "email": "ana@harbour.example", "include_in_emails": True},
                {"first_name": "Ben", "last_name": "Lee", "email": "ben@harbour.example"},
            ],
        ),
        invoice("inv-1", "INV-1", "cus-1"),
    )
    # Then Xero's contact holds each field in its Xero place
    found = XeroState(harness).contact("Harbour Cafe Ltd")
    assert (found["FirstName"], found["LastName"], found["EmailAddress"], found["TaxNumber"]) == (
        "Mere",
        "Tane",
        "ap@harbour.example",
        "123-456-789",
    )
    phones = {p["PhoneType"]: p["PhoneNumber"] for p in found["Phones"]}
    assert phones["DEFAULT"] == "09 555 0100" and phones["MOBILE"] == "021 555 0199"
    addresses = {a["AddressType"]: a for a in found["Addresses"]}
    billing, shipping = addresses["POBOX"], addresses["STREET"]  # billing → POBOX, delivery → STREET
    assert (billing["AddressLine1"], billing["City"], billing["PostalCode"]) == ("PO Box 12", "Auckland", "1010")
    assert (shipping["AddressLine1"], shipping["AddressLine2"], shipping["AttentionTo"]) == (
        "12 Quay St",
        "Unit 3",
        "Goods in",
    )
    persons = [
        (p["FirstName"], p["LastName"], p["EmailAddress"], p["IncludeInEmails"]) for p in found["ContactPersons"]
    ]
    assert persons == [("Ana", "Smith", "ana@harbour.example", True), ("Ben", "Lee", "ben@harbour.example", False)]


def test_bill_number_is_xeros_invoice_number_and_adjustments_go_to_the_purchase_account(harness: ExportHarness) -> None:
    # Given a bill with a discount and an adjustment
    # When it is exported
    harness.export(
        vendor("ven-1", "Beanery Supplies Ltd"),
        bill(
            "bill-1", "SUP-4471", "ven-1", discount="5.00", adjustment="-1.50", adjustment_description="Freight credit"
        ),
    )
    # Then the bill # is the ACCPAY InvoiceNumber (Xero's "Reference"), and discount and adjustment
    # are separate untaxed lines on the purchase adjustments account (429)
    found = XeroState(harness).invoice("SUP-4471", "ACCPAY")
    assert line_summary(found) == [
        ("Green beans", 2, 40, "300"),
        ("Discount", 1, -5, "429"),
        ("Freight credit", 1, Decimal("-1.5"), "429"),
    ]
    assert money(found["Total"]) == Decimal("85.50")


def test_account_without_code_fails_with_its_name_and_succeeds_once_coded(harness: ExportHarness) -> None:
    # Given bank charges are booked to "Merchant Fees", chosen in the settings by its AccountID.
    # (The settings service refuses to save an account that has no code, so it is chosen while it
    # has one; then someone clears the code in Xero — the state F2.2 is about.)
    xero = harness.container.xero_api.for_org(harness.org_id)
    contexts = harness.container.mapping_contexts
    merchant_fees = next(a for a in harness.xero()["Accounts"] if a["Name"] == "Merchant Fees")
    assert not merchant_fees.get("Code")
    account_path = f"/Accounts/{merchant_fees['AccountID']}"
    xero.post(account_path, json={"Accounts": [{"Code": "405"}]})
    contexts.refresh(harness.org_id, harness.container.clock())
    enable_everything(harness, bank_charges_account=merchant_fees["AccountID"])
    xero.post(account_path, json={"Accounts": [{"Code": ""}]})
    contexts.refresh(harness.org_id, harness.container.clock())
    # When a bank charge is exported
    harness.export(bank_charge("bc-1", "2.75", description="Card fees"))
    # Then nothing reaches Xero, the record failed naming the account and what to do, in the DLQ
    assert XeroState(harness).bank_transactions_stamped("bc-1") == []
    row = harness.record("bank_charge", "bc-1")
    assert row.status == "failed" and row.error_code == "missing_account_code"
    assert "Merchant Fees" in row.last_message and "Add a code" in row.last_message
    assert [k.record_id for k in harness.dlq_keys(Family.BANK_CHARGES)] == ["bc-1"]
    # When the admin adds a code to the account in Xero, and the reference data is refreshed
    xero.post(account_path, json={"Accounts": [{"Code": "405"}]})
    contexts.refresh(harness.org_id, harness.container.clock())
    harness.drain()
    # Then the bank charge reaches Xero on that account, once
    found = XeroState(harness).bank_transactions_stamped("bc-1")
    assert len(found) == 1 and [i["AccountCode"] for i in found[0]["LineItems"]] == ["405"]
    assert harness.record("bank_charge", "bc-1").status == "synced"
