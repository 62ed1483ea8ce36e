"""Xero's identity endpoints (xero-facts §1): the consent page, the token and revocation endpoints,
and the connections API. Paths are Xero's, so ``XERO_LOGIN_URL``, ``XERO_IDENTITY_URL`` and
``XERO_API_URL`` can all point at the emulator.

  GET  /identity/connect/authorize          consent page (or an immediate redirect with --auto-consent)
  POST /identity/connect/authorize/consent  the consent form's answer
  POST /connect/token                       authorization_code and refresh_token grants
  POST /connect/revocation                  revoke a refresh token (and the user's connections)
  GET  /connections[?authEventId=]          DELETE /connections/{id}
  GET  /.well-known/openid-configuration[/jwks]
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, redirect, request

from .scopes import check_requested_scopes, parse_scope
from .state import Client, Connection, EmulatorState
from .tokens import AccessTokenRecord, TokenError
from .wire import authenticate_bearer, connection_datetime, current_state, json_response

blueprint = Blueprint("identity", __name__)

_PKCE_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url(SHA-256) without padding


@dataclass
class PendingAuthorization:
    """An authorize request waiting for the user's answer on the consent page."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None
    created_at: datetime


# --- authorize + consent ---------------------------------------------------------------------


def _redirect_with(redirect_uri: str, params: dict[str, str | None]) -> Response:
    """Redirect to ``redirect_uri`` with ``params`` added to its query (keeping its own query)."""
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return redirect(urlunsplit(parts._replace(query=urlencode(query))), code=302)


def _error_page(title: str, message: str, status: int = 400) -> Response:
    """Xero shows an error page, and does not redirect, when the client or redirect_uri is wrong
    (redirecting would hand an error to an address nobody registered)."""
    body = (
        "<!doctype html><html><head><title>Xero | Error</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p></body></html>"
    )
    return Response(body, status=status, content_type="text/html; charset=utf-8")


def _consent_page(state: EmulatorState, request_id: str, pending: PendingAuthorization, message: str = "") -> Response:
    client = state.clients[pending.client_id]
    user = state.default_user
    with state.lock:
        tenants = list(state.tenants.values())
    rows = "".join(
        f'<li><label><input type="checkbox" name="tenant_id" value="{html.escape(t.tenant_id)}"'
        f"{' checked' if i == 0 else ''}> {html.escape(t.name)}</label></li>"
        for i, t in enumerate(tenants)
    )
    scopes = "".join(f"<li>{html.escape(s)}</li>" for s in pending.scopes)
    notice = f'<p class="error">{html.escape(message)}</p>' if message else ""
    body = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Xero | Authorise {html.escape(client.name)}</title></head>
