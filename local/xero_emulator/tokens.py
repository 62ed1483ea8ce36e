"""OAuth 2.0 tokens as Xero issues them (xero-facts §1.1–§1.3).

* Authorization codes: single use, 5 minutes (emulated clock; Xero's own lifetime is
  UNCONFIRMED), bound to client and redirect_uri, PKCE S256 checked when a challenge was sent.
* Access tokens: 1800 s, RS256 JWTs with Xero's claims (nbf, exp, iss, aud, client_id, sub,
  auth_time, xero_userid, global_session_id, sid, jti, authentication_event_id, scope). The
  emulator remembers every token it issued, so a revoked token is refused although its signature
  is still valid.
* Refresh tokens (only with ``offline_access``): rotated on every use. A superseded refresh token
  stays usable for 30 minutes after it was superseded (the grace period for a lost response);
  using it inside the grace period is a normal refresh: it returns a *fresh* token set and the
  newly issued refresh token becomes the current one (the one it replaced also gets its 30 minutes
  of grace), so whichever response the client keeps, its chain stays valid. After the grace
  period → ``invalid_grant``. A refresh token that is never used expires 60 days after issue.
* id_token (only with ``openid``): ``email`` claim with the ``email`` scope, names with ``profile``.
* Revocation (``token`` = a refresh token) revokes every token set of that user for that app.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .scopes import OFFLINE_ACCESS

ACCESS_TOKEN_LIFETIME = timedelta(seconds=1800)
ID_TOKEN_LIFETIME = timedelta(minutes=5)
CODE_LIFETIME = timedelta(minutes=5)
REFRESH_GRACE = timedelta(minutes=30)
REFRESH_UNUSED_LIFETIME = timedelta(days=60)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pkce_challenge(verifier: str) -> str:
    """S256: base64url(SHA-256(code_verifier)) without padding (RFC 7636)."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


class JwtSigner:
    """Signs JWTs with an RSA key made at start-up; the public half is served as a JWKS."""

    def __init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(16).upper()

    def sign(self, claims: dict[str, object]) -> str:
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT", "x5t": self.kid[:27]}
        encoded_header = b64url(json.dumps(header, separators=(",", ":")).encode())
        encoded_claims = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{encoded_header}.{encoded_claims}"
        signature = self._key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"

    def jwks(self) -> dict[str, object]:
        numbers = self._key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": self.kid,
                    "e": b64url(numbers.e.to_bytes(3, "big")),
                    "n": b64url(numbers.n.to_bytes(256, "big")),
                }
            ]
        }


def decode_jwt_claims(token: str) -> dict[str, object]:
    """The payload of a JWT, unverified (tests and debugging)."""
    return json.loads(b64url_decode(token.split(".")[1]))


@dataclass
class User:
    xero_userid: str  # UUID
    sub: str  # 32 hex chars, as in Xero's tokens
    email: str
    given_name: str
    family_name: str


@dataclass
class Grant:
    """One consent of one user to one app: the family of tokens that share an authEventId."""

    id: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    auth_event_id: str
    auth_time: datetime
    global_session_id: str = field(default_factory=lambda: secrets.token_hex(16))
    revoked: bool = False


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    user_id: str
    scopes: tuple[str, ...]
    auth_event_id: str
    code_challenge: str | None
    expires_at: datetime
    used: bool = False


@dataclass
class RefreshTokenRecord:
    token: str
    grant_id: str
    issued_at: datetime
    superseded_at: datetime | None = None

    def usable_until(self) -> datetime:
        if self.superseded_at is not None:
            return min(self.superseded_at + REFRESH_GRACE, self.issued_at + REFRESH_UNUSED_LIFETIME)
        return self.issued_at + REFRESH_UNUSED_LIFETIME


@dataclass
class AccessTokenRecord:
    jti: str
    grant_id: str
    client_id: str
    user_id: str
    scopes: frozenset[str]
    auth_event_id: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenError:
    """An OAuth error answer of the token/revocation endpoints: ``{"error": error}``."""

    error: str
    status: int = 400


@dataclass(frozen=True)
class AuthFailure:
    """Why a bearer token was refused: "expired" (with when) or "invalid"."""

    reason: str
    expired_at: datetime | None = None


