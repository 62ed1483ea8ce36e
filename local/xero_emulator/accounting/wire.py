"""Xero's JSON wire format: dates, decimals, envelopes and error bodies (xero-facts §5, §7).

The engine keeps money as ``Decimal`` and dates as ``date``/``datetime`` while it works; records
are turned into JSON-ready values only at the very end, by ``to_json``. Decimals become JSON
numbers (Python floats: the shortest float repr of a 2- or 4-dp decimal prints exactly), and
dates become Microsoft JSON dates ``/Date(<ms since epoch>+0000)/``.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

PROVIDER_NAME = "xero-sync emulator"

# "/Date(1439434356790+0000)/" — the offset is optional (the envelope's DateTimeUTC has none).
_MS_DATE = re.compile(r"^/Date\((?P<ms>-?\d+)(?P<offset>[+-]\d{4})?\)/$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


# --- dates ---------------------------------------------------------------------------------


def ms_date(value: date | datetime) -> str:
    """``/Date(ms+0000)/`` for a calendar date (midnight UTC) or a UTC timestamp."""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
    else:
        moment = datetime.combine(value, time(0, 0), tzinfo=UTC)
    milliseconds = int(moment.timestamp() * 1000) if moment.microsecond == 0 else _exact_ms(moment)
    return f"/Date({milliseconds}+0000)/"


def _exact_ms(moment: datetime) -> int:
    # timestamp() goes through a float; compute from the timedelta to keep milliseconds exact.
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def envelope_date(moment: datetime) -> str:
    """The envelope's ``DateTimeUTC`` is written without an offset: ``/Date(ms)/``."""
    return f"/Date({_exact_ms(moment.astimezone(UTC))})/"


def date_string(value: date) -> str:
    """Helper strings such as ``DateString``: ``2019-03-13T00:00:00``."""
    return f"{value.isoformat()}T00:00:00"


def utc_string(moment: datetime) -> str:
    """``UpdatedDateUTCString`` (SPEC 16.1.0): ISO-8601 in UTC, second precision, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(value: Any) -> date:
    """A date sent by a client: ``2024-01-31``, ``2024-01-31T00:00:00`` (any time part is
    dropped), or the SDK's ``/Date(ms)/`` / ``/Date(ms+0000)/``. Raises ``ValueError``."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    text = value.strip()
    match = _MS_DATE.match(text)
    if match:
        return _from_ms(match).date()
    if _ISO_DATE.match(text):
        return date.fromisoformat(text)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.date()


def parse_datetime(value: str) -> datetime:
    """A UTC timestamp (ISO-8601, with or without offset/fraction, or ``/Date(ms)/``)."""
    text = value.strip()
    match = _MS_DATE.match(text)
    if match:
        return _from_ms(match)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _from_ms(match: re.Match[str]) -> datetime:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(match["ms"]))
    # The offset only says in which zone the wall clock was read; the instant is the same.
    return moment


# --- decimals ------------------------------------------------------------------------------


MAX_DIGITS_BEFORE_POINT = 15  # Xero's largest amounts have 10 (LineAmount) to 13 (Quantity) digits


class NumberTooLarge(ValueError):
    pass


def parse_decimal(value: Any) -> Decimal:
    """A number sent by a client (JSON number or numeric string) as an exact ``Decimal``.

    Floats go through ``repr`` (shortest round-trip form), so ``31.5`` becomes ``Decimal("31.5")``
    rather than the binary expansion. Booleans, NaN and infinities are refused (``ValueError``).
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"{value!r} is not a number") from exc
    else:
        raise ValueError(f"{value!r} is not a number")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a number")
    if result != 0 and result.adjusted() >= MAX_DIGITS_BEFORE_POINT:
        raise NumberTooLarge(f"{value!r} is too large")
    # Keep at most 10 decimal places so that later arithmetic stays exact within 28 digits.
    if result.as_tuple().exponent < -10:  # type: ignore[operator]
        result = result.quantize(Decimal("1e-10"))
    return result


# --- JSON conversion -----------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """Turn an engine value into JSON-ready data: ``Decimal`` → number, ``date``/``datetime`` →
    ``/Date(ms+0000)/``; ``None`` values are dropped from objects (the SDK would turn a JSON
    null into the string "None", so Xero-shaped responses simply leave the field out)."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return ms_date(value)
    if isinstance(value, date):
        return ms_date(value)
    return value


# --- envelopes and error bodies ---------------------------------------------------------------


def envelope(collection: str, items: list[dict[str, Any]], now: datetime, response_id: str, **extra: Any) -> dict:
    """``{"Id", "Status":"OK", "ProviderName", "DateTimeUTC", <extra>, "<Collection>": [...]}``."""
    body: dict[str, Any] = {
        "Id": response_id,
        "Status": "OK",
        "ProviderName": PROVIDER_NAME,
        "DateTimeUTC": envelope_date(now),
    }
    body.update(extra)
    body[collection] = items
    return to_json(body)


def validation_exception(elements: list[dict[str, Any]], message: str = "A validation exception occurred") -> dict:
    """400 body of a failed write (SPEC ``Error``/``Element``; xero-facts §7)."""
    return to_json(
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": message,
            "Elements": elements,
        }
    )


def request_validation_error(message: str) -> dict:
    """400 for a request-level problem that has no element to echo."""
    return {"ErrorNumber": 10, "Type": "ValidationException", "Message": message, "Elements": []}


def query_parse_error(message: str) -> dict:
    """400 for a ``where``/``order`` Xero cannot parse (``ErrorNumber`` 16, observed in
    I:XeroAPI/xero-php-oauth2#307 and xeroizer#164)."""
    return {"ErrorNumber": 16, "Type": "QueryParseException", "Message": message}


def post_data_invalid(message: str) -> dict:
    """400 for a body Xero cannot read at all (``PostDataInvalidException``, ErrorNumber 14)."""
    return {"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": message}


NOT_FOUND_TEXT = "The resource you're looking for cannot be found"
"""Xero answers an unknown id with this plain-text body, not JSON (I:XeroAPI/Xero-OpenAPI#163)."""

ZERO_GUID = str(uuid.UUID(int=0))
"""Xero echoes failed new elements with all-zero ids (SPEC example of ``createAccount`` 400)."""
