"""The history's words (F7.1): every sync attempt and notable event of an org."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class HistoryEvent:
    org_id: str
    at: datetime
    direction: str  # export | import | connection | notification | admin
    action: str
    outcome: str  # succeeded | failed | skipped | retrying | waiting | info
    entity: str | None = None
    record_id: str | None = None
    version: int | None = None
    xero_id: str | None = None
    error_code: str | None = None
    message: str | None = None
    details: dict[str, Any] | None = None
    event_id: str = field(default="")


@dataclass(frozen=True)
class HistoryPage:
    events: list[HistoryEvent]
    next_cursor: str | None
