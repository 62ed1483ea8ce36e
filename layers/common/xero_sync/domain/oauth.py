"""OAuth 2.0 pieces that need no I/O (F1.1, F1.2, N4): state, PKCE, return URLs, outcomes.

The ``state`` sent to Xero is a random secret; only its SHA-256 is stored, bound to the org and
expiring in minutes, and it is consumed on first use — so a forged, replayed or expired state
finds nothing. PKCE (S256) protects the code even if it leaks from the redirect.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from xero_sync.models.origins import OriginError, is_local, origin_of, split_url


def new_state() -> str:
    """A fresh, unguessable OAuth ``state`` (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def state_hash(state: str) -> str:
    """What the table stores instead of the state itself."""
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PkcePair:
    verifier: str
    challenge: str


def new_pkce_pair() -> PkcePair:
    """A PKCE verifier (64 chars of the unreserved alphabet, RFC 7636 allows 43–128) and its
    S256 challenge."""
    verifier = secrets.token_urlsafe(48)  # 48 random bytes → 64 URL-safe characters
    return PkcePair(verifier=verifier, challenge=pkce_challenge(verifier))


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class ReturnUrlError(ValueError):
    pass


def check_return_url(url: str, allowed_origins: Collection[str] | None = None) -> str:
    """The host's page the browser goes back to after consent. It must be an absolute http(s)
    URL; plain http only for a local host (the same rule Xero applies to redirect URIs). With
    ``allowed_origins`` (``models/origins.py``), it must also be on one of them: an API key
    must not be able to send the admin's browser anywhere after consent."""
    try:
        parts = split_url(url, "return_url")
    except OriginError as error:
        raise ReturnUrlError(str(error)) from error
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ReturnUrlError("return_url must be an absolute http(s) URL")
    if parts.scheme == "http" and not is_local(parts.hostname):
        raise ReturnUrlError("return_url must use https (plain http is allowed only for localhost)")
    if parts.fragment or url.endswith("#"):
        raise ReturnUrlError("return_url must not contain a fragment (#...)")
    if parts.username is not None or parts.password is not None:
        raise ReturnUrlError("return_url must not contain a user name or password")
    if any(character.isspace() or ord(character) < 0x20 for character in url):
        raise ReturnUrlError("return_url must not contain spaces or control characters")
    if allowed_origins is not None and origin_of(url) not in allowed_origins:
        raise ReturnUrlError(
            f"return_url must be on one of the host's allowed origins; {origin_of(url)} is not one. Add it to the "
            "org's settings (allowed_host_origins), or ask the operator to add it to HOST_APP_ORIGINS"
        )
    return url


class ConnectOutcome(StrEnum):
    """What the host's return page is told (query parameter ``xero_status``)."""

    CONNECTED = "connected"
    CHOOSE_TENANT = "choose_tenant"  # consent covered several tenants: the host shows a picker
    DENIED = "denied"  # the admin pressed Cancel at Xero (error=access_denied)
    FAILED = "failed"  # Xero or the service failed; ``xero_error`` says why


def outcome_url(return_url: str, *, org_id: str, outcome: ConnectOutcome, error: str | None = None) -> str:
    """The host's return URL with the outcome appended to its own query string."""
    parts = urlsplit(return_url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("xero_")]
    query += [("xero_status", outcome.value), ("xero_org_id", org_id)]
    if error:
        query.append(("xero_error", error))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


@dataclass(frozen=True)
class PendingConsent:
    """A consent started for an org and not yet completed (the row behind one OAuth ``state``)."""

    org_id: str
    return_url: str
    redirect_uri: str
    code_verifier_enc: bytes
    expires_at: datetime
