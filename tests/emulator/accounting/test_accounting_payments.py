"""Payments and refunds (xero-facts §6.2, §6.3, §9 items 6–7)."""

from __future__ import annotations

from datetime import date

import pytest

from local.xero_emulator.interfaces import ResourceEvent
from tests.emulator.accounting.helpers import (
    BANK,
    FUNDS_INTRODUCED,
    PURCHASES,
    SALES,
    USD_BANK,
    Engine,
    messages_of,
    ms,
)


def test_part_payment_then_full_payment_marks_the_invoice_paid(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    first = engine.ok(engine.pay(invoice["InvoiceID"], 15, Reference="deposit"), "Payments")
    assert first["PaymentType"] == "ACCRECPAYMENT" and first["Status"] == "AUTHORISED"
    assert first["Invoice"]["AmountDue"] == 100.0 and first["Invoice"]["Status"] == "AUTHORISED"
    assert first["Account"]["Code"] == BANK and first["BankAmount"] == 15.0
    engine.advance(60)
    response = engine.pay(invoice["InvoiceID"], "100.00", Date="2026-03-20")
    second = engine.ok(response, "Payments")
    assert second["Invoice"]["Status"] == "PAID"
    assert response.events == [ResourceEvent("INVOICE", "UPDATE", invoice["InvoiceID"])]
    paid = engine.get(f"/Invoices/{invoice['InvoiceID']}").body["Invoices"][0]
    assert (paid["AmountPaid"], paid["AmountDue"], paid["Status"]) == (115.0, 0.0, "PAID")
    assert paid["FullyPaidOnDate"] == ms(date(2026, 3, 20))
    assert [p["Amount"] for p in paid["Payments"]] == [15.0, 100.0]
    assert paid["UpdatedDateUTC"] != invoice["UpdatedDateUTC"]  # the payment moved the invoice's journal


def test_deleting_a_payment_reopens_the_invoice(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    payment = engine.ok(engine.pay(invoice["InvoiceID"], 115), "Payments")
    response = engine.post(f"/Payments/{payment['PaymentID']}", {"Status": "DELETED"})
    deleted = engine.ok(response, "Payments")
    assert deleted["Status"] == "DELETED"
    assert response.events == [ResourceEvent("INVOICE", "UPDATE", invoice["InvoiceID"])]
    reopened = engine.get(f"/Invoices/{invoice['InvoiceID']}").body["Invoices"][0]
    assert (reopened["Status"], reopened["AmountDue"], reopened["Payments"]) == ("AUTHORISED", 115.0, [])
    assert "FullyPaidOnDate" not in reopened
    # deleted payments stay readable
    assert engine.get(f"/Payments/{payment['PaymentID']}").body["Payments"][0]["Status"] == "DELETED"
    again = engine.post(f"/Payments/{payment['PaymentID']}", {"Status": "DELETED"})
    assert messages_of(again) == ["This payment has already been deleted."]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"Status": "DELETED", "Amount": 5}, "Only Status accepted for updates."),
        ({"Status": "DELETED", "Reference": "x"}, "Only Status accepted for updates."),
        ({"Status": "AUTHORISED"}, "A payment can only be updated to Status DELETED."),
        ({"Payments": [{"Status": "DELETED", "Date": "2026-03-05"}]}, "Only Status accepted for updates."),
    ],
)
def test_payments_are_never_edited_only_deleted(engine: Engine, customer, body, message):
    invoice = engine.invoice(customer["ContactID"])
    payment = engine.ok(engine.pay(invoice["InvoiceID"], 10), "Payments")
    response = engine.post(f"/Payments/{payment['PaymentID']}", body)
    assert response.status == 400 and messages_of(response) == [message]
    assert engine.books.payments[payment["PaymentID"]]["Status"] == "AUTHORISED"


