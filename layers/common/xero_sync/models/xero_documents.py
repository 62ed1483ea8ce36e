"""Xero's invoices, bills and credit notes as the read view reads them (SPEC ``Invoice``,
``CreditNote``, ``Payment``): only the fields it shows, extra Xero fields ignored.

Xero writes dates as Microsoft JSON dates, ``/Date(1793577600000+0000)/`` (milliseconds since the
epoch; a calendar date is midnight UTC), and in helper strings such as ``DateString``
(``2026-11-02T00:00:00``); both are read here (xero-facts §5).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from xero_sync.models.reference_data import XeroDecimal, XeroModel

_MS_DATE = re.compile(r"^/Date\((?P<ms>-?\d+)(?P<offset>[+-]\d{4})?\)/$")


def parse_xero_date(value: Any) -> Any:
    """``/Date(ms±hhmm)/`` or an ISO date or date-time → the calendar date it stands for."""
    if isinstance(value, str):
        text = value.strip()
        match = _MS_DATE.match(text)
        if match:
            moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(match["ms"]))
            return moment.date()
        if len(text) >= 10:
            return date.fromisoformat(text[:10])
    return value


XeroDate = Annotated[date, BeforeValidator(parse_xero_date)]


class XeroPaymentRead(XeroModel):
    """A payment as listed inside its invoice or credit note."""

    PaymentID: str
    Date: XeroDate
    Amount: XeroDecimal
    Reference: str | None = None
    CurrencyRate: XeroDecimal | None = None


class XeroContactRef(XeroModel):
    ContactID: str
    Name: str | None = None


class XeroDocumentRead(XeroModel):
    """What invoices and credit notes share."""

    Type: str
    Contact: XeroContactRef | None = None
    Date: XeroDate
    Status: str
    CurrencyCode: str
    CurrencyRate: XeroDecimal | None = None
    Total: XeroDecimal = Decimal(0)
    Reference: str | None = None
    Payments: list[XeroPaymentRead] = Field(default_factory=list)


class XeroInvoiceRead(XeroDocumentRead):
    InvoiceID: str
    InvoiceNumber: str | None = None
    DueDate: XeroDate | None = None
    AmountDue: XeroDecimal = Decimal(0)
    AmountPaid: XeroDecimal = Decimal(0)
    AmountCredited: XeroDecimal = Decimal(0)


class XeroCreditNoteRead(XeroDocumentRead):
    CreditNoteID: str
    CreditNoteNumber: str | None = None
    RemainingCredit: XeroDecimal = Decimal(0)
