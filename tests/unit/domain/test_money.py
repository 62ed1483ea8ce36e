"""Money maths as Xero does it (xero-facts §6.1): per-line rounding, unitdp, totals."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xero_sync.domain import money
from xero_sync.domain.money import (
    LineResult,
    check_total,
    compute_line,
    document_totals,
    line_amount,
    line_tax,
    round_money,
    unit_amount,
    unitdp,
)
from xero_sync.models.xero_payloads import LineAmountType

EXCL, INCL, NOTAX = LineAmountType.EXCLUSIVE, LineAmountType.INCLUSIVE, LineAmountType.NO_TAX


def test_spec_example_totals_441_96():
    # Given SPEC §7's example: 12 × 31.50 at 15 %, shipping 15.00 at 15 %, discount −10.00 and
    # round-off +0.01 without tax
    lines = [
        compute_line(D(12), D("31.50"), None, D(15), EXCL),
        compute_line(D(1), D("15.00"), None, D(15), EXCL),
        compute_line(D(1), D("-10.00"), None, D(0), EXCL),
        compute_line(D(1), D("0.01"), None, D(0), EXCL),
    ]
    # When Xero totals the document
    totals = document_totals(lines, EXCL)
    # Then each part and the total are as the spec says
    assert [line.line_amount for line in lines] == [D("378.00"), D("15.00"), D("-10.00"), D("0.01")]
    assert [line.tax_amount for line in lines] == [D("56.70"), D("2.25"), D("0.00"), D("0.00")]
    assert totals.sub_total == D("383.01")
    assert totals.total_tax == D("58.95")
    assert totals.total == D("441.96")


def test_rounding_is_half_away_from_zero():
    assert round_money(D("2.165")) == D("2.17")  # Xero community manager's example
    assert round_money(D("2.164")) == D("2.16")
    assert round_money(D("-2.165")) == D("-2.17")
    assert money.ROUNDING == "ROUND_HALF_UP"


def test_xero_rounding_guide_example_tax_per_line():
    # Xero's "Rounding in Xero" guide: three lines at 15 % → tax 11.44, not 11.45 on the subtotal
    lines = [compute_line(D(1), D(price), None, D(15), EXCL) for price in ("25.06", "25.61", "25.63")]
    totals = document_totals(lines, EXCL)
    assert totals.sub_total == D("76.30")
    assert totals.total_tax == D("11.44")
    assert totals.total == D("87.74")
    assert round_money(totals.sub_total * D("0.15")) == D("11.45")  # what "total × rate" would give


@pytest.mark.parametrize(
    ("quantity", "unit", "discount", "expected"),
    [
        ("12", "31.50", None, "378.00"),
        ("3", "19.99", "10", "53.97"),  # 59.97 × 0.9 = 53.973
        ("1.5", "2.3333", None, "3.50"),  # 3.49995 → 3.50
        ("7", "0.0615", None, "0.43"),  # 0.4305 → 0.43
        ("2", "10", "100", "0.00"),
        ("1", "-10.00", None, "-10.00"),
    ],
)
def test_line_amount(quantity, unit, discount, expected):
    assert line_amount(D(quantity), D(unit), D(discount) if discount else None) == D(expected)


@pytest.mark.parametrize(
    ("amount", "rate", "kind", "expected"),
    [
        ("378.00", "15", EXCL, "56.70"),
        ("100.00", "12.5", EXCL, "12.50"),
        ("115.00", "15", INCL, "15.00"),  # 115 − 115/1.15
        ("100.00", "15", INCL, "13.04"),  # 100 − 86.9565… = 13.0434…
        ("100.00", "15", NOTAX, "0.00"),
        ("100.00", "0", EXCL, "0.00"),
        ("-10.00", "15", EXCL, "-1.50"),
        ("10.03", "12.875", EXCL, "1.29"),  # 1.2913625 (compound effective rate)
    ],
)
def test_line_tax(amount, rate, kind, expected):
    assert line_tax(D(amount), D(rate), kind) == D(expected)


def test_inclusive_totals_keep_the_line_amounts_as_the_total():
    lines = [compute_line(D(1), D("115.00"), None, D(15), INCL), compute_line(D(2), D("50.00"), None, D(15), INCL)]
    totals = document_totals(lines, INCL)
    assert totals.total == D("215.00")
    assert totals.total_tax == D("15.00") + D("13.04")
    assert totals.sub_total == D("215.00") - totals.total_tax


def test_no_tax_totals():
    lines = [compute_line(D(3), D("9.99"), None, D(15), NOTAX)]
    assert document_totals(lines, NOTAX) == money.DocumentTotals(D("29.97"), D("0.00"), D("29.97"))


@pytest.mark.parametrize(
    ("rate", "value", "places", "rounded"),
    [
        ("31.5", "31.50", 2, False),
        ("31.50", "31.50", 2, False),
        ("10", "10.00", 2, False),
        ("0.125", "0.1250", 4, False),  # 3 decimals → unitdp=4
        ("2.3333", "2.3333", 4, False),  # 4 decimals → unitdp=4
        ("0.061171", "0.0612", 4, True),  # more than 4 → rounded to 4 and reported
        ("1.00005", "1.0001", 4, True),
    ],
)
def test_unit_amount_precision(rate, value, places, rounded):
    unit = unit_amount(D(rate))
    assert unit.value == D(value)
    assert unit.places == places
    assert unit.rounded is rounded
    assert unit.original == D(rate)


def test_unitdp_is_4_when_any_line_needs_it():
    assert unitdp([unit_amount(D("1.00")), unit_amount(D("2.5"))]) == 2
    assert unitdp([unit_amount(D("1.00")), unit_amount(D("2.125"))]) == 4
    assert unitdp([]) == 2


def test_check_total_reports_both_numbers():
    assert check_total(D("441.96"), None) is None
    same = check_total(D("441.96"), D("441.96"))
    assert same is not None and same.matches
    off = check_total(D("87.74"), D("87.75"))
    assert off is not None and not off.matches
    assert (off.xero_total, off.host_total, off.difference) == (D("87.74"), D("87.75"), D("0.01"))


# --- properties -------------------------------------------------------------------------------

money_amounts = st.decimals(min_value=D("-5000"), max_value=D("50000"), places=2, allow_nan=False, allow_infinity=False)
rates = st.sampled_from([D(0), D(5), D("12.5"), D(15), D(20), D("12.875")])


@settings(max_examples=200, deadline=None)
@given(amounts=st.lists(money_amounts, min_size=1, max_size=20), rate=rates)
def test_exclusive_document_tax_is_the_sum_of_rounded_line_taxes(amounts, rate):
    lines = [LineResult(amount, line_tax(amount, rate, EXCL)) for amount in amounts]
    totals = document_totals(lines, EXCL)
    # The document tax is exactly the sum of the per-line rounded taxes …
    assert totals.total_tax == sum((line.tax_amount for line in lines), D(0))
    # … which stays within half a cent per line of taxing the subtotal once.
    unrounded = sum(amounts, D(0)) * rate / 100
    assert abs(totals.total_tax - unrounded) <= D("0.005") * len(amounts)
    assert totals.total == totals.sub_total + totals.total_tax
    assert totals.total_tax == totals.total_tax.quantize(D("0.01"))


@settings(max_examples=200, deadline=None)
@given(amounts=st.lists(money_amounts, min_size=1, max_size=20), rate=rates)
def test_inclusive_lines_split_into_net_plus_tax(amounts, rate):
    lines = [LineResult(amount, line_tax(amount, rate, INCL)) for amount in amounts]
    totals = document_totals(lines, INCL)
    assert totals.total == sum(amounts, D(0))
    assert totals.sub_total + totals.total_tax == totals.total
    for line in lines:
        # The net part is the line amount divided by (1 + rate), to within a rounding.
        net = line.line_amount - line.tax_amount
        assert abs(net - line.line_amount * 100 / (100 + rate)) <= D("0.005")


@settings(max_examples=200, deadline=None)
@given(
    quantity=st.decimals(min_value=D("0.0001"), max_value=D("1000"), places=4),
    unit=st.decimals(min_value=D("0"), max_value=D("10000"), places=4),
    discount=st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("100"), places=2)),
)
def test_line_amount_is_always_to_the_cent_and_within_half_a_cent(quantity, unit, discount):
    amount = line_amount(quantity, unit, discount)
    exact = quantity * unit * (100 - (discount or 0)) / 100
    assert amount == amount.quantize(D("0.01"))
    assert abs(amount - exact) <= D("0.005")
