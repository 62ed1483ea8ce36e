"""Reading Xero's JSON values the way the host's schema writes them: dates as ``YYYY-MM-DD``,
times as ISO-8601 UTC, amounts as decimal strings (never floats), and one fingerprint of a
state whatever the key order."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

_MS_DATE = re.compile(r"^/Date\((?P<ms>-?\d+)(?P<offset>[+-]\d{4})?\)/$")


def xero_datetime(value: Any) -> datetime | None:
    """``/Date(1439434356790+0000)/`` (Xero's JSON) or an ISO-8601 text → an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    match = _MS_DATE.match(value)
    if match:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(match["ms"]))
        return moment
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso_time(value: Any) -> str | None:
    """Xero's UpdatedDateUTC as the host reads it: ``2026-11-02T09:15:03.120000+00:00``."""
    moment = xero_datetime(value)
    return moment.isoformat() if moment else None


def iso_date(value: Any) -> str | None:
    """A Xero document date (a ``/Date(…)/`` at midnight UTC, or ``2026-11-02T00:00:00``) → ``2026-11-02``."""
    moment = xero_datetime(value)
    return moment.date().isoformat() if moment else None


def amount(value: Any) -> str | None:
    """An amount as a decimal string, at least two places: ``441.96`` → ``"441.96"``, ``100`` →
    ``"100.00"``, a 4-place unit price stays as it is. None stays None."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        number = number.quantize(Decimal("0.01"))
    return format(number, "f")


def text(value: Any) -> str | None:
    """Xero fills empty slots with ""; the host's schema says null."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def fingerprint(state: Any) -> str:
    """Equal content → equal fingerprint, whatever the key order (20 hex characters)."""
    canonical = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]
