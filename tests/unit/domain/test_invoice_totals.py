"""Totals paid and unpaid (seed 003's two boxes), in the base currency and per currency."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from invoice_view_helpers import TODAY, document, instalment, paid

from xero_sync.domain.invoice_totals import totals
from xero_sync.domain.invoice_view import DocumentKind

D = Decimal


def test_paid_unpaid_and_overdue_in_one_currency():
    # Given a paid invoice, a part-paid overdue one, an open one, a draft and a voided one
    docs = [
        paid("A"),
        document("B", amount_paid=D("40.00"), balance=D("60.00"), due_date=TODAY - timedelta(days=3)),
        document("C", balance=D("100.00")),
        document("D", xero_status="DRAFT", balance=D("999.00")),
        document("E", xero_status="VOIDED", balance=D("0"), amount_paid=D("0")),
    ]
    # When the sales totals are taken
    result = totals(docs, DocumentKind.SALES_INVOICE, "NZD", TODAY)
    # Then paid counts every instalment so far, unpaid every approved balance; drafts and voids count nothing
    assert (result.paid, result.unpaid, result.overdue) == (D("140.00"), D("160.00"), D("60.00"))
    assert (result.paid_count, result.unpaid_count, result.overdue_count) == (1, 2, 1)
    assert [(c.currency, c.paid, c.unpaid, c.documents) for c in result.by_currency] == [
        ("NZD", D("140.00"), D("160.00"), 3)
    ]


def test_two_currencies_are_summed_in_the_base_currency_at_the_rates_xero_recorded():
    # Given an NZD org with a USD invoice of 200 (Xero's rate 0.6: 1 NZD = 0.6 USD), 50 of it paid
    # at 0.625 (1 USD = 1.60 NZD), and an NZD invoice of 100 unpaid
    usd = document(
        "US-1",
        currency="USD",
        currency_rate="0.6",
        total="200.00",
        amount_paid="50.00",
        balance="150.00",
        instalments=(instalment("p1", date(2026, 11, 10), "50.00", rate="0.625"),),
    )
    result = totals([usd, document("NZ-1")], DocumentKind.SALES_INVOICE, "NZD", TODAY)
    # Then per currency the amounts are exact, base currency first
    assert [(c.currency, c.paid, c.unpaid) for c in result.by_currency] == [
        ("NZD", D("0"), D("100.00")),
        ("USD", D("50.00"), D("150.00")),
    ]
    # And in NZD: the payment at its own rate (50 / 0.625 = 80.00), the balance at the invoice's (150 / 0.6 = 250.00)
    assert result.base_currency == "NZD"
    assert (result.paid, result.unpaid) == (D("80.00"), D("350.00"))
    assert result.unconverted == 0


def test_a_paid_amount_not_listed_as_a_payment_is_converted_at_the_documents_rate():
    # e.g. a prepayment allocated to the invoice: in AmountPaid, not in Payments
    usd = document("US-2", currency="USD", currency_rate="0.5", amount_paid="10.00", balance="90.00")
    result = totals([usd], DocumentKind.SALES_INVOICE, "NZD", TODAY)
    assert (result.paid, result.unpaid) == (D("20.00"), D("180.00"))


def test_a_foreign_document_without_a_rate_stays_out_of_the_base_sums_and_is_counted():
    usd = document("US-3", currency="USD", currency_rate=None)
    result = totals([usd, document("NZ-2")], DocumentKind.SALES_INVOICE, "NZD", TODAY)
    assert result.unpaid == D("100.00") and result.unconverted == 1
    assert [c.currency for c in result.by_currency] == ["NZD", "USD"]


def test_bills_and_sales_are_separate_and_credit_notes_are_in_neither():
    bill = document("B-1", kind=DocumentKind.BILL)
    note = document("CN-1", kind=DocumentKind.SALES_CREDIT_NOTE, due_date=None, balance=D("20"))
    docs = [bill, note, document("S-1")]
    assert totals(docs, DocumentKind.SALES_INVOICE, "NZD", TODAY).unpaid == D("100.00")
    assert totals(docs, DocumentKind.BILL, "NZD", TODAY).unpaid == D("100.00")


def test_base_sums_are_rounded_once_at_the_end():
    # three USD invoices of 0.01 at rate 0.3: each is 0.0333… NZD; rounded once: 0.10, not 0.03 × 3 = 0.09
    docs = [document(f"U-{n}", currency="USD", currency_rate="0.3", total="0.01", balance="0.01") for n in range(3)]
    assert totals(docs, DocumentKind.SALES_INVOICE, "NZD", TODAY).unpaid == D("0.10")
