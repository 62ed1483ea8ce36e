"""Currencies and exchange rates.

The two conventions:

* Host (SPEC §7): ``exchange_rate`` is what **one unit of the document's currency** is worth in
  the org's base currency — 1 EUR = 1.85 NZD → ``1.85``. Base amount = document amount × rate.
* Xero (xero-facts §6.8): ``CurrencyRate`` is quoted "1 <base> = r <foreign>", i.e. **foreign
  units per one base unit** — an NZD org's EUR invoice carries about 0.54. Base amount =
  document amount ÷ r.

So Xero's rate is the reciprocal of the host's. xero-facts marks the direction UNCONFIRMED against
a live org, which is why the conversion lives in one function, :func:`to_xero_currency_rate`, with
one switch, :data:`XERO_RATE_IS_FOREIGN_PER_BASE`: set it to False and the host's rate is sent as
is (and :func:`from_xero_currency_rate` follows).

Xero stores ``CurrencyRate`` with up to 6 decimal places (SPEC: "max length = [18].[6]"), so the
reciprocal is rounded to 6 places (half up). A document in the base currency sends no rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xero_sync.domain.money import round_to
from xero_sync.domain.problems import Notice, NoticeCode, Problem, ProblemCode
from xero_sync.models.reference_data import ReferenceData

XERO_RATE_IS_FOREIGN_PER_BASE = True
"""True: Xero's CurrencyRate = foreign units per base unit (xero-facts §6.8). Flip here only."""

XERO_RATE_PLACES = 6


def to_xero_currency_rate(host_exchange_rate: Decimal) -> Decimal:
    """Host rate (base per one foreign unit) → Xero ``CurrencyRate``. 1.85 → 0.540541."""
    if host_exchange_rate <= 0:
        raise ValueError("an exchange rate must be greater than 0")
    if XERO_RATE_IS_FOREIGN_PER_BASE:
        return round_to(Decimal(1) / host_exchange_rate, XERO_RATE_PLACES)
    return round_to(host_exchange_rate, XERO_RATE_PLACES)


def from_xero_currency_rate(xero_rate: Decimal) -> Decimal:
    """Xero ``CurrencyRate`` → the host's convention (for imports, F4.3). Not rounded further
    than Decimal's own precision; callers round for display."""
    if xero_rate <= 0:
        raise ValueError("an exchange rate must be greater than 0")
    return Decimal(1) / xero_rate if XERO_RATE_IS_FOREIGN_PER_BASE else xero_rate


def is_foreign(currency: str | None, base_currency: str) -> bool:
    return currency is not None and currency.upper() != base_currency.upper()


@dataclass(frozen=True)
class DocumentCurrency:
    """What a document or payment sends: ``CurrencyCode`` and, for foreign ones, ``CurrencyRate``
    (None lets Xero use its daily XE.com rate)."""

    code: str
    xero_rate: Decimal | None


def document_currency(
    currency: str | None,
    host_exchange_rate: Decimal | None,
    reference: ReferenceData,
    *,
    field: str = "currency",
) -> tuple[DocumentCurrency | None, list[Problem], list[Notice]]:
    """The currency fields of a document, or the problem that stops it.

    * No currency, or the base currency → the base currency, no rate.
    * A foreign currency must be enabled in Xero (``currency_not_enabled``).
    * Its rate is converted; without one, Xero's daily rate applies and a notice says so.
    """
    base = reference.base_currency.upper()
    code = (currency or base).upper()
    if not is_foreign(code, base):
        return DocumentCurrency(code=base, xero_rate=None), [], []
    if not reference.currency_enabled(code):
        return None, [currency_not_enabled(code, field=field)], []
    if host_exchange_rate is None:
        notice = Notice(
            code=NoticeCode.EXCHANGE_RATE_DEFAULTED,
            message=(
                f"No exchange rate was sent for this {code} document, so Xero applies its own daily "
                f"rate for {code} to {base}."
            ),
            field="exchange_rate",
            params={"currency": code, "base_currency": base},
        )
        return DocumentCurrency(code=code, xero_rate=None), [], [notice]
    xero_rate = to_xero_currency_rate(host_exchange_rate)
    if xero_rate == 0:
        problem = Problem(
            code=ProblemCode.EXCHANGE_RATE_TOO_SMALL,
            message=(
                f"The exchange rate {host_exchange_rate} ({code} to {base}) cannot be expressed in "
                "Xero's 6 decimal places. Check the rate in the host, then retry."
            ),
            field="exchange_rate",
            params={"currency": code, "exchange_rate": str(host_exchange_rate)},
        )
        return None, [problem], []
    return DocumentCurrency(code=code, xero_rate=xero_rate), [], []


def currency_not_enabled(code: str, *, field: str = "currency") -> Problem:
    return Problem(
        code=ProblemCode.CURRENCY_NOT_ENABLED,
        message=(
            f"Currency {code} is not enabled in Xero. Add it in Xero (Accounting → Advanced → "
            "Currencies; this needs a plan with multi-currency), then retry."
        ),
        field=field,
        params={"currency": code},
    )


def base_currency_mismatch(host_base: str, reference: ReferenceData) -> Problem | None:
    """The seeds' prerequisite: the host's base currency must be Xero's."""
    if host_base.upper() == reference.base_currency.upper():
        return None
    return Problem(
        code=ProblemCode.BASE_CURRENCY_MISMATCH,
        message=(
            f"The base currency is {host_base.upper()} in the host but {reference.base_currency} in Xero "
            f"('{reference.organisation.Name}'). Both must be the same: connect the Xero organisation "
            "that uses the host's base currency."
        ),
        params={"host_base_currency": host_base.upper(), "xero_base_currency": reference.base_currency},
    )
