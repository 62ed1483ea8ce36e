"""Connect, callback and the admin's connection actions (F1.1–F1.5).

Orchestrates the pure rules (domain/oauth.py, domain/connection.py) with the adapters it is
given: the repositories, the token cipher, Xero's identity endpoints and the token manager.
Nothing here reads the environment or the clock directly.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from xero_sync.clock import Clock
from xero_sync.domain import oauth
from xero_sync.domain.connection import (
    Connection,
    ConnectionActionError,
    ConnectionStatus,
    TenantRef,
    check_can_choose_tenant,
    check_can_disable,
    check_can_enable,
)
from xero_sync.domain.errors import ConditionFailed
from xero_sync.domain.sharing import XeroRelease
from xero_sync.models.api import ConnectionView, ConnectResponse, TenantView
from xero_sync.observability import logger
from xero_sync.services.errors import Conflict, InvalidInput, NotFound
from xero_sync.services.history import connection_event
from xero_sync.services.ports import Cipher, ConnectionStore, HistoryStore, OAuthStateStore
from xero_sync.services.release import XeroReleaser
from xero_sync.xero.errors import XeroError

# --- what the service needs from its adapters -------------------------------------------------


class Identity(Protocol):
    def authorize_url(self, *, state: str, code_challenge: str, redirect_uri: str, scopes: str) -> str: ...
    def exchange_code(self, code: str, code_verifier: str, redirect_uri: str): ...
    def list_connections(self, access_token: str, auth_event_id: str | None = None) -> list: ...
    def delete_connection(self, access_token: str, connection_id: str) -> None: ...
    def revoke(self, refresh_token: str) -> None: ...


class Tokens(Protocol):
    def encrypt_tokens(self, org_id: str, token_set, now: datetime): ...
    def access_token(self, org_id: str): ...
    def refresh_token_for_revocation(self, org_id: str): ...


ReturnOrigins = Callable[[str], Collection[str]]
"""The origins an org's ``return_url`` may be on (the deployment's host app and the org's own)."""


def _no_origins(org_id: str) -> Collection[str]:
    return ()


ConnectedHook = Callable[[str, datetime], object]
"""Called after an org becomes connected to a tenant (e.g. import Xero's reference data,
schedule the first sync). A failing hook is logged and recorded; it never undoes the connect."""


# --- callback outcome -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackResult:
    """Either a redirect back to the host, or (when the state is unknown, so we cannot know
    where to send the browser) a short page."""

    status_code: int
    location: str | None = None
    page: str | None = None


def _page(title: str, message: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>"
        f"{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(message)}</p></body></html>"
    )


