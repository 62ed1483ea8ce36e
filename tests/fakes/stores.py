"""In-memory history, org configuration, OAuth states and API keys (services/ports.py)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from xero_sync.domain.apikeys import StoredKey
from xero_sync.domain.config_items import ConfigItem
from xero_sync.domain.errors import RevisionConflict
from xero_sync.domain.history import HistoryEvent, HistoryPage
from xero_sync.domain.oauth import PendingConsent


class InMemoryHistory:
    def __init__(self) -> None:
        self.events: list[HistoryEvent] = []

    def append(self, event: HistoryEvent) -> str:
        event_id = event.event_id or f"{event.at.isoformat()}#{len(self.events):06d}"
        self.events.append(replace(event, event_id=event_id))
        return event_id

    def append_many(self, events: Iterable[HistoryEvent]) -> int:
        return sum(1 for event in events if self.append(event))

    def of(self, direction: str) -> list[HistoryEvent]:
        """Tests: the events of one direction (export, connection, notification, admin …)."""
        return [event for event in self.events if event.direction == direction]

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
        matching = [
            event
            for event in reversed(self.events)
            if event.org_id == org_id
            and (outcome is None or event.outcome == outcome)
            and (entity is None or event.entity == entity)
            and (since is None or event.at >= since)
            and (until is None or event.at <= until)
            and (search is None or search in (event.record_id or "") or search in (event.message or ""))
        ]
        start = int(cursor) if cursor else 0
        page = matching[start : start + limit]
        more = start + limit < len(matching)
        return HistoryPage(events=page, next_cursor=str(start + limit) if more else None)

    def for_record(self, org_id: str, entity: str, record_id: str, *, limit: int = 20) -> list[HistoryEvent]:
        found = [e for e in self.events if (e.org_id, e.entity, e.record_id) == (org_id, entity, record_id)]
        return list(reversed(found))[:limit]


class InMemoryOrgConfig:
    """Items with revisions; ``put`` honours ``expected_revision`` like the conditional write."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], ConfigItem] = {}
        self.puts: list[str] = []
        self.gets = 0

    def get(self, org_id: str, item: str) -> ConfigItem | None:
        self.gets += 1
        found = self.items.get((org_id, item))
        return copy.deepcopy(found) if found else None

    def get_many(self, org_id: str, items: list[str]) -> dict[str, ConfigItem]:
        return {item: copy.deepcopy(self.items[(org_id, item)]) for item in items if (org_id, item) in self.items}

    def put(self, org_id: str, item: str, body: Any, *, now: datetime, expected_revision: int | None = None) -> int:
        current = self.items.get((org_id, item))
        revision = current.revision if current else 0
        if expected_revision is not None and expected_revision != revision:
            raise RevisionConflict(item)
        self.items[(org_id, item)] = ConfigItem(body=copy.deepcopy(body), revision=revision + 1, updated_at=now)
        self.puts.append(item)
        return revision + 1


class InMemoryOAuthStates:
    def __init__(self) -> None:
        self.items: dict[str, PendingConsent] = {}

    def put(
        self,
        *,
        state_hash: str,
        org_id: str,
        return_url: str,
        redirect_uri: str,
        code_verifier_enc: bytes,
        now: datetime,
        ttl: timedelta,
    ) -> None:
        if state_hash in self.items:
            raise ValueError("state already stored")
        self.items[state_hash] = PendingConsent(org_id, return_url, redirect_uri, code_verifier_enc, now + ttl)

    def consume(self, state_hash: str) -> PendingConsent | None:
        return self.items.pop(state_hash, None)


class InMemoryApiKeys:
    def __init__(self) -> None:
        self.items: dict[str, StoredKey] = {}

    def create(
        self, *, key_id: str, name: str, secret_hash: str, org_ids: set[str], all_orgs: bool, now: datetime
    ) -> StoredKey:
        if key_id in self.items:
            raise ValueError("key id taken")
        key = StoredKey(key_id, name, secret_hash, frozenset(org_ids), all_orgs, now, None)
        self.items[key_id] = key
        return key

    def get(self, key_id: str) -> StoredKey | None:
        return self.items.get(key_id)

    def list(self) -> Iterator[StoredKey]:
        yield from self.items.values()

    def revoke(self, key_id: str, now: datetime) -> bool:
        key = self.items.get(key_id)
        if key is None or key.revoked_at is not None:
            return False
        self.items[key_id] = replace(key, revoked_at=now)
        return True
