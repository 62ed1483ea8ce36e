"""Documents for the read view's tests, built the short way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from xero_sync.domain.invoice_view import DocumentKind, Instalment, XeroDocument

TODAY = date(2026, 11, 21)


def document(number: str, **fields: Any) -> XeroDocument:
    """An approved NZD sales invoice of 100.00 dated 1 Nov, due 1 Dec, unpaid — unless told."""
    values: dict[str, Any] = {
        "xero_id": f"id-{number}",
        "kind": DocumentKind.SALES_INVOICE,
        "number": number,
        "date": date(2026, 11, 1),
        "due_date": date(2026, 12, 1),
        "xero_status": "AUTHORISED",
        "currency": "NZD",
        "total": Decimal("100.00"),
        "balance": Decimal("100.00"),
    }
    values.update(fields)
    for name in ("total", "balance", "amount_paid", "amount_credited", "currency_rate"):
        if isinstance(values.get(name), str):
            values[name] = Decimal(values[name])
    return XeroDocument(**values)


def paid(number: str, **fields: Any) -> XeroDocument:
    return document(number, xero_status="PAID", balance=Decimal(0), amount_paid=Decimal("100.00"), **fields)


def instalment(payment_id: str, day: date, amount: str, reference: str | None = None, rate: str | None = None):
    return Instalment(payment_id, day, Decimal(amount), reference, Decimal(rate) if rate else None)
