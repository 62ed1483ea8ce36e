"""The org's history (F7.1): the admin actions the services record, and the host's listing —
query parameters checked without I/O (:func:`parse_history_query`), then one page
(:func:`history_page`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from xero_sync.domain.errors import InvalidCursor
from xero_sync.domain.history import HistoryEvent
from xero_sync.models.api import ErrorDetail
from xero_sync.models.api_export import HistoryEventView, HistoryPageView
from xero_sync.services.errors import InvalidInput
from xero_sync.services.ports import HistoryStore


def admin_event(org_id: str, now: datetime, action: str, message: str, **fields: Any) -> HistoryEvent:
    """An action an admin (or the host on their behalf) took, as the history shows it."""
    return HistoryEvent(
        org_id=org_id, at=now, direction="admin", action=action, outcome="info", message=message, **fields
    )


def connection_event(
    org_id: str, now: datetime, action: str, message: str, *, outcome: str = "info", **fields: Any
) -> HistoryEvent:
    """A step of the org's Xero connection (consent, tenant choice, status change, idle checks)."""
    return HistoryEvent(
        org_id=org_id, at=now, direction="connection", action=action, outcome=outcome, message=message, **fields
    )


# --- the listing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryQuery:
    outcome: str | None = None
    entity: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    limit: int = 50
    cursor: str | None = None


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?([Zz]|[+-][0-9]{2}:[0-9]{2})?"
)


def _moment(text: str, field_name: str, *, end_of_day: bool) -> datetime:
    """``YYYY-MM-DD`` (the whole day: from its start, or up to its end) or an RFC 3339 date-time
    (without offset: UTC) → an aware UTC datetime. Nothing else: what the OpenAPI document says."""
    value = text
    try:
        if _DAY.fullmatch(value):
            day = date.fromisoformat(value)
            start = datetime.combine(day, time.min, tzinfo=UTC)
            return start + timedelta(days=1) - timedelta(microseconds=1) if end_of_day else start
        if not _MOMENT.fullmatch(value):
            raise ValueError(value)
        moment = datetime.fromisoformat(value.upper())
    except ValueError as error:
        raise InvalidInput(
            f"{field_name} is not a date.",
            [ErrorDetail(field=f"query.{field_name}", message="must be a date YYYY-MM-DD or an ISO 8601 date-time")],
        ) from error
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_history_query(
    *,
    org_id: str,
    status: str | None = None,
    entity: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    q: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> HistoryQuery:
    since = _moment(date_from, "from", end_of_day=False) if date_from is not None else None
    until = _moment(date_to, "to", end_of_day=True) if date_to is not None else None
    if since and until and since > until:
        raise InvalidInput(
            "The date range is empty.", [ErrorDetail(field="query.to", message="must not be before 'from'")]
        )
    search = q.strip() if q else None
    return HistoryQuery(
        outcome=status,
        entity=entity,
        since=since,
        until=until,
        search=search or None,
        limit=limit,
        cursor=cursor,
    )


def event_views(events: Iterable[HistoryEvent]) -> list[HistoryEventView]:
    """Events as the host sees them: every field of an event but the org."""
    return [HistoryEventView.model_validate(event, from_attributes=True) for event in events]


def history_page(history: HistoryStore, org_id: str, query: HistoryQuery) -> HistoryPageView:
    try:
        page = history.list(
            org_id,
            outcome=query.outcome,
            entity=query.entity,
            since=query.since,
            until=query.until,
            search=query.search,
            limit=query.limit,
            cursor=query.cursor,
        )
    except InvalidCursor as error:
        raise InvalidInput(
            "The cursor is not valid.",
            [ErrorDetail(field="query.cursor", message="use the next_cursor of a previous page of this org's history")],
        ) from error
    return HistoryPageView(events=event_views(page.events), next_cursor=page.next_cursor)
