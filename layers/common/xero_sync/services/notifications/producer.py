"""The producer side of admin emails: deciding an email is due and queueing it (called by the
export worker and the inactivity checker). Nothing here renders or sends an email: a producer
imports neither Jinja2 nor the SES adapter.

* :meth:`NotificationProducer.failure_recorded` — a record failed and retrying alone will not
  help. The first such failure of an org *opens the org's digest window*: one conditional write
  of the ``notify#window`` item (OrgConfig table) and one SQS message delayed by the window
  (``DelaySeconds``). Every later failure in the window finds it open and does nothing — in a
  warm worker without even a read (it remembers until when the window is open).
* :meth:`NotificationProducer.needs_reauth` — once per episode (the rejected token set,
  ``token_version``), guarded by the ``notify#reauth`` item.
* :meth:`NotificationProducer.inactivity_warning` / :meth:`NotificationProducer.disconnected_inactive`
  — the inactivity checker's two emails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from xero_sync.domain.errors import RevisionConflict
from xero_sync.models.notifications import DigestDue, InactiveDisconnected, InactivityWarning, ReauthNeeded
from xero_sync.observability import MetricUnit, logger, metrics
from xero_sync.services.notifications.core import REAUTH_ITEM, WINDOW_ITEM, close_window, put_quietly
from xero_sync.services.ports import ConnectionStore, NotificationQueue, OrgConfigStore

STALE_WINDOW = timedelta(hours=1)
"""A window still open this long after it was due lost its message (a crash between the write
and the send, a message that ended in the DLQ): the next failure opens a fresh one."""
RECHECK_OPEN_WINDOW = timedelta(seconds=10)
MAX_REMEMBERED_ORGS = 10_000


@dataclass(kw_only=True)
class NotificationProducer:
    org_config: OrgConfigStore
    connections: ConnectionStore
    queue: NotificationQueue
    window: timedelta = timedelta(minutes=10)
    _open_until: dict[str, datetime] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # --- the failure digest window -------------------------------------------------------------

    def failure_recorded(self, org_id: str, now: datetime) -> bool:
        """A record of ``org_id`` failed for good (it needs the admin). Opens the org's digest
        window if none is open; returns True when this call opened it. Never raises: the export
        must not fail because an email could not be scheduled."""
        with self._lock:
            known = self._open_until.get(org_id)
        if known is not None and now < known:
            return False
        return _never_raising(self._open_window, org_id, now, failure="Could not open the failure digest window")

    def _open_window(self, org_id: str, now: datetime) -> bool:
        item = self.org_config.get(org_id, WINDOW_ITEM)
        body = item.body if item else {}
        if body.get("state") == "open":
            due = datetime.fromisoformat(body["opened_at"]) + self.window
            if now < due + STALE_WINDOW:
                self._remember_open(org_id, due if now < due else now + RECHECK_OPEN_WINDOW)
                return False
            logger.warning("Digest window was never closed; opening a new one", extra={"org_id": org_id})
        window_id = f"{org_id}:{now.astimezone(UTC).strftime('%Y%m%dT%H%M%S.%fZ')}"
        opened = {"state": "open", "window_id": window_id, "opened_at": now.isoformat()}
        try:
            revision = self.org_config.put(
                org_id, WINDOW_ITEM, opened, now=now, expected_revision=item.revision if item else 0
            )
        except RevisionConflict:
            self._remember_open(org_id, now + self.window)  # another worker opened it a moment ago
            return False
        try:
            self.queue.send(
                DigestDue(org_id=org_id, window_id=window_id, opened_at=now),
                delay_seconds=int(self.window.total_seconds()),
            )
        except Exception:
            # Give the window back, so that the next failure tries again rather than waiting an hour.
            close_window(self.org_config, org_id, window_id, now, expected_revision=revision)
            raise
        self._remember_open(org_id, now + self.window)
        metrics.add_metric(name="DigestWindowsOpened", unit=MetricUnit.Count, value=1)
        return True

    def _remember_open(self, org_id: str, until: datetime) -> None:
        with self._lock:
            if len(self._open_until) > MAX_REMEMBERED_ORGS:
                self._open_until.clear()  # a long-lived worker must not grow without bound
            self._open_until[org_id] = until

    # --- the reconnect email ---------------------------------------------------------------------

    def needs_reauth(self, org_id: str, now: datetime) -> bool:
        """The org's connection is ``needs_reauth``: queue the reconnect email, once per episode.
        Never raises (called from the export worker)."""
        return _never_raising(self._queue_reauth, org_id, now, failure="Could not queue the reconnect email")

    def _queue_reauth(self, org_id: str, now: datetime) -> bool:
        connection = self.connections.get(org_id)
        if connection is None or not connection.needs_reauth:
            return False
        episode = int(connection.token_version or 0)
        item = self.org_config.get(org_id, REAUTH_ITEM)
        if item is not None and item.body.get("token_version") == episode:
            return False  # this episode's email is queued or sent already
        marker = {"token_version": episode, "at": now.isoformat()}
        try:
            revision = self.org_config.put(
                org_id, REAUTH_ITEM, marker, now=now, expected_revision=item.revision if item else 0
            )
        except RevisionConflict:
            return False  # another worker queued it
        try:
            self.queue.send(ReauthNeeded(org_id=org_id, token_version=episode, at=now))
        except Exception:
            previous = item.body if item else {"token_version": None}
            put_quietly(self.org_config, org_id, REAUTH_ITEM, previous, now, revision)
            raise
        return True

    # --- the inactivity checker's emails ---------------------------------------------------------

    def inactivity_warning(self, org_id: str, *, last_activity_at: datetime, disconnect_on: date) -> None:
        self.queue.send(
            InactivityWarning(org_id=org_id, last_activity_at=last_activity_at, disconnect_on=disconnect_on)
        )

    def disconnected_inactive(
        self,
        org_id: str,
        *,
        last_activity_at: datetime,
        disconnected_at: datetime,
        tenant_name: str | None,
        warnings: list[str],
    ) -> None:
        self.queue.send(
            InactiveDisconnected(
                org_id=org_id,
                last_activity_at=last_activity_at,
                disconnected_at=disconnected_at,
                tenant_name=tenant_name,
                warnings=warnings[:10],
            )
        )


def _never_raising(step: Callable[[str, datetime], bool], org_id: str, now: datetime, *, failure: str) -> bool:
    """``step``, or False (logged as ``failure``) when it raised: the producers are called by the
    export worker, which must not fail because an email could not be scheduled."""
    try:
        return step(org_id, now)
    except Exception:
        logger.exception(failure, extra={"org_id": org_id})
        return False
