"""Totals paid and unpaid (seed 003's "Total paid and Total unpaid" boxes) for a contact, or for
the invoices pinned to any host record (an account, a deal).

What counts: approved documents of one kind (sales invoices for what a customer paid and owes,
bills for what the org paid and owes a supplier) — ``AUTHORISED`` and ``PAID``; drafts are no
debt yet and voided documents none any more. Credit notes are not in these totals: the credit
they applied to an invoice already lowered its balance (``AmountCredited``).

* *paid* — Xero's ``AmountPaid`` (every instalment so far, part payments included);
* *unpaid* — the balance (``AmountDue``) of documents awaiting payment;
* *overdue* — the part of *unpaid* whose due date is before the org's today.

Amounts are given per currency, exact, and summed in the org's base currency: an instalment at
the rate Xero recorded for that payment (what was really received), the rest — the balance, and
any part of ``AmountPaid`` not listed as a payment (e.g. a prepayment) — at the document's own
rate. Xero's rates are converted in one place, ``domain.currency.from_xero_currency_rate``. Base
sums are rounded to the cent once, at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from xero_sync.domain.currency import from_xero_currency_rate, is_foreign
from xero_sync.domain.invoice_view import ZERO, DocumentKind, XeroDocument
from xero_sync.domain.money import round_money

COUNTED_STATUSES = frozenset({"AUTHORISED", "PAID"})


@dataclass(frozen=True)
class CurrencyTotals:
    currency: str
    paid: Decimal
    unpaid: Decimal
    overdue: Decimal
    documents: int


@dataclass(frozen=True)
class Totals:
    base_currency: str
    paid: Decimal  # in the base currency
    unpaid: Decimal
    overdue: Decimal
    paid_count: int  # documents fully paid
    unpaid_count: int  # documents awaiting payment
    overdue_count: int
    by_currency: tuple[CurrencyTotals, ...]
    unconverted: int = 0  # documents in a foreign currency without a rate: not in the base sums


@dataclass
class _Sums:
    paid: Decimal = ZERO
    unpaid: Decimal = ZERO
    overdue: Decimal = ZERO
    documents: int = 0


@dataclass
class _Accumulator:
    base_currency: str
    base: _Sums = field(default_factory=_Sums)
    currencies: dict[str, _Sums] = field(default_factory=dict)
    paid_count: int = 0
    unpaid_count: int = 0
    overdue_count: int = 0
    unconverted: int = 0

    def add(self, document: XeroDocument, today: date) -> None:
        overdue = document.balance if document.is_overdue(today) else ZERO
        unpaid = document.balance if document.awaiting_payment else ZERO
        sums = self.currencies.setdefault(document.currency.upper(), _Sums())
        sums.paid += document.amount_paid
        sums.unpaid += unpaid
        sums.overdue += overdue
        sums.documents += 1
        self.paid_count += document.is_paid
        self.unpaid_count += document.awaiting_payment
        self.overdue_count += document.is_overdue(today)
        converted = _in_base(document, self.base_currency, unpaid, overdue)
        if converted is None:
            self.unconverted += 1
            return
        self.base.paid += converted.paid
        self.base.unpaid += converted.unpaid
        self.base.overdue += converted.overdue

    def result(self) -> Totals:
        return Totals(
            base_currency=self.base_currency,
            paid=round_money(self.base.paid),
            unpaid=round_money(self.base.unpaid),
            overdue=round_money(self.base.overdue),
            paid_count=self.paid_count,
            unpaid_count=self.unpaid_count,
            overdue_count=self.overdue_count,
            by_currency=tuple(
                CurrencyTotals(code, sums.paid, sums.unpaid, sums.overdue, sums.documents)
                for code, sums in sorted(self.currencies.items(), key=lambda item: item[0] != self.base_currency)
            ),
            unconverted=self.unconverted,
        )


def _to_base(rate: Decimal | None) -> Decimal | None:
    """Base units per one document unit, from Xero's rate; None when Xero gave none."""
    return from_xero_currency_rate(rate) if rate is not None and rate > ZERO else None


def _in_base(document: XeroDocument, base_currency: str, unpaid: Decimal, overdue: Decimal) -> _Sums | None:
    if not is_foreign(document.currency, base_currency):
        return _Sums(document.amount_paid, unpaid, overdue)
    document_rate = _to_base(document.currency_rate)
    paid = ZERO
    listed = ZERO
    for instalment in document.instalments:
        rate = _to_base(instalment.currency_rate) or document_rate
        if rate is None:
            return None
        paid += instalment.amount * rate
        listed += instalment.amount
    rest = document.amount_paid - listed
    if document_rate is None:
        if rest or unpaid:
            return None
        return _Sums(paid, ZERO, ZERO)
    return _Sums(paid + rest * document_rate, unpaid * document_rate, overdue * document_rate)


def totals(documents: Iterable[XeroDocument], kind: DocumentKind, base_currency: str, today: date) -> Totals:
    """Paid, unpaid and overdue over the approved documents of ``kind``."""
    accumulator = _Accumulator(base_currency.upper())
    for document in documents:
        if document.kind is kind and document.xero_status in COUNTED_STATUSES:
            accumulator.add(document, today)
    return accumulator.result()
