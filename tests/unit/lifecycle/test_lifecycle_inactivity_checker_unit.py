"""The daily checker with in-memory adapters (F6.1): candidates from the activity index only,
warn once at day 53, disconnect at day 60, and nothing else — however often it runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from lifecycle_fakes import SHARDS, T0, World

from xero_sync.domain.connection import ConnectionStatus
from xero_sync.domain.sharing import XeroRelease
from xero_sync.models.notifications import InactiveDisconnected, InactivityWarning
from xero_sync.services.inactivity import InactivityChecker, InactivityRunIncomplete
from xero_sync.xero.errors import ReauthRequired, XeroServerError


class FakeReleaser:
    def __init__(self, warnings: list[str] | None = None) -> None:
        self.released: list[str] = []
        self.warnings = warnings or []

    def release_at_xero(self, org_id: str) -> XeroRelease:
        self.released.append(org_id)
        return XeroRelease(deleted_connection=True, revoked_token=not self.warnings, warnings=tuple(self.warnings))


class FakeTokens:
    def __init__(self, error: Exception | None = None) -> None:
        self.refreshed: list[str] = []
        self.error = error

    def access_token(self, org_id: str):
        self.refreshed.append(org_id)
        if self.error:
            raise self.error
        return object()


def checker(world: World, releaser: FakeReleaser, tokens: FakeTokens | None = None) -> InactivityChecker:
    tokens = tokens or FakeTokens()
    return InactivityChecker(
        connections=world.connections,
        releaser=lambda: releaser,
        tokens=lambda: tokens,
        notifications=world.service(),
        history=world.history,
        clock=world.clock,
        shards=SHARDS,
    )


@pytest.fixture
def world() -> World:
    world = World()
    world.connections.add("idle-org")  # last activity T0
    world.connections.add("busy-org", last_activity_at=T0 + timedelta(days=50))
    world.connections.add("gone-org", status=ConnectionStatus.DISCONNECTED)
    return world


def test_day_53_warns_the_idle_org_once_and_leaves_the_others_alone(world):
    releaser, tokens = FakeReleaser(), FakeTokens()
    run = checker(world, releaser, tokens)

    # When the checker runs on day 53, twice
    first = run.run(T0 + timedelta(days=53))
    second = run.run(T0 + timedelta(days=53, hours=1))

    # Then only the idle org was warned, once, and its token refreshed so day 60 can revoke it
    assert (first.checked, first.warned, first.disconnected) == (1, 1, 0)
    assert (second.warned, second.disconnected) == (0, 0)
    messages = world.queue.take()
    assert [type(m) for m in messages] == [InactivityWarning]
    assert messages[0].org_id == "idle-org" and messages[0].disconnect_on == (T0 + timedelta(days=60)).date()
    assert tokens.refreshed == ["idle-org"]
    assert releaser.released == []
    assert world.connections.items["busy-org"].inactivity_warning_sent_at is None


def test_day_60_revokes_deletes_and_disconnects_then_stays_quiet(world):
    releaser = FakeReleaser()
    run = checker(world, releaser)
    run.run(T0 + timedelta(days=53))
    world.queue.take()

    result = run.run(T0 + timedelta(days=60))
    again = run.run(T0 + timedelta(days=60, minutes=5))

    assert result.disconnected == 1 and again.checked == 0  # off the activity index now
    assert releaser.released == ["idle-org"]
    item = world.connections.items["idle-org"]
    assert item.status is ConnectionStatus.DISCONNECTED_INACTIVE
    assert "no activity for 60 days" in item.disconnect_reason
    [message] = world.queue.take()
    assert isinstance(message, InactiveDisconnected) and message.tenant_name == "Acme NZ"
    assert world.connections.items["busy-org"].status is ConnectionStatus.CONNECTED
    assert [e.action for e in world.history.of("connection")] == ["inactivity_warning", "disconnect_inactive"]


def test_activity_after_the_warning_resets_the_clock(world):
    run = checker(world, FakeReleaser())
    run.run(T0 + timedelta(days=53))
    world.connections.record_activity("idle-org", T0 + timedelta(days=55))

    result = run.run(T0 + timedelta(days=60))

    assert result.checked == 0
    assert world.connections.items["idle-org"].status is ConnectionStatus.CONNECTED


def test_revocation_problems_do_not_stop_the_disconnect_and_reach_the_email(world):
    releaser = FakeReleaser(["Xero did not confirm revoking the access token; it expires by itself within 60 days."])
    run = checker(world, releaser)
    run.run(T0 + timedelta(days=53))
    world.queue.take()

    run.run(T0 + timedelta(days=60))

    assert world.connections.items["idle-org"].status is ConnectionStatus.DISCONNECTED_INACTIVE
    assert world.queue.take()[0].warnings == releaser.warnings


def test_a_token_already_rejected_at_warning_time_asks_the_admin_to_reconnect(world):
    tokens = FakeTokens(ReauthRequired("idle-org"))
    world.connections.items["idle-org"] = replace(
        world.connections.items["idle-org"], status=ConnectionStatus.CONNECTED
    )
    run = checker(world, FakeReleaser(), tokens)

    def rejected(org_id):  # the token manager marks the connection before raising
        world.connections.items[org_id] = replace(world.connections.items[org_id], status=ConnectionStatus.NEEDS_REAUTH)
        raise ReauthRequired(org_id)

    tokens.access_token = rejected
    run.run(T0 + timedelta(days=53))

    kinds = [m.kind.value for m in world.queue.take()]
    assert kinds == ["inactivity_warning", "needs_reauth"]


def test_a_transient_refresh_failure_at_warning_time_is_only_logged(world):
    run = checker(world, FakeReleaser(), FakeTokens(XeroServerError("Xero is down")))
    assert run.run(T0 + timedelta(days=53)).warned == 1


def test_one_broken_org_does_not_stop_the_run_but_fails_it_for_a_retry(world):
    world.connections.add("other-idle")
    releaser = FakeReleaser()
    run = checker(world, releaser)
    run.run(T0 + timedelta(days=53))
    world.queue.take()

    def broken(org_id):
        if org_id == "idle-org":
            raise RuntimeError("DynamoDB unavailable")
        releaser.released.append(org_id)
        return XeroRelease(deleted_connection=True, revoked_token=True)

    releaser.release_at_xero = broken
    with pytest.raises(InactivityRunIncomplete) as raised:
        run.run(T0 + timedelta(days=60))

    assert raised.value.summary.failed_orgs == ["idle-org"]
    assert raised.value.summary.disconnected == 1
    assert world.connections.items["other-idle"].status is ConnectionStatus.DISCONNECTED_INACTIVE


def test_the_run_stops_early_when_the_invocation_is_short_of_time(world):
    result = checker(world, FakeReleaser()).run(T0 + timedelta(days=53), time_left=lambda: 3.0)
    assert result.stopped_early and result.checked == 0
