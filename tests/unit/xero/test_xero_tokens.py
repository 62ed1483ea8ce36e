"""The token manager's decisions (F1.4), with an in-memory repository, cipher and identity."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from pydantic import SecretStr
from xero_unit_helpers import FakeDateClock, jwt

from tests.fakes import InMemoryConnections
from xero_sync.domain.connection import Connection, ConnectionStatus, EncryptedTokens, TenantRef
from xero_sync.xero.errors import NotConnected, ReauthRequired, XeroAuthError, XeroOAuthError, XeroServerError
from xero_sync.xero.identity import TokenSet
from xero_sync.xero.tokens import TokenManager, TokenRefreshTimeout

ORG = "org-1"


class FakeCipher:
    def __init__(self) -> None:
        self.decrypts = 0

    def encrypt(self, plaintext: str, *, org_id: str) -> bytes:
        return f"enc:{org_id}:{plaintext}".encode()

    def decrypt(self, blob: bytes, *, org_id: str) -> str:
        self.decrypts += 1
        prefix = f"enc:{org_id}:".encode()
        if not blob.startswith(prefix):
            raise ValueError("wrong encryption context")
        return blob[len(prefix) :].decode()


class FakeRepo(InMemoryConnections):
    """The shared in-memory store, plus a hook that lets "another worker" act just before our
    lease, and counters of stored token sets and released leases."""

    def __init__(self, clock: FakeDateClock) -> None:
        super().__init__()
        self.clock = clock
        self.stored = 0
        self.released: list[str] = []
        self.before_acquire = None

    def seed(
        self,
        *,
        access: str,
        refresh: str,
        expires_in: float,
        version: int = 1,
        status: ConnectionStatus = ConnectionStatus.CONNECTED,
    ) -> None:
        self.add(
            ORG,
            status=status,
            access_token_enc=f"enc:{ORG}:{access}".encode(),
            refresh_token_enc=f"enc:{ORG}:{refresh}".encode(),
            access_token_expires_at=self.clock.now + timedelta(seconds=expires_in),
            refresh_token_issued_at=self.clock.now,
            token_version=version,
        )

    def raw(self) -> Connection:
        return self.items[ORG]

    def change(self, **fields) -> None:
        """Another worker wrote these fields."""
        self.items[ORG] = replace(self.items[ORG], **fields)

    def acquire_refresh_lease(self, org_id: str, *, owner: str, now: datetime, until: datetime):
        if self.before_acquire:
            hook, self.before_acquire = self.before_acquire, None
            hook()
        return super().acquire_refresh_lease(org_id, owner=owner, now=now, until=until)

    def store_refreshed_tokens(self, org_id, tokens: EncryptedTokens, *, owner, expected_token_version, now):
        stored = super().store_refreshed_tokens(
            org_id, tokens, owner=owner, expected_token_version=expected_token_version, now=now
        )
        self.stored += stored is not None
        return stored

    def release_refresh_lease(self, org_id: str, *, owner: str) -> None:
        self.released.append(owner)
        super().release_refresh_lease(org_id, owner=owner)


class FakeIdentity:
    def __init__(self) -> None:
        self.refreshed_with: list[str] = []
        self.fail_with: Exception | None = None

    def refresh(self, refresh_token) -> TokenSet:
        value = refresh_token.get_secret_value() if isinstance(refresh_token, SecretStr) else refresh_token
        self.refreshed_with.append(value)
        if self.fail_with:
            raise self.fail_with
        n = len(self.refreshed_with) + 1
        return TokenSet(access_token=SecretStr(f"at-{n}"), refresh_token=SecretStr(f"rt-{n}"), expires_in=1800)


@pytest.fixture
def world():
    clock = FakeDateClock()
    repo = FakeRepo(clock)
    cipher = FakeCipher()
    identity = FakeIdentity()
    manager = TokenManager(
        repo,
        cipher,
        identity,
        clock,
        owner_id="me",
        lease_seconds=30,
        wait_timeout_seconds=35,
        sleep=clock.sleep,  # type: ignore[arg-type]
    )
    return clock, repo, cipher, identity, manager


def test_a_fresh_token_is_used_without_refreshing(world):
    _clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=600)
    token = manager.access_token(ORG)
    assert token.value.get_secret_value() == "at-1"
    assert (token.tenant_id, token.token_version) == ("tenant-1", 1)
    assert identity.refreshed_with == []


def test_decryption_is_cached_per_ciphertext(world):
    _clock, repo, cipher, _identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=600)
    for _ in range(5):
        manager.access_token(ORG)
    assert cipher.decrypts == 1


def test_a_token_inside_the_margin_is_refreshed_and_stored(world):
    clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=59)  # margin is 60 s
    token = manager.access_token(ORG)
    assert identity.refreshed_with == ["rt-1"]
    assert token.value.get_secret_value() == "at-2" and token.token_version == 2
    assert token.expires_at == clock.now + timedelta(seconds=1800)
    assert repo.raw().refresh_token_enc == b"enc:org-1:rt-2"
    assert repo.raw().refresh_lease_owner is None


def test_someone_refreshed_between_our_read_and_our_lease(world):
    _clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=10)

    def other_worker_refreshes():
        repo.seed(access="at-other", refresh="rt-other", expires_in=1800, version=2)

    repo.before_acquire = other_worker_refreshes
    token = manager.access_token(ORG)
    assert token.value.get_secret_value() == "at-other"
    assert identity.refreshed_with == []
    assert repo.released  # our lease was given back
    assert repo.raw().refresh_lease_owner is None


def test_without_the_lease_we_wait_for_the_holder(world):
    clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=10)
    repo.change(refresh_lease_owner="other")
    repo.change(refresh_lease_until=clock.now + timedelta(seconds=30))

    def holder_finishes_on_third_poll():
        if clock.sleeps == 3:
            repo.seed(access="at-holder", refresh="rt-holder", expires_in=1800, version=2)

    clock.on_sleep.append(holder_finishes_on_third_poll)
    token = manager.access_token(ORG)
    assert token.value.get_secret_value() == "at-holder"
    assert identity.refreshed_with == []
    assert clock.sleeps == 3


def test_a_dead_holders_lease_expires_and_we_refresh_with_the_old_token(world):
    """The holder died after Xero rotated rt-1 but before storing: rt-1 is still in the table and
    Xero's 30-minute grace lets it be spent again."""
    clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=-5)
    repo.change(refresh_lease_owner="dead-worker")
    lease_end = clock.now + timedelta(seconds=30)
    repo.change(refresh_lease_until=lease_end)
    token = manager.access_token(ORG)
    assert identity.refreshed_with == ["rt-1"]
    assert token.token_version == 2
    assert repo.raw().refresh_token_issued_at > lease_end  # we refreshed only after the lease ran out


