"""Invoices and bills (xero-facts §6.1, §3, §9 items 5–8)."""

from __future__ import annotations

import pytest

from local.xero_emulator.interfaces import ResourceEvent
from tests.emulator.accounting.helpers import (
    ARCHIVED_SALES,
    BANK,
    PURCHASES,
    RECEIVABLES,
    ROUNDING,
    SALES,
    Engine,
    invoice_element,
    messages_of,
    ms,
)


def line(**fields):
    return {
        "Description": "Item",
        "Quantity": 1,
        "UnitAmount": 100,
        "AccountCode": SALES,
        "TaxType": "OUTPUT2",
        **fields,
    }


def put_invoice(engine: Engine, contact_id: str, **fields):
    return engine.put("/Invoices", {"Invoices": [invoice_element(contact_id, **fields)]})


# --- creating ----------------------------------------------------------------------------------------


def test_minimal_draft_gets_xero_defaults(engine: Engine, customer):
    response = engine.put(
        "/Invoices",
        {
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": customer["ContactID"]},
                    "LineItems": [{"Description": "Beans", "Quantity": 2, "UnitAmount": 10}],
                }
            ]
        },
    )
    invoice = engine.ok(response, "Invoices")
    assert invoice["Status"] == "DRAFT"
    assert invoice["LineAmountTypes"] == "Exclusive"  # the default for invoices
    assert invoice["Date"] == ms(engine.now.date())
    assert invoice["InvoiceNumber"] == "INV-0001"
    assert invoice["CurrencyCode"] == "NZD" and invoice["CurrencyRate"] == 1.0
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"], invoice["AmountDue"]) == (20.0, 0.0, 20.0, 20.0)
    assert invoice["StatusAttributeString"] == "OK"
    assert response.events == [ResourceEvent("INVOICE", "CREATE", invoice["InvoiceID"])]


def test_the_spec_example_adds_up_to_441_96(engine: Engine, customer):
    # SPEC §7 example: 378.00 + 56.70 tax + 15.00 shipping + 2.25 tax − 10.00 discount + 0.01 = 441.96
    lines = [
        line(Description="Espresso beans 1kg", Quantity=12, UnitAmount="31.5"),
        line(Description="Shipping", UnitAmount=15),
        line(Description="Discount", UnitAmount=-10, TaxType="NONE"),
        line(Description="Round off", UnitAmount=0.01, AccountCode=ROUNDING, TaxType="NONE"),
    ]
    invoice = engine.ok(
        put_invoice(engine, customer["ContactID"], LineItems=lines, InvoiceNumber="INV-1042"), "Invoices"
    )
    assert [line["TaxAmount"] for line in invoice["LineItems"]] == [56.7, 2.25, 0.0, 0.0]
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"]) == (383.01, 58.95, 441.96)


def test_inclusive_amounts_take_tax_out_per_line(engine: Engine, customer):
    lines = [line(UnitAmount=20), line(UnitAmount=10)]
    invoice = engine.ok(
        put_invoice(engine, customer["ContactID"], LineAmountTypes="Inclusive", LineItems=lines), "Invoices"
    )
    assert [line["TaxAmount"] for line in invoice["LineItems"]] == [2.61, 1.3]
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"]) == (26.09, 3.91, 30.0)


def test_compound_tax_rate_on_a_line(engine: Engine, customer):
    invoice = engine.ok(put_invoice(engine, customer["ContactID"], LineItems=[line(TaxType="TAX002")]), "Invoices")
    assert invoice["TotalTax"] == 15.47 and invoice["Total"] == 115.47


def test_no_tax_lines(engine: Engine, customer):
    invoice = engine.ok(put_invoice(engine, customer["ContactID"], LineAmountTypes="NoTax"), "Invoices")
    assert invoice["TotalTax"] == 0.0 and invoice["Total"] == 100.0