def test_delete_body_may_be_wrapped_and_name_the_payment(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    payment = engine.ok(engine.pay(invoice["InvoiceID"], 10), "Payments")
    body = {"Payments": [{"PaymentID": payment["PaymentID"], "Status": "DELETED"}]}
    assert engine.ok(engine.post(f"/Payments/{payment['PaymentID']}", body), "Payments")["Status"] == "DELETED"


@pytest.mark.parametrize("status", ["DRAFT", "SUBMITTED"])
def test_payments_only_against_authorised_documents(engine: Engine, customer, status):
    invoice = engine.invoice(customer["ContactID"], Status=status)
    assert messages_of(engine.pay(invoice["InvoiceID"], 10)) == [
        "Payments can only be made against Authorised documents"
    ]


def test_payments_not_against_voided_or_paid(engine: Engine, customer):
    voided = engine.invoice(customer["ContactID"])
    engine.post(f"/Invoices/{voided['InvoiceID']}", {"Invoices": [{"Status": "VOIDED"}]})
    assert messages_of(engine.pay(voided["InvoiceID"], 10)) == [
        "Payments can only be made against Authorised documents"
    ]
    paid = engine.invoice(customer["ContactID"])
    engine.pay(paid["InvoiceID"], 115)
    assert messages_of(engine.pay(paid["InvoiceID"], 1)) == [
        "Payment amount exceeds the amount outstanding on this document"
    ]


def test_amount_may_not_exceed_the_outstanding_amount(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    engine.pay(invoice["InvoiceID"], 100)
    assert messages_of(engine.pay(invoice["InvoiceID"], "15.01")) == [
        "Payment amount exceeds the amount outstanding on this document"
    ]
    assert engine.pay(invoice["InvoiceID"], "15.00").status == 200


@pytest.mark.parametrize(
    "account, message",
    [
        (
            SALES,
            "Account 200 cannot be used for payments: it must be a BANK account or have EnablePaymentsToAccount set.",
        ),
        ("999", "The Account specified on the payment could not be found."),
    ],
)
def test_payment_account_must_be_bank_or_payments_enabled(engine: Engine, customer, account, message):
    invoice = engine.invoice(customer["ContactID"])
    assert messages_of(engine.pay(invoice["InvoiceID"], 10, account=account)) == [message]


def test_payment_from_an_account_with_payments_enabled(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    payment = engine.ok(engine.pay(invoice["InvoiceID"], 115, account=FUNDS_INTRODUCED), "Payments")
    assert payment["Account"]["Code"] == FUNDS_INTRODUCED and payment["Invoice"]["Status"] == "PAID"


@pytest.mark.parametrize(
    "element, message",
    [
        (
            {"Account": {"Code": BANK}, "Date": "2026-03-05", "Amount": 5},
            "A payment must be applied to exactly one of: Invoice, CreditNote, Prepayment, Overpayment.",
        ),
        (
            {
                "Invoice": {"InvoiceNumber": "INV-0001"},
                "CreditNote": {"CreditNoteNumber": "CN-0001"},
                "Account": {"Code": BANK},
                "Date": "2026-03-05",
                "Amount": 5,
            },
            "A payment must be applied to exactly one of: Invoice, CreditNote, Prepayment, Overpayment.",
        ),
        (
            {
                "Overpayment": {"OverpaymentID": "0e0e0e0e-0000-4000-8000-000000000003"},
                "Account": {"Code": BANK},
                "Date": "2026-03-05",
                "Amount": 5,
            },
            "Payments against Overpayments are not supported by the emulator.",
        ),
        (
            {"Invoice": {"InvoiceNumber": "INV-0001"}, "Date": "2026-03-05", "Amount": 5},
            "A payment requires an Account (AccountID or Code).",
        ),
        (
            {"Invoice": {"InvoiceNumber": "INV-0001"}, "Account": {"Code": BANK}, "Amount": 5},
            "Payment Date is required.",
        ),
        (
            {"Invoice": {"InvoiceNumber": "INV-0001"}, "Account": {"Code": BANK}, "Date": "2026-03-05", "Amount": 0},
            "Payment Amount must be greater than zero.",
        ),
        (
            {"Invoice": {"InvoiceNumber": "INV-0404"}, "Account": {"Code": BANK}, "Date": "2026-03-05", "Amount": 5},
            "The invoice specified on the payment could not be found.",
        ),
        (
            {
                "Invoice": {"InvoiceNumber": "INV-0001"},
                "Account": {"Code": BANK},
                "Date": "2026-03-05",
                "Amount": 5,
                "Status": "DELETED",
            },
            "A payment can only be created with Status AUTHORISED.",
        ),
    ],
)
def test_payment_rules(engine: Engine, customer, element, message):
    engine.invoice(customer["ContactID"])
    response = engine.put("/Payments", {"Payments": [element]})
    assert response.status == 400 and message in messages_of(response)


def test_pay_by_invoice_number_and_post_creates_one_payment(engine: Engine, customer):
    engine.invoice(customer["ContactID"])
    body = {"Invoice": {"InvoiceNumber": "INV-0001"}, "Account": {"Code": BANK}, "Date": "2026-03-05", "Amount": 5}
    assert engine.ok(engine.post("/Payments", body), "Payments")["Amount"] == 5.0


def test_bill_payment_type(engine: Engine, customer):
    bill = engine.invoice(
        customer["ContactID"],
        Type="ACCPAY",
        LineItems=[{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": PURCHASES}],
    )
    assert engine.ok(engine.pay(bill["InvoiceID"], 11.5), "Payments")["PaymentType"] == "ACCPAYPAYMENT"


def test_foreign_currency_payment_amounts(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"], CurrencyCode="USD", CurrencyRate=0.6)
    from_nzd_bank = engine.ok(engine.pay(invoice["InvoiceID"], 60, CurrencyRate=0.6), "Payments")
    assert (from_nzd_bank["Amount"], from_nzd_bank["BankAmount"], from_nzd_bank["CurrencyRate"]) == (60.0, 100.0, 0.6)
    from_usd_bank = engine.ok(engine.pay(invoice["InvoiceID"], 10, account=USD_BANK), "Payments")
    assert from_usd_bank["BankAmount"] == 10.0
    nzd_invoice = engine.invoice(customer["ContactID"])
    refused = engine.pay(nzd_invoice["InvoiceID"], 10, account=USD_BANK)
    assert messages_of(refused) == [
        "A NZD document cannot be paid from a USD bank account; use an account in NZD or in the base currency."
    ]


def test_payment_batch_with_summarize_errors_false(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    good = {
        "Invoice": {"InvoiceID": invoice["InvoiceID"]},
        "Account": {"Code": BANK},
        "Date": "2026-03-05",
        "Amount": 100,
    }
    too_much = dict(good, Amount=100)
    response = engine.put("/Payments", {"Payments": [good, too_much]}, query={"summarizeErrors": "false"})
    results = response.body["Payments"]
    assert [r["StatusAttributeString"] for r in results] == ["OK", "ERROR"]
    assert results[1]["HasValidationErrors"] is True
    assert results[1]["ValidationErrors"] == [
        {"Message": "Payment amount exceeds the amount outstanding on this document"}
    ]


def test_payments_list_includes_deleted_with_their_status(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    payment = engine.ok(engine.pay(invoice["InvoiceID"], 10), "Payments")
    engine.post(f"/Payments/{payment['PaymentID']}", {"Status": "DELETED"})
    engine.pay(invoice["InvoiceID"], 20)
    statuses = [p["Status"] for p in engine.get("/Payments", query={"order": "Amount"}).body["Payments"]]
    assert statuses == ["DELETED", "AUTHORISED"]
    live = engine.get("/Payments", query={"where": 'Status=="AUTHORISED"', "page": "1"}).body
    assert [p["Amount"] for p in live["Payments"]] == [20.0] and live["pagination"]["itemCount"] == 1