def test_waiting_gives_up_after_the_timeout(world):
    clock, repo, cipher, identity, _ = world
    manager = TokenManager(repo, cipher, identity, clock, wait_timeout_seconds=5, sleep=clock.sleep)  # type: ignore[arg-type]
    repo.seed(access="at-1", refresh="rt-1", expires_in=10)
    repo.change(refresh_lease_owner="slow-worker")
    repo.change(refresh_lease_until=clock.now + timedelta(seconds=600))
    with pytest.raises(TokenRefreshTimeout) as info:
        manager.access_token(ORG)
    assert info.value.retryable


def test_invalid_grant_moves_the_connection_to_needs_reauth(world):
    _clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-dead", expires_in=-1)
    identity.fail_with = XeroOAuthError("invalid_grant", status=400)
    with pytest.raises(ReauthRequired) as info:
        manager.access_token(ORG)
    assert info.value.org_id == ORG
    assert repo.raw().status is ConnectionStatus.NEEDS_REAUTH
    assert repo.raw().refresh_lease_owner is None
    assert "rt-dead" not in str(info.value)
    # and later calls fail fast, without asking Xero again
    with pytest.raises(ReauthRequired):
        manager.access_token(ORG)
    assert identity.refreshed_with == ["rt-dead"]


def test_invalid_grant_on_a_stale_token_uses_the_newer_one(world):
    _clock, repo, _cipher, _identity, manager = world
    repo.seed(access="at-1", refresh="rt-stale", expires_in=-1)

    class StaleIdentity(FakeIdentity):
        def refresh(self, refresh_token):
            # meanwhile another worker whose lease we outlived stored a newer set
            repo.seed(access="at-newer", refresh="rt-newer", expires_in=1800, version=2)
            repo.change(refresh_lease_owner="someone")
            raise XeroOAuthError("invalid_grant", status=400)

    manager._identity = StaleIdentity()
    token = manager.access_token(ORG)
    assert token.value.get_secret_value() == "at-newer"
    assert repo.raw().status is ConnectionStatus.CONNECTED


