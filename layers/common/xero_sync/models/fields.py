"""The field types of the host's records (SPEC §7): decimals that never pass through float,
dates, texts with Xero's maximum lengths, ids, emails, account codes and tax ids. The rules are
those of ``models/records.py``'s docstring; the record models there are built from these."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

# ----------------------------------------------------------------------------------------------

# ASCII digits only: ``\d`` would also take "１２３" or "١٢٣", which Decimal() happily reads.
_NUMBER_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_MAX_MAGNITUDE = Decimal("1e13")  # Xero: LineAmount ≤ 9,999,999,999.99; Quantity ≤ 13 digits


def parse_decimal(value: Any) -> Decimal:
    """Turn a JSON number or numeric string into a ``Decimal`` without passing through binary
    floating point where that can be avoided (see the module docstring)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        result = Decimal(repr(value))
    elif isinstance(value, str):
        # Not stripped: " 5 " is refused like any other text that is not exactly a number, so
        # that what the host sent and what is stored are the same number.
        text = value
        if len(text) > 40 or not _NUMBER_TEXT.fullmatch(text):
            raise ValueError(
                "must be a decimal number such as 12.50, written with the digits 0-9 (no spaces, "
                "no exponent, no thousands separator)"
            )
        try:
            result = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern above already guards
            raise ValueError("must be a decimal number such as 12.50") from exc
    else:
        raise ValueError("must be a number or a numeric string")
    if not result.is_finite():
        raise ValueError("must be a finite number")
    if abs(result) >= _MAX_MAGNITUDE:
        raise ValueError("is too large (Xero accepts amounts below 10,000,000,000,000)")
    return result


def json_integer(value: Any) -> Any:
    """An integer as JSON Schema counts one: ``7`` or ``7.0`` (a number without a fraction) — never
    ``true``/``false`` or a string. Use before a ``strict`` int field."""
    if isinstance(value, bool):
        raise ValueError("must be an integer, not true/false")
    if isinstance(value, Decimal | float) and math.isfinite(value):
        number = Decimal(value)
        # Bounded before int(): Decimal("1E+1000000") would make a million-digit integer.
        if abs(number) < _INTEGRAL_BOUND and number == number.to_integral_value():
            return int(number)
    return value


_INTEGRAL_BOUND = Decimal(10) ** 20


def json_int(*, ge: int, le: int) -> Any:
    """A strict ``int`` field type from ``ge`` to ``le``: what JSON Schema calls an integer, nothing
    else. (The bounds are declared before the validator, so the schema shows them as
    ``minimum``/``maximum``.)"""
    return Annotated[int, Field(strict=True, ge=ge, le=le), BeforeValidator(json_integer)]


def _at_most_places(places: int, why: str) -> Callable[[Decimal], Decimal]:
    def check(value: Decimal) -> Decimal:
        if value != value.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(f"must have at most {places} decimal places ({why})")
        return value

    return check


def decimal_text_pattern(*, places: int | None, gt: int | None, ge: int | None, le: int | None) -> str:
    """The numeric strings a decimal field accepts, as a JSON Schema pattern (the published
    document states exactly what ``parse_decimal`` and the field's bounds take): ASCII digits, an
    optional sign (none when the field is non-negative), at most 13 integer digits (below 10^13),
    at most ``places`` decimals besides trailing zeros. Only the bounds the fields use are
    written out: > 0, ≥ 0, and ≥ 0 with ≤ 100."""
    fraction = "[0-9]*" if places is None else f"[0-9]{{0,{places}}}0*"
    some_fraction = "[0-9]+" if places is None else f"[0-9]{{1,{places}}}0*"
    if gt is None and ge is None:
        return rf"^[+-]?0*(?:[0-9]{{1,13}}(?:\.{fraction})?|\.{some_fraction})$"
    minus_zero = r"|-(?:0+\.?0*|\.0+)"  # -0 is ≥ 0
    if le == 100:  # and ≥ 0: percentages
        return rf"^(?:\+?0*(?:100(?:\.0*)?|[0-9]{{1,2}}(?:\.{fraction})?|\.{some_fraction}){minus_zero})$"
    if gt == 0:
        non_zero = "[0-9]*[1-9][0-9]*" if places is None else f"[0-9]{{0,{places - 1}}}[1-9]0*"
        return rf"^\+?0*(?:[1-9][0-9]{{0,12}}(?:\.{fraction})?|\.{non_zero})$"
    return rf"^(?:\+?0*(?:[0-9]{{1,13}}(?:\.{fraction})?|\.{some_fraction}){minus_zero})$"


def _string_pattern(pattern: str) -> Callable[[dict[str, Any]], None]:
    """Puts the pattern on the string branch of a decimal's ``anyOf: [number, string]``."""

    def add(schema: dict[str, Any]) -> None:
        for option in schema.get("anyOf", []):
            if option.get("type") == "string":
                option.update(pattern=pattern, maxLength=40)

    return add


def decimal_field(
    *,
    places: int | None = None,
    why: str = "",
    gt: int | None = None,
    ge: int | None = None,
    le: int | None = None,
    description: str | None = None,
) -> Any:
    """A ``Decimal`` field type accepting JSON numbers and numeric strings (``parse_decimal``),
    optionally bounded and limited to ``places`` decimal places. (The bounds are declared before
    the parser so that the published JSON schema shows them as ``minimum``/``exclusiveMinimum``.)"""
    document = _string_pattern(decimal_text_pattern(places=places, gt=gt, ge=ge, le=le))
    extras: list[Any] = [
        Field(gt=gt, ge=ge, le=le, description=description, json_schema_extra=document),
        BeforeValidator(parse_decimal),
    ]
    if places is not None:
        extras.append(AfterValidator(_at_most_places(places, why)))
    return Annotated[Decimal, *extras]


