"""Shared tenants (N7): several orgs of the host on one Xero tenant, or through one Xero user.

Two facts of Xero decide what one org may give up at Xero when it leaves (disconnect, delete,
reset, the 60-day inactivity disconnect):

* A Xero *connection* (a row of ``GET /connections``) belongs to one user, one app and one
  tenant. Two orgs connected to the same tenant by the same Xero user share it: the second
  consent finds the connection already there and keeps its id. Deleting it cuts off every org
  that uses it (403 ``AuthenticationUnsuccessful``).
* Revoking a refresh token revokes *every* token set that user holds for the app and removes all
  the user's connections to it (xero-facts §1.1). Each org holds its own token set (one consent
  each), but they all die together when any one of them is revoked — including orgs on other
  tenants connected by the same user (an accountant's many clients).

So an org that leaves deletes its connection only when no other org still uses it, and revokes
its token only when no other org holds tokens of the same Xero user; otherwise it only forgets
its own tokens here. The rules are pure; ``services/connect.py`` applies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from xero_sync.domain.connection import Connection, ConnectionStatus

USES_XERO = frozenset({ConnectionStatus.PENDING_TENANT, ConnectionStatus.CONNECTED, ConnectionStatus.DISABLED})
"""Statuses in which an org's token set is live and its use of a Xero connection must be kept.
A needs-reauth org must connect again anyway (which creates the connection again if needed)."""

KEPT_CONNECTION = (
    "Kept at Xero: another org uses this Xero connection, so it was not removed in Xero; "
    "it is removed when the last org using it disconnects."
)
KEPT_TOKEN = (
    "Kept at Xero: the Xero user who connected this org also connected another org, and revoking "
    "the access at Xero would disconnect that org too; this org's access was forgotten here and "
    "expires unused within 60 days."
)


def uses_connection(other: Connection, connection_id: str) -> bool:
    """``other`` is live and syncs through (or may choose) the Xero connection ``connection_id``."""
    if other.status not in USES_XERO:
        return False
    if other.connection_id == connection_id:
        return True
    return other.status is ConnectionStatus.PENDING_TENANT and any(
        t.connection_id == connection_id for t in other.tenants
    )


def same_xero_user(leaving: Connection, other: Connection) -> bool:
    """Both token sets were issued to the same Xero user, as far as we can tell: the same user id
    (from the id token), or — when one id is unknown — the same connection (a connection is one
    user's)."""
    if leaving.connected_by_user_id and other.connected_by_user_id:
        return leaving.connected_by_user_id == other.connected_by_user_id
    return leaving.connection_id is not None and uses_connection(other, leaving.connection_id)


@dataclass(frozen=True)
class ReleasePlan:
    """What an org that leaves may give up at Xero."""

    delete_connection: bool
    revoke_token: bool
    orgs_on_connection: int = 0  # other live orgs that use the same Xero connection
    orgs_of_user: int = 0  # other live orgs holding tokens of the same Xero user

    @property
    def warnings(self) -> list[str]:
        kept = []
        if self.orgs_on_connection:
            kept.append(KEPT_CONNECTION)
        if self.orgs_of_user:
            kept.append(KEPT_TOKEN)
        return kept


def release_plan(leaving: Connection, others: Iterable[Connection]) -> ReleasePlan:
    """Decide for ``leaving`` given the other orgs on its tenant or of its Xero user."""
    live = [o for o in others if o.org_id != leaving.org_id and o.status in USES_XERO]
    on_connection = sum(1 for o in live if uses_connection(o, leaving.connection_id)) if leaving.connection_id else 0
    of_user = sum(1 for o in live if same_xero_user(leaving, o))
    return ReleasePlan(
        delete_connection=leaving.connection_id is not None and on_connection == 0,
        revoke_token=of_user == 0,
        orgs_on_connection=on_connection,
        orgs_of_user=of_user,
    )


def others_on_tenant(connection: Connection, on_tenant: Iterable[Connection]) -> int:
    """How many other live orgs sync with the same Xero tenant as ``connection``."""
    return sum(
        1
        for other in on_tenant
        if other.org_id != connection.org_id and other.status in USES_XERO and other.tenant_id == connection.tenant_id
    )


@dataclass(frozen=True)
class XeroRelease:
    """What an org's leaving did at Xero: the connection deleted, the token revoked, and the
    warnings for the host (what was kept and why, or what Xero did not confirm)."""

    deleted_connection: bool = False
    revoked_token: bool = False
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        """One sentence for the history: what happened at Xero."""
        done = [
            what
            for what, happened in (
                ("token revoked at Xero", self.revoked_token),
                ("Xero connection removed", self.deleted_connection),
            )
            if happened
        ]
        said = "; ".join(done) + "." if done else "nothing removed at Xero."
        said = said[0].upper() + said[1:]
        return " ".join((said, *self.warnings))