def test_transient_refresh_failure_releases_the_lease(world):
    _clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=-1)
    identity.fail_with = XeroServerError("Xero server error", status=503, outcome_unknown=True)
    with pytest.raises(XeroServerError):
        manager.access_token(ORG)
    assert repo.raw().refresh_lease_owner is None
    assert repo.raw().refresh_token_enc == b"enc:org-1:rt-1"  # next attempt respends it (grace period)


def test_other_oauth_errors_release_and_propagate(world):
    _clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=-1)
    identity.fail_with = XeroOAuthError("invalid_client", status=401)
    with pytest.raises(XeroOAuthError):
        manager.access_token(ORG)
    assert repo.raw().status is ConnectionStatus.CONNECTED and repo.raw().refresh_lease_owner is None


def test_lost_lease_still_returns_a_usable_token(world):
    _clock, repo, _cipher, _identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=-1)

    class SlowIdentity(FakeIdentity):
        def refresh(self, refresh_token):
            repo.change(refresh_lease_owner="took-over")  # our lease expired meanwhile
            return super().refresh(refresh_token)

    manager._identity = SlowIdentity()
    token = manager.access_token(ORG)
    assert token.value.get_secret_value() == "at-2"
    assert repo.stored == 0  # the new holder stores its own set


def test_force_refresh_after_401_unless_already_newer(world):
    _clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=900, version=4)
    token = manager.force_refresh(ORG, stale_version=4)
    assert identity.refreshed_with == ["rt-1"] and token.token_version == 5
    again = manager.force_refresh(ORG, stale_version=4)  # a second worker with the same stale token
    assert again.token_version == 5 and identity.refreshed_with == ["rt-1"]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (ConnectionStatus.NEEDS_REAUTH, ReauthRequired),
        (ConnectionStatus.DISCONNECTED, NotConnected),
        (ConnectionStatus.NOT_CONNECTED, NotConnected),
    ],
)
def test_unusable_connections_fail_fast(world, status, error):
    _clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=-1, status=status)
    with pytest.raises(error):
        manager.access_token(ORG)
    assert identity.refreshed_with == []


def test_unknown_org_is_not_connected(world):
    *_, manager = world
    with pytest.raises(NotConnected):
        manager.access_token("nobody")


def test_store_consent_tokens_takes_claims_from_the_tokens(world):
    clock, _repo, _cipher, _identity, manager = world
    tokenset = TokenSet(
        access_token=SecretStr(jwt({"authentication_event_id": "ae-1"})),
        refresh_token=SecretStr("rt-c"),
        id_token=SecretStr(jwt({"email": "admin@harbour.example", "xero_userid": "xu-1"})),
        expires_in=1800,
        scope="offline_access accounting.invoices",
    )
    tenant = TenantRef(tenant_id="tenant-1", connection_id="conn-1", tenant_name="Harbour")
    item = manager.store_consent_tokens(ORG, tokenset, tenants=[tenant], chosen=tenant, now=clock.now)
    assert (item.auth_event_id, item.connected_by_email, item.connected_by_user_id) == (
        "ae-1",
        "admin@harbour.example",
        "xu-1",
    )
    assert item.refresh_token_enc == b"enc:org-1:rt-c"
    assert item.access_token_expires_at == clock.now + timedelta(seconds=1800)
    assert manager.refresh_token_for_revocation(ORG).get_secret_value() == "rt-c"


def test_encrypt_requires_a_refresh_token(world):
    clock, _repo, _cipher, _identity, manager = world
    with pytest.raises(ValueError, match="offline_access"):
        manager.encrypt_tokens(ORG, TokenSet(access_token=SecretStr("a"), expires_in=1800), clock.now)


