"""The connection lifecycle of one org (F1): statuses, allowed admin actions, index membership.

Pure rules: no I/O. The repository (dal/connections.py) stores what these rules decide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ConnectionStatus(StrEnum):
    NOT_CONNECTED = "not_connected"
    PENDING_TENANT = "pending_tenant"  # consent covered several tenants; the host must choose (F1.3)
    CONNECTED = "connected"
    DISABLED = "disabled"  # paused by the admin; tokens kept, nothing syncs (F1.5)
    NEEDS_REAUTH = "needs_reauth"  # Xero rejected the refresh token (F1.4)
    DISCONNECTED = "disconnected"  # deleted by the admin: revoked at Xero, history kept (F1.5)
    DISCONNECTED_INACTIVE = "disconnected_inactive"  # 60 days without activity (F6.1)


HOLDS_TOKENS = frozenset(
    {
        ConnectionStatus.PENDING_TENANT,
        ConnectionStatus.CONNECTED,
        ConnectionStatus.DISABLED,
        ConnectionStatus.NEEDS_REAUTH,
    }
)
"""Statuses in which the service still has a token set for the org (and may have to revoke it)."""

SYNCS = frozenset({ConnectionStatus.CONNECTED})
"""Only a connected org exports, imports or is scheduled."""

WATCHED_FOR_INACTIVITY = frozenset(
    {ConnectionStatus.PENDING_TENANT, ConnectionStatus.CONNECTED, ConnectionStatus.DISABLED}
)
"""Connections the 60-day checker looks at. A needs-reauth connection has no usable token to
revoke; it is already stopped and its admin already told."""


@dataclass(frozen=True)
class TenantRef:
    """One Xero organisation an admin's consent covered (a row of Xero's /connections)."""

    tenant_id: str
    connection_id: str
    tenant_name: str | None = None
    tenant_type: str | None = None


@dataclass(frozen=True)
class EncryptedTokens:
    """A token set after KMS encryption: what the connections table may hold."""

    access_token: bytes
    access_token_expires_at: datetime
    refresh_token: bytes
    refresh_token_issued_at: datetime


@dataclass(frozen=True)
class Connection:
    """One org's Xero connection as the connections table holds it. Token fields are ciphertext
    (KMS, encryption context = the org); they are never logged or returned by the API."""

    org_id: str
    status: ConnectionStatus = ConnectionStatus.NOT_CONNECTED
    tenant_id: str | None = None
    tenant_name: str | None = None
    tenant_type: str | None = None
    connection_id: str | None = None
    tenants: tuple[TenantRef, ...] = ()
    auth_event_id: str | None = None
    scopes: str | None = None
    connected_by_email: str | None = None
    connected_by_user_id: str | None = None
    connected_at: datetime | None = None
    access_token_enc: bytes | None = None
    access_token_expires_at: datetime | None = None
    refresh_token_enc: bytes | None = None
    refresh_token_issued_at: datetime | None = None
    token_version: int = 0
    refresh_lease_owner: str | None = None
    refresh_lease_until: datetime | None = None
    next_sync_at: datetime | None = None
    last_activity_at: datetime | None = None
    last_sync_at: datetime | None = None
    inactivity_warning_sent_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    disconnected_at: datetime | None = None
    disconnect_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def syncs(self) -> bool:
        """Connected to a chosen tenant: exports, imports and schedules run."""
        return self.status in SYNCS and self.tenant_id is not None

    @property
    def holds_tokens(self) -> bool:
        return self.status in HOLDS_TOKENS

    @property
    def needs_reauth(self) -> bool:
        return self.status is ConnectionStatus.NEEDS_REAUTH

    @property
    def has_token_set(self) -> bool:
        return self.holds_tokens and bool(self.access_token_enc) and bool(self.refresh_token_enc)

    def tenant(self, tenant_id: str) -> TenantRef | None:
        """One of the tenants the consent covered."""
        return next((t for t in self.tenants if t.tenant_id == tenant_id), None)


_NOT_SYNCING_HINTS: dict[ConnectionStatus, str] = {
    ConnectionStatus.NOT_CONNECTED: "connect it first (POST /v1/orgs/{org_id}/connect)",
    ConnectionStatus.PENDING_TENANT: "choose its Xero organisation first (PUT /v1/orgs/{org_id}/connection/tenant)",
    ConnectionStatus.DISABLED: "the integration is disabled; enable it first "
    "(POST /v1/orgs/{org_id}/connection/enable)",
    ConnectionStatus.NEEDS_REAUTH: "Xero refused its sign-in; the admin must connect again "
    "(POST /v1/orgs/{org_id}/connect)",
    ConnectionStatus.DISCONNECTED: "it was disconnected; connect it again (POST /v1/orgs/{org_id}/connect)",
    ConnectionStatus.DISCONNECTED_INACTIVE: "it was disconnected after 60 days without activity; connect it again "
    "(POST /v1/orgs/{org_id}/connect)",
}


def not_syncing_reason(org_id: str, connection: Connection | None) -> str | None:
    """Why the org cannot talk to Xero now (a sentence for the host), or None when it can."""
    status = connection.status if connection is not None else ConnectionStatus.NOT_CONNECTED
    if connection is not None and connection.syncs:
        return None
    hint = _NOT_SYNCING_HINTS.get(status, "connect it first").replace("{org_id}", org_id)
    return f"Org {org_id} is not connected to Xero (status {status.value}): {hint}."


class ConnectionActionError(Exception):
    """An admin action that the connection's current status does not allow."""

    def __init__(self, action: str, status: ConnectionStatus, hint: str) -> None:
        super().__init__(f"cannot {action} a connection that is {status.value}: {hint}")
        self.action = action
        self.status = status
        self.hint = hint


def check_can_disable(status: ConnectionStatus) -> None:
    if status is not ConnectionStatus.CONNECTED:
        raise ConnectionActionError("disable", status, "only a connected integration can be disabled")


def check_can_enable(status: ConnectionStatus) -> None:
    if status is not ConnectionStatus.DISABLED:
        raise ConnectionActionError("enable", status, "only a disabled integration can be enabled")


def check_can_choose_tenant(status: ConnectionStatus) -> None:
    if status not in (ConnectionStatus.PENDING_TENANT, ConnectionStatus.CONNECTED, ConnectionStatus.DISABLED):
        raise ConnectionActionError(
            "choose a tenant for", status, "connect to Xero first (POST /v1/orgs/{org_id}/connect)"
        )


def shard_of(org_id: str, shards: int) -> str:
    """A stable shard label for an org, spreading the sparse indexes over ``shards`` partitions
    so that no single index partition is hot at 10,000 orgs."""
    digest = hashlib.sha256(org_id.encode()).digest()
    return f"s{int.from_bytes(digest[:4], 'big') % shards:02d}"


def all_shards(shards: int) -> list[str]:
    return [f"s{n:02d}" for n in range(shards)]