def test_account_default_tax_type_applies_when_none_is_sent(engine: Engine, customer):
    invoice = engine.ok(
        put_invoice(
            engine,
            customer["ContactID"],
            LineItems=[{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": SALES}],
        ),
        "Invoices",
    )
    assert invoice["LineItems"][0]["TaxType"] == "OUTPUT2" and invoice["TotalTax"] == 1.5


def test_a_sent_total_that_disagrees_is_ignored_with_a_warning(engine: Engine, customer):
    response = put_invoice(engine, customer["ContactID"], Total=999, SubTotal=1)
    invoice = engine.ok(response, "Invoices")
    assert invoice["Total"] == 115.0
    assert invoice["StatusAttributeString"] == "WARNING"
    assert "calculated Total 115.00" in invoice["Warnings"][0]["Message"]


def test_line_amount_fills_in_a_missing_quantity_or_unit_amount(engine: Engine, customer):
    lines = [
        {"Description": "only amount", "LineAmount": 50, "AccountCode": SALES, "TaxType": "NONE"},
        {
            "Description": "amount and quantity",
            "Quantity": 4,
            "LineAmount": 50,
            "AccountCode": SALES,
            "TaxType": "NONE",
        },
        {
            "Description": "quantity and unit win",
            "Quantity": 2,
            "UnitAmount": 5,
            "LineAmount": 999,
            "AccountCode": SALES,
            "TaxType": "NONE",
        },
    ]
    invoice = engine.ok(put_invoice(engine, customer["ContactID"], LineItems=lines), "Invoices")
    got = [(line["Quantity"], line["UnitAmount"], line["LineAmount"]) for line in invoice["LineItems"]]
    assert got == [(1.0, 50.0, 50.0), (4.0, 12.5, 50.0), (2.0, 5.0, 10.0)]


def test_client_ids_on_create_are_ignored(engine: Engine, customer):
    sent = "0e0e0e0e-0000-4000-8000-000000000001"
    invoice = engine.ok(put_invoice(engine, customer["ContactID"], InvoiceID=sent), "Invoices")
    assert invoice["InvoiceID"] != sent


# --- validation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"Type": None}, "Invoice Type is required. Use ACCREC or ACCPAY."),
        ({"Type": "ACCRECCREDIT"}, "Invoice Type ACCRECCREDIT is not valid. Use ACCREC or ACCPAY."),
        (
            {"Contact": {}},
            "The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber",
        ),
        (
            {"Contact": None},
            "The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber",
        ),
        (
            {"Contact": {"ContactID": "0e0e0e0e-0000-4000-8000-000000000009"}},
            "A contact with the ContactID 0e0e0e0e-0000-4000-8000-000000000009 could not be found.",
        ),
        ({"LineItems": []}, "At least one line item is required."),
        ({"LineItems": [line(Description="")]}, "The description field is mandatory for each line item."),
        ({"LineItems": [line(AccountCode=None, TaxType=None)]}, "Account code must be specified"),
        ({"LineItems": [line(AccountCode="999")]}, "Account code '999' is not a valid code for this document."),
        (
            {"LineItems": [line(AccountCode=ARCHIVED_SALES)]},
            "Account code '210' is not a valid code for this document.",
        ),
        ({"LineItems": [line(AccountCode=BANK)]}, "Account code '090' is not a valid code for this document."),
        ({"LineItems": [line(AccountCode=RECEIVABLES)]}, "Account code '610' is not a valid code for this document."),
        (
            {"LineItems": [line(TaxType="GST on Income")]},
            "The TaxType code GST on Income does not exist or cannot be used for this type of transaction.",
        ),
        (
            {"LineItems": [line(TaxType="OUTPUT")]},
            "The TaxType code OUTPUT does not exist or cannot be used for this type of transaction.",
        ),
        ({"LineItems": [line(TaxType="INPUT2")]}, "The TaxType code 'INPUT2' cannot be used with account code '200'."),
        ({"CurrencyCode": "EUR"}, "Organisation is not subscribed to currency EUR"),
        ({"CurrencyCode": "USD", "CurrencyRate": 0}, "CurrencyRate must be greater than zero."),
        ({"Status": "PAID"}, "Invoice cannot be created with Status PAID. Use DRAFT, SUBMITTED or AUTHORISED."),
        ({"Status": "VOIDED"}, "Invoice cannot be created with Status VOIDED. Use DRAFT, SUBMITTED or AUTHORISED."),
        ({"DueDate": None}, "Due Date is required when the invoice is submitted or approved."),
        ({"Date": "31/12/2026"}, "Date is not a valid date."),
        ({"LineItems": [line(Quantity="two")]}, "Quantity must be a number."),
        ({"LineItems": [line(DiscountRate=150)]}, "DiscountRate must be between 0 and 100."),
        ({"LineItems": [line(UnitAmount=-200)]}, "The total of an approved invoice cannot be negative."),
        (
            {"LineItems": [line(Tracking=[{"Name": "A"}, {"Name": "B"}, {"Name": "C"}])]},
            "A line item can have a maximum of 2 tracking categories.",
        ),
        ({"Status": "DRAFT", "SentToContact": True}, "SentToContact can only be set on approved invoices."),
    ],
)
def test_invoice_rules(engine: Engine, customer, fields, message):
    element = invoice_element(customer["ContactID"])
    for key, value in fields.items():
        if value is None:
            element.pop(key, None)
        else:
            element[key] = value
    response = engine.put("/Invoices", {"Invoices": [element]})
    assert response.status == 400
    assert message in messages_of(response)
    assert engine.books.invoices == {}


def test_drafts_need_no_account_code_but_approval_does(engine: Engine, customer):
    draft = engine.ok(
        put_invoice(
            engine,
            customer["ContactID"],
            Status="DRAFT",
            LineItems=[{"Description": "x", "Quantity": 1, "UnitAmount": 5}],
        ),
        "Invoices",
    )
    refused = engine.post(f"/Invoices/{draft['InvoiceID']}", {"Invoices": [{"Status": "AUTHORISED"}]})
    assert messages_of(refused) == ["Account code must be specified"]


