"""The 60-day inactivity rule (F6.1), as pure decisions: no I/O, ``now`` is an argument.

A watched connection (connected, disabled or waiting for its tenant choice) with no activity —
a record pushed, a sync with changes, a settings change or an admin action — is

* warned once when it has been idle for :data:`WARN_AFTER` (53 days: "7 days before");
* disconnected when it has been idle for :data:`DISCONNECT_AFTER` (60 days) **and** the warning
  went out at least :data:`NOTICE` (7 days) earlier. An admin is never disconnected without a
  week's notice: if the checker could not warn on day 53 (an outage, a connection that was idle
  before this service existed), it warns first and disconnects a week after the warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from xero_sync.domain.connection import WATCHED_FOR_INACTIVITY, ConnectionStatus

DISCONNECT_AFTER = timedelta(days=60)
NOTICE = timedelta(days=7)
WARN_AFTER = DISCONNECT_AFTER - NOTICE
SCHEDULE_TOLERANCE = timedelta(hours=1)
"""A daily schedule fires at about the same time every day, but not to the second: a run a few
minutes earlier than the one that warned must not push the disconnect back by a whole day."""


class InactivityAction(StrEnum):
    NONE = "none"
    WARN = "warn"
    DISCONNECT = "disconnect"


@dataclass(frozen=True)
class InactivityDecision:
    action: InactivityAction
    idle_days: int
    disconnect_at: datetime | None = None  # when it will be (or is) disconnected, if idle long enough

    @property
    def disconnect_on(self) -> date | None:
        return self.disconnect_at.date() if self.disconnect_at else None


def candidates_idle_since(now: datetime) -> datetime:
    """The ActivityIndex bound: only connections idle at least this long can need an action."""
    return now - WARN_AFTER


def disconnect_time(last_activity_at: datetime, warning_sent_at: datetime | None, now: datetime) -> datetime:
    """60 days after the last activity, but never sooner than a week after the warning (which, if
    it has not gone out yet, goes out ``now``)."""
    warned = warning_sent_at or now
    return max(last_activity_at + DISCONNECT_AFTER, warned + NOTICE)


def decide(
    status: ConnectionStatus,
    last_activity_at: datetime | None,
    warning_sent_at: datetime | None,
    now: datetime,
) -> InactivityDecision:
    """What the daily checker does with one connection today."""
    if status not in WATCHED_FOR_INACTIVITY or last_activity_at is None:
        return InactivityDecision(InactivityAction.NONE, 0)
    idle = now - last_activity_at
    idle_days = max(0, idle.days)
    if idle < WARN_AFTER:
        return InactivityDecision(InactivityAction.NONE, idle_days)
    # A warning stamped before the latest activity belongs to an earlier idle period: the
    # repository clears it on activity, but do not trust a stale one to count as notice.
    warned = warning_sent_at if warning_sent_at is not None and warning_sent_at >= last_activity_at else None
    due = disconnect_time(last_activity_at, warned, now)
    if warned is None:
        return InactivityDecision(InactivityAction.WARN, idle_days, due)
    if idle >= DISCONNECT_AFTER and now >= warned + NOTICE - SCHEDULE_TOLERANCE:
        return InactivityDecision(InactivityAction.DISCONNECT, idle_days, due)
    return InactivityDecision(InactivityAction.NONE, idle_days, due)


def disconnect_reason(last_activity_at: datetime) -> str:
    """The ``disconnect_reason`` stored on the connection (and shown by the status API)."""
    return f"no activity for 60 days (last activity {last_activity_at.date().isoformat()})"
