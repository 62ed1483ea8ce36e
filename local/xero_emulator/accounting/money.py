"""Money maths the way Xero does it (xero-facts §6.1 "Rounding", D:rounding).

* Everything is ``Decimal``; nothing here ever sees a float.
* ``LineAmount = Quantity × UnitAmount × (100 − DiscountRate)/100`` (or minus ``DiscountAmount``),
  rounded to 2 dp.
* Tax is computed **per line** and rounded to 2 dp, then the lines are summed — so a document's
  tax can differ by a cent from "total × rate", exactly as in Xero.
* ``UnitAmount`` keeps 2 dp, or 4 dp when the request says ``unitdp=4``; quantities keep 4 dp.
* Compound tax components apply to the amount plus the tax of the components before them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")
SIX_PLACES = Decimal("0.000001")
ZERO = Decimal("0")
HUNDRED = Decimal("100")

EXCLUSIVE = "Exclusive"
INCLUSIVE = "Inclusive"
NO_TAX = "NoTax"
LINE_AMOUNT_TYPES = (EXCLUSIVE, INCLUSIVE, NO_TAX)


def round_money(value: Decimal) -> Decimal:
    """2 dp, halves away from zero (Xero's rounding of amounts and tax)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_unit_amount(value: Decimal, unitdp: int) -> Decimal:
    """``UnitAmount``: 2 dp, or 4 dp with ``unitdp=4``."""
    return value.quantize(FOUR_PLACES if unitdp == 4 else CENT, rounding=ROUND_HALF_UP)


def round_quantity(value: Decimal) -> Decimal:
    return value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def round_rate(value: Decimal) -> Decimal:
    """Tax rates are shown with 4 dp (SPEC ``TaxComponent.Rate``, ``EffectiveRate``)."""
    return value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


# --- tax rates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    """One ``TaxComponent``: its rate in percent and whether it compounds."""

    rate: Decimal
    is_compound: bool = False


def effective_fraction(components: Sequence[Component]) -> Decimal:
    """The total tax per unit of (tax-exclusive) amount, exact.

    Components are applied in order; a compound component is charged on the amount plus the tax
    of the components before it. Example: 5 % + 10 % compound → 0.05 + 0.10 × 1.05 = 0.155.
    """
    tax_so_far = ZERO
    for component in components:
        fraction = component.rate / HUNDRED
        base = Decimal(1) + tax_so_far if component.is_compound else Decimal(1)
        tax_so_far += base * fraction
    return tax_so_far


def display_rate(components: Sequence[Component]) -> Decimal:
    """``DisplayTaxRate``: the components' rates added up, as Xero lists the rate."""
    return round_rate(sum((c.rate for c in components), ZERO))


def effective_rate(components: Sequence[Component]) -> Decimal:
    """``EffectiveRate`` in percent, 4 dp."""
    return round_rate(effective_fraction(components) * HUNDRED)


# --- lines -------------------------------------------------------------------------------------------


def line_amount(
    quantity: Decimal,
    unit_amount: Decimal,
    discount_rate: Decimal | None = None,
    discount_amount: Decimal | None = None,
) -> Decimal:
    gross = quantity * unit_amount
    if discount_rate is not None:
        gross = gross * (HUNDRED - discount_rate) / HUNDRED
    if discount_amount is not None:
        gross = gross - discount_amount
    return round_money(gross)


def line_tax(amount: Decimal, tax_fraction: Decimal, line_amount_types: str) -> Decimal:
    """Tax of one line, rounded to 2 dp.

    Exclusive: ``amount × rate``. Inclusive: the tax inside the amount,
    ``amount − amount / (1 + rate)``. NoTax: nothing.
    """
    if line_amount_types == NO_TAX or tax_fraction == ZERO:
        return ZERO.quantize(CENT)
    if line_amount_types == INCLUSIVE:
        return round_money(amount - amount / (Decimal(1) + tax_fraction))
    return round_money(amount * tax_fraction)


@dataclass(frozen=True)
class Totals:
    sub_total: Decimal
    total_tax: Decimal
    total: Decimal


def document_totals(lines: Iterable[tuple[Decimal, Decimal]], line_amount_types: str) -> Totals:
    """``SubTotal``/``TotalTax``/``Total`` from each line's ``(LineAmount, TaxAmount)``.

    With Inclusive amounts the lines already contain their tax, so the total is the sum of the
    line amounts and the subtotal is what remains after taking the tax out.
    """
    amounts = list(lines)
    line_sum = sum((amount for amount, _ in amounts), ZERO)
    tax_sum = sum((tax for _, tax in amounts), ZERO)
    if line_amount_types == INCLUSIVE:
        return Totals(
            sub_total=round_money(line_sum - tax_sum), total_tax=round_money(tax_sum), total=round_money(line_sum)
        )
    return Totals(
        sub_total=round_money(line_sum), total_tax=round_money(tax_sum), total=round_money(line_sum + tax_sum)
    )


# --- currencies --------------------------------------------------------------------------------------------


def to_base_currency(amount: Decimal, currency_rate: Decimal) -> Decimal:
    """Convert a document amount into the organisation's base currency.

    Xero quotes ``CurrencyRate`` as foreign units per one base unit (an NZD organisation's USD
    invoice carries about 0.6), so base = amount ÷ rate (xero-facts §6.8 — UNCONFIRMED against a
    live organisation; this is the one place to flip if it proves to be the other way round).
    """
    return round_money(amount / currency_rate)
