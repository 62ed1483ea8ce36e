"""TokenSet claims, the consent URL and the identity requests' shape (fake session, no I/O)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr
from xero_unit_helpers import FakeSession, jwt, make_response, make_settings

from xero_sync.models.credentials import XeroCredentials
from xero_sync.xero.errors import XeroOAuthError, XeroServerError
from xero_sync.xero.identity import TokenSet, XeroIdentity, decode_jwt_payload

ACCESS = jwt({"authentication_event_id": "auth-event-1", "xero_userid": "u-1", "exp": 1_900_000_000})
ID_TOKEN = jwt(
    {"email": "admin@harbour.example", "xero_userid": "u-1", "given_name": "Ana", "family_name": "Ruiz", "sub": "s-1"}
)


def _tokenset(**overrides) -> TokenSet:
    values = dict(access_token=ACCESS, refresh_token="rt-1", id_token=ID_TOKEN, expires_in=1800, scope="offline_access")
    values.update(overrides)
    return TokenSet.model_validate(values)


def _identity(session: FakeSession) -> XeroIdentity:
    credentials = XeroCredentials(client_id="unit-client-id", client_secret=SecretStr("unit-client-secret"))
    return XeroIdentity(make_settings(), credentials, session)  # type: ignore[arg-type]


def test_tokenset_claims_and_expiry():
    tokens = _tokenset()
    now = datetime(2026, 11, 21, tzinfo=UTC)
    assert tokens.expires_at(now) == now + timedelta(minutes=30)
    assert tokens.authentication_event_id == "auth-event-1"
    claims = tokens.id_claims
    assert (claims.email, claims.xero_userid, claims.given_name, claims.family_name) == (
        "admin@harbour.example",
        "u-1",
        "Ana",
        "Ruiz",
    )


def test_tokenset_without_claims():
    tokens = _tokenset(access_token="opaque-token", id_token=None)
    assert tokens.authentication_event_id is None
    assert tokens.id_claims.email is None


def test_tokenset_never_shows_its_secrets():
    tokens = _tokenset()
    text = repr(tokens) + str(tokens) + tokens.model_dump_json()
    assert ACCESS not in text and "rt-1" not in text and ID_TOKEN not in text


@pytest.mark.parametrize("token", ["", "a.b", "a.!!!.c", f"x.{base64.urlsafe_b64encode(b'[1]').decode()}.y"])
def test_decode_jwt_payload_tolerates_non_jwts(token):
    assert decode_jwt_payload(token) == {}


def test_authorize_url_has_every_parameter():
    url = _identity(FakeSession()).authorize_url(
        state="st-1",
        code_challenge="challenge-1",
        redirect_uri="http://localhost:3000/oauth/callback",
        scopes="openid offline_access",
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://login.example/identity/connect/authorize"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": "unit-client-id",
        "redirect_uri": "http://localhost:3000/oauth/callback",
        "scope": "openid offline_access",
        "state": "st-1",
        "code_challenge": "challenge-1",
        "code_challenge_method": "S256",
    }
    assert "scope=openid%20offline_access" in parts.query


def test_authorize_url_defaults_from_settings():
    url = _identity(FakeSession()).authorize_url(state="s", code_challenge="c")
    query = parse_qs(urlsplit(url).query)
    assert query["redirect_uri"] == ["http://localhost:3000/oauth/callback"]
    assert "offline_access" in query["scope"][0]


def test_exchange_code_posts_the_form_with_basic_auth():
    session = FakeSession(
        [
            make_response(
                200, {"access_token": ACCESS, "refresh_token": "rt-1", "expires_in": 1800, "token_type": "Bearer"}
            )
        ]
    )
    tokens = _identity(session).exchange_code("code-1", "verifier-1", "http://localhost:3000/oauth/callback")
    call = session.calls[0]
    assert (call.method, call.url) == ("POST", "https://identity.example/connect/token")
    assert call.kwargs["data"] == {
        "grant_type": "authorization_code",
        "code": "code-1",
        "redirect_uri": "http://localhost:3000/oauth/callback",
        "code_verifier": "verifier-1",
    }
    assert call.kwargs["auth"] == ("unit-client-id", "unit-client-secret")
    assert call.kwargs["timeout"] == (5.0, 30.0)
    assert tokens.refresh_token is not None and tokens.refresh_token.get_secret_value() == "rt-1"


def test_refresh_and_invalid_grant():
    session = FakeSession([make_response(400, {"error": "invalid_grant"}, method="POST")])
    with pytest.raises(XeroOAuthError) as info:
        _identity(session).refresh(SecretStr("rt-old"))
    assert info.value.error_code == "invalid_grant"
    assert session.calls[0].kwargs["data"] == {"grant_type": "refresh_token", "refresh_token": "rt-old"}
    assert "rt-old" not in str(info.value)


def test_malformed_token_response_names_fields_not_values():
    session = FakeSession(
        [make_response(200, {"access_token": "secret-access-value", "refresh_token": "secret-refresh"})]
    )
    with pytest.raises(XeroOAuthError) as info:
        _identity(session).refresh("rt")
    text = str(info.value)
    assert "expires_in" in text
    assert "secret-access-value" not in text and "secret-refresh" not in text
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_revoke_posts_the_token():
    session = FakeSession([make_response(200, method="POST")])
    _identity(session).revoke("rt-9")
    call = session.calls[0]
    assert call.url == "https://identity.example/connect/revocation"
    assert call.kwargs["data"] == {"token": "rt-9"}
    assert call.kwargs["auth"] == ("unit-client-id", "unit-client-secret")


def test_list_and_delete_connections():
    rows = [
        {
            "id": "conn-1",
            "authEventId": "auth-event-1",
            "tenantId": "tenant-1",
            "tenantType": "ORGANISATION",
            "tenantName": "Harbour Cafe",
            "createdDateUtc": "2019-07-09T23:40:30.1833130",
            "updatedDateUtc": "2019-07-09T23:40:30.1863860",
        }
    ]
    session = FakeSession([make_response(200, rows), make_response(204, method="DELETE")])
    identity = _identity(session)
    connections = identity.list_connections(SecretStr("at-1"), auth_event_id="auth-event-1")
    assert connections[0].tenant_id == "tenant-1" and connections[0].id == "conn-1"
    assert connections[0].tenant_name == "Harbour Cafe"
    call = session.calls[0]
    assert call.url == "https://api.example/connections"
    assert call.kwargs["params"] == {"authEventId": "auth-event-1"}
    assert call.kwargs["headers"]["Authorization"] == "Bearer at-1"
    assert "xero-tenant-id" not in call.kwargs["headers"]

    identity.delete_connection("at-1", "conn-1")
    assert (session.calls[1].method, session.calls[1].url) == ("DELETE", "https://api.example/connections/conn-1")


def test_identity_server_error_is_typed():
    session = FakeSession([make_response(503, text="temporarily unavailable", method="POST")])
    with pytest.raises(XeroServerError):
        _identity(session).refresh("rt")
