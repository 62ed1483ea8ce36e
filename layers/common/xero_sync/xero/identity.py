"""Xero's identity endpoints over HTTP (xero-facts §1.1): consent URL, code exchange, refresh,
revocation and the ``/connections`` list. No storage here — ``tokens.TokenManager`` decides when
to refresh and stores the results.

The client authenticates to the token and revocation endpoints with HTTP Basic
(``client_id:client_secret``), as Xero's web-app flow documents. ``/connections`` takes only the
Bearer token (no tenant header) and is *not* an Accounting API call, so it does not go through the
per-tenant rate governor.

Nothing in this module logs a token, a code, a code verifier or the client secret; token values
are ``SecretStr`` from the moment they are parsed.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import requests
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from xero_sync.models.credentials import XeroCredentials
from xero_sync.observability import logger
from xero_sync.settings import XeroSettings
from xero_sync.xero.errors import (
    CORRELATION_HEADER,
    XeroOAuthError,
    classify_request_exception,
    classify_response,
    classify_token_response,
)

CONNECT_TIMEOUT_SECONDS = 5.0


class IdClaims(BaseModel):
    """Who consented: the claims of the OpenID ``id_token`` (scopes ``openid profile email``)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    xero_userid: str | None = None
    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    preferred_username: str | None = None
    sub: str | None = None


class TokenSet(BaseModel):
    """The token endpoint's answer (ID-SPEC ``AccessToken``). Token values are secrets.

    Claims are read from the JWT payloads *without* checking their signatures. That is fine
    here: the tokens came straight from Xero's token endpoint over TLS, in answer to a request
    authenticated with our client secret, so their origin is already established; the claims
    are used only as information (which consent, who connected), never to authorise anything;
    and Xero itself verifies the access token on every API call.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    access_token: SecretStr
    refresh_token: SecretStr | None = None
    id_token: SecretStr | None = None
    expires_in: int = Field(gt=0)
    scope: str | None = None
    token_type: str = "Bearer"

    def expires_at(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.expires_in)

    @property
    def authentication_event_id(self) -> str | None:
        """The consent this token set belongs to; the same value as ``authEventId`` on the
        ``/connections`` rows it created (xero-facts §1.5: carried by the access token, not the
        id token — observed, not documented, hence optional)."""
        claims = decode_jwt_payload(self.access_token.get_secret_value())
        value = claims.get("authentication_event_id")
        return str(value) if value else None

    @property
    def id_claims(self) -> IdClaims:
        if self.id_token is None:
            return IdClaims()
        return IdClaims.model_validate(decode_jwt_payload(self.id_token.get_secret_value()))


class XeroConnection(BaseModel):
    """One row of ``GET /connections``: a tenant the app may call (ID-SPEC ``Connection``)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True, defer_build=True)

    id: str
    tenant_id: str = Field(alias="tenantId")
    tenant_type: str | None = Field(default=None, alias="tenantType")
    tenant_name: str | None = Field(default=None, alias="tenantName")
    auth_event_id: str | None = Field(default=None, alias="authEventId")
    created_date_utc: str | None = Field(default=None, alias="createdDateUtc")
    updated_date_utc: str | None = Field(default=None, alias="updatedDateUtc")


