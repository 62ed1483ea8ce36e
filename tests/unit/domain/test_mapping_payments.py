"""Payments, refunds, allocations, write-offs and bank charges → Xero (F3.2, F3.3)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from export_domain_helpers import (
    CLEARING_ACCOUNT_ID,
    ORG_ID,
    bank_charge,
    bill_payment,
    context,
    credit_note_allocation,
    credit_note_refund,
    invoice_payment,
    reference,
    vendor_credit_allocation,
    vendor_credit_refund,
    write_off,
)
from mapping_helpers import CONTACT_X, INVOICE_X, E, codes, links_for, mapped, ok

from xero_sync.domain.mapping import map_bank_charge, map_record, map_write_off
from xero_sync.domain.natural_keys import build_stamp, parse_reference
from xero_sync.domain.problems import ProblemCode
from xero_sync.models.xero_payloads import to_wire

# ----------------------------------------------------------------------------------------------
# Payments, refunds, allocations
# ----------------------------------------------------------------------------------------------


def test_invoice_payment():
    payload = ok(E.INVOICE_PAYMENT, invoice_payment(reference="Direct debit"))
    assert to_wire(payload) == {
        "Invoice": {"InvoiceID": INVOICE_X},
        "Account": {"Code": "090"},
        "Date": "2026-11-20",
        "Amount": D("23.00"),
        "Reference": f"Direct debit {build_stamp(ORG_ID, E.INVOICE_PAYMENT, 'host-1')}",
    }
    assert parse_reference(payload.Reference).host_reference == "Direct debit"


def test_payment_to_a_payments_enabled_account():
    assert ok(E.INVOICE_PAYMENT, invoice_payment(account_code="150")).Account.Code == "150"


def test_payment_account_must_accept_payments():
    result = mapped(E.INVOICE_PAYMENT, invoice_payment(account_code="200"))
    [problem] = result.problems
    assert problem.code is ProblemCode.ACCOUNT_NOT_PAYMENT_ENABLED
    assert "Enable payments to this account" in problem.message


def test_payments_enabled_account_without_code_is_refused_by_code():
    # The host can only refer to it by code, so the chart of accounts offers it without one.
    assert reference().account_by_id(CLEARING_ACCOUNT_ID).accepts_payments
    assert codes(mapped(E.INVOICE_PAYMENT, invoice_payment(account_code="151"))) == [ProblemCode.UNKNOWN_ACCOUNT]


def test_payment_of_a_foreign_invoice_carries_a_rate():
    eur = {"currency": "EUR", "exchange_rate": D("1.85")}
    own = map_record(
        E.INVOICE_PAYMENT, "p", invoice_payment(exchange_rate="2"), context(), links_for(E.INVOICE_PAYMENT, **eur)
    )
    inherited = map_record(E.INVOICE_PAYMENT, "p", invoice_payment(), context(), links_for(E.INVOICE_PAYMENT, **eur))
    base = map_record(
        E.INVOICE_PAYMENT, "p", invoice_payment(exchange_rate="2"), context(), links_for(E.INVOICE_PAYMENT)
    )
    assert own.payload.CurrencyRate == D("0.5")
    assert inherited.payload.CurrencyRate == D("0.540541")
    assert base.payload.CurrencyRate is None


def test_bill_payment():
    payload = ok(E.BILL_PAYMENT, bill_payment())
    assert payload.Invoice.InvoiceID == "X-BILL" and payload.CreditNote is None


@pytest.mark.parametrize(
    ("entity", "data", "credit_note_id"),
    [
        (E.CREDIT_NOTE_REFUND, credit_note_refund(), "X-CN"),
        (E.VENDOR_CREDIT_REFUND, vendor_credit_refund(), "X-VC"),
    ],
)
def test_refunds_are_payments_against_the_credit_note(entity, data, credit_note_id):
    wire = to_wire(ok(entity, data))
    assert wire["CreditNote"] == {"CreditNoteID": credit_note_id} and "Invoice" not in wire
    assert wire["Reference"] == build_stamp(ORG_ID, entity, "host-1")


@pytest.mark.parametrize(
    ("entity", "data", "note", "document"),
    [
        (E.CREDIT_NOTE_ALLOCATION, credit_note_allocation(), "X-CN", INVOICE_X),
        (E.VENDOR_CREDIT_ALLOCATION, vendor_credit_allocation(), "X-VC", "X-BILL"),
    ],
)
def test_allocations(entity, data, note, document):
    request = ok(entity, data)
    assert request.credit_note_xero_id == note
    assert to_wire(request.body) == {
        "Allocations": [{"Invoice": {"InvoiceID": document}, "Amount": data.amount, "Date": data.date.isoformat()}]
    }


# ----------------------------------------------------------------------------------------------
# Write-offs and bank charges
# ----------------------------------------------------------------------------------------------


def test_write_off_is_a_credit_note_then_an_allocation():
    plan = ok(E.WRITE_OFF, write_off(), invoice_balance=D("57.50"))
    note = to_wire(plan.credit_note)
    assert note == {
        "Type": "ACCRECCREDIT",
        "Contact": {"ContactID": CONTACT_X},
        "CreditNoteNumber": "INV-1-WO",
        "Reference": "Customer went out of business",
        "Date": "2026-12-31",
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "CurrencyCode": "NZD",
        "LineItems": [
            {
                "Description": "Write-off of invoice INV-1: Customer went out of business",
                "Quantity": D(1),
                "UnitAmount": D("57.50"),
                "AccountCode": "684",
            }
        ],
    }
    assert to_wire(plan.allocation) == {"Invoice": {"InvoiceID": INVOICE_X}, "Amount": D("57.50"), "Date": "2026-12-31"}


def test_write_off_amount_second_write_off_and_fallback_account():
    ctx = context({"write_off_account": None})
    plan = map_write_off(
        write_off(amount="10.00"),
        ctx,
        host_id="w",
        invoice=links_for(E.WRITE_OFF)["invoice_id"],
        invoice_balance=D("57.50"),
        sequence=2,
    ).payload
    assert plan.allocation.Amount == D("10.00")
    assert plan.credit_note.CreditNoteNumber == "INV-1-WO2"
    assert plan.credit_note.LineItems[0].AccountCode == "260"


def test_write_off_without_amount_or_balance():
    assert codes(mapped(E.WRITE_OFF, write_off())) == [ProblemCode.WRITE_OFF_AMOUNT_UNKNOWN]
    assert codes(mapped(E.WRITE_OFF, write_off(), invoice_balance=D(0))) == [ProblemCode.WRITE_OFF_AMOUNT_UNKNOWN]


def test_write_off_of_a_foreign_invoice_keeps_its_currency():
    links = links_for(E.WRITE_OFF, currency="EUR", exchange_rate=D("1.85"))
    plan = map_record(E.WRITE_OFF, "w", write_off(), context(), links, invoice_balance=D(5)).payload
    assert (plan.credit_note.CurrencyCode, plan.credit_note.CurrencyRate) == ("EUR", D("0.540541"))


def test_bank_charge_is_a_spend_transaction():
    wire = to_wire(ok(E.BANK_CHARGE, bank_charge(reference="Nov fee")))
    assert wire == {
        "Type": "SPEND",
        "Contact": {"Name": "Bank"},
        "BankAccount": {"Code": "090"},
        "Date": "2026-11-30",
        "Reference": f"Nov fee {build_stamp(ORG_ID, E.BANK_CHARGE, 'host-1')}",
        "LineAmountTypes": "NoTax",
        "LineItems": [
            {"Description": "Monthly account fee", "Quantity": D(1), "UnitAmount": D("12.50"), "AccountCode": "404"}
        ],
    }


def test_bank_charge_with_a_contact_and_default_account():
    payload = map_bank_charge(
        bank_charge(), context({"bank_charges_account": None}), host_id="b", contact_xero_id=CONTACT_X
    ).payload
    assert payload.Contact.ContactID == CONTACT_X and payload.Contact.Name is None
    assert payload.LineItems[0].AccountCode == "260"


def test_bank_charge_needs_a_bank_account():
    result = mapped(E.BANK_CHARGE, bank_charge(account_code="150"))
    assert codes(result) == [ProblemCode.NOT_A_BANK_ACCOUNT]
