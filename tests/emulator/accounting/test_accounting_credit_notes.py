"""Credit notes, allocations and refunds (xero-facts §6.3, §9 item 7)."""

from __future__ import annotations

from datetime import date

import pytest

from local.xero_emulator.interfaces import ResourceEvent
from tests.emulator.accounting.helpers import (
    BAD_DEBTS,
    BANK,
    PURCHASES,
    SALES,
    Engine,
    credit_note_element,
    messages_of,
    ms,
)


def test_create_credit_notes_of_both_types(engine: Engine, customer):
    sales_credit = engine.credit_note(customer["ContactID"], Reference="RMA-1")
    assert sales_credit["CreditNoteNumber"] == "CN-0001" and sales_credit["Reference"] == "RMA-1"
    assert (sales_credit["Total"], sales_credit["RemainingCredit"]) == (23.0, 23.0)
    assert sales_credit["LineAmountTypes"] == "Exclusive"
    supplier_credit = engine.credit_note(
        customer["ContactID"],
        Type="ACCPAYCREDIT",
        CreditNoteNumber="DN-5",
        LineItems=[{"Description": "Damaged", "Quantity": 1, "UnitAmount": 10, "AccountCode": PURCHASES}],
    )
    assert supplier_credit["Type"] == "ACCPAYCREDIT" and supplier_credit["TotalTax"] == 1.5
    unnumbered = engine.credit_note(
        customer["ContactID"],
        Type="ACCPAYCREDIT",
        LineItems=[{"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": PURCHASES}],
    )
    assert unnumbered["CreditNoteNumber"] == ""


def test_credit_note_rules(engine: Engine, customer):
    engine.credit_note(customer["ContactID"], CreditNoteNumber="CN-0100")
    duplicate = engine.put(
        "/CreditNotes", {"CreditNotes": [credit_note_element(customer["ContactID"], CreditNoteNumber="CN-0100")]}
    )
    assert messages_of(duplicate) == ["Credit Note # must be unique."]
    discounted = credit_note_element(customer["ContactID"])
    discounted["LineItems"][0]["DiscountRate"] = 10
    assert "Discounts are only supported on ACCREC invoices" in messages_of(engine.put("/CreditNotes", discounted))[0]
    wrong_type = engine.put("/CreditNotes", credit_note_element(customer["ContactID"], Type="ACCREC"))
    assert messages_of(wrong_type) == ["Credit Note Type ACCREC is not valid. Use ACCRECCREDIT or ACCPAYCREDIT."]