<body>
<h1>{html.escape(client.name)} wants to access your Xero organisations</h1>
<p>Signed in as {html.escape(user.email)}</p>
{notice}
<form method="post" action="/identity/connect/authorize/consent">
<input type="hidden" name="request_id" value="{html.escape(request_id)}">
<h2>Organisations</h2><ul>{rows}</ul>
<h2>Permissions</h2><ul>{scopes}</ul>
<button type="submit" name="action" value="allow">Allow access</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>
</body></html>"""
    return Response(body, status=200, content_type="text/html; charset=utf-8")


def _grant_consent(state: EmulatorState, pending: PendingAuthorization, tenant_ids: list[str]) -> Response:
    user = state.default_user
    auth_event_id = str(uuid.uuid4())
    state.connect(pending.client_id, user.xero_userid, tenant_ids, auth_event_id)
    code = state.tokens.issue_code(
        pending.client_id,
        pending.redirect_uri,
        user.xero_userid,
        pending.scopes,
        auth_event_id,
        pending.code_challenge,
        state.clock.now(),
    )
    return _redirect_with(
        pending.redirect_uri,
        {
            "code": code,
            "scope": " ".join(pending.scopes),
            "state": pending.state,
            "session_state": secrets.token_hex(16),
        },
    )


@blueprint.get("/identity/connect/authorize")
def authorize() -> Response:
    state = current_state()
    args = request.args
    client = state.clients.get(args.get("client_id", ""))
    if client is None:
        return _error_page("unauthorized_client", "Unknown client or client not enabled")
    redirect_uri = args.get("redirect_uri", "")
    if not client.accepts_redirect(redirect_uri):
        return _error_page("Invalid redirect_uri", "The redirect_uri is not registered for this app")
    oauth_state = args.get("state")
    if args.get("response_type") != "code":
        return _redirect_with(redirect_uri, {"error": "unsupported_response_type", "state": oauth_state})
    scopes = parse_scope(args.get("scope"))
    problem = check_requested_scopes(scopes, state.options.granular_only)
    if problem is not None:
        return _redirect_with(redirect_uri, {"error": "invalid_scope", "state": oauth_state})
    challenge = args.get("code_challenge")
    if challenge is not None:
        # Xero supports S256 only (xero-facts §1.3).
        if args.get("code_challenge_method") != "S256" or not _PKCE_CHALLENGE.match(challenge):
            return _redirect_with(redirect_uri, {"error": "invalid_request", "state": oauth_state})
    pending = PendingAuthorization(client.client_id, redirect_uri, scopes, oauth_state, challenge, state.clock.now())
    if state.options.auto_consent:
        return _grant_consent(state, pending, list(state.start_tenant_ids))
    request_id = secrets.token_urlsafe(24)
    with state.lock:
        state.pending_authorizations[request_id] = pending
    return _consent_page(state, request_id, pending)


@blueprint.post("/identity/connect/authorize/consent")
def consent() -> Response:
    state = current_state()
    request_id = request.form.get("request_id", "")
    with state.lock:
        pending: PendingAuthorization | None = state.pending_authorizations.get(request_id)
    if pending is None:
        return _error_page("Expired", "This authorisation request has expired or was already answered")
    if request.form.get("action") != "allow":
        with state.lock:
            state.pending_authorizations.pop(request_id, None)
        return _redirect_with(pending.redirect_uri, {"error": "access_denied", "state": pending.state})
    tenant_ids = [t for t in request.form.getlist("tenant_id") if state.tenant(t) is not None]
    if not tenant_ids:
        return _consent_page(state, request_id, pending, "Select at least one organisation")
    with state.lock:
        state.pending_authorizations.pop(request_id, None)
    return _grant_consent(state, pending, tenant_ids)


# --- token and revocation --------------------------------------------------------------------


def _token_error(error: TokenError) -> Response:
    return json_response({"error": error.error}, error.status, {"Cache-Control": "no-store", "Pragma": "no-cache"})


def _authenticate_client(state: EmulatorState) -> Client | TokenError:
    """Client authentication by HTTP Basic or by client_id/client_secret in the form body
    (both work at Xero, xero-facts §1.1). The secret is compared in constant time."""
    client_id = client_secret = None
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return TokenError("invalid_client", 401)
        raw_id, _, raw_secret = decoded.partition(":")
        client_id, client_secret = unquote(raw_id), unquote(raw_secret)
    else:
        client_id = request.form.get("client_id")
        client_secret = request.form.get("client_secret")
    client = state.clients.get(client_id or "")
    if (
        client is None
        or client_secret is None
        or not secrets.compare_digest(client.client_secret.encode(), client_secret.encode())
    ):
        return TokenError("invalid_client", 401)
    return client


def _is_form_post() -> bool:
    return request.mimetype == "application/x-www-form-urlencoded"


@blueprint.post("/connect/token")
def token() -> Response:
    state = current_state()
    if not _is_form_post():
        return _token_error(TokenError("invalid_request"))
    client = _authenticate_client(state)
    if isinstance(client, TokenError):
        return _token_error(client)
    now = state.clock.now()
    grant_type = request.form.get("grant_type")
    if grant_type == "authorization_code":
        code = request.form.get("code")
        if not code:
            return _token_error(TokenError("invalid_request"))
        user = state.default_user
        result = state.tokens.exchange_code(
            client.client_id,
            code,
            request.form.get("redirect_uri", ""),
            request.form.get("code_verifier"),
            user,
            now,
        )
        if isinstance(result, TokenError):
            return _token_error(result)
        state.count_code_exchange(client.client_id)
        return json_response(result, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"})
    if grant_type == "refresh_token":
        refresh_token = request.form.get("refresh_token")
        if not refresh_token:
            return _token_error(TokenError("invalid_request"))
        # A ``scope`` parameter (the SDK sends one) is ignored: the rotated set keeps the
        # scopes of the consent.
        refreshed = state.tokens.refresh(client.client_id, refresh_token, state.user, now)
        if isinstance(refreshed, TokenError):
            return _token_error(refreshed)
        token_set, grant = refreshed
        state.count_refresh(client.client_id, grant.user_id)
        return json_response(token_set, 200, {"Cache-Control": "no-store", "Pragma": "no-cache"})
    if grant_type == "client_credentials":
        # Only for paid Custom Connections (xero-facts §1.1) — not our multi-tenant app.
        return _token_error(TokenError("unauthorized_client"))
    return _token_error(TokenError("unsupported_grant_type"))


@blueprint.post("/connect/revocation")
def revocation() -> Response:
    """Revoking a refresh token revokes the user's token sets for this app and removes all of
    the user's connections to it (xero-facts §1.1). Unknown tokens get 200 (RFC 7009 §2.2)."""
    state = current_state()
    if not _is_form_post():
        return _token_error(TokenError("invalid_request"))
    client = _authenticate_client(state)
    if isinstance(client, TokenError):
        return _token_error(client)
    token_value = request.form.get("token")
    if not token_value:
        return _token_error(TokenError("invalid_request"))
    grant = state.tokens.grant_for_refresh_token(token_value)
    if grant is not None and grant.client_id == client.client_id:
        state.tokens.revoke_user_grants(client.client_id, grant.user_id)
        state.remove_user_connections(client.client_id, grant.user_id)
    return Response("", status=200)


