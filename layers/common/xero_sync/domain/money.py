"""Money arithmetic exactly as Xero does it (xero-facts §6.1 "Rounding", Xero's "Rounding in Xero"
guide), so that the service knows a document's Xero total before sending it.

All values are ``Decimal``; rates are percentages (15 means 15 %).

Xero's rules, and how this module follows them:

* Unit prices: Xero keeps ``UnitAmount`` to 2 decimal places, or 4 when the request carries
  ``?unitdp=4``. :func:`unit_amount` picks 2 when the host's rate fits, 4 when it needs 3–4, and
  rounds a rate with more than 4 decimals to 4 — reporting the difference (``UnitAmount.rounded``).
* ``LineAmount = Quantity × UnitAmount × (100 − DiscountRate) / 100``, rounded to 2 places.
* Tax is computed **per line** and rounded to 2 places, then summed (not "total × rate"):
  Exclusive: ``LineAmount × rate``; Inclusive: ``LineAmount − LineAmount / (1 + rate)``;
  NoTax: 0. Multi-component rates use their effective rate (``domain.tax.effective_rate``).
* Totals: Exclusive/NoTax ``Total = Σ LineAmount + Σ tax``; Inclusive ``Total = Σ LineAmount``
  (and ``SubTotal = Σ LineAmount − Σ tax``).

Rounding mode: half away from zero (``ROUND_HALF_UP`` in Python's ``decimal``, which rounds on the
absolute value). Xero's community manager describes it as "2.165 rounded up to 2.17 and 2.164 will
be rounded down to 2.16" (Xero developer community, "Pre empting slight differences in totals");
the rounding guide itself does not name a mode. One constant, :data:`ROUNDING`, holds it. A total
that still differs from the host's is reported (:func:`check_total`), never silently changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from xero_sync.models.xero_payloads import LineAmountType

ROUNDING = ROUND_HALF_UP
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def round_money(value: Decimal) -> Decimal:
    """Round an amount to the cent, Xero's way."""
    return value.quantize(CENT, rounding=ROUNDING)


def round_to(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING)


def fits_places(value: Decimal, places: int) -> bool:
    """Whether ``value`` has no more than ``places`` significant decimal places."""
    return value == value.quantize(Decimal(1).scaleb(-places))


# ----------------------------------------------------------------------------------------------
# Unit prices and unitdp
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitAmount:
    """The ``UnitAmount`` to send for a host rate, and the precision it needs."""

    value: Decimal
    places: int  # 2, or 4 (the request then needs ?unitdp=4)
    original: Decimal  # the host's rate

    @property
    def rounded(self) -> bool:
        """True when the host's rate had more than 4 decimals and was rounded."""
        return self.value != self.original


def unit_amount(rate: Decimal) -> UnitAmount:
    """2 decimals when they suffice, else 4; beyond 4 the rate is rounded (and reported)."""
    if fits_places(rate, 2):
        return UnitAmount(value=round_to(rate, 2), places=2, original=rate)
    return UnitAmount(value=round_to(rate, 4), places=4, original=rate)


def unitdp(units: Iterable[UnitAmount]) -> int:
    """The ``unitdp`` a request needs for these unit amounts: 4 if any needs it, else 2."""
    return 4 if any(unit.places == 4 for unit in units) else 2


# ----------------------------------------------------------------------------------------------
# Lines
# ----------------------------------------------------------------------------------------------


def line_amount(quantity: Decimal, unit: Decimal, discount_rate: Decimal | None = None) -> Decimal:
    """Xero's ``LineAmount``: quantity × unit price, less the discount percentage, to the cent."""
    amount = quantity * unit
    if discount_rate:
        amount = amount * (HUNDRED - discount_rate) / HUNDRED
    return round_money(amount)


def line_tax(amount: Decimal, rate_percent: Decimal, amounts_are: LineAmountType) -> Decimal:
    """The tax Xero computes for one line (rounded per line)."""
    if amounts_are is LineAmountType.NO_TAX or not rate_percent:
        return ZERO
    if amounts_are is LineAmountType.EXCLUSIVE:
        return round_money(amount * rate_percent / HUNDRED)
    # Inclusive: the line amount already contains the tax: LineAmount − LineAmount / (1 + rate).
    return round_money(amount - amount * HUNDRED / (HUNDRED + rate_percent))


@dataclass(frozen=True)
class LineResult:
    line_amount: Decimal
    tax_amount: Decimal


def compute_line(
    quantity: Decimal,
    unit: Decimal,
    discount_rate: Decimal | None,
    rate_percent: Decimal,
    amounts_are: LineAmountType,
) -> LineResult:
    amount = line_amount(quantity, unit, discount_rate)
    return LineResult(line_amount=amount, tax_amount=line_tax(amount, rate_percent, amounts_are))


# ----------------------------------------------------------------------------------------------
# Documents
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentTotals:
    sub_total: Decimal
    total_tax: Decimal
    total: Decimal


def document_totals(lines: Iterable[LineResult], amounts_are: LineAmountType) -> DocumentTotals:
    """``SubTotal``, ``TotalTax`` and ``Total`` as Xero will show them."""
    lines = list(lines)
    amounts = sum((line.line_amount for line in lines), ZERO)
    tax = sum((line.tax_amount for line in lines), ZERO)
    if amounts_are is LineAmountType.INCLUSIVE:
        return DocumentTotals(sub_total=amounts - tax, total_tax=tax, total=amounts)
    return DocumentTotals(sub_total=amounts, total_tax=tax, total=amounts + tax)


@dataclass(frozen=True)
class TotalCheck:
    """The host's total next to the total Xero will compute."""

    xero_total: Decimal
    host_total: Decimal

    @property
    def difference(self) -> Decimal:
        """Host minus Xero: positive when the host's total is higher."""
        return self.host_total - self.xero_total

    @property
    def matches(self) -> bool:
        return self.difference == 0


def check_total(xero_total: Decimal, host_total: Decimal | None) -> TotalCheck | None:
    """Compare the host's own total with Xero's (None when the host sent no total)."""
    if host_total is None:
        return None
    return TotalCheck(xero_total=xero_total, host_total=host_total)
