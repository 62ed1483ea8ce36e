"""Access tokens for an org, with single-flight refresh across every concurrent Lambda (F1.4).

Xero rotates refresh tokens: every refresh returns a new one and the old one stops working
30 minutes later (xero-facts §1.2). Two workers that refresh at the same moment would each spend
the same refresh token, and whichever stored its answer last could leave the other's rotated
token behind. So exactly one worker at a time may spend an org's refresh token:

1. Read the connection. An access token that stays valid for more than ``refresh_margin_seconds``
   is decrypted and used (Xero's SDK refreshes 60 s before expiry, §1.2).
2. Otherwise take the refresh *lease* on the item (a conditional write, ``acquire_refresh_lease``).
   The write returns the item as it is now; if ``token_version`` has moved on since we read it,
   someone refreshed a moment ago — release the lease and use their token.
3. Spend the refresh token at Xero and store the rotated set with ``store_refreshed_tokens``,
   on condition that we still hold the lease on the version we refreshed.
4. Workers that do not get the lease poll the item (short sleeps with jitter) until
   ``token_version`` increases, or until the lease has expired (its holder died) and they can
   take it themselves.

A worker that dies after Xero answered but before it stored the new set leaves the *old*
refresh token in the table. That is safe because Xero keeps accepting the previous refresh
token for 30 minutes after a rotation (§1.2, "grace period"): once the dead worker's lease
expires (``lease_seconds``, far below 30 minutes), the next worker spends the old token again
and Xero answers with a fresh set.

``invalid_grant`` means the refresh token is dead (unused for 60 days, revoked, or reused after
the grace window): the connection moves to ``needs_reauth`` — unless a newer token set was
stored meanwhile, in which case the rejected token was simply stale and the new one is used.

A Xero connection can also disappear while the tokens still refresh (the user removed the app
for that organisation in Xero, or another holder of the connection deleted it): the Accounting
API then answers 403 ``AuthenticationUnsuccessful``. ``confirm_access_lost`` asks Xero's
``/connections`` with the same token whether the tenant is still there; if not, the org moves to
``needs_reauth`` too (N7). Either way the ``on_reauth`` hook (the reconnect email) runs once the
org is marked.

Tokens are decrypted only in memory and never logged.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import SecretStr

from xero_sync.clock import Clock, utcnow
from xero_sync.domain.connection import HOLDS_TOKENS, Connection, ConnectionStatus, EncryptedTokens, TenantRef
from xero_sync.observability import logger
from xero_sync.services.ports import Cipher, ConnectionStore
from xero_sync.xero.errors import (
    NotConnected,
    ReauthRequired,
    XeroAuthError,
    XeroError,
    XeroOAuthError,
    XeroRetryableError,
)
from xero_sync.xero.identity import TokenSet, XeroIdentity

REAUTH_MESSAGE = "Xero rejected the refresh token (invalid_grant): an admin must reconnect Xero"
CONNECTION_REMOVED_MESSAGE = (
    "Xero no longer grants access to this organisation (the connection was removed or the access revoked in "
    "Xero): an admin must reconnect Xero"
)


@dataclass(frozen=True)
class AccessToken:
    """A usable access token of one org. ``repr`` shows no secret (``SecretStr``)."""

    org_id: str
    value: SecretStr
    tenant_id: str | None
    token_version: int
    expires_at: datetime

    def expires_within(self, seconds: float, now: datetime) -> bool:
        return self.expires_at - timedelta(seconds=seconds) <= now


class TokenRefreshTimeout(XeroRetryableError):
    """Another worker held the refresh lease for longer than we were willing to wait."""


class TokenManager:
    def __init__(
        self,
        repo: ConnectionStore,
        cipher: Cipher,
        identity: XeroIdentity,
        clock: Clock = utcnow,
        *,
        owner_id: str | None = None,
        lease_seconds: float = 30,
        refresh_margin_seconds: float = 60,
        wait_timeout_seconds: float = 35,
        poll_seconds: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
        decrypt_cache_size: int = 256,
        on_reauth: Callable[[str, datetime], object] | None = None,
    ) -> None:
        self._repo = repo
        self._cipher = cipher
        self._identity = identity
        self._clock = clock
        # Each attempt gets its own lease owner (owner_id + random suffix): threads sharing this
        # manager must not count as the same lease holder.
        self._owner_id = owner_id or f"tm-{uuid.uuid4().hex[:12]}"
        self._lease = timedelta(seconds=lease_seconds)
        self._margin = timedelta(seconds=refresh_margin_seconds)
        self._wait_timeout = timedelta(seconds=wait_timeout_seconds)
        self._poll_seconds = poll_seconds
        self._sleep = sleep
        # Decrypted access tokens by (org, ciphertext): a warm Lambda calls KMS once per token
        # rather than once per Xero call. The same ciphertext always decrypts to the same value.
        self._decrypted: OrderedDict[tuple[str, bytes], str] = OrderedDict()
        self._decrypted_lock = threading.Lock()
        self._decrypt_cache_size = decrypt_cache_size
        # Called (org, now) after this manager moved an org to needs_reauth: the reconnect email.
        # It must not raise (the notification producer never does).
        self._on_reauth = on_reauth

    # --- consent (the OAuth callback) -------------------------------------------------------------

    def encrypt_tokens(self, org_id: str, tokenset: TokenSet, now: datetime) -> EncryptedTokens:
        if tokenset.refresh_token is None:
            raise ValueError("Xero returned no refresh token: is offline_access among the scopes?")
        return EncryptedTokens(
            access_token=self._cipher.encrypt(tokenset.access_token.get_secret_value(), org_id=org_id),
            access_token_expires_at=tokenset.expires_at(now),
            refresh_token=self._cipher.encrypt(tokenset.refresh_token.get_secret_value(), org_id=org_id),
            refresh_token_issued_at=now,
        )

    def store_consent_tokens(
        self,
        org_id: str,
        tokenset: TokenSet,
        *,
        tenants: list[TenantRef],
        chosen: TenantRef | None,
        now: datetime,
    ) -> Connection:
        """Encrypt a fresh consent's tokens and save the consent (``repo.save_consent``), with
        the consent id and the connecting user taken from the tokens themselves."""
        claims = tokenset.id_claims
        return self._repo.save_consent(
            org_id,
            tenants=tenants,
            chosen=chosen,
            auth_event_id=tokenset.authentication_event_id,
            scopes=tokenset.scope,
            connected_by_email=claims.email,
            connected_by_user_id=claims.xero_userid,
            tokens=self.encrypt_tokens(org_id, tokenset, now),
            now=now,
        )

    # --- access tokens ---------------------------------------------------------------------------

    def access_token(self, org_id: str) -> AccessToken:
        """A token valid for at least ``refresh_margin_seconds``, refreshing it if needed."""
        item = self._usable_item(org_id, self._repo.get(org_id))
        if self._is_fresh(item, self._clock()):
            return self._access_from(item)
        return self._refresh(org_id, stale_version=int(item.token_version))

    def force_refresh(self, org_id: str, stale_version: int) -> AccessToken:
        """After Xero answered 401 TokenExpired to ``stale_version``'s access token: refresh
        unless someone already stored a newer token set."""
        item = self._usable_item(org_id, self._repo.get(org_id))
        if self._is_newer(item, stale_version, self._clock()):
            return self._access_from(item)
        return self._refresh(org_id, stale_version=stale_version)

    def refresh_token_for_revocation(self, org_id: str) -> SecretStr | None:
        """The org's current refresh token, for revoking it at Xero (F1.5, F6.1)."""
        item = self._repo.get(org_id)
        if item is None or not item.refresh_token_enc:
            return None
        return SecretStr(self._cipher.decrypt(item.refresh_token_enc, org_id=org_id))

    def confirm_access_lost(self, token: AccessToken, tenant_id: str) -> bool:
        """Xero refused a call made with ``token`` for ``tenant_id`` (403, or 401 although the
        token was just refreshed). Ask Xero's ``/connections`` with the same token: when the tenant
        is not among them — or the token is refused there too — the connection is gone, the org
        moves to ``needs_reauth`` (unless a newer token set was stored since ``token``) and the
        admin is told. False when the tenant is still connected or Xero could not be asked: the
        refusal then means something else, and the caller reports it as it is."""
        try:
            connected = any(row.tenant_id == tenant_id for row in self._identity.list_connections(token.value))
        except XeroAuthError:
            connected = False  # the token is refused everywhere
        except XeroError as error:
            logger.warning(
                "Could not check the org's Xero connections", extra={"org_id": token.org_id, "error": str(error)}
            )
            return False
        if connected:
            return False
        marked = self._repo.mark_needs_reauth(
            token.org_id,
            expected_token_version=token.token_version,
            message=CONNECTION_REMOVED_MESSAGE,
            now=self._clock(),
        )
        if marked:
            logger.warning("Xero connection gone; connection needs reauth", extra={"org_id": token.org_id})
            self._reauth_marked(token.org_id)
            return True
        item = self._repo.get(token.org_id)
        return item is not None and item.needs_reauth  # marked by someone else meanwhile

    # --- the single-flight refresh ------------------------------------------------------------------

    def _refresh(self, org_id: str, *, stale_version: int) -> AccessToken:
        deadline = self._clock() + self._wait_timeout
        while True:
            now = self._clock()
            owner = f"{self._owner_id}:{uuid.uuid4().hex[:8]}"
            leased = self._repo.acquire_refresh_lease(org_id, owner=owner, now=now, until=now + self._lease)
            if leased is not None:
                return self._refresh_holding_lease(org_id, leased, owner, stale_version)
            refreshed = self._wait_for_other_refresh(org_id, stale_version, deadline)
            if refreshed is not None:
                return self._access_from(refreshed)
            # The lease is free again (released or expired) without a new token: try to take it.

    def _wait_for_other_refresh(self, org_id: str, stale_version: int, deadline: datetime) -> Connection | None:
        """Poll until another worker stored a newer token set (return the item) or the lease is
        no longer held (return None, so that we try to take it)."""
        while True:
            self._sleep(self._poll_seconds * (0.5 + random.random()))  # jitter spreads the reads
            item = self._usable_item(org_id, self._repo.get(org_id))
            now = self._clock()
            if self._is_newer(item, stale_version, now):
                return item
            if item.refresh_lease_until is None or item.refresh_lease_until < now:
                return None
            if now >= deadline:
                raise TokenRefreshTimeout(f"waited too long for another worker to refresh org {org_id}'s token")

    def _refresh_holding_lease(self, org_id: str, leased: Connection, owner: str, stale_version: int) -> AccessToken:
        version = int(leased.token_version)
        if self._is_newer(leased, stale_version, self._clock()):
            # Someone stored a new token set between our read and our lease.
            self._repo.release_refresh_lease(org_id, owner=owner)
            return self._access_from(leased)
        assert leased.refresh_token_enc is not None  # the lease is only granted on a stored refresh token
        try:
            refresh_token = self._cipher.decrypt(leased.refresh_token_enc, org_id=org_id)
            tokenset = self._identity.refresh(refresh_token)
        except XeroOAuthError as error:
            if error.error_code == "invalid_grant":
                return self._after_invalid_grant(org_id, version, owner)
            self._repo.release_refresh_lease(org_id, owner=owner)
            raise
        except BaseException:
            # Transient failure (time-out, 5xx …): give the lease back. If Xero did rotate the
            # token, the old one still works for 30 minutes (grace period), so the next attempt
            # simply refreshes again.
            self._repo.release_refresh_lease(org_id, owner=owner)
            raise

        now = self._clock()
        encrypted = self._encrypt_refreshed(org_id, tokenset, leased, now)
        stored = self._repo.store_refreshed_tokens(
            org_id, encrypted, owner=owner, expected_token_version=version, now=now
        )
        if stored is None:
            # Our lease ran out during the call and another worker took over; it stores its own
            # token set (spending the same refresh token inside Xero's grace period). Our access
            # token is valid all the same: use it for this call, keep nothing.
            logger.warning("Xero token refreshed but the lease was lost; not stored", extra={"org_id": org_id})
            return AccessToken(
                org_id=org_id,
                value=tokenset.access_token,
                tenant_id=leased.tenant_id,
                token_version=version,
                expires_at=tokenset.expires_at(now),
            )
        logger.info("Xero token refreshed", extra={"org_id": org_id, "token_version": int(stored.token_version)})
        self._remember(org_id, encrypted.access_token, tokenset.access_token.get_secret_value())
        return AccessToken(
            org_id=org_id,
            value=tokenset.access_token,
            tenant_id=stored.tenant_id,
            token_version=int(stored.token_version),
            expires_at=encrypted.access_token_expires_at,
        )

    def _after_invalid_grant(self, org_id: str, version: int, owner: str) -> AccessToken:
        marked = self._repo.mark_needs_reauth(
            org_id, expected_token_version=version, message=REAUTH_MESSAGE, now=self._clock()
        )
        if marked:  # this also released the lease
            logger.warning("Xero refresh token rejected; connection needs reauth", extra={"org_id": org_id})
            self._reauth_marked(org_id)
            raise ReauthRequired(org_id)
        # Not marked: a newer token set was stored meanwhile (our token was merely stale), or the
        # connection left the statuses that hold tokens.
        self._repo.release_refresh_lease(org_id, owner=owner)
        item = self._usable_item(org_id, self._repo.get(org_id))
        if self._is_newer(item, version, self._clock()):
            return self._access_from(item)
        raise ReauthRequired(org_id)

    # --- helpers ------------------------------------------------------------------------------------

    def _reauth_marked(self, org_id: str) -> None:
        if self._on_reauth is not None:
            self._on_reauth(org_id, self._clock())

    def _usable_item(self, org_id: str, item: Connection | None) -> Connection:
        if item is None:
            raise NotConnected(org_id, "no connection")
        status = item.status
        if status is ConnectionStatus.NEEDS_REAUTH:
            raise ReauthRequired(org_id)
        if status not in HOLDS_TOKENS or not item.access_token_enc or not item.refresh_token_enc:
            raise NotConnected(org_id, f"status {status.value}")
        return item

    def _is_fresh(self, item: Connection, now: datetime) -> bool:
        expires_at = item.access_token_expires_at
        return expires_at is not None and expires_at - self._margin > now

    @staticmethod
    def _is_newer(item: Connection, stale_version: int, now: datetime) -> bool:
        """A token set newer than the one we found stale, whose access token still works."""
        expires_at = item.access_token_expires_at
        return int(item.token_version) > stale_version and expires_at is not None and expires_at > now

    def _encrypt_refreshed(self, org_id: str, tokenset: TokenSet, leased: Connection, now: datetime) -> EncryptedTokens:
        if tokenset.refresh_token is not None:
            return self.encrypt_tokens(org_id, tokenset, now)
        # Xero always rotates (§1.2); should it ever not, the old refresh token stays in use.
        assert leased.refresh_token_enc is not None
        return EncryptedTokens(
            access_token=self._cipher.encrypt(tokenset.access_token.get_secret_value(), org_id=org_id),
            access_token_expires_at=tokenset.expires_at(now),
            refresh_token=leased.refresh_token_enc,
            refresh_token_issued_at=leased.refresh_token_issued_at or now,
        )

    def _access_from(self, item: Connection) -> AccessToken:
        org_id = item.org_id
        assert item.access_token_enc is not None  # checked by _usable_item
        blob = bytes(item.access_token_enc)
        value = self._cached(org_id, blob)
        if value is None:
            value = self._cipher.decrypt(blob, org_id=org_id)
            self._remember(org_id, blob, value)
        assert item.access_token_expires_at is not None
        return AccessToken(
            org_id=org_id,
            value=SecretStr(value),
            tenant_id=item.tenant_id,
            token_version=int(item.token_version),
            expires_at=item.access_token_expires_at,
        )

    def _cached(self, org_id: str, blob: bytes) -> str | None:
        with self._decrypted_lock:
            value = self._decrypted.get((org_id, blob))
            if value is not None:
                self._decrypted.move_to_end((org_id, blob))
            return value

    def _remember(self, org_id: str, blob: bytes, value: str) -> None:
        with self._decrypted_lock:
            self._decrypted[(org_id, bytes(blob))] = value
            while len(self._decrypted) > self._decrypt_cache_size:
                self._decrypted.popitem(last=False)
