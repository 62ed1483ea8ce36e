"""The history table (F7.1): every sync attempt and notable event of an org, kept for
``RETENTION`` and listed newest first with filters and an opaque cursor."""

from __future__ import annotations

import base64
import builtins
import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pynamodb.expressions.condition import Condition

from xero_sync.dal.items import entity_from, optional_int
from xero_sync.dal.models import HistoryModel
from xero_sync.domain.errors import InvalidCursor
from xero_sync.domain.history import HistoryEvent, HistoryPage

RETENTION = timedelta(days=400)
"""Long enough to answer "what happened to this invoice last year" at year-end."""


def new_event_id(at: datetime) -> str:
    """Sortable by time (ISO-8601 UTC with microseconds), unique by a random suffix."""
    return f"{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{secrets.token_hex(4)}"


def _to_item(event: HistoryEvent) -> HistoryModel:
    event_id = event.event_id or new_event_id(event.at)
    return HistoryModel(
        event.org_id,
        event_id,
        at=event.at,
        direction=event.direction,
        action=event.action,
        outcome=event.outcome,
        outcome_key=f"{event.org_id}#{event.outcome}",
        entity=event.entity,
        record_id=event.record_id,
        record_ref=f"{event.org_id}#{event.entity}#{event.record_id}" if event.entity and event.record_id else None,
        version=event.version,
        xero_id=event.xero_id,
        error_code=event.error_code,
        message=event.message,
        details=event.details,
        expires_at=event.at + RETENTION,
    )


def _to_event(item: HistoryModel) -> HistoryEvent:
    return entity_from(item, HistoryEvent, version=optional_int(item.version))


def _encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str, org_id: str, outcome: str | None = None) -> dict[str, Any]:
    """The DynamoDB key a cursor of this org's history stands for; InvalidCursor for anything
    this API did not hand out (checked before it reaches DynamoDB, where it would be a 500)."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as error:
        raise InvalidCursor("cursor is not one this API returned") from error
    org = key.get("org_id") if isinstance(key, dict) else None
    event = key.get("event_id") if isinstance(key, dict) else None
    if not (
        isinstance(org, dict) and org.get("S") == org_id and isinstance(event, dict) and isinstance(event.get("S"), str)
    ):
        raise InvalidCursor("cursor is not one this API returned for this org")
    decoded = {"org_id": {"S": org_id}, "event_id": {"S": event["S"]}}
    if outcome:
        decoded["outcome_key"] = {"S": f"{org_id}#{outcome}"}
    return decoded


class HistoryRepository:
    def append(self, event: HistoryEvent) -> str:
        item = _to_item(event)
        item.save()
        return item.event_id

    def append_many(self, events: Iterable[HistoryEvent]) -> int:
        """One BatchWriteItem per 25 events: what the workers use after a Xero call."""
        count = 0
        with HistoryModel.batch_write() as batch:
            for event in events:
                batch.save(_to_item(event))
                count += 1
        return count

    def list(
        self,
        org_id: str,
        *,
        outcome: str | None = None,
        entity: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        search: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> HistoryPage:
        """Newest first. The key range narrows by time; the other filters are applied by
        DynamoDB on the read items, so a page reads on until it has ``limit`` matches."""
        range_condition: Condition | None = None
        if since and until:
            range_condition = HistoryModel.event_id.between(new_event_id(since)[:27], new_event_id(until)[:27] + "~")
        elif since:
            range_condition = HistoryModel.event_id >= new_event_id(since)[:27]
        elif until:
            range_condition = HistoryModel.event_id <= new_event_id(until)[:27] + "~"

        filters: list[Condition] = []
        if entity:
            filters.append(HistoryModel.entity == entity)
        if search:
            filters.append(HistoryModel.record_id.contains(search) | HistoryModel.message.contains(search))
        filter_condition = None
        for condition in filters:
            filter_condition = condition if filter_condition is None else filter_condition & condition

        # One outcome (e.g. the failures) has its own index: only those events are read. Other
        # filters are applied by DynamoDB to what it reads, so then it reads big pages (1 MB)
        # rather than ``limit`` items a request.
        source = HistoryModel.outcome_index if outcome else HistoryModel
        results = source.query(
            f"{org_id}#{outcome}" if outcome else org_id,
            range_condition,
            filter_condition=filter_condition,
            scan_index_forward=False,
            last_evaluated_key=decode_cursor(cursor, org_id, outcome) if cursor else None,
            page_size=None if filter_condition is not None else max(limit, 25),
        )
        events: list[HistoryEvent] = []
        for item in results:
            events.append(_to_event(item))
            if len(events) == limit:
                break
        last_key = results.last_evaluated_key
        more = len(events) == limit and last_key is not None
        return HistoryPage(events=events, next_cursor=_encode_cursor(last_key) if more and last_key else None)

    def for_record(self, org_id: str, entity: str, record_id: str, *, limit: int = 20) -> builtins.list[HistoryEvent]:
        """The latest attempts for one record, newest first."""
        keys = [
            (org_id, item.event_id)
            for item in HistoryModel.record_history_index.query(
                f"{org_id}#{entity}#{record_id}", scan_index_forward=False, limit=limit
            )
        ]
        events = [_to_event(item) for item in HistoryModel.batch_get(keys)]
        return sorted(events, key=lambda e: e.event_id, reverse=True)