# --- connections -----------------------------------------------------------------------------


def _connection_json(state: EmulatorState, connection: Connection) -> dict[str, object]:
    tenant = state.tenant(connection.tenant_id)
    return {
        "id": connection.id,
        "authEventId": connection.auth_event_id,
        "tenantId": connection.tenant_id,
        "tenantType": tenant.tenant_type if tenant else "ORGANISATION",
        "tenantName": tenant.name if tenant else None,
        "createdDateUtc": connection_datetime(connection.created_at),
        "updatedDateUtc": connection_datetime(connection.updated_at),
    }


def _bearer(state: EmulatorState) -> AccessTokenRecord | Response:
    return authenticate_bearer(state, request.headers.get("Authorization"), state.clock.now())


# Xero serves /connections; the OpenAPI document (and the SDK) write /Connections. Both work.
@blueprint.get("/connections")
@blueprint.get("/Connections")
def list_connections() -> Response:
    state = current_state()
    caller = _bearer(state)
    if isinstance(caller, Response):
        return caller
    auth_event_id = request.args.get("authEventId")
    rows = [
        _connection_json(state, c)
        for c in state.connections_of(caller.client_id, caller.user_id)
        if auth_event_id is None or c.auth_event_id == auth_event_id
    ]
    return json_response(rows)


@blueprint.delete("/connections/<connection_id>")
@blueprint.delete("/Connections/<connection_id>")
def delete_connection(connection_id: str) -> Response:
    state = current_state()
    caller = _bearer(state)
    if isinstance(caller, Response):
        return caller
    if not state.delete_connection(connection_id, caller.client_id, caller.user_id):
        return Response("", status=404)
    return Response("", status=204)


# --- OpenID discovery (so a client can check id_token signatures) ----------------------------


@blueprint.get("/.well-known/openid-configuration")
def openid_configuration() -> Response:
    state = current_state()
    base = state.base_url
    return json_response(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/identity/connect/authorize",
            "token_endpoint": f"{base}/connect/token",
            "revocation_endpoint": f"{base}/connect/revocation",
            "jwks_uri": f"{base}/.well-known/openid-configuration/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
        }
    )


@blueprint.get("/.well-known/openid-configuration/jwks")
def jwks() -> Response:
    return json_response(current_state().signer.jwks())