def test_due_date_comes_from_payment_terms_when_not_sent(engine: Engine):
    contact = engine.contact("Terms Ltd", PaymentTerms={"Sales": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}})
    element = invoice_element(contact["ContactID"], Date="2026-03-10")
    element.pop("DueDate")
    invoice = engine.ok(engine.put("/Invoices", {"Invoices": [element]}), "Invoices")
    assert invoice["DueDate"] == ms(__import__("datetime").date(2026, 4, 20))


def test_discounts_only_on_accrec(engine: Engine, customer):
    invoice = engine.ok(
        put_invoice(engine, customer["ContactID"], LineItems=[line(Quantity=3, UnitAmount="33.33", DiscountRate=10)]),
        "Invoices",
    )
    assert invoice["LineItems"][0]["LineAmount"] == 89.99 and invoice["IsDiscounted"] is True
    assert invoice["TotalDiscount"] == 10.0
    bill = put_invoice(
        engine,
        customer["ContactID"],
        Type="ACCPAY",
        LineItems=[line(AccountCode=PURCHASES, TaxType="INPUT2", DiscountRate=10)],
    )
    assert "Discounts are only supported on ACCREC invoices" in messages_of(bill)[0]


@pytest.mark.parametrize("unitdp, expected_unit, expected_amount", [(None, 1.23, 123.0), ("4", 1.2346, 123.46)])
def test_unit_amount_decimal_places(engine: Engine, customer, unitdp, expected_unit, expected_amount):
    query = {"unitdp": unitdp} if unitdp else {}
    lines = [line(Quantity=100, UnitAmount="1.23456", TaxType="NONE")]
    response = engine.put(
        "/Invoices", {"Invoices": [invoice_element(customer["ContactID"], LineItems=lines)]}, query=query
    )
    invoice = engine.ok(response, "Invoices")
    assert invoice["LineItems"][0]["UnitAmount"] == expected_unit
    assert invoice["LineItems"][0]["LineAmount"] == expected_amount


def test_four_decimal_unit_amounts_show_only_when_read_with_unitdp_4(engine: Engine, customer):
    lines = [line(UnitAmount="1.2345", TaxType="NONE")]
    invoice = engine.ok(
        engine.put(
            "/Invoices", {"Invoices": [invoice_element(customer["ContactID"], LineItems=lines)]}, query={"unitdp": "4"}
        ),
        "Invoices",
    )
    plain = engine.get(f"/Invoices/{invoice['InvoiceID']}").body["Invoices"][0]
    precise = engine.get(f"/Invoices/{invoice['InvoiceID']}", query={"unitdp": "4"}).body["Invoices"][0]
    assert plain["LineItems"][0]["UnitAmount"] == 1.23 and precise["LineItems"][0]["UnitAmount"] == 1.2345


def test_foreign_currency_gets_a_day_rate_and_base_currency_rate_1(engine: Engine, customer):
    usd = engine.ok(put_invoice(engine, customer["ContactID"], CurrencyCode="USD"), "Invoices")
    assert usd["CurrencyCode"] == "USD" and usd["CurrencyRate"] == 0.606061  # USD per NZD
    given = engine.ok(put_invoice(engine, customer["ContactID"], CurrencyCode="USD", CurrencyRate=0.55), "Invoices")
    assert given["CurrencyRate"] == 0.55
    base = engine.ok(put_invoice(engine, customer["ContactID"], CurrencyRate=2.5), "Invoices")
    assert base["CurrencyRate"] == 1.0


# --- numbering -------------------------------------------------------------------------------------


def test_accrec_numbers_are_unique_and_auto_numbered(engine: Engine, customer):
    engine.invoice(customer["ContactID"], InvoiceNumber="INV-0041")
    assert engine.invoice(customer["ContactID"])["InvoiceNumber"] == "INV-0042"
    duplicate = put_invoice(engine, customer["ContactID"], InvoiceNumber="inv-0041")
    assert messages_of(duplicate) == ["Invoice # must be unique."]


def test_accpay_numbers_are_not_unique_and_not_auto_numbered(engine: Engine, customer):
    bill_line = [line(AccountCode=PURCHASES, TaxType="INPUT2")]
    first = engine.invoice(customer["ContactID"], Type="ACCPAY", InvoiceNumber="SUP-9", LineItems=bill_line)
    second = engine.invoice(customer["ContactID"], Type="ACCPAY", InvoiceNumber="SUP-9", LineItems=bill_line)
    assert first["InvoiceID"] != second["InvoiceID"]
    unnumbered = engine.invoice(customer["ContactID"], Type="ACCPAY", LineItems=bill_line)
    assert unnumbered["InvoiceNumber"] == ""


def test_reference_is_dropped_on_bills_with_a_warning(engine: Engine, customer):
    bill = engine.invoice(
        customer["ContactID"],
        Type="ACCPAY",
        Reference="PO-1",
        LineItems=[line(AccountCode=PURCHASES, TaxType="INPUT2")],
    )
    assert "Reference" not in bill and bill["StatusAttributeString"] == "WARNING"
