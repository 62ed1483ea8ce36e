"""The connection lifecycle of one org (F1): statuses, allowed admin actions, index membership.

Pure rules: no I/O. The repository (dal/connections.py) stores what these rules decide.
"""

from __future__ import annotations

import hashlib
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
