"""Invoices and bills, continued: updates, the status machine, edits after payment, summarizeErrors
(xero-facts §3.3, §6.1)."""

from __future__ import annotations

import pytest

from local.xero_emulator.interfaces import ResourceEvent
from tests.emulator.accounting.helpers import (
    BANK_FEES,
    PURCHASES,
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


# --- updates ----------------------------------------------------------------------------------------


def test_post_updates_by_id_by_number_and_upserts(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"], Status="DRAFT")
    by_number = engine.ok(engine.post("/Invoices/INV-0001", {"Invoices": [{"Reference": "by number"}]}), "Invoices")
    assert by_number["InvoiceID"] == invoice["InvoiceID"] and by_number["Reference"] == "by number"
    upsert = engine.post(
        "/Invoices",
        {
            "Invoices": [
                {"InvoiceNumber": "INV-0001", "Reference": "upsert by number"},
                invoice_element(customer["ContactID"], InvoiceNumber="INV-0100"),
            ]
        },
    )
    results = upsert.body["Invoices"]
    assert results[0]["InvoiceID"] == invoice["InvoiceID"] and results[0]["Reference"] == "upsert by number"
    assert results[1]["InvoiceID"] != invoice["InvoiceID"]
    missing = engine.post(
        "/Invoices", {"Invoices": [{"InvoiceID": "0e0e0e0e-0000-4000-8000-000000000002", "Reference": "x"}]}
    )
    assert messages_of(missing) == ["An existing Invoice with the specified InvoiceID could not be found"]
    assert engine.post("/Invoices/INV-9999", {"Invoices": [{"Reference": "x"}]}).status == 404


def test_line_items_update_by_id_keep_omitted_fields_and_omitted_lines_are_deleted(engine: Engine, customer):
    invoice = engine.invoice(
        customer["ContactID"], Status="DRAFT", LineItems=[line(Description="keep"), line(Description="drop")]
    )
    kept_id = invoice["LineItems"][0]["LineItemID"]
    response = engine.post(
        f"/Invoices/{invoice['InvoiceID']}",
        {
            "Invoices": [
                {
                    "LineItems": [
                        {"LineItemID": kept_id, "Quantity": 2},
                        {"Description": "new", "Quantity": 1, "UnitAmount": 1, "AccountCode": SALES, "TaxType": "NONE"},
                    ]
                }
            ]
        },
    )
    lines = engine.ok(response, "Invoices")["LineItems"]
    assert [(line["Description"], line["Quantity"], line["LineAmount"]) for line in lines] == [
        ("keep", 2.0, 200.0),
        ("new", 1.0, 1.0),
    ]
    assert lines[0]["LineItemID"] == kept_id


STATUS_MACHINE = [
    ("DRAFT", "SUBMITTED", True),
    ("DRAFT", "AUTHORISED", True),
    ("DRAFT", "DELETED", True),
    ("DRAFT", "VOIDED", False),
    ("DRAFT", "PAID", False),
    ("SUBMITTED", "DRAFT", True),
    ("SUBMITTED", "AUTHORISED", True),
    ("SUBMITTED", "DELETED", True),
    ("SUBMITTED", "VOIDED", False),
    ("AUTHORISED", "VOIDED", True),
    ("AUTHORISED", "DRAFT", False),
    ("AUTHORISED", "SUBMITTED", False),
    ("AUTHORISED", "DELETED", False),
    ("AUTHORISED", "PAID", False),
    ("VOIDED", "AUTHORISED", False),
    ("VOIDED", "VOIDED", False),
    ("DELETED", "DRAFT", False),
    ("DELETED", "DELETED", False),
]


@pytest.mark.parametrize("start, target, allowed", STATUS_MACHINE)
def test_status_machine(engine: Engine, customer, start, target, allowed):
    setup = {"VOIDED": ("AUTHORISED", "VOIDED"), "DELETED": ("DRAFT", "DELETED")}.get(start, (start,))
    invoice = engine.invoice(customer["ContactID"], Status=setup[0])
    for status in setup[1:]:
        engine.ok(engine.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Status": status}]}), "Invoices")
    response = engine.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Status": target}]})
    if allowed:
        assert engine.ok(response, "Invoices")["Status"] == target
    else:
        assert response.status == 400
        assert messages_of(response) == ["Invoice not of valid status for modification"]


def test_voided_and_deleted_invoices_cannot_be_edited_at_all(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    engine.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Status": "VOIDED"}]})
    response = engine.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Reference": "late"}]})
    assert messages_of(response) == ["Invoice not of valid status for modification"]
    voided = engine.get(f"/Invoices/{invoice['InvoiceID']}").body["Invoices"][0]
    assert voided["AmountDue"] == 0.0 and voided["Total"] == 115.0


def test_void_needs_no_payments(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"])
    engine.pay(invoice["InvoiceID"], 10)
    response = engine.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Status": "VOIDED"}]})
    assert messages_of(response) == [
        "This document cannot be edited as it has a payment or credit note allocated to it"
    ]


def test_editing_a_part_paid_sales_invoice_is_limited_to_non_financial_fields(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"], LineItems=[line(Description="Old text")])
    engine.pay(invoice["InvoiceID"], 15)
    allowed = engine.post(
        f"/Invoices/{invoice['InvoiceID']}",
        {
            "Invoices": [
                {
                    "Reference": "new ref",
                    "DueDate": "2026-04-30",
                    "InvoiceNumber": "INV-0500",
                    "Url": "https://host.example/i/1",
                    "LineItems": [
                        {
                            "LineItemID": invoice["LineItems"][0]["LineItemID"],
                            "Description": "New text",
                            "AccountCode": "260",
                        }
                    ],
                }
            ]
        },
    )
    updated = engine.ok(allowed, "Invoices")
    assert (updated["Reference"], updated["InvoiceNumber"], updated["LineItems"][0]["Description"]) == (
        "new ref",
        "INV-0500",
        "New text",
    )
    for change in (
        {"LineItems": [line(UnitAmount=200)]},
        {"Date": "2026-03-02"},
        {"CurrencyCode": "USD"},
        {"LineAmountTypes": "Inclusive"},
    ):
        refused = engine.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [change]})
        assert messages_of(refused) == [
            "This document cannot be edited as it has a payment or credit note allocated to it"
        ], change
    # re-sending the same amounts is not a change
    same = engine.post(
        f"/Invoices/{invoice['InvoiceID']}",
        {
            "Invoices": [
                {"LineItems": [{"LineItemID": updated["LineItems"][0]["LineItemID"], "Quantity": 1, "UnitAmount": 100}]}
            ]
        },
    )
    assert same.status == 200


def test_a_paid_bill_cannot_be_edited(engine: Engine, customer):
    bill = engine.invoice(
        customer["ContactID"],
        Type="ACCPAY",
        InvoiceNumber="B-1",
        LineItems=[line(AccountCode=PURCHASES, TaxType="INPUT2")],
    )
    engine.pay(bill["InvoiceID"], 115)
    response = engine.post(f"/Invoices/{bill['InvoiceID']}", {"Invoices": [{"InvoiceNumber": "B-2"}]})
    assert messages_of(response) == [
        "This document cannot be edited as it has a payment or credit note allocated to it"
    ]


def test_contact_of_a_credited_sales_invoice_cannot_change(engine: Engine, customer):
    other = engine.contact("Other Ltd")
    invoice = engine.invoice(customer["ContactID"])
    paid_only = engine.invoice(customer["ContactID"])
    engine.pay(paid_only["InvoiceID"], 10)
    moved = engine.post(
        f"/Invoices/{paid_only['InvoiceID']}", {"Invoices": [{"Contact": {"ContactID": other["ContactID"]}}]}
    )
    assert engine.ok(moved, "Invoices")["Contact"]["ContactID"] == other["ContactID"]
    credit = engine.credit_note(customer["ContactID"])
    assert engine.allocate(credit["CreditNoteID"], invoice["InvoiceID"], 5).status == 200
    refused = engine.post(
        f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Contact": {"ContactID": other["ContactID"]}}]}
    )
    assert messages_of(refused) == ["This document cannot be edited as it has a payment or credit note allocated to it"]


def test_type_cannot_change(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"], Status="DRAFT")
    response = engine.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Type": "ACCPAY"}]})
    assert messages_of(response) == ["The Type of an existing Invoice cannot be changed."]


def test_a_zero_total_invoice_is_paid_on_approval(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"], LineItems=[line(UnitAmount=0)])
    assert invoice["Status"] == "PAID" and invoice["FullyPaidOnDate"] == ms(__import__("datetime").date(2026, 3, 1))


# --- summarizeErrors (§3.3, §9 item 5) ------------------------------------------------------------------


def test_summarised_batch_fails_with_400_but_saves_the_valid_elements(engine: Engine, customer):
    good = invoice_element(customer["ContactID"], Reference="good")
    bad = invoice_element(customer["ContactID"], LineItems=[line(AccountCode="999")])
    response = engine.put("/Invoices", {"Invoices": [good, bad]})
    assert response.status == 400
    assert response.body["ErrorNumber"] == 10 and response.body["Type"] == "ValidationException"
    assert response.body["Message"] == "A validation exception occurred"
    elements = response.body["Elements"]
    assert len(elements) == 1 and elements[0]["ValidationErrors"] == [
        {"Message": "Account code '999' is not a valid code for this document."}
    ]
    assert elements[0]["LineItems"][0]["AccountCode"] == "999"  # the failed element is echoed
    saved = engine.get("/Invoices").body["Invoices"]
    assert [i["Reference"] for i in saved] == ["good"]  # …and the good one was saved, id not returned
    assert response.events == [ResourceEvent("INVOICE", "CREATE", saved[0]["InvoiceID"])]


def test_summarize_errors_false_reports_every_element_in_order(engine: Engine, customer):
    elements = [
        invoice_element(customer["ContactID"], Reference="one"),
        invoice_element(customer["ContactID"], Contact={}),
        invoice_element(customer["ContactID"], Reference="three", Total=1),
    ]
    response = engine.put("/Invoices", {"Invoices": elements}, query={"summarizeErrors": "false"})
    assert response.status == 200
    results = response.body["Invoices"]
    assert [r["StatusAttributeString"] for r in results] == ["OK", "ERROR", "WARNING"]
    assert results[1]["HasErrors"] is True
    assert results[1]["ValidationErrors"][0]["Message"].startswith("The Contact must contain")
    assert results[1]["InvoiceID"] == "00000000-0000-0000-0000-000000000000"
    assert results[2]["Warnings"]
    assert len(engine.get("/Invoices").body["Invoices"]) == 2


def test_summarize_errors_true_behaves_like_absent(engine: Engine, customer):
    response = engine.put(
        "/Invoices",
        {"Invoices": [invoice_element(customer["ContactID"], Contact={})]},
        query={"SummarizeErrors": "True"},
    )
    assert response.status == 400


def test_body_shapes(engine: Engine, customer):
    single = engine.put("/Invoices", invoice_element(customer["ContactID"]))
    assert single.status == 200  # a single object is accepted like a one-element list
    empty = engine.put("/Invoices", None)
    assert empty.status == 400 and empty.body["Type"] == "PostDataInvalidException"
    wrong = engine.put("/Invoices", {"Invoices": ["not an object"]})
    assert wrong.status == 400 and wrong.body["ErrorNumber"] == 14


def test_bills_use_purchase_accounts_and_input_tax(engine: Engine, customer):
    bill = engine.invoice(
        customer["ContactID"],
        Type="ACCPAY",
        InvoiceNumber="SUP-1",
        LineItems=[
            line(AccountCode=PURCHASES, TaxType="INPUT2"),
            line(AccountCode=BANK_FEES, TaxType="NONE", UnitAmount=5),
        ],
    )
    assert bill["Type"] == "ACCPAY" and bill["Total"] == 120.0
    refused = put_invoice(
        engine, customer["ContactID"], Type="ACCPAY", LineItems=[line(AccountCode=PURCHASES, TaxType="OUTPUT2")]
    )
    assert messages_of(refused) == ["The TaxType code 'OUTPUT2' cannot be used with account code '300'."]


def test_a_save_that_changes_nothing_keeps_updated_date_and_sends_no_event(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"], Status="DRAFT", Reference="same")
    engine.advance(60)
    response = engine.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Reference": "same"}]})
    assert engine.ok(response, "Invoices")["UpdatedDateUTC"] == invoice["UpdatedDateUTC"]
    assert response.events == []
    changed = engine.post(f"/Invoices/{invoice['InvoiceID']}", {"Invoices": [{"Reference": "other"}]})
    assert engine.ok(changed, "Invoices")["UpdatedDateUTC"] != invoice["UpdatedDateUTC"]
    assert changed.events == [ResourceEvent("INVOICE", "UPDATE", invoice["InvoiceID"])]
