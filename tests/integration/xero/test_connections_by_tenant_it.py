"""N7: the orgs on one Xero tenant are found through the TenantIndex, not a scan."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from xero_sync.dal.connections import ConnectionRepository
from xero_sync.domain.connection import ConnectionStatus, EncryptedTokens, TenantRef

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
TOKENS = EncryptedTokens(b"a", NOW + timedelta(minutes=30), b"r", NOW)


def _connect(repo: ConnectionRepository, org_id: str, tenant: TenantRef) -> None:
    repo.save_consent(
        org_id,
        tenants=[tenant],
        chosen=tenant,
        auth_event_id="ae",
        scopes="openid",
        connected_by_email="admin@example.com",
        connected_by_user_id="u1",
        tokens=TOKENS,
        now=NOW,
    )


def test_every_org_on_a_tenant_is_found_and_no_other(aws_settings):
    # Given two orgs on one tenant (through one Xero connection) and a third on another tenant
    repo = ConnectionRepository(shards=4)
    shared = TenantRef(f"tenant-{uuid.uuid4().hex[:8]}", "conn-1", "Shared Ltd")
    other = TenantRef(f"tenant-{uuid.uuid4().hex[:8]}", "conn-2", "Other Ltd")
    a, b, c = (f"org-{uuid.uuid4().hex[:8]}" for _ in range(3))
    _connect(repo, a, shared)
    _connect(repo, b, shared)
    _connect(repo, c, other)
    # When the tenant's orgs are asked for
    found = repo.on_tenant(shared.tenant_id)
    # Then both orgs come back with their status and the connection they share
    assert sorted(conn.org_id for conn in found) == sorted([a, b])
    assert {(conn.status, conn.connection_id) for conn in found} == {(ConnectionStatus.CONNECTED, "conn-1")}
    # And an org that resets to no tenant leaves the tenant's list
    repo.reset_tenant(b, NOW)
    assert [conn.org_id for conn in repo.on_tenant(shared.tenant_id)] == [a]
    assert repo.on_tenant("tenant-nobody") == []
