"""The daily inactivity checker (F6.1): warn idle connections, disconnect them a week later.

Candidates come from the sharded ActivityIndex — one query per shard for connections idle at
least 53 days (``activity_shard`` is set only while a connection is watched), never a scan.
Each candidate is re-read (consistent) and judged by ``domain.inactivity.decide``:

* **warn** — queue the warning email, then mark the connection warned with a conditional write
  that also checks the last activity is still the one judged (``mark_inactivity_warning``: the
  once-only guard). The email message is queued *first*, under an id derived from that last
  activity, so a crash between the two steps re-queues the same id next time (deduplicated by
  the notifier) instead of marking a warning nobody received. The token is refreshed on the way
  (see :meth:`_keep_token_usable`).
* **disconnect** — revoke the token and delete the Xero connection (``ConnectService.release_at_xero``,
  whose failures become warnings, never a stop; both are kept at Xero while another org still
  uses them, N7), queue the disconnect email, then mark the
  connection ``disconnected_inactive`` (which also takes it off the due and activity indexes:
  its schedule stops; history and record links stay, so reconnecting the same tenant resumes
  without duplicates).

Running twice on one day is harmless: a warned connection is not warned again, a disconnected
one is no longer on the index. A failure with one org is logged and the others go on; the run
then ends with :class:`InactivityRunIncomplete` so that Lambda's retry of the scheduled
invocation tries again (safe, for the same reasons).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from xero_sync.clock import Clock
from xero_sync.domain.connection import ConnectionStatus, all_shards
from xero_sync.domain.inactivity import InactivityAction, candidates_idle_since, decide, disconnect_reason
from xero_sync.domain.sharing import XeroRelease
from xero_sync.observability import MetricUnit, logger, metrics
from xero_sync.services.history import connection_event
from xero_sync.services.notifications.producer import NotificationProducer
from xero_sync.services.ports import ConnectionStore, HistoryStore
from xero_sync.xero.errors import ReauthRequired, XeroError


class Releaser(Protocol):
    def release_at_xero(self, org_id: str) -> XeroRelease: ...


class TokenSource(Protocol):
    def access_token(self, org_id: str): ...


class InactivitySummary(BaseModel):
    checked: int = 0
    warned: int = 0
    disconnected: int = 0
    failed: int = 0
    stopped_early: bool = False
    failed_orgs: list[str] = Field(default_factory=list)


class InactivityRunIncomplete(Exception):
    """Some orgs could not be handled; the run is safe to repeat."""

    def __init__(self, summary: InactivitySummary) -> None:
        super().__init__(f"inactivity check failed for {summary.failed} org(s): {', '.join(summary.failed_orgs[:20])}")
        self.summary = summary


@dataclass
class InactivityChecker:
    connections: ConnectionStore
    releaser: Callable[[], Releaser]  # ConnectService, built only when a disconnect is due
    tokens: Callable[[], TokenSource]
    notifications: NotificationProducer  # queues the two emails (and the reconnect email)
    history: HistoryStore
    clock: Clock
    shards: int

    def run(self, now: datetime, *, time_left: Callable[[], float] | None = None) -> InactivitySummary:
        summary = InactivitySummary()
        idle_since = candidates_idle_since(now)
        for shard in all_shards(self.shards):
            for org_id in self.connections.idle_org_ids(shard, idle_since):
                if time_left is not None and time_left() < 10.0:
                    # The rest are still idle tomorrow; a day later is within the week's notice.
                    summary.stopped_early = True
                    return self._finish(summary)
                summary.checked += 1
                try:
                    self._check(org_id, now, summary)
                except Exception:
                    logger.exception("Inactivity check of an org failed", extra={"org_id": org_id})
                    summary.failed += 1
                    summary.failed_orgs.append(org_id)
        return self._finish(summary)

    def _finish(self, summary: InactivitySummary) -> InactivitySummary:
        metrics.add_metric(name="InactivityWarnings", unit=MetricUnit.Count, value=summary.warned)
        metrics.add_metric(name="InactivityDisconnects", unit=MetricUnit.Count, value=summary.disconnected)
        if summary.failed:
            raise InactivityRunIncomplete(summary)
        return summary

    def _check(self, org_id: str, now: datetime, summary: InactivitySummary) -> None:
        item = self.connections.get(org_id)
        if item is None:
            return
        decision = decide(item.status, item.last_activity_at, item.inactivity_warning_sent_at, now)
        if decision.action is InactivityAction.WARN:
            assert item.last_activity_at is not None and decision.disconnect_on is not None
            self.notifications.inactivity_warning(
                org_id, last_activity_at=item.last_activity_at, disconnect_on=decision.disconnect_on
            )
            if self.connections.mark_inactivity_warning(org_id, idle_since=item.last_activity_at, now=now):
                summary.warned += 1
                self._record(
                    org_id,
                    now,
                    "inactivity_warning",
                    f"No activity since {item.last_activity_at.date()}: "
                    f"the admin was warned that the integration disconnects on {decision.disconnect_on}.",
                )
                self._keep_token_usable(org_id, now)
            return
        if decision.action is InactivityAction.DISCONNECT:
            assert item.last_activity_at is not None
            release = self.releaser().release_at_xero(org_id)
            self.notifications.disconnected_inactive(
                org_id,
                last_activity_at=item.last_activity_at,
                disconnected_at=now,
                tenant_name=item.tenant_name,
                warnings=list(release.warnings),
            )
            self.connections.disconnect(
                org_id, ConnectionStatus.DISCONNECTED_INACTIVE, disconnect_reason(item.last_activity_at), now
            )
            summary.disconnected += 1
            self._record(
                org_id,
                now,
                "disconnect_inactive",
                f"Disconnected after 60 days without activity (last activity {item.last_activity_at.date()}); "
                f"history and record links kept. {release.summary()}",
            )

    def _keep_token_usable(self, org_id: str, now: datetime) -> None:
        """Refresh the org's token once at warning time. Xero expires a refresh token that is
        unused for 60 days — the very day this checker needs it to revoke the token and delete
        the connection. An idle org makes no Xero calls, so without this refresh the disconnect
        could not remove the connection at Xero. (A refresh is not activity.) If Xero rejects
        the token already, the connection is needs-reauth: the admin gets that email instead."""
        try:
            self.tokens().access_token(org_id)
        except ReauthRequired:
            self.notifications.needs_reauth(org_id, now)
        except XeroError as error:
            logger.warning(
                "Could not refresh the token of an idle org", extra={"org_id": org_id, "error": type(error).__name__}
            )

    def _record(self, org_id: str, now: datetime, action: str, message: str) -> None:
        self.history.append(connection_event(org_id, now, action, message))
