"""The connection gate: what needs Xero is refused (409) for an org that is not syncing, with
the reason and what to do about it (``domain.connection.not_syncing_reason``)."""

from __future__ import annotations

from xero_sync.domain.connection import Connection, not_syncing_reason
from xero_sync.services.errors import Conflict
from xero_sync.services.ports import ConnectionStore


def require_connected(connections: ConnectionStore, org_id: str) -> Connection:
    connection = connections.get(org_id)
    reason = not_syncing_reason(org_id, connection)
    if reason is not None:
        raise Conflict(reason)
    assert connection is not None
    return connection
