"""Outgoing Xero payloads: wire names, no None fields, exact JSON numbers."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from xero_sync.models.xero_payloads import (
    AccountRef,
    ContactRef,
    InvoiceRef,
    LineAmountType,
    XeroAllocation,
    XeroAllocations,
    XeroInvoice,
    XeroLineItem,
    XeroPayment,
    XeroPaymentDelete,
    XeroStatusChange,
    to_wire,
    to_wire_json,
    with_id,
)


def invoice(**overrides) -> XeroInvoice:
    values = dict(
        Type="ACCREC",
        Contact=ContactRef(ContactID="c"),
        InvoiceNumber="INV-1",
        Date=date(2026, 11, 2),
        DueDate=date(2026, 12, 2),
        LineAmountTypes=LineAmountType.EXCLUSIVE,
        CurrencyCode="NZD",
        LineItems=[
            XeroLineItem(Description="x", Quantity=D(12), UnitAmount=D("31.50"), AccountCode="200", TaxType="OUTPUT2")
        ],
    )
    values.update(overrides)
    return XeroInvoice(**values)


def test_wire_dict_has_xero_names_and_no_none():
    wire = to_wire(invoice())
    assert wire["Date"] == "2026-11-02" and wire["LineAmountTypes"] == "Exclusive"
    assert "Reference" not in wire and "CurrencyRate" not in wire and "DiscountRate" not in wire["LineItems"][0]


def test_wire_json_writes_decimals_as_exact_numbers():
    text = to_wire_json(invoice(CurrencyRate=D("0.540541")))
    body = json.loads(text, parse_float=D)
    assert body["CurrencyRate"] == D("0.540541")
    assert body["LineItems"][0]["UnitAmount"] == D("31.5")
    assert '"Quantity":12.0' in text


def test_wire_json_refuses_a_number_json_cannot_carry_exactly():
    payment = XeroPayment(
        Invoice=InvoiceRef(InvoiceID="i"),
        Account=AccountRef(Code="090"),
        Date=date(2026, 1, 1),
        Amount=D("1234567890123456.78"),
    )
    with pytest.raises(ValueError, match="cannot be written exactly"):
        to_wire_json(payment)


def test_with_id_adds_the_records_own_id():
    assert with_id(invoice(), "X-1")["InvoiceID"] == "X-1"
    with pytest.raises(ValueError):
        with_id(XeroPaymentDelete(), "X")


def test_small_bodies():
    assert to_wire(XeroPaymentDelete()) == {"Status": "DELETED"}
    assert to_wire(XeroStatusChange(Status="VOIDED")) == {"Status": "VOIDED"}
    body = XeroAllocations(
        Allocations=[XeroAllocation(Invoice=InvoiceRef(InvoiceID="i"), Amount=D("5"), Date=date(2026, 1, 2))]
    )
    assert to_wire_json(body) == '{"Allocations":[{"Invoice":{"InvoiceID":"i"},"Amount":5.0,"Date":"2026-01-02"}]}'


def test_payloads_refuse_unknown_fields_and_empty_allocations():
    with pytest.raises(ValidationError):
        invoice(Colour="red")
    with pytest.raises(ValidationError):
        XeroAllocations(Allocations=[])
