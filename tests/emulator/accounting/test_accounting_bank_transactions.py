"""Bank transactions — bank charges as SPEND (xero-facts §6.4, §9 item 8)."""

from __future__ import annotations

import pytest

from tests.emulator.accounting.helpers import BANK, BANK_FEES, SALES, USD_BANK, Engine, messages_of


def spend(contact_id: str, **fields):
    element = {
        "Type": "SPEND",
        "Contact": {"ContactID": contact_id},
        "BankAccount": {"Code": BANK},
        "Date": "2026-03-03",
        "Reference": "Monthly fee",
        "LineItems": [
            {
                "Description": "Bank charge",
                "Quantity": 1,
                "UnitAmount": "11.50",
                "AccountCode": BANK_FEES,
                "TaxType": "INPUT2",
            }
        ],
    }
    element.update(fields)
    return element


def test_bank_charge_defaults_to_tax_inclusive_and_authorised(engine: Engine, customer):
    response = engine.put("/BankTransactions", {"BankTransactions": [spend(customer["ContactID"])]})
    transaction = engine.ok(response, "BankTransactions")
    assert transaction["LineAmountTypes"] == "Inclusive"
    assert (transaction["SubTotal"], transaction["TotalTax"], transaction["Total"]) == (10.0, 1.5, 11.5)
    assert transaction["Status"] == "AUTHORISED" and transaction["Reference"] == "Monthly fee"
    assert transaction["BankAccount"]["Code"] == BANK and transaction["CurrencyCode"] == "NZD"
    assert response.events == []  # bank transactions send no webhooks


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"Type": "SPEND-TRANSFER"}, "Bank transactions of Type SPEND-TRANSFER are read-only; use BankTransfers."),
        (
            {"Type": "RECEIVE-OVERPAYMENT"},
            "Bank transactions of Type RECEIVE-OVERPAYMENT are not supported by the emulator.",
        ),
        ({"Type": "PAY"}, "Bank transaction Type PAY is not valid. Use RECEIVE or SPEND."),
        ({"BankAccount": {"Code": SALES}}, "BankAccount 200 must be an active account of Type BANK."),
        ({"BankAccount": None}, "A BankAccount (Code or AccountID) is required."),
        (
            {"Contact": None},
            "The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber",
        ),
        (
            {"LineItems": [{"Description": "x", "Quantity": 0, "UnitAmount": 5, "AccountCode": BANK_FEES}]},
            "Quantity must be greater than zero.",
        ),
        (
            {"LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 0, "AccountCode": BANK_FEES}]},
            "UnitAmount must not be zero.",
        ),
        (
            {"LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": -5, "AccountCode": BANK_FEES}]},
            "The total of a bank transaction must be greater than zero.",
        ),
        ({"LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 5}]}, "Account code must be specified"),
        (
            {
                "LineItems": [
                    {
                        "Description": "x",
                        "Quantity": 1,
                        "UnitAmount": "11.50",
                        "AccountCode": BANK_FEES,
                        "TaxType": "INPUT2",
                        "TaxAmount": 1.2,
                    }
                ]
            },
            "The TaxAmount 1.20 of a line does not equal the calculated tax 1.50.",
        ),
        ({"CurrencyCode": "USD"}, "The CurrencyCode of a bank transaction is the currency of its bank account (NZD)."),
        (
            {"Status": "VOIDED"},
            "Status VOIDED is not valid; a bank transaction is AUTHORISED, or DELETED to delete it.",
        ),
    ],
)
def test_bank_transaction_rules(engine: Engine, customer, fields, message):
    element = spend(customer["ContactID"])
    for key, value in fields.items():
        if value is None:
            element.pop(key)
        else:
            element[key] = value
    response = engine.put("/BankTransactions", {"BankTransactions": [element]})
    assert response.status == 400 and message in messages_of(response)
    assert engine.books.bank_transactions == {}


def test_lines_may_be_negative_if_the_total_is_positive(engine: Engine, customer):
    lines = [
        {"Description": "Charge", "Quantity": 1, "UnitAmount": 20, "AccountCode": BANK_FEES, "TaxType": "NONE"},
        {"Description": "Rebate", "Quantity": 1, "UnitAmount": -5, "AccountCode": BANK_FEES, "TaxType": "NONE"},
    ]
    assert (
        engine.ok(engine.put("/BankTransactions", spend(customer["ContactID"], LineItems=lines)), "BankTransactions")[
            "Total"
        ]
        == 15.0
    )


def test_foreign_currency_bank_account_sets_the_currency(engine: Engine, customer):
    transaction = engine.ok(
        engine.put("/BankTransactions", spend(customer["ContactID"], BankAccount={"Code": USD_BANK})),
        "BankTransactions",
    )
    assert transaction["CurrencyCode"] == "USD" and transaction["CurrencyRate"] == 0.606061


def test_update_and_delete(engine: Engine, customer):
    transaction = engine.ok(engine.put("/BankTransactions", spend(customer["ContactID"])), "BankTransactions")
    path = f"/BankTransactions/{transaction['BankTransactionID']}"
    updated = engine.ok(
        engine.post(path, {"BankTransactions": [{"Reference": "March fee", "IsReconciled": False}]}), "BankTransactions"
    )
    assert updated["Reference"] == "March fee" and updated["Total"] == 11.5
    deleted = engine.ok(engine.post(path, {"BankTransactions": [{"Status": "DELETED"}]}), "BankTransactions")
    assert deleted["Status"] == "DELETED"
    again = engine.post(path, {"BankTransactions": [{"Reference": "too late"}]})
    assert messages_of(again) == ["This bank transaction has been deleted and cannot be modified."]
    assert engine.get(path).body["BankTransactions"][0]["Status"] == "DELETED"


def test_reconciled_transactions_cannot_be_deleted(engine: Engine, customer):
    transaction = engine.ok(
        engine.put("/BankTransactions", spend(customer["ContactID"], IsReconciled=True)), "BankTransactions"
    )
    response = engine.post(f"/BankTransactions/{transaction['BankTransactionID']}", {"Status": "DELETED"})
    assert messages_of(response) == ["A reconciled bank transaction cannot be deleted."]


def test_receive_money_and_upsert(engine: Engine, customer):
    receive = spend(
        customer["ContactID"],
        Type="RECEIVE",
        LineItems=[{"Description": "Interest", "Quantity": 1, "UnitAmount": 3, "AccountCode": "270"}],
    )
    created = engine.ok(engine.post("/BankTransactions", {"BankTransactions": [receive]}), "BankTransactions")
    assert created["Type"] == "RECEIVE" and created["TotalTax"] == 0.0
    upsert = engine.post(
        "/BankTransactions",
        {"BankTransactions": [{"BankTransactionID": created["BankTransactionID"], "Reference": "Q1 interest"}]},
    )
    assert engine.ok(upsert, "BankTransactions")["BankTransactionID"] == created["BankTransactionID"]
    unknown = engine.post(
        "/BankTransactions", {"BankTransactions": [{"BankTransactionID": "0e0e0e0e-0000-4000-8000-000000000004"}]}
    )
    assert messages_of(unknown) == [
        "An existing Bank Transaction with the specified BankTransactionID could not be found"
    ]


def test_summarize_errors_false_on_bank_transactions(engine: Engine, customer):
    response = engine.put(
        "/BankTransactions",
        {"BankTransactions": [spend(customer["ContactID"]), spend(customer["ContactID"], BankAccount={"Code": SALES})]},
        query={"summarizeErrors": "false"},
    )
    assert [t["StatusAttributeString"] for t in response.body["BankTransactions"]] == ["OK", "ERROR"]