class TokenService:
    def __init__(self, signer: JwtSigner, issuer: str) -> None:
        self._lock = threading.Lock()
        self._signer = signer
        self.issuer = issuer
        self._codes: dict[str, AuthorizationCode] = {}
        self._grants: dict[str, Grant] = {}
        self._refresh_tokens: dict[str, RefreshTokenRecord] = {}
        self._current_refresh: dict[str, str] = {}  # grant id → its current refresh token
        self._access_tokens: dict[str, AccessTokenRecord] = {}  # access token string → record

    # --- authorization codes -------------------------------------------------------------

    def issue_code(
        self,
        client_id: str,
        redirect_uri: str,
        user_id: str,
        scopes: list[str],
        auth_event_id: str,
        code_challenge: str | None,
        now: datetime,
    ) -> str:
        code = secrets.token_hex(32).upper()
        with self._lock:
            self._codes[code] = AuthorizationCode(
                code,
                client_id,
                redirect_uri,
                user_id,
                tuple(scopes),
                auth_event_id,
                code_challenge,
                now + CODE_LIFETIME,
            )
        return code

    def exchange_code(
        self, client_id: str, code: str, redirect_uri: str, code_verifier: str | None, user: User, now: datetime
    ) -> dict[str, object] | TokenError:
        with self._lock:
            record = self._codes.get(code)
            if record is None or record.used or now >= record.expires_at:
                return TokenError("invalid_grant")
            if record.client_id != client_id or record.redirect_uri != redirect_uri:
                return TokenError("invalid_grant")
            if record.code_challenge is not None:
                if not code_verifier or pkce_challenge(code_verifier) != record.code_challenge:
                    return TokenError("invalid_grant")
            record.used = True  # single use, also when the exchange below fails
            grant = Grant(str(uuid.uuid4()), client_id, record.user_id, record.scopes, record.auth_event_id, now)
            self._grants[grant.id] = grant
            return self._issue_token_set(grant, user, now)

    # --- refresh --------------------------------------------------------------------------

    def refresh(
        self, client_id: str, refresh_token: str, user_for: Callable[[str], User], now: datetime
    ) -> tuple[dict[str, object], Grant] | TokenError:
        with self._lock:
            record = self._refresh_tokens.get(refresh_token)
            if record is None:
                return TokenError("invalid_grant")
            grant = self._grants[record.grant_id]
            if grant.revoked or grant.client_id != client_id or now >= record.usable_until():
                return TokenError("invalid_grant")
            # Rotate: whatever token was current for this grant is now superseded (its grace
            # period starts now); so is the token just used, if it was the current one.
            current = self._current_refresh.get(grant.id)
            if current is not None:
                current_record = self._refresh_tokens[current]
                if current_record.superseded_at is None:
                    current_record.superseded_at = now
            if record.superseded_at is None:
                record.superseded_at = now
            return self._issue_token_set(grant, user_for(grant.user_id), now), grant

    # --- revocation -----------------------------------------------------------------------

    def grant_for_refresh_token(self, refresh_token: str) -> Grant | None:
        with self._lock:
            record = self._refresh_tokens.get(refresh_token)
            return self._grants.get(record.grant_id) if record else None

    def revoke_user_grants(self, client_id: str, user_id: str) -> int:
        """Revoke every token set ``user_id`` holds for ``client_id``; returns how many."""
        with self._lock:
            revoked = 0
            for grant in self._grants.values():
                if grant.client_id == client_id and grant.user_id == user_id and not grant.revoked:
                    grant.revoked = True
                    revoked += 1
            return revoked

    # --- access tokens --------------------------------------------------------------------

    def authenticate(self, bearer: str, now: datetime) -> AccessTokenRecord | AuthFailure:
        with self._lock:
            record = self._access_tokens.get(bearer)
            if record is None:
                return AuthFailure("invalid")
            if self._grants[record.grant_id].revoked:
                return AuthFailure("invalid")
            if now >= record.expires_at:
                return AuthFailure("expired", record.expires_at)
            return record

    # --- internals ------------------------------------------------------------------------

    def _issue_token_set(self, grant: Grant, user: User, now: datetime) -> dict[str, object]:
        """Caller holds the lock."""
        expires_at = now + ACCESS_TOKEN_LIFETIME
        jti = secrets.token_hex(16).upper()
        access_claims = {
            "nbf": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "iss": self.issuer,
            "aud": f"{self.issuer}/resources",
            "client_id": grant.client_id,
            "sub": user.sub,
            "auth_time": int(grant.auth_time.timestamp()),
            "xero_userid": user.xero_userid,
            "global_session_id": grant.global_session_id,
            "sid": grant.global_session_id,
            "jti": jti,
            "authentication_event_id": grant.auth_event_id,
            "scope": list(grant.scopes),
            "amr": ["pwd"],
        }
        access_token = self._signer.sign(access_claims)
        self._access_tokens[access_token] = AccessTokenRecord(
            jti, grant.id, grant.client_id, grant.user_id, frozenset(grant.scopes), grant.auth_event_id, expires_at
        )
        # Field order and names as xero-identity.yaml schema AccessToken (+ scope, xero-facts §1.1).
        response: dict[str, object] = {}
        if "openid" in grant.scopes:
            response["id_token"] = self._id_token(grant, user, access_token, now)
        response.update(
            {
                "access_token": access_token,
                "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
                "token_type": "Bearer",
            }
        )
        if OFFLINE_ACCESS in grant.scopes:
            refresh_token = secrets.token_hex(32)
            self._refresh_tokens[refresh_token] = RefreshTokenRecord(refresh_token, grant.id, now)
            self._current_refresh[grant.id] = refresh_token
            response["refresh_token"] = refresh_token
        response["scope"] = " ".join(grant.scopes)
        return response

    def _id_token(self, grant: Grant, user: User, access_token: str, now: datetime) -> str:
        at_digest = hashlib.sha256(access_token.encode("ascii")).digest()
        claims: dict[str, object] = {
            "nbf": int(now.timestamp()),
            "exp": int((now + ID_TOKEN_LIFETIME).timestamp()),
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": int(now.timestamp()),
            "at_hash": b64url(at_digest[:16]),
            "sid": grant.global_session_id,
            "sub": user.sub,
            "auth_time": int(grant.auth_time.timestamp()),
            "xero_userid": user.xero_userid,
            "global_session_id": grant.global_session_id,
        }
        if "email" in grant.scopes:
            claims["preferred_username"] = user.email
            claims["email"] = user.email
        if "profile" in grant.scopes:
            claims["given_name"] = user.given_name
            claims["family_name"] = user.family_name
        return self._signer.sign(claims)