def decode_jwt_payload(token: str) -> dict[str, Any]:
    """The claims of a JWT, or ``{}`` if it is not one. No signature check (see ``TokenSet``)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


class XeroIdentity:
    def __init__(
        self,
        settings: XeroSettings,
        credentials: XeroCredentials,
        session: requests.Session | None = None,
    ) -> None:
        self._settings = settings
        self._credentials = credentials
        self._session = session or requests.Session()
        self._timeout = (min(CONNECT_TIMEOUT_SECONDS, settings.xero_timeout_seconds), settings.xero_timeout_seconds)

    # --- consent ---------------------------------------------------------------------------------

    def authorize_url(
        self,
        *,
        state: str,
        code_challenge: str,
        redirect_uri: str | None = None,
        scopes: str | None = None,
    ) -> str:
        """Xero's consent page for this app, with PKCE (S256). ``redirect_uri`` and ``scopes``
        default to the settings' ``XERO_REDIRECT_URI`` and ``XERO_SCOPES``."""
        redirect_uri = redirect_uri or self._settings.xero_redirect_uri
        if not redirect_uri:
            raise ValueError("redirect_uri is required (XERO_REDIRECT_URI is not set)")
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._credentials.client_id,
                "redirect_uri": redirect_uri,
                "scope": scopes or self._settings.xero_scopes,
                "state": state,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
            },
            quote_via=quote,  # spaces in the scope list as %20, not "+"
        )
        return f"{self._settings.xero_login_url}/identity/connect/authorize?{query}"

    def exchange_code(self, code: str, code_verifier: str, redirect_uri: str | None = None) -> TokenSet:
        redirect_uri = redirect_uri or self._settings.xero_redirect_uri
        if not redirect_uri:
            raise ValueError("redirect_uri is required (XERO_REDIRECT_URI is not set)")
        return self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    def refresh(self, refresh_token: str | SecretStr) -> TokenSet:
        """Spend a refresh token. Xero rotates it: the answer holds a new one (xero-facts §1.2)."""
        return self._token_request({"grant_type": "refresh_token", "refresh_token": _reveal(refresh_token)})

    def revoke(self, refresh_token: str | SecretStr) -> None:
        """Revoke the token set; this removes *all* of that user's connections to the app."""
        response = self._post_form(
            f"{self._settings.xero_identity_url}/connect/revocation",
            {"token": _reveal(refresh_token)},
            operation="revocation",
        )
        classify_token_response(response)

    # --- connections -------------------------------------------------------------------------------

    def list_connections(self, access_token: str | SecretStr, auth_event_id: str | None = None) -> list[XeroConnection]:
        params = {"authEventId": auth_event_id} if auth_event_id else None
        response = self._send(
            "GET",
            f"{self._settings.xero_api_url}/connections",
            headers=self._bearer(access_token),
            params=params,
            operation="connections.list",
        )
        classify_response(response, method="GET")
        return [XeroConnection.model_validate(row) for row in response.json() or []]

    def delete_connection(self, access_token: str | SecretStr, connection_id: str) -> None:
        """Delete one connection by its *connection* id (not the tenant id, xero-facts §1.1)."""
        response = self._send(
            "DELETE",
            f"{self._settings.xero_api_url}/connections/{quote(connection_id, safe='')}",
            headers=self._bearer(access_token),
            operation="connections.delete",
        )
        classify_response(response, method="DELETE")

    # --- helpers -------------------------------------------------------------------------------------

    def _token_request(self, form: dict[str, str]) -> TokenSet:
        response = self._post_form(
            f"{self._settings.xero_identity_url}/connect/token", form, operation=f"token.{form['grant_type']}"
        )
        classify_token_response(response)
        try:
            return TokenSet.model_validate(response.json())
        except (ValueError, ValidationError) as error:
            # pydantic's message quotes the input — the tokens. Name only the bad fields.
            fields = sorted({str(e["loc"][0]) for e in error.errors()}) if isinstance(error, ValidationError) else []
            raise XeroOAuthError(
                "invalid_token_response",
                f"unexpected token response (fields: {', '.join(fields) or 'not JSON'})",
                status=response.status_code,
                correlation_id=response.headers.get(CORRELATION_HEADER),
            ) from None

    def _post_form(self, url: str, form: dict[str, str], *, operation: str) -> requests.Response:
        return self._send(
            "POST",
            url,
            data=form,
            auth=(self._credentials.client_id, self._credentials.client_secret.get_secret_value()),
            headers={"Accept": "application/json"},
            operation=operation,
        )

    def _send(self, method: str, url: str, *, operation: str, **kwargs: Any) -> requests.Response:
        started = time.perf_counter()
        try:
            response = self._session.request(method, url, timeout=self._timeout, **kwargs)
        except requests.RequestException as error:
            logger.warning("Xero identity call failed", extra={"operation": operation, "error": type(error).__name__})
            raise classify_request_exception(error, method=method) from error
        logger.info(
            "Xero identity call",
            extra={
                "operation": operation,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "xero_correlation_id": response.headers.get(CORRELATION_HEADER),
            },
        )
        return response

    @staticmethod
    def _bearer(access_token: str | SecretStr) -> dict[str, str]:
        return {"Authorization": f"Bearer {_reveal(access_token)}", "Accept": "application/json"}


def _reveal(value: str | SecretStr) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else value
