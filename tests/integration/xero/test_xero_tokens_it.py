"""Connect, store, refresh — against DynamoDB + KMS (moto server) and the Xero emulator over HTTP."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from xero_it_helpers import advance_emulator, build_stack, connect_org, refreshes

from tests.fakes import InMemoryGovernor, ManualClock, VirtualTime
from xero_sync.clock import utcnow
from xero_sync.dal.models import ConnectionModel
from xero_sync.xero.client import XeroApiClient
from xero_sync.xero.errors import ReauthRequired, XeroOAuthError
from xero_sync.xero.tokens import TokenManager


def _expire_stored_access_token(org_id: str) -> None:
    """Make our copy of the access token look expired (as it would be 30 minutes later)."""
    ConnectionModel(org_id).update(
        actions=[ConnectionModel.access_token_expires_at.set(utcnow() - timedelta(seconds=5))]
    )


def test_connect_store_use_and_refresh(settings, emulator, org_id):
    # Given an org that connected through the whole OAuth flow
    stack = build_stack(settings)
    consent = connect_org(stack, org_id, utcnow())
    item = stack.repo.get(org_id)
    assert item.status == "connected"
    assert item.tenant_id == consent.tenant.tenant_id
    assert item.connected_by_email == "admin@demo.example"
    assert item.auth_event_id == consent.tokenset.authentication_event_id is not None
    # tokens rest encrypted
    assert consent.tokenset.access_token.get_secret_value().encode() not in bytes(item.access_token_enc)

    # When the client calls the Accounting API
    client = XeroApiClient(settings, stack.tokens, InMemoryGovernor())
    xero = client.for_org(org_id)
    assert xero.get("/Organisation").body["Organisations"][0]["OrganisationID"] == consent.tenant.tenant_id
    assert refreshes(emulator.base_url) == 0

    # And later the access token has expired
    _expire_stored_access_token(org_id)
    advance_emulator(emulator.base_url, 1801)
    token = stack.tokens.access_token(org_id)

    # Then it was refreshed once, rotated in the table, and works at Xero
    assert refreshes(emulator.base_url) == 1
    assert token.token_version == item.token_version + 1
    assert token.value.get_secret_value() != consent.tokenset.access_token.get_secret_value()
    assert client.for_org(org_id).get("/Organisation").status == 200
    assert stack.tokens.refresh_token_for_revocation(org_id).get_secret_value() != (
        consent.tokenset.refresh_token.get_secret_value()
    )


def test_a_401_token_expired_is_refreshed_and_repeated(settings, emulator, org_id):
    stack = build_stack(settings)
    connect_org(stack, org_id, utcnow())
    client = XeroApiClient(settings, stack.tokens, InMemoryGovernor())
    xero = client.for_org(org_id)
    # Xero's clock passes the token's expiry while ours still thinks it is valid
    advance_emulator(emulator.base_url, 1801)
    assert xero.get("/Organisation").status == 200
    assert refreshes(emulator.base_url) == 1


def test_fifty_concurrent_callers_refresh_exactly_once(settings, emulator, org_id):
    # Given a connected org whose access token has expired
    stack = build_stack(settings)
    connect_org(stack, org_id, utcnow())
    _expire_stored_access_token(org_id)
    advance_emulator(emulator.base_url, 1801)

    # When 50 workers (each its own TokenManager, like separate Lambdas) ask for a token at once;
    # those without the lease wait on virtual time, so a loaded machine cannot run out their wait
    time_line = VirtualTime(participants=50, start=utcnow().timestamp())
    managers = [
        TokenManager(
            stack.repo,
            stack.cipher,
            stack.identity,
            clock=lambda: datetime.fromtimestamp(time_line(), UTC),
            sleep=time_line.sleep,
            poll_seconds=0.05,
        )
        for _ in range(50)
    ]
    start = threading.Barrier(50)
    results, errors = [], []

    def worker(manager: TokenManager) -> None:
        start.wait()
        try:
            results.append(manager.access_token(org_id))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=time_line.run(lambda m=m: worker(m))) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    waited = time_line.elapsed()

    # Then Xero saw exactly one refresh, nobody got invalid_grant, and all share the new token
    assert errors == []
    assert refreshes(emulator.base_url) == 1
    assert len(results) == 50
    assert len({r.value.get_secret_value() for r in results}) == 1
    assert {r.token_version for r in results} == {stack.repo.get(org_id).token_version}
    assert stack.repo.get(org_id).status == "connected"
    print(f"\n50 concurrent access_token() on an expired token: 1 refresh, the others waited {waited:.2f} s")


class CrashAfterXeroAnswered(Exception):
    pass


def test_crash_between_xero_refresh_and_store_recovers_through_the_grace_period(settings, emulator, org_id):
    stack = build_stack(settings)
    connect_org(stack, org_id, utcnow())
    _expire_stored_access_token(org_id)

    # Given a worker that dies after Xero rotated the refresh token but before it stored the answer
    class DyingRepo(type(stack.repo)):
        def store_refreshed_tokens(self, *args, **kwargs):
            raise CrashAfterXeroAnswered()

    clock = ManualClock(utcnow())  # its sleep moves it on: waiting for a lease costs no real time
    dying = TokenManager(DyingRepo(shards=16), stack.cipher, stack.identity, clock, lease_seconds=1.0)
    with pytest.raises(CrashAfterXeroAnswered):
        dying.access_token(org_id)
    assert refreshes(emulator.base_url) == 1
    item = stack.repo.get(org_id)
    assert item.refresh_lease_owner is not None  # the dead worker's lease is left behind

    # When, ten minutes later on Xero's clock, another worker needs a token
    advance_emulator(emulator.base_url, 600)
    survivor = TokenManager(
        stack.repo, stack.cipher, stack.identity, clock, lease_seconds=1.0, poll_seconds=0.1, sleep=clock.sleep
    )
    token = survivor.access_token(org_id)

    # Then it waited for the lease to expire and spent the superseded token inside the grace period
    assert refreshes(emulator.base_url) == 2
    assert clock() > item.refresh_lease_until
    assert token.token_version == item.token_version + 1
    # and the stored chain keeps working afterwards
    assert survivor.force_refresh(org_id, token.token_version).token_version == token.token_version + 1


def test_after_the_grace_period_the_old_token_is_dead_and_the_org_needs_reauth(settings, emulator, org_id):
    stack = build_stack(settings)
    connect_org(stack, org_id, utcnow())
    _expire_stored_access_token(org_id)

    class DyingRepo(type(stack.repo)):
        def store_refreshed_tokens(self, *args, **kwargs):
            raise CrashAfterXeroAnswered()

    clock = ManualClock(utcnow())
    dying = TokenManager(DyingRepo(shards=16), stack.cipher, stack.identity, clock, lease_seconds=0.5)
    with pytest.raises(CrashAfterXeroAnswered):
        dying.access_token(org_id)
    advance_emulator(emulator.base_url, 31 * 60)  # past Xero's 30-minute grace
    clock.advance(seconds=1)  # the dead worker's lease runs out

    with pytest.raises(ReauthRequired):
        TokenManager(stack.repo, stack.cipher, stack.identity, clock).access_token(org_id)
    item = stack.repo.get(org_id)
    assert item.status == "needs_reauth"
    assert "invalid_grant" in item.last_error
    assert item.refresh_lease_owner is None


def test_a_revoked_grant_moves_the_connection_to_needs_reauth(settings, emulator, org_id):
    stack = build_stack(settings)
    connect_org(stack, org_id, utcnow())
    stack.identity.revoke(stack.tokens.refresh_token_for_revocation(org_id))
    _expire_stored_access_token(org_id)

    with pytest.raises(ReauthRequired) as info:
        stack.tokens.access_token(org_id)
    assert isinstance(info.value, XeroOAuthError) and info.value.error_code == "invalid_grant"
    assert stack.repo.get(org_id).status == "needs_reauth"
    with pytest.raises(ReauthRequired):  # from now on without asking Xero
        stack.tokens.access_token(org_id)
