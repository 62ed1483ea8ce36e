"""Money maths (xero-facts §6.1 "Rounding") and the wire format (§5 dates, §7 envelopes)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from local.xero_emulator.accounting import money, wire
from local.xero_emulator.accounting.money import Component

D = Decimal


# --- wire ------------------------------------------------------------------------------------


def test_dates_are_microsoft_json_dates_in_utc():
    assert wire.ms_date(date(2015, 8, 13)) == "/Date(1439424000000+0000)/"
    assert wire.ms_date(datetime(2015, 8, 13, 2, 52, 36, 790000, tzinfo=UTC)) == "/Date(1439434356790+0000)/"
    assert wire.envelope_date(datetime(2019, 3, 7, 0, 0, tzinfo=UTC)) == "/Date(1551916800000)/"


@pytest.mark.parametrize(
    "sent",
    [
        "2026-03-01",
        "2026-03-01T00:00:00",
        "2026-03-01T13:45:00Z",
        "/Date(1772323200000)/",
        "/Date(1772323200000+0000)/",
    ],
)
def test_client_dates_are_read_in_every_form_clients_send(sent):
    # The SDK sends /Date(ms)/; people send ISO dates.
    assert wire.parse_date(sent) == date(2026, 3, 1)


@pytest.mark.parametrize("sent, expected", [(31.5, D("31.5")), ("31.50", D("31.50")), (12, D(12)), (0.1, D("0.1"))])
def test_numbers_become_exact_decimals_never_binary_floats(sent, expected):
    assert wire.parse_decimal(sent) == expected


@pytest.mark.parametrize("sent", [True, None, "abc", float("nan"), "Infinity", [1]])
def test_non_numbers_are_refused(sent):
    with pytest.raises(ValueError):
        wire.parse_decimal(sent)


def test_to_json_writes_numbers_and_dates_and_drops_nulls():
    body = wire.to_json(
        {"Total": D("441.96"), "Date": date(2026, 1, 1), "Reference": None, "Lines": [{"Q": D("1.0000")}]}
    )
    assert body == {"Total": 441.96, "Date": "/Date(1767225600000+0000)/", "Lines": [{"Q": 1.0}]}


def test_envelope_has_xero_fields():
    body = wire.envelope("Invoices", [], datetime(2026, 1, 1, tzinfo=UTC), "id-1", pagination={"page": 1})
    assert body == {
        "Id": "id-1",
        "Status": "OK",
        "ProviderName": "xero-sync emulator",
        "DateTimeUTC": "/Date(1767225600000)/",
        "pagination": {"page": 1},
        "Invoices": [],
    }


# --- money -----------------------------------------------------------------------------------


def test_line_amount_applies_discount_rate_then_rounds_to_cents():
    assert money.line_amount(D(3), D("33.33"), D("10")) == D("89.99")  # 99.99 × 0.9 = 89.991
    assert money.line_amount(D("2.5"), D("19.99")) == D("49.98")  # 49.975 rounds half up
    assert money.line_amount(D(2), D(50), discount_amount=D("7.5")) == D("92.50")


def test_exclusive_and_inclusive_tax_per_line():
    fifteen = D("0.15")
    assert money.line_tax(D("378.00"), fifteen, money.EXCLUSIVE) == D("56.70")
    assert money.line_tax(D("20.00"), fifteen, money.INCLUSIVE) == D("2.61")  # 20 − 20/1.15 = 2.6087
    assert money.line_tax(D("20.00"), fifteen, money.NO_TAX) == D("0.00")


def test_compound_components_apply_to_amount_plus_previous_tax():
    gst_qst = [Component(D(5)), Component(D("9.975"), is_compound=True)]
    assert money.effective_fraction(gst_qst) == D("0.05") + D("0.09975") * D("1.05")
    assert money.effective_rate(gst_qst) == D("15.4738")
    assert money.display_rate(gst_qst) == D("14.9750")
    assert money.line_tax(D("100.00"), money.effective_fraction(gst_qst), money.EXCLUSIVE) == D("15.47")


def test_multi_component_non_compound_rate_adds_up():
    gst_pst = [Component(D(5)), Component(D(7))]
    assert money.effective_rate(gst_pst) == D("12.0000") == money.display_rate(gst_pst)


def test_tax_per_line_can_differ_by_a_cent_from_tax_on_the_total():
    # Three lines of 0.10 at 15 %: per line 0.015 → 0.02 each → 0.06; on the total 0.045 → 0.05.
    lines = [(D("0.10"), money.line_tax(D("0.10"), D("0.15"), money.EXCLUSIVE)) for _ in range(3)]
    totals = money.document_totals(lines, money.EXCLUSIVE)
    assert totals.total_tax == D("0.06")
    assert money.round_money(D("0.30") * D("0.15")) == D("0.05")


def test_inclusive_totals_take_the_tax_out_of_the_line_sum():
    totals = money.document_totals([(D("20.00"), D("2.61")), (D("10.00"), D("1.30"))], money.INCLUSIVE)
    assert (totals.sub_total, totals.total_tax, totals.total) == (D("26.09"), D("3.91"), D("30.00"))


def test_unit_amount_keeps_two_or_four_places():
    assert money.round_unit_amount(D("1.23456"), 2) == D("1.23")
    assert money.round_unit_amount(D("1.23456"), 4) == D("1.2346")


def test_base_currency_conversion_divides_by_the_rate():
    # xero-facts §6.8: CurrencyRate is foreign units per one base unit (NZD org, USD doc ≈ 0.6).
    assert money.to_base_currency(D("60.00"), D("0.6")) == D("100.00")


# --- property: per-line rounding sums ----------------------------------------------------------

amounts = st.decimals(min_value=D("-10000"), max_value=D("10000"), places=2, allow_nan=False, allow_infinity=False)
quantities = st.decimals(min_value=D("0.0001"), max_value=D("1000"), places=4, allow_nan=False, allow_infinity=False)
rates = st.sampled_from(
    [D(0), D("0.15"), D("0.125"), D("0.12"), money.effective_fraction([Component(D(5)), Component(D("9.975"), True)])]
)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.tuples(quantities, amounts, rates), min_size=1, max_size=12),
    amounts_are=st.sampled_from(money.LINE_AMOUNT_TYPES),
)
def test_document_totals_are_sums_of_per_line_rounded_amounts(lines, amounts_are):
    computed = []
    for quantity, unit_amount, rate in lines:
        amount = money.line_amount(quantity, unit_amount)
        tax = money.line_tax(amount, rate, amounts_are)
        assert amount == amount.quantize(money.CENT) and tax == tax.quantize(money.CENT)
        # the tax of a line is never more than half a cent away from the exact figure
        exact = amount * rate if amounts_are == money.EXCLUSIVE else amount - amount / (1 + rate)
        if amounts_are != money.NO_TAX:
            assert abs(tax - exact) <= D("0.005")
        computed.append((amount, tax))
    totals = money.document_totals(computed, amounts_are)
    assert totals.total_tax == sum(tax for _, tax in computed)
    assert totals.sub_total + totals.total_tax == totals.total
    if amounts_are == money.INCLUSIVE:
        assert totals.total == sum(amount for amount, _ in computed)
    else:
        assert totals.sub_total == sum(amount for amount, _ in computed)
