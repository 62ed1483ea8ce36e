"""Invoices and payments as a Xero user enters them (the emulator's control plane takes Xero's
request bodies), for the read view's integration and end-to-end tests."""

from __future__ import annotations

from datetime import date
from typing import Any


def invoice_body(contact_id: str, number: str, day: date, due: date, amount: str, **extra: Any) -> dict[str, Any]:
    """An approved sales invoice of one line of ``amount``, without tax."""
    return {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "InvoiceNumber": number,
        "Date": day.isoformat(),
        "DueDate": due.isoformat(),
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": [{"Description": "Espresso beans", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}],
        **extra,
    }


def payment_body(invoice_id: str, day: date, amount: str, reference: str, **extra: Any) -> dict[str, Any]:
    """A payment of the invoice into the demo company's bank account (090)."""
    return {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"Code": "090"},
        "Date": day.isoformat(),
        "Amount": amount,
        "Reference": reference,
        **extra,
    }