def test_no_refresh_token_to_revoke(world):
    *_, manager = world
    assert manager.refresh_token_for_revocation("nobody") is None


# --- a connection gone at Xero (N7) and the reconnect email hook ------------------------------------


class ConnectionsIdentity(FakeIdentity):
    """Xero's /connections as the token sees it: the tenants still connected, or a refusal."""

    def __init__(self, tenants: list[str], refuse: Exception | None = None) -> None:
        super().__init__()
        self.tenants = tenants
        self.refuse = refuse
        self.asked_with: list[str] = []

    def list_connections(self, access_token, auth_event_id=None):
        self.asked_with.append(access_token.get_secret_value())
        if self.refuse:
            raise self.refuse
        return [SimpleNamespace(tenant_id=tenant) for tenant in self.tenants]


@pytest.fixture
def told(world):
    """The reconnect-email hook, recording (org, when) of each call."""
    _clock, _repo, _cipher, _identity, manager = world
    calls: list[tuple[str, datetime]] = []
    manager._on_reauth = lambda org_id, now: calls.append((org_id, now))
    return calls


def test_a_tenant_missing_from_connections_moves_the_org_to_needs_reauth_and_tells_the_admin(world, told):
    # Given a connected org whose tenant Xero no longer lists for its token
    clock, repo, _cipher, _identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=600)
    manager._identity = identity = ConnectionsIdentity(["another-tenant"])
    token = manager.access_token(ORG)
    # When a refused call is checked
    gone = manager.confirm_access_lost(token, "tenant-1")
    # Then the connection is gone: needs_reauth, with a message saying so, and the hook ran once
    assert gone is True
    assert identity.asked_with == ["at-1"]
    assert repo.raw().status is ConnectionStatus.NEEDS_REAUTH
    assert "no longer grants access" in repo.raw().last_error
    assert told == [(ORG, clock.now)]
    # And a second refused call (another thread) finds it marked and does not tell again
    assert manager.confirm_access_lost(token, "tenant-1") is True
    assert len(told) == 1


def test_a_token_refused_by_connections_too_means_the_connection_is_gone(world, told):
    _clock, repo, _cipher, _identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=600)
    manager._identity = ConnectionsIdentity([], refuse=XeroAuthError("unauthorised", status=401))
    assert manager.confirm_access_lost(manager.access_token(ORG), "tenant-1") is True
    assert repo.raw().status is ConnectionStatus.NEEDS_REAUTH and len(told) == 1


@pytest.mark.parametrize(
    ("tenants", "refuse"),
    [(["tenant-1"], None), ([], XeroServerError("Xero is down", status=503))],
    ids=["still-connected", "xero-unavailable"],
)
def test_a_connected_tenant_or_an_unanswered_check_changes_nothing(world, told, tenants, refuse):
    _clock, repo, _cipher, _identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=600)
    manager._identity = ConnectionsIdentity(tenants, refuse)
    assert manager.confirm_access_lost(manager.access_token(ORG), "tenant-1") is False
    assert repo.raw().status is ConnectionStatus.CONNECTED and told == []


def test_a_newer_token_set_stored_meanwhile_is_not_marked_by_a_stale_refusal(world, told):
    # Given a refusal of token version 1, checked after another worker stored version 2
    _clock, repo, _cipher, _identity, manager = world
    repo.seed(access="at-1", refresh="rt-1", expires_in=600)
    manager._identity = ConnectionsIdentity([])
    stale = manager.access_token(ORG)
    repo.change(token_version=2)
    # Then the stale refusal does not mark the org (the caller reports Xero's answer as it is)
    assert manager.confirm_access_lost(stale, "tenant-1") is False
    assert repo.raw().status is ConnectionStatus.CONNECTED and told == []


def test_invalid_grant_also_tells_the_admin(world, told):
    clock, repo, _cipher, identity, manager = world
    repo.seed(access="at-1", refresh="rt-dead", expires_in=-1)
    identity.fail_with = XeroOAuthError("invalid_grant", status=400)
    with pytest.raises(ReauthRequired):
        manager.access_token(ORG)
    assert told == [(ORG, clock.now)]