def test_allocation_applies_credit_to_an_invoice(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    credit = engine.credit_note(customer["ContactID"])
    response = engine.allocate(credit["CreditNoteID"], invoice["InvoiceID"], 23)
    allocation = engine.ok(response, "Allocations")
    assert allocation["Amount"] == 23.0 and allocation["Invoice"]["InvoiceID"] == invoice["InvoiceID"]
    assert allocation["Date"] == ms(date(2026, 3, 2))  # the later of the two document dates
    assert set(response.events) == {
        ResourceEvent("CREDITNOTE", "UPDATE", credit["CreditNoteID"]),
        ResourceEvent("INVOICE", "UPDATE", invoice["InvoiceID"]),
    }
    note = engine.get(f"/CreditNotes/{credit['CreditNoteID']}").body["CreditNotes"][0]
    assert (note["RemainingCredit"], note["Status"]) == (0.0, "PAID")
    assert note["Allocations"][0]["AllocationID"] == allocation["AllocationID"]
    credited = engine.get(f"/Invoices/{invoice['InvoiceID']}").body["Invoices"][0]
    assert (credited["AmountCredited"], credited["AmountDue"], credited["Status"]) == (23.0, 92.0, "AUTHORISED")
    assert credited["CreditNotes"][0]["AppliedAmount"] == 23.0


def test_allocation_can_fully_pay_an_invoice_and_deleting_it_restores_both(engine: Engine, customer):
    invoice = engine.invoice(
        customer["ContactID"], LineItems=[{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": SALES}]
    )
    credit = engine.credit_note(customer["ContactID"])
    allocation = engine.ok(engine.allocate(credit["CreditNoteID"], invoice["InvoiceID"], "11.50"), "Allocations")
    assert engine.get(f"/Invoices/{invoice['InvoiceID']}").body["Invoices"][0]["Status"] == "PAID"
    response = engine.delete(f"/CreditNotes/{credit['CreditNoteID']}/Allocations/{allocation['AllocationID']}")
    assert response.status == 200
    assert response.body["IsDeleted"] is True and response.body["AllocationID"] == allocation["AllocationID"]
    restored = engine.get(f"/Invoices/{invoice['InvoiceID']}").body["Invoices"][0]
    assert (restored["Status"], restored["AmountDue"], restored["CreditNotes"]) == ("AUTHORISED", 11.5, [])
    note = engine.get(f"/CreditNotes/{credit['CreditNoteID']}").body["CreditNotes"][0]
    assert (note["RemainingCredit"], note["Allocations"]) == (23.0, [])
    gone = engine.delete(f"/CreditNotes/{credit['CreditNoteID']}/Allocations/{allocation['AllocationID']}")
    assert gone.status == 404


@pytest.mark.parametrize(
    "case, message",
    [
        ("credit_draft", "Only AUTHORISED credit notes can be allocated."),
        ("invoice_draft", "Credit notes can only be allocated to AUTHORISED invoices."),
        ("invoice_paid", "The invoice you are trying to allocate to has already been paid off"),
        ("other_contact", "The credit note and the invoice must belong to the same contact."),
        ("wrong_type", "Credit Note cannot be allocated to an incorrect invoice type"),
        ("more_than_due", "Credit Note cannot be allocated as amount is greater than amount outstanding"),
        ("more_than_credit", "The amount allocated exceeds the remaining credit on this credit note."),
        ("other_currency", "The credit note and the invoice must be in the same currency."),
        ("no_invoice", "An allocation requires an Invoice (InvoiceID or InvoiceNumber)."),
        ("zero", "Allocation Amount must be greater than zero."),
    ],
)
def test_allocation_rules(engine: Engine, customer, case, message):
    contact_id = customer["ContactID"]
    small_line = [{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": SALES}]
    credit = engine.credit_note(contact_id, Status="DRAFT" if case == "credit_draft" else "AUTHORISED")
    invoice_fields = {
        "invoice_draft": {"Status": "DRAFT"},
        "other_contact": {"Contact": {"ContactID": engine.contact("Someone Else")["ContactID"]}},
        "wrong_type": {
            "Type": "ACCPAY",
            "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": PURCHASES}],
        },
        "more_than_due": {"LineItems": small_line},
        "other_currency": {"CurrencyCode": "USD"},
    }.get(case, {})
    invoice = engine.invoice(contact_id, **invoice_fields)
    if case == "invoice_paid":
        engine.pay(invoice["InvoiceID"], 115)
    amount = {"more_than_due": 12, "more_than_credit": 24, "zero": 0}.get(case, 5)
    if case == "no_invoice":
        response = engine.put(
            f"/CreditNotes/{credit['CreditNoteID']}/Allocations", {"Allocations": [{"Amount": 5, "Date": "2026-03-06"}]}
        )
    else:
        response = engine.allocate(credit["CreditNoteID"], invoice["InvoiceID"], amount)
    assert response.status == 400
    assert message in messages_of(response)
    assert engine.books.allocations == {}


def test_allocations_with_summarize_errors_false(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    credit = engine.credit_note(customer["ContactID"])
    body = {
        "Allocations": [
            {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 20, "Date": "2026-03-06"},
            {"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 20, "Date": "2026-03-06"},
        ]
    }
    response = engine.put(
        f"/CreditNotes/{credit['CreditNoteID']}/Allocations", body, query={"summarizeErrors": "false"}
    )
    assert [a["StatusAttributeString"] for a in response.body["Allocations"]] == ["OK", "ERROR"]


def test_refund_is_a_payment_against_the_credit_note(engine: Engine, customer):
    credit = engine.credit_note(customer["ContactID"])
    body = {
        "CreditNote": {"CreditNoteID": credit["CreditNoteID"]},
        "Account": {"Code": BANK},
        "Date": "2026-03-07",
        "Amount": 3,
        "Reference": "refund",
    }
    refund = engine.ok(engine.put("/Payments", {"Payments": [body]}), "Payments")
    assert refund["PaymentType"] == "ARCREDITPAYMENT" and refund["CreditNote"]["RemainingCredit"] == 20.0
    note = engine.get(f"/CreditNotes/{credit['CreditNoteID']}").body["CreditNotes"][0]
    assert [p["Amount"] for p in note["Payments"]] == [3.0]
    too_much = engine.put("/Payments", {"Payments": [dict(body, Amount=21)]})
    assert messages_of(too_much) == ["Payment amount exceeds the amount outstanding on this document"]
    rest = engine.ok(engine.put("/Payments", {"Payments": [dict(body, Amount=20)]}), "Payments")
    assert rest["CreditNote"]["Status"] == "PAID"
    # deleting the refund restores the credit
    engine.post(f"/Payments/{rest['PaymentID']}", {"Status": "DELETED"})
    note = engine.get(f"/CreditNotes/{credit['CreditNoteID']}").body["CreditNotes"][0]
    assert (note["Status"], note["RemainingCredit"]) == ("AUTHORISED", 20.0)


def test_supplier_credit_refund_payment_type(engine: Engine, customer):
    credit = engine.credit_note(
        customer["ContactID"],
        Type="ACCPAYCREDIT",
        LineItems=[{"Description": "x", "Quantity": 1, "UnitAmount": 10, "AccountCode": PURCHASES}],
    )
    body = {
        "CreditNote": {"CreditNoteID": credit["CreditNoteID"]},
        "Account": {"Code": BANK},
        "Date": "2026-03-07",
        "Amount": 11.5,
    }
    assert engine.ok(engine.put("/Payments", {"Payments": [body]}), "Payments")["PaymentType"] == "APCREDITPAYMENT"


def test_write_off_with_a_bad_debts_credit_note(engine: Engine, customer):
    """Xero's recommended write-off: an ACCRECCREDIT coded to Bad Debts, allocated to the invoice.
    The sales tax rate cannot be used on an expense account; the expense rate can."""
    invoice = engine.invoice(customer["ContactID"])
    engine.pay(invoice["InvoiceID"], 15)
    refused = engine.put(
        "/CreditNotes",
        credit_note_element(
            customer["ContactID"],
            LineItems=[
                {
                    "Description": "Write-off",
                    "Quantity": 1,
                    "UnitAmount": 100,
                    "AccountCode": BAD_DEBTS,
                    "TaxType": "OUTPUT2",
                }
            ],
        ),
    )
    assert messages_of(refused) == ["The TaxType code 'OUTPUT2' cannot be used with account code '408'."]
    write_off = engine.credit_note(
        customer["ContactID"],
        LineItems=[
            {"Description": "Write-off", "Quantity": 1, "UnitAmount": 100, "AccountCode": BAD_DEBTS, "TaxType": "NONE"}
        ],
    )
    engine.ok(engine.allocate(write_off["CreditNoteID"], invoice["InvoiceID"], 100), "Allocations")
    assert engine.get(f"/Invoices/{invoice['InvoiceID']}").body["Invoices"][0]["Status"] == "PAID"


def test_credit_note_status_machine_and_edit_after_allocation(engine: Engine, customer):
    credit = engine.credit_note(customer["ContactID"])
    invoice = engine.invoice(customer["ContactID"])
    engine.allocate(credit["CreditNoteID"], invoice["InvoiceID"], 5)
    edit = engine.post(
        f"/CreditNotes/{credit['CreditNoteID']}",
        {"CreditNotes": [{"LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 50, "AccountCode": SALES}]}]},
    )
    assert messages_of(edit) == ["This document cannot be edited as it has a payment or credit note allocated to it"]
    void = engine.post(f"/CreditNotes/{credit['CreditNoteID']}", {"CreditNotes": [{"Status": "VOIDED"}]})
    assert messages_of(void) == ["This document cannot be edited as it has a payment or credit note allocated to it"]
    delete = engine.post(f"/CreditNotes/{credit['CreditNoteID']}", {"CreditNotes": [{"Status": "DELETED"}]})
    assert messages_of(delete) == ["Credit Note not of valid status for modification"]
    draft = engine.credit_note(customer["ContactID"], Status="DRAFT")
    deleted = engine.ok(
        engine.post(f"/CreditNotes/{draft['CreditNoteID']}", {"CreditNotes": [{"Status": "DELETED"}]}), "CreditNotes"
    )
    assert deleted["Status"] == "DELETED"
    # credit notes list every status, like bank transactions
    assert {n["Status"] for n in engine.get("/CreditNotes").body["CreditNotes"]} == {"AUTHORISED", "DELETED"}


def test_credit_note_webhook_events(engine: Engine, customer):
    response = engine.put("/CreditNotes", credit_note_element(customer["ContactID"]))
    credit = engine.ok(response, "CreditNotes")
    assert response.events == [ResourceEvent("CREDITNOTE", "CREATE", credit["CreditNoteID"])]
    voided = engine.post(f"/CreditNotes/{credit['CreditNoteID']}", {"CreditNotes": [{"Status": "VOIDED"}]})
    assert voided.events == [ResourceEvent("CREDITNOTE", "UPDATE", credit["CreditNoteID"])]
