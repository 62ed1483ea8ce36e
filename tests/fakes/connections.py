"""In-memory :class:`~xero_sync.services.ports.ConnectionStore`, with the DynamoDB repository's
conditional writes (dal/connections.py): the services' guarantees rest on them."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from xero_sync.domain.connection import (
    HOLDS_TOKENS,
    SYNCS,
    WATCHED_FOR_INACTIVITY,
    Connection,
    ConnectionStatus,
    EncryptedTokens,
    TenantRef,
    shard_of,
)
from xero_sync.domain.errors import ConditionFailed
from xero_sync.domain.schedule import DueSync


def connection(
    org_id: str,
    *,
    status: ConnectionStatus = ConnectionStatus.CONNECTED,
    tenant_id: str | None = "tenant-1",
    **fields: Any,
) -> Connection:
    """A connection as a test needs it: connected to ``tenant-1`` unless told otherwise, with
    dummy token ciphertext while its status holds tokens."""
    defaults: dict[str, Any] = {}
    if status in HOLDS_TOKENS:
        defaults = {"access_token_enc": b"access", "refresh_token_enc": b"refresh"}
    return Connection(org_id=org_id, status=status, tenant_id=tenant_id, **{**defaults, **fields})


class InMemoryConnections:
    def __init__(self, shards: int = 4, **defaults: Any) -> None:
        self.shards = shards
        self.defaults = defaults  # fields every seeded connection gets unless ``add`` says otherwise
        self.items: dict[str, Connection] = {}
        self.disconnected: list[tuple[str, str]] = []  # (org, reason), in order
        self.activity: list[tuple[str, datetime]] = []
        self.scheduled: list[tuple[str, datetime | None]] = []

    # --- seeding (tests only) ------------------------------------------------------------------

    def add(
        self,
        org_id: str,
        *,
        status: ConnectionStatus = ConnectionStatus.CONNECTED,
        tenant_id: str | None = "tenant-1",
        **fields: Any,
    ) -> Connection:
        """Seed a connection (see :func:`connection`), with this store's defaults."""
        item = connection(org_id, status=status, tenant_id=tenant_id, **{**self.defaults, **fields})
        self.items[org_id] = item
        return item

    @classmethod
    def of(cls, *connections: Connection) -> InMemoryConnections:
        store = cls()
        for item in connections:
            store.items[item.org_id] = item
        return store

    # --- reads -------------------------------------------------------------------------------------

    def get(self, org_id: str) -> Connection | None:
        return self.items.get(org_id)

    def due_orgs(self, shard: str, now: datetime, limit: int | None = None) -> Iterator[DueSync]:
        due = sorted(
            (item.next_sync_at, org_id)
            for org_id, item in self.items.items()
            if item.status in SYNCS
            and item.next_sync_at is not None
            and item.next_sync_at <= now
            and shard_of(org_id, self.shards) == shard
        )
        for due_at, org_id in due[:limit]:
            yield DueSync(org_id, due_at)

    def on_tenant(self, tenant_id: str) -> list[Connection]:
        return [item for _, item in sorted(self.items.items()) if item.tenant_id == tenant_id]

    def of_xero_user(self, user_id: str) -> list[Connection]:
        return [item for _, item in sorted(self.items.items()) if item.connected_by_user_id == user_id]

    def idle_org_ids(self, shard: str, idle_since: datetime) -> Iterator[str]:
        for org_id, item in sorted(self.items.items()):
            if (
                item.status in WATCHED_FOR_INACTIVITY
                and shard_of(org_id, self.shards) == shard
                and item.last_activity_at is not None
                and item.last_activity_at <= idle_since
            ):
                yield org_id

    # --- writes ------------------------------------------------------------------------------------

    def save_consent(
        self,
        org_id: str,
        *,
        tenants: list[TenantRef],
        chosen: TenantRef | None,
        auth_event_id: str | None,
        scopes: str | None,
        connected_by_email: str | None,
        connected_by_user_id: str | None,
        tokens: EncryptedTokens,
        now: datetime,
    ) -> Connection:
        current = self.items.get(org_id) or Connection(org_id=org_id, created_at=now)
        status = ConnectionStatus.CONNECTED if chosen else ConnectionStatus.PENDING_TENANT
        item = replace(
            current,
            status=status,
            tenants=tuple(tenants),
            auth_event_id=auth_event_id,
            scopes=scopes,
            connected_by_email=connected_by_email,
            connected_by_user_id=connected_by_user_id,
            connected_at=now,
            **self._tokens(tokens),
            token_version=current.token_version + 1,
            refresh_lease_owner=None,
            refresh_lease_until=None,
            updated_at=now,
            last_error=None,
            last_error_at=None,
            disconnected_at=None,
            disconnect_reason=None,
            last_activity_at=now,
            inactivity_warning_sent_at=None,
            **self._tenant(chosen),
        )
        if status not in SYNCS:
            item = replace(item, next_sync_at=None)
        self.items[org_id] = item
        return item

    def choose_tenant(self, org_id: str, tenant: TenantRef, now: datetime) -> Connection:
        item = self._require(org_id)
        status = ConnectionStatus.CONNECTED if item.status is ConnectionStatus.PENDING_TENANT else item.status
        return self._put(
            replace(item, status=status, updated_at=now, **self._tenant(tenant), **self._activity(status, now))
        )

    def set_status(
        self,
        org_id: str,
        status: ConnectionStatus,
        *,
        allowed_from: Iterable[ConnectionStatus],
        now: datetime,
        message: str | None = None,
    ) -> Connection:
        item = self._require(org_id)
        if item.status not in set(allowed_from):
            raise ConditionFailed(org_id)
        changes: dict[str, Any] = {"status": status, "updated_at": now, **self._activity(status, now)}
        if status not in SYNCS:
            changes["next_sync_at"] = None
        if message:
            changes.update(last_error=message, last_error_at=now)
        return self._put(replace(item, **changes))

    def disconnect(self, org_id: str, status: ConnectionStatus, reason: str, now: datetime) -> Connection:
        item = self._require(org_id)
        self.disconnected.append((org_id, reason))
        return self._put(
            replace(
                item,
                status=status,
                disconnected_at=now,
                disconnect_reason=reason,
                updated_at=now,
                **self._no_tokens(item),
                tenants=(),
                connection_id=None,
                next_sync_at=None,
            )
        )

    def reset_tenant(self, org_id: str, now: datetime) -> Connection:
        item = self._require(org_id)
        return self._put(
            replace(
                item,
                status=ConnectionStatus.NOT_CONNECTED,
                updated_at=now,
                **self._no_tokens(item),
                tenants=(),
                **self._tenant(None),
                next_sync_at=None,
            )
        )

    def mark_needs_reauth(self, org_id: str, *, expected_token_version: int, message: str, now: datetime) -> bool:
        item = self.items.get(org_id)
        if item is None or item.token_version != expected_token_version or item.status not in WATCHED_FOR_INACTIVITY:
            return False
        self._put(
            replace(
                item,
                status=ConnectionStatus.NEEDS_REAUTH,
                last_error=message,
                last_error_at=now,
                updated_at=now,
                refresh_lease_owner=None,
                refresh_lease_until=None,
                next_sync_at=None,
            )
        )
        return True

    def acquire_refresh_lease(self, org_id: str, *, owner: str, now: datetime, until: datetime) -> Connection | None:
        item = self.items.get(org_id)
        if item is None or not item.refresh_token_enc:
            return None
        free = item.refresh_lease_until is None or item.refresh_lease_until < now or item.refresh_lease_owner == owner
        if not free:
            return None
        return self._put(replace(item, refresh_lease_owner=owner, refresh_lease_until=until))

    def store_refreshed_tokens(
        self, org_id: str, tokens: EncryptedTokens, *, owner: str, expected_token_version: int, now: datetime
    ) -> Connection | None:
        item = self.items.get(org_id)
        if item is None or item.refresh_lease_owner != owner or item.token_version != expected_token_version:
            return None
        return self._put(
            replace(
                item,
                **self._tokens(tokens),
                token_version=item.token_version + 1,
                refresh_lease_owner=None,
                refresh_lease_until=None,
                updated_at=now,
            )
        )

    def release_refresh_lease(self, org_id: str, *, owner: str) -> None:
        item = self.items.get(org_id)
        if item is not None and item.refresh_lease_owner == owner:
            self._put(replace(item, refresh_lease_owner=None, refresh_lease_until=None))

    def record_activity(self, org_id: str, now: datetime) -> None:
        self.activity.append((org_id, now))
        item = self.items.get(org_id)
        if item is not None:
            self._put(replace(item, last_activity_at=now, inactivity_warning_sent_at=None))

    def mark_inactivity_warning(self, org_id: str, *, idle_since: datetime, now: datetime) -> bool:
        item = self.items.get(org_id)
        if item is None or item.inactivity_warning_sent_at is not None:
            return False
        if item.last_activity_at is None or item.last_activity_at > idle_since:
            return False
        self._put(replace(item, inactivity_warning_sent_at=now))
        return True

    def set_next_sync(
        self, org_id: str, next_sync_at: datetime | None, *, last_sync_at: datetime | None = None
    ) -> None:
        self.scheduled.append((org_id, next_sync_at))
        item = self.items.get(org_id)
        if item is None:
            return
        if last_sync_at is not None:
            item = self._put(replace(item, last_sync_at=last_sync_at))
        if next_sync_at is None or item.status in SYNCS:
            self._put(replace(item, next_sync_at=next_sync_at))

    def advance_schedule(
        self, org_id: str, *, expected: datetime | None, next_sync_at: datetime | None, now: datetime
    ) -> bool:
        item = self.items.get(org_id)
        if item is None or item.next_sync_at != expected or item.status not in SYNCS or item.tenant_id is None:
            return False
        self._put(replace(item, last_sync_at=now, next_sync_at=next_sync_at))
        return True

    def record_error(self, org_id: str, message: str, now: datetime) -> None:
        item = self.items.get(org_id)
        if item is not None:
            self._put(replace(item, last_error=message, last_error_at=now))

    def clear_error(self, org_id: str) -> None:
        item = self.items.get(org_id)
        if item is not None:
            self._put(replace(item, last_error=None, last_error_at=None))

    # --- helpers -----------------------------------------------------------------------------------

    def _require(self, org_id: str) -> Connection:
        item = self.items.get(org_id)
        if item is None:
            raise ConditionFailed(f"no connection for org {org_id}")
        return item

    def _put(self, item: Connection) -> Connection:
        self.items[item.org_id] = item
        return copy.copy(item)

    @staticmethod
    def _tokens(tokens: EncryptedTokens) -> dict[str, Any]:
        return {
            "access_token_enc": tokens.access_token,
            "access_token_expires_at": tokens.access_token_expires_at,
            "refresh_token_enc": tokens.refresh_token,
            "refresh_token_issued_at": tokens.refresh_token_issued_at,
        }

    @staticmethod
    def _no_tokens(item: Connection) -> dict[str, Any]:
        return {
            "access_token_enc": None,
            "access_token_expires_at": None,
            "refresh_token_enc": None,
            "refresh_token_issued_at": None,
            "refresh_lease_owner": None,
            "refresh_lease_until": None,
            "token_version": item.token_version + 1,
        }

    @staticmethod
    def _tenant(tenant: TenantRef | None) -> dict[str, Any]:
        if tenant is None:
            return {"tenant_id": None, "tenant_name": None, "tenant_type": None, "connection_id": None}
        return {
            "tenant_id": tenant.tenant_id,
            "tenant_name": tenant.tenant_name,
            "tenant_type": tenant.tenant_type,
            "connection_id": tenant.connection_id,
        }

    @staticmethod
    def _activity(status: ConnectionStatus, now: datetime) -> dict[str, Any]:
        if status in WATCHED_FOR_INACTIVITY:
            return {"last_activity_at": now, "inactivity_warning_sent_at": None}
        return {}