if TYPE_CHECKING:  # the checker sees plain decimals; pydantic sees the parsing and bounds below
    DecimalValue: TypeAlias = Decimal
    Money: TypeAlias = Decimal
    PositiveMoney: TypeAlias = Decimal
    NonNegativeMoney: TypeAlias = Decimal
    Quantity: TypeAlias = Decimal
    UnitRate: TypeAlias = Decimal
    UnitCost: TypeAlias = Decimal
    DiscountPercent: TypeAlias = Decimal
    ExchangeRate: TypeAlias = Decimal
else:
    _CENTS = "Xero keeps amounts to the cent"

    DecimalValue = decimal_field()
    """Any decimal, from a JSON number or a numeric string."""

    Money = decimal_field(places=2, why=_CENTS)
    """An amount of money: at most 2 decimal places, any sign."""

    PositiveMoney = decimal_field(places=2, why=_CENTS, gt=0, description="An amount greater than 0.")
    NonNegativeMoney = decimal_field(places=2, why=_CENTS, ge=0, description="An amount of 0 or more.")

    Quantity = decimal_field(
        places=4, why="Xero keeps quantities to 4 decimal places", gt=0, description="Must be greater than 0."
    )

    UnitRate = decimal_field(
        ge=0,
        description=(
            "Unit price, 0 or more. More than 2 decimals are sent with unitdp=4; beyond 4 they are "
            "rounded and the difference is reported."
        ),
    )

    UnitCost = decimal_field(
        places=4,
        why="the inventory journal keeps unit costs to 4 decimal places",
        ge=0,
        description="Cost of one unit, 0 or more, at most 4 decimal places.",
    )

    DiscountPercent = decimal_field(
        places=4,
        why="Xero keeps discount rates to 4 decimal places",
        ge=0,
        le=100,
        description="Line discount in percent, 0 to 100.",
    )

    ExchangeRate = decimal_field(
        gt=0,
        description=(
            "What one unit of the document's currency is worth in the org's base currency "
            "(1 EUR = 1.85 NZD → 1.85). The service converts it to Xero's convention."
        ),
    )


def _parse_date(value: Any) -> Any:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"is not a valid calendar date: {value!r}") from exc
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_parse_date)]


def _normalise_currency(value: Any) -> Any:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        raise ValueError("must be an ISO 4217 currency code of 3 letters, such as NZD")
    return value.strip().upper()


CurrencyCode = Annotated[str, BeforeValidator(_normalise_currency), Field(pattern=r"^[A-Z]{3}$")]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("must be an email address such as name@example.com")
    return value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


# Optional texts of at most N characters (Xero's maximum lengths); surrounding blanks are removed
# and an empty text counts as absent.
_Blank = BeforeValidator(_blank_to_none)
Text50: TypeAlias = Annotated[Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None, _Blank]
Text200: TypeAlias = Annotated[Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None, _Blank]
Text255: TypeAlias = Annotated[Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] | None, _Blank]
Text500: TypeAlias = Annotated[Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None, _Blank]
Text3700: TypeAlias = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=3700)] | None, _Blank
]


RequiredText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
HOST_ID_PATTERN = r"^[A-Za-z0-9._:@~-]{1,255}$"
"""What a host's record id may look like (records and the ids they refer to): letters, digits and
``. _ : @ ~ -``, 1–255 characters. No ``/``, spaces, control characters or NUL, so an id is one
path segment of ``/records/{entity}/{id}`` as it is, and reads the same in every log and key."""

_HOST_ID = re.compile(HOST_ID_PATTERN.removesuffix("$") + r"\Z")


def _check_host_id(value: Any) -> Any:
    # Runs before the pattern constraint (it wraps it), so that the host reads this sentence instead of the regex.
    if isinstance(value, str) and not _HOST_ID.match(value):
        raise ValueError(
            "must be 1–255 characters of letters, digits and . _ : @ ~ - (no '/', spaces or control characters)"
        )
    return value


HostId = Annotated[
    str,
    StringConstraints(pattern=HOST_ID_PATTERN),
    BeforeValidator(_check_host_id),
    Field(description="The host's own id of a record: letters, digits and . _ : @ ~ - (1–255 characters)."),
]
OptionalHostId = Annotated[HostId | None, BeforeValidator(_blank_to_none)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255), AfterValidator(_check_email)]
OptionalEmail = Annotated[Email | None, BeforeValidator(_blank_to_none)]
AccountCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=10),
    Field(description="A Xero account code (at most 10 characters), from the imported chart of accounts."),
]
OptionalAccountCode = Annotated[AccountCode | None, BeforeValidator(_blank_to_none)]
TaxId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    Field(description="The host's tax id; the org's tax mapping turns it into a Xero tax rate."),
]
OptionalTaxId = Annotated[TaxId | None, BeforeValidator(_blank_to_none)]

ItemCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=30),
    Field(
        description="A Xero item code (at most 30 characters); never empty (seed 002: 'should not be an empty value')."
    ),
]


class HostModel(BaseModel):
    """Base of every host record model: unknown fields are errors. Built on first use
    (``defer_build``, as every model here): a function pays only for what it validates (N6)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


CustomFields = Annotated[
    dict[str, Any],
    Field(description="Free object of the host's custom fields; usable as sources in the org's field mapping."),
]
