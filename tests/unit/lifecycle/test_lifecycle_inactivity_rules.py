"""The 60-day rule (F6.1) as pure decisions: warn at day 53, disconnect at day 60 — and never
without a week's notice."""

from datetime import timedelta

import pytest
from lifecycle_fakes import T0

from xero_sync.domain.connection import ConnectionStatus
from xero_sync.domain.inactivity import (
    InactivityAction,
    candidates_idle_since,
    decide,
    disconnect_reason,
)

CONNECTED = ConnectionStatus.CONNECTED


def days(n: float) -> timedelta:
    return timedelta(days=n)


@pytest.mark.parametrize("idle", [0, 1, 30, 52, 52.99])
def test_an_active_connection_needs_nothing(idle):
    assert decide(CONNECTED, T0, None, T0 + days(idle)).action is InactivityAction.NONE


def test_day_53_warns_with_the_date_of_day_60():
    # Given a connection whose last activity was 53 days ago, never warned
    decision = decide(CONNECTED, T0, None, T0 + days(53))

    # Then it is warned, and told it disconnects 60 days after its last activity
    assert decision.action is InactivityAction.WARN
    assert decision.idle_days == 53
    assert decision.disconnect_on == (T0 + days(60)).date()


def test_a_warned_connection_waits_until_day_60_then_disconnects():
    warned = T0 + days(53)
    assert decide(CONNECTED, T0, warned, T0 + days(53)).action is InactivityAction.NONE  # a second run that day
    assert decide(CONNECTED, T0, warned, T0 + days(59)).action is InactivityAction.NONE
    decision = decide(CONNECTED, T0, warned, T0 + days(60))
    assert decision.action is InactivityAction.DISCONNECT
    assert decision.idle_days == 60


def test_a_connection_first_seen_idle_after_60_days_is_warned_first_and_gets_a_week():
    # Given the checker did not run for a while: the connection is 75 days idle and never warned
    now = T0 + days(75)
    decision = decide(CONNECTED, T0, None, now)

    # Then it is warned now, for a disconnect a week from now — not disconnected without notice
    assert decision.action is InactivityAction.WARN
    assert decision.disconnect_on == (now + days(7)).date()
    assert decide(CONNECTED, T0, now, now + days(6)).action is InactivityAction.NONE
    assert decide(CONNECTED, T0, now, now + days(7)).action is InactivityAction.DISCONNECT


def test_a_warning_from_an_earlier_idle_period_does_not_count_as_notice():
    # Given a warning stamped before the latest activity (left behind by a race)
    last_activity = T0 + days(10)
    decision = decide(CONNECTED, last_activity, T0, last_activity + days(60))
    assert decision.action is InactivityAction.WARN


@pytest.mark.parametrize(
    "status",
    [
        ConnectionStatus.NEEDS_REAUTH,
        ConnectionStatus.DISCONNECTED,
        ConnectionStatus.DISCONNECTED_INACTIVE,
        ConnectionStatus.NOT_CONNECTED,
    ],
)
def test_only_watched_connections_are_acted_on(status):
    assert decide(status, T0, None, T0 + days(90)).action is InactivityAction.NONE


@pytest.mark.parametrize("status", [ConnectionStatus.DISABLED, ConnectionStatus.PENDING_TENANT])
def test_disabled_and_pending_connections_are_watched_too(status):
    assert decide(status, T0, T0 + days(53), T0 + days(60)).action is InactivityAction.DISCONNECT


def test_the_index_bound_and_the_stored_reason():
    assert candidates_idle_since(T0 + days(53)) == T0
    assert disconnect_reason(T0) == f"no activity for 60 days (last activity {T0.date().isoformat()})"


def test_a_daily_run_a_little_earlier_than_the_one_that_warned_still_disconnects_on_day_60():
    warned = T0 + days(53) + timedelta(minutes=3)  # last week's run took a few minutes to reach this org
    assert decide(CONNECTED, T0, warned, T0 + days(60) + timedelta(seconds=5)).action is InactivityAction.DISCONNECT
    assert decide(CONNECTED, T0, warned, T0 + days(59) + timedelta(hours=23)).action is InactivityAction.NONE