@dataclass
class ConnectService:
    connections: ConnectionStore
    states: OAuthStateStore
    history: HistoryStore
    cipher: Cipher
    identity: Identity
    tokens: Tokens
    clock: Clock
    scopes: str
    state_ttl: timedelta = timedelta(minutes=10)
    on_connected: Sequence[ConnectedHook] = field(default_factory=tuple)
    return_origins: ReturnOrigins = _no_origins  # none configured: no return_url is allowed

    # --- F1.1: start ------------------------------------------------------------------------

    def start(
        self, org_id: str, *, return_url: str, redirect_uri: str, own_origin: str | None = None
    ) -> ConnectResponse:
        """``own_origin``: the deployment's own origin, for a connect started by its own pages (the
        console returns to itself); the host API never passes it."""
        try:
            oauth.check_return_url(return_url)  # the URL's own rules first: they need no read
            allowed = {*self.return_origins(org_id), *([own_origin] if own_origin else [])}
            oauth.check_return_url(return_url, allowed)
        except oauth.ReturnUrlError as error:
            raise InvalidInput.of_field("return_url", str(error)) from error
        now = self.clock()
        state = oauth.new_state()
        pkce = oauth.new_pkce_pair()
        self.states.put(
            state_hash=oauth.state_hash(state),
            org_id=org_id,
            return_url=return_url,
            redirect_uri=redirect_uri,
            code_verifier_enc=self.cipher.encrypt(pkce.verifier, org_id=org_id),
            now=now,
            ttl=self.state_ttl,
        )
        url = self.identity.authorize_url(
            state=state, code_challenge=pkce.challenge, redirect_uri=redirect_uri, scopes=self.scopes
        )
        return ConnectResponse(authorize_url=url, expires_at=now + self.state_ttl)

    # --- F1.2: callback -----------------------------------------------------------------------

    def complete(
        self, *, state: str | None, code: str | None, error: str | None, error_description: str | None = None
    ) -> CallbackResult:
        if not state:
            return CallbackResult(
                400,
                page=_page(
                    "Link not valid", "This Xero sign-in link is incomplete. Start again from the integration settings."
                ),
            )
        pending = self.states.consume(oauth.state_hash(state))
        if pending is None:
            # Forged, replayed or long-expired: we do not know the org, so we store nothing and
            # cannot redirect anywhere trustworthy.
            logger.warning("OAuth callback with an unknown or already used state")
            return CallbackResult(
                400,
                page=_page(
                    "Link already used or not valid",
                    "This Xero sign-in link has already been used or is not valid. "
                    "Start again from the integration settings.",
                ),
            )
        org_id = pending.org_id
        now = self.clock()

        def back(outcome: oauth.ConnectOutcome, error_code: str | None = None) -> CallbackResult:
            return CallbackResult(
                302, location=oauth.outcome_url(pending.return_url, org_id=org_id, outcome=outcome, error=error_code)
            )

        if pending.expires_at <= now:
            self._record(
                org_id,
                now,
                "connect",
                "failed",
                "The consent link expired before the admin returned from Xero.",
                "state_expired",
            )
            return back(oauth.ConnectOutcome.FAILED, "state_expired")
        if error:
            if error == "access_denied":
                self._record(
                    org_id, now, "connect", "failed", "The admin cancelled at Xero's consent page.", "access_denied"
                )
                return back(oauth.ConnectOutcome.DENIED)
            self._record(org_id, now, "connect", "failed", f"Xero returned error {error!r}.", error[:64])
            return back(oauth.ConnectOutcome.FAILED, error[:64])
        if not code:
            return back(oauth.ConnectOutcome.FAILED, "missing_code")

        try:
            verifier = self.cipher.decrypt(pending.code_verifier_enc, org_id=org_id)
            token_set = self.identity.exchange_code(code, verifier, pending.redirect_uri)
            tenants = self._tenants_of(token_set)
        except XeroError as failure:
            logger.warning("Xero code exchange failed", extra={"org_id": org_id, "error": type(failure).__name__})
            self._record(
                org_id, now, "connect", "failed", f"Xero refused the sign-in: {failure}", "code_exchange_failed"
            )
            return back(oauth.ConnectOutcome.FAILED, "code_exchange_failed")
        if not tenants:
            self._record(
                org_id, now, "connect", "failed", "The consent did not include any Xero organisation.", "no_tenant"
            )
            return back(oauth.ConnectOutcome.FAILED, "no_tenant")

        previous = self.connections.get(org_id)
        chosen = self._pick_tenant(tenants, previous)
        claims = token_set.id_claims
        self.connections.save_consent(
            org_id,
            tenants=tenants,
            chosen=chosen,
            auth_event_id=token_set.authentication_event_id,
            scopes=token_set.scope,
            connected_by_email=claims.email if claims else None,
            connected_by_user_id=claims.xero_userid if claims else None,
            tokens=self.tokens.encrypt_tokens(org_id, token_set, now),
            now=now,
        )
        if chosen is None:
            self._record(
                org_id, now, "connect", "succeeded", f"Connected; {len(tenants)} Xero organisations to choose from."
            )
            return back(oauth.ConnectOutcome.CHOOSE_TENANT)
        self._record(
            org_id,
            now,
            "connect",
            "succeeded",
            f"Connected to {chosen.tenant_name or chosen.tenant_id}.{self._shared_note(org_id)}",
        )
        self._connected(org_id, now)
        return back(oauth.ConnectOutcome.CONNECTED)

    def _tenants_of(self, token_set) -> list[TenantRef]:
        access_token = token_set.access_token.get_secret_value()
        rows = self.identity.list_connections(access_token, token_set.authentication_event_id)
        if not rows:
            # Older consents may not carry the event id on every row: fall back to all rows.
            rows = self.identity.list_connections(access_token)
        return [
            TenantRef(
                tenant_id=row.tenant_id,
                connection_id=row.id,
                tenant_name=row.tenant_name,
                tenant_type=row.tenant_type,
            )
            for row in rows
        ]

    @staticmethod
    def _pick_tenant(tenants: list[TenantRef], previous: Connection | None) -> TenantRef | None:
        """One tenant: that one. Several: the one this org used before (a reconnect resumes
        where it left off, F1.5); otherwise the host must choose (F1.3)."""
        if len(tenants) == 1:
            return tenants[0]
        if previous is not None and previous.tenant_id:
            for tenant in tenants:
                if tenant.tenant_id == previous.tenant_id:
                    return tenant
        return None

    # --- status and F1.3 ----------------------------------------------------------------------

    def status(self, org_id: str) -> ConnectionView:
        item = self.connections.get(org_id)
        if item is None:
            return connection_view(Connection(org_id=org_id))
        view = connection_view(item)
        view.shared_tenant = self._others_on_tenant(item) > 0
        return view

    def choose_tenant(self, org_id: str, tenant_id: str) -> ConnectionView:
        item = self._existing(org_id)
        self._check(check_can_choose_tenant, item)
        tenant = next((t for t in item.tenants or [] if t.tenant_id == tenant_id), None)
        if tenant is None:
            raise InvalidInput.of_field("tenant_id", "tenant_id is not one of the tenants this org's consent covered")
        now = self.clock()
        ref = TenantRef(tenant.tenant_id, tenant.connection_id, tenant.tenant_name, tenant.tenant_type)
        try:
            updated = self.connections.choose_tenant(org_id, ref, now)
        except ConditionFailed as error:
            raise Conflict("the connection changed meanwhile; read it again and retry") from error
        self._record(
            org_id,
            now,
            "choose_tenant",
            "succeeded",
            f"Syncing with {ref.tenant_name or ref.tenant_id}.{self._shared_note(org_id)}",
        )
        if updated.syncs:
            self._connected(org_id, now)
            return self.status(org_id)  # read again: the after-connect steps scheduled a sync
        return connection_view(updated)

    # --- F1.5: disable / enable / reset / delete ---------------------------------------------

    def disable(self, org_id: str) -> ConnectionView:
        item = self._existing(org_id)
        self._check(check_can_disable, item)
        now = self.clock()
        updated = self._set_status(org_id, ConnectionStatus.DISABLED, [ConnectionStatus.CONNECTED], now)
        self._record(
            org_id,
            now,
            "disable",
            "succeeded",
            "Integration disabled: nothing is exported or imported until it is enabled.",
        )
        return connection_view(updated)

    def enable(self, org_id: str) -> ConnectionView:
        item = self._existing(org_id)
        self._check(check_can_enable, item)
        now = self.clock()
        self._set_status(org_id, ConnectionStatus.CONNECTED, [ConnectionStatus.DISABLED], now)
        self._record(org_id, now, "enable", "succeeded", "Integration enabled.")
        self._connected(org_id, now)
        return self.status(org_id)  # read again: the after-connect steps scheduled a sync

    def reset(self, org_id: str) -> ConnectionView:
        """Switch to another tenant (F1.5): give up the token and the tenant choice. Links made
        in the old tenant stop counting because every link carries its tenant id."""
        self._existing(org_id)
        now = self.clock()
        release = self._release_at_xero(org_id)
        updated = self.connections.reset_tenant(org_id, now)
        self._record(
            org_id,
            now,
            "reset",
            "succeeded",
            f"Connection reset: connect again to choose a Xero organisation. {release.summary()}",
        )
        view = connection_view(updated)
        view.warnings = list(release.warnings)
        return view

    def delete(self, org_id: str) -> ConnectionView:
        """Revoke at Xero and delete the Xero connection; keep history and record links so that
        reconnecting to the same tenant resumes without duplicates (F1.5)."""
        self._existing(org_id)
        now = self.clock()
        release = self._release_at_xero(org_id)
        updated = self.connections.disconnect(org_id, ConnectionStatus.DISCONNECTED, "deleted by the admin", now)
        self._record(
            org_id,
            now,
            "delete",
            "succeeded",
            f"Integration deleted; its history and record links are kept. {release.summary()}",
        )
        view = connection_view(updated)
        view.warnings = list(release.warnings)
        return view

    def release_at_xero(self, org_id: str) -> XeroRelease:
        """Delete the org's Xero connection and revoke its refresh token — each only if no other
        org still needs it (N7, domain/sharing.py) — also for the inactivity checker. Reports
        warnings instead of failing: the admin's intent (stop syncing) wins over a Xero call that
        cannot be completed."""
        return self._release_at_xero(org_id)

    def _release_at_xero(self, org_id: str) -> XeroRelease:
        return self._releaser.release(org_id)

    def _others_on_tenant(self, item: Connection) -> int:
        return self._releaser.others_on_tenant(item)

    @property
    def _releaser(self) -> XeroReleaser:
        return XeroReleaser(self.connections, self.identity, self.tokens)

    def _shared_note(self, org_id: str) -> str:
        """For the history of a connect: the tenant is shared with other orgs of the host."""
        item = self.connections.get(org_id)
        return f" {SHARED_TENANT_NOTE}" if item is not None and self._others_on_tenant(item) else ""

    # --- helpers ------------------------------------------------------------------------------

    def _existing(self, org_id: str) -> Connection:
        item = self.connections.get(org_id)
        if item is None:
            raise NotFound(f"org {org_id} has never connected to Xero")
        return item

    @staticmethod
    def _check(rule: Callable[[ConnectionStatus], None], item: Connection) -> None:
        try:
            rule(item.status)
        except ConnectionActionError as error:
            raise Conflict(str(error)) from error

    def _set_status(
        self, org_id: str, status: ConnectionStatus, allowed_from: list[ConnectionStatus], now: datetime
    ) -> Connection:
        try:
            return self.connections.set_status(org_id, status, allowed_from=allowed_from, now=now)
        except ConditionFailed as error:
            raise Conflict("the connection changed meanwhile; read it again and retry") from error

    def _connected(self, org_id: str, now: datetime) -> None:
        for hook in self.on_connected:
            try:
                hook(org_id, now)
            except Exception as failure:
                logger.exception("After-connect step failed", extra={"org_id": org_id})
                self.connections.record_error(org_id, f"After connecting: {failure}", now)

    def _record(
        self, org_id: str, now: datetime, action: str, outcome: str, message: str, error_code: str | None = None
    ) -> None:
        self.history.append(connection_event(org_id, now, action, message, outcome=outcome, error_code=error_code))


SHARED_TENANT_NOTE = (
    "Another org is also connected to this Xero organisation: the records of both reach the same Xero books "
    "(a contact of the same name is the same Xero contact; invoice and bill numbers must not repeat between "
    "them), and disconnecting one leaves the other connected."
)


def connection_view(item: Connection) -> ConnectionView:
    tenant = (
        TenantView(tenant_id=item.tenant_id, tenant_name=item.tenant_name, tenant_type=item.tenant_type)
        if item.tenant_id
        else None
    )
    return ConnectionView(
        org_id=item.org_id,
        status=item.status,
        tenant=tenant,
        tenants=[
            TenantView(tenant_id=t.tenant_id, tenant_name=t.tenant_name, tenant_type=t.tenant_type)
            for t in item.tenants or []
        ],
        connected_by_email=item.connected_by_email,
        connected_at=item.connected_at,
        last_activity_at=item.last_activity_at,
        last_sync_at=item.last_sync_at,
        next_sync_at=item.next_sync_at,
        last_error=item.last_error,
        last_error_at=item.last_error_at,
        disconnected_at=item.disconnected_at,
        disconnect_reason=item.disconnect_reason,
    )
