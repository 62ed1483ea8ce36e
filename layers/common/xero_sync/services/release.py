"""Giving up an org's access at Xero when it leaves (F1.5, F6.1), without breaking the other
orgs that share its Xero connection or its Xero user (N7).

Used by the admin's delete and reset (services/connect.py) and by the 60-day inactivity
disconnect (services/inactivity.py). ``domain/sharing.py`` decides what may be given up; this
module reads who else is there (the connections table's TenantIndex and XeroUserIndex, read
consistently) and makes the calls. A call Xero does not confirm becomes a warning, never a
failure: the admin's intent (stop syncing this org) wins.

Two admins disconnecting the last two orgs of one connection at the same moment may each see the
other still connected and both keep the connection at Xero; it then shows under the Xero user's
connected apps until removed there, and the forgotten tokens expire unused within 60 days. The
opposite (removing a connection another org still uses) cannot happen in this order: an org is
marked disconnected only after its release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import SecretStr

from xero_sync.domain.connection import Connection
from xero_sync.domain.sharing import XeroRelease, others_on_tenant, release_plan
from xero_sync.observability import logger
from xero_sync.services.ports import ConnectionStore
from xero_sync.xero.errors import XeroError, XeroNotFound

NOT_REMOVED = (
    "Xero did not confirm removing the connection; if xero-sync still shows under "
    "Settings → Connected apps in Xero, disconnect it there."
)
NOT_REVOKED = "Xero did not confirm revoking the access token; it expires by itself within 60 days."


class ConnectionsAtXero(Protocol):
    def delete_connection(self, access_token: str, connection_id: str) -> None: ...
    def revoke(self, refresh_token: str) -> None: ...


class OrgTokens(Protocol):
    def access_token(self, org_id: str): ...
    def refresh_token_for_revocation(self, org_id: str) -> SecretStr | None: ...


@dataclass
class XeroReleaser:
    connections: ConnectionStore
    identity: ConnectionsAtXero
    tokens: OrgTokens

    def release(self, org_id: str) -> XeroRelease:
        """Delete the org's Xero connection and revoke its token, each only if no other live org
        still needs it; say what was kept and why."""
        item = self.connections.get(org_id)
        if item is None or not item.holds_tokens:
            return XeroRelease()
        plan = release_plan(item, self.sharing(item))
        if plan.warnings:
            logger.info(
                "Other orgs use this Xero connection or user: kept at Xero",
                extra={
                    "org_id": org_id,
                    "orgs_on_connection": plan.orgs_on_connection,
                    "orgs_of_user": plan.orgs_of_user,
                },
            )
        warnings = list(plan.warnings)
        deleted = plan.delete_connection and self._delete_connection(item, warnings)
        revoked = plan.revoke_token and self._revoke(org_id, warnings)
        return XeroRelease(deleted_connection=deleted, revoked_token=revoked, warnings=tuple(warnings))

    def sharing(self, item: Connection) -> list[Connection]:
        """The other orgs on the same tenant or connected by the same Xero user."""
        found: dict[str, Connection] = {}
        if item.tenant_id:
            found.update((c.org_id, c) for c in self.connections.on_tenant(item.tenant_id))
        if item.connected_by_user_id:
            found.update((c.org_id, c) for c in self.connections.of_xero_user(item.connected_by_user_id))
        found.pop(item.org_id, None)
        return list(found.values())

    def others_on_tenant(self, item: Connection) -> int:
        """How many other live orgs sync with ``item``'s tenant."""
        return others_on_tenant(item, self.connections.on_tenant(item.tenant_id)) if item.tenant_id else 0

    def _delete_connection(self, item: Connection, warnings: list[str]) -> bool:
        assert item.connection_id is not None  # only planned for an org with a connection
        try:
            access = self.tokens.access_token(item.org_id)
            self.identity.delete_connection(access.value.get_secret_value(), item.connection_id)
        except XeroNotFound:
            return True  # already gone at Xero (removed there, or by a concurrent disconnect)
        except XeroError as failure:
            logger.warning(
                "Could not delete the Xero connection", extra={"org_id": item.org_id, "error": type(failure).__name__}
            )
            warnings.append(NOT_REMOVED)
            return False
        return True

    def _revoke(self, org_id: str, warnings: list[str]) -> bool:
        try:
            refresh = self.tokens.refresh_token_for_revocation(org_id)
            if refresh is None:
                return False
            self.identity.revoke(refresh.get_secret_value())
        except XeroError as failure:
            logger.warning("Could not revoke the Xero token", extra={"org_id": org_id, "error": type(failure).__name__})
            warnings.append(NOT_REVOKED)
            return False
        return True
