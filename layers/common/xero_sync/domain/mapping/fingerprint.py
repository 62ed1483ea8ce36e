"""Whether a new host version changes what Xero holds."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from xero_sync.domain.mapping.base import plain


def fingerprint(payload: BaseModel) -> str:
    """A stable SHA-256 of what a payload asks Xero to hold. Equal fingerprints mean a new host
    version changes nothing in Xero (the update can be skipped). Decimals are compared by value
    (12 = 12.00), ``None`` fields are ignored, dict keys are sorted."""
    canonical = json.dumps(
        _canonical(payload.model_dump(mode="python", exclude_none=True)),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, Decimal):
        return plain(value) if value != 0 else "0"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value
