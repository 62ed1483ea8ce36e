"""OAuth 2.0 at Xero's paths (xero-facts §1; checklist §9 item 1): consent page, redirect and client
registration, PKCE, codes, token responses, refresh rotation with its grace period, expiry,
revocation and connections."""

from __future__ import annotations

import requests

from local.xero_emulator import EmulatorOptions, start_in_thread
from local.xero_emulator.tokens import decode_jwt_claims
from tests.emulator.support import ALL_SCOPES, REDIRECT_URI, OAuthDriver, XeroSession, pkce_pair, query_of

# --- consent page and redirects ----------------------------------------------------------------


def test_consent_page_lists_tenants_and_allow_redirects_with_code_and_state(emulator, oauth):
    # Given an authorize request
    page = oauth.consent_page(state="abc 123")
    # Then the page is an HTML form with one checkbox per tenant and both buttons
    html = page.response.text
    assert page.response.headers["Content-Type"].startswith("text/html")
    assert sorted(page.tenant_ids) == sorted(emulator.state.start_tenant_ids)
    assert "Allow access" in html and "Cancel" in html
    # When the user allows access
    redirect = oauth.answer(page)
    # Then the browser goes back to redirect_uri with a code and the unchanged state
    assert redirect.status_code == 302
    assert redirect.headers["Location"].startswith(REDIRECT_URI + "?")
    params = query_of(redirect.headers["Location"])
    assert params["state"] == "abc 123" and params["code"]


def test_cancel_redirects_with_access_denied_and_state(oauth):
    page = oauth.consent_page(state="s-9")
    redirect = oauth.answer(page, allow=False)
    assert redirect.status_code == 302
    assert query_of(redirect.headers["Location"]) == {"error": "access_denied", "state": "s-9"}


def test_allow_without_any_tenant_shows_the_page_again(oauth):
    page = oauth.consent_page()
    response = oauth.answer(page, tenant_ids=[])
    assert response.status_code == 200 and "Select at least one organisation" in response.text


def test_auto_consent_redirects_at_once_to_all_start_tenants():
    emu = start_in_thread(EmulatorOptions(auto_consent=True, tenants=2))
    try:
        driver = OAuthDriver(emu.base_url)
        response = driver.authorize(state="x")
        assert response.status_code == 302
        code = query_of(response.headers["Location"])["code"]
        tokens = driver.exchange(code).json()
        connections = requests.get(
            f"{emu.base_url}/connections", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        ).json()
        assert sorted(c["tenantId"] for c in connections) == sorted(emu.state.start_tenant_ids)
    finally:
        emu.stop()


def test_unknown_client_gets_an_error_page_not_a_redirect(oauth):
    response = oauth.authorize(client_id="no-such-client")
    assert response.status_code == 400
    assert "Location" not in response.headers and response.headers["Content-Type"].startswith("text/html")


def test_unregistered_redirect_uri_gets_an_error_page(oauth):
    response = oauth.authorize(redirect_uri="https://evil.example/oauth/callback")
    assert response.status_code == 400 and "Location" not in response.headers


def test_local_callbacks_are_accepted_by_default_and_others_need_registration(emulator):
    default = OAuthDriver(emulator.base_url)
    assert default.authorize(redirect_uri="http://127.0.0.1:5173/oauth/callback").status_code == 200
    assert default.authorize(redirect_uri="http://localhost:3000/other/path").status_code == 400
    registered = "https://sync.example.com/oauth/callback"
    emu = start_in_thread(EmulatorOptions(redirect_uris=[registered]))
    try:
        assert OAuthDriver(emu.base_url).authorize(redirect_uri=registered).status_code == 200
    finally:
        emu.stop()


def test_unknown_scope_redirects_with_invalid_scope(oauth):
    response = oauth.authorize(scope="offline_access accounting.everything", state="q")
    assert response.status_code == 302
    assert query_of(response.headers["Location"]) == {"error": "invalid_scope", "state": "q"}


def test_granular_only_apps_cannot_request_broad_scopes():
    emu = start_in_thread(EmulatorOptions(granular_only=True))
    try:
        driver = OAuthDriver(emu.base_url)
        broad = driver.authorize(scope="offline_access accounting.transactions")
        assert query_of(broad.headers["Location"])["error"] == "invalid_scope"
        assert driver.authorize(scope="offline_access accounting.invoices").status_code == 200
    finally:
        emu.stop()


# --- token endpoint ----------------------------------------------------------------------------


def test_code_exchange_returns_xero_token_fields_and_jwt_claims(emulator, oauth):
    code = oauth.get_code()
    response = oauth.exchange(code)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["id_token", "access_token", "expires_in", "token_type", "refresh_token", "scope"]
    assert body["expires_in"] == 1800 and body["token_type"] == "Bearer"
    assert body["scope"] == ALL_SCOPES
    claims = decode_jwt_claims(body["access_token"])
    for claim in (
        "nbf",
        "exp",
        "iss",
        "aud",
        "client_id",
        "sub",
        "xero_userid",
        "authentication_event_id",
        "scope",
        "jti",
    ):
        assert claim in claims, claim
    assert claims["exp"] - claims["nbf"] == 1800
    assert claims["client_id"] == "demo-client-id"
    identity = decode_jwt_claims(body["id_token"])
    assert identity["email"] == "admin@demo.example"
    assert identity["given_name"] == "Admin" and identity["family_name"] == "User"
    assert identity["xero_userid"] == claims["xero_userid"]


def test_client_may_authenticate_in_the_body(oauth):
    assert oauth.exchange(oauth.get_code(), auth="body").status_code == 200


def test_wrong_client_secret_is_invalid_client(oauth):
    code = oauth.get_code()
    oauth.client_secret = "wrong"
    response = oauth.exchange(code)
    assert response.status_code == 401 and response.json() == {"error": "invalid_client"}
    missing = oauth.exchange(code, auth="none")
    assert missing.status_code == 401 and missing.json() == {"error": "invalid_client"}


def test_no_refresh_token_without_offline_access_and_no_id_token_without_openid(oauth):
    body = oauth.exchange(oauth.get_code(scope="accounting.contacts")).json()
    assert "refresh_token" not in body and "id_token" not in body


def test_code_is_single_use(oauth):
    code = oauth.get_code()
    assert oauth.exchange(code).status_code == 200
    again = oauth.exchange(code)
    assert again.status_code == 400 and again.json() == {"error": "invalid_grant"}


def test_code_expires_after_five_minutes(emulator, oauth):
    code = oauth.get_code()
    emulator.clock.advance(5 * 60 + 1)
    assert oauth.exchange(code).json() == {"error": "invalid_grant"}


def test_code_is_bound_to_its_redirect_uri(oauth):
    code = oauth.get_code()
    assert oauth.exchange(code, redirect_uri="http://localhost:9999/oauth/callback").json() == {
        "error": "invalid_grant"
    }


def test_pkce_verifier_must_match_the_challenge(oauth):
    verifier, challenge = pkce_pair()
    wrong = oauth.exchange(oauth.get_code(code_challenge=challenge), code_verifier=verifier + "x")
    assert wrong.status_code == 400 and wrong.json() == {"error": "invalid_grant"}
    missing = oauth.exchange(oauth.get_code(code_challenge=challenge))
    assert missing.json() == {"error": "invalid_grant"}
    right = oauth.exchange(oauth.get_code(code_challenge=challenge), code_verifier=verifier)
    assert right.status_code == 200


def test_only_s256_challenges_are_accepted(oauth):
    response = oauth.authorize(code_challenge="a" * 43, code_challenge_method="plain")
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


def test_unsupported_grant_type(oauth):
    response = oauth.token_request({"grant_type": "password", "username": "x"})
    assert response.status_code == 400 and response.json() == {"error": "unsupported_grant_type"}


# --- refresh -----------------------------------------------------------------------------------


def test_refresh_rotates_the_refresh_token_and_is_counted(emulator, oauth, xero):
    first = xero.tokens["refresh_token"]
    response = oauth.refresh(first)
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["refresh_token"] != first and rotated["access_token"] != xero.access_token
    assert rotated["scope"] == ALL_SCOPES
    stats = requests.get(f"{emulator.base_url}/_emulator/stats").json()
    assert stats["clients"]["demo-client-id"]["refreshes"] == 1


def test_previous_refresh_token_works_for_30_minutes_then_invalid_grant(emulator, oauth, xero):
    old = xero.tokens["refresh_token"]
    newer = oauth.refresh(old).json()["refresh_token"]
    # Within the grace period the superseded token still refreshes (a lost response is recoverable)
    emulator.clock.advance(29 * 60)
    retry = oauth.refresh(old)
    assert retry.status_code == 200
    newest = retry.json()["refresh_token"]
    # The chain stays consistent: the newest token works...
    assert oauth.refresh(newest).status_code == 200
    # ...and once the grace period of the old token is over it is refused
    emulator.clock.advance(2 * 60)
    late = oauth.refresh(old)
    assert late.status_code == 400 and late.json() == {"error": "invalid_grant"}
    # The token superseded by the retry keeps its own 30 minutes from when it was superseded
    assert oauth.refresh(newer).status_code == 200
    emulator.clock.advance(31 * 60)
    assert oauth.refresh(newer).json() == {"error": "invalid_grant"}


def test_unused_refresh_token_expires_after_60_days(emulator, oauth, xero):
    emulator.clock.advance(60 * 86400 - 10)
    assert oauth.refresh(xero.tokens["refresh_token"]).status_code == 200
    later = XeroSession(emulator.base_url, oauth.exchange(oauth.get_code()).json())
    emulator.clock.advance(60 * 86400)
    assert oauth.refresh(later.tokens["refresh_token"]).json() == {"error": "invalid_grant"}


def test_refresh_token_of_another_client_is_refused(emulator, xero):
    emulator.state.clients["other-app"] = type(emulator.state.clients["demo-client-id"])(
        "other-app", "other-secret", []
    )
    other = OAuthDriver(emulator.base_url, "other-app", "other-secret")
    assert other.refresh(xero.tokens["refresh_token"]).json() == {"error": "invalid_grant"}


# --- access tokens -----------------------------------------------------------------------------


def test_expired_access_token_gets_the_token_expired_envelope(emulator, xero):
    emulator.clock.advance(1800)
    response = xero.get("/Organisation")
    assert response.status_code == 401
    body = response.json()
    assert body["Title"] == "Unauthorized" and body["Status"] == 401 and body["Type"] is None
    assert body["Detail"].startswith("TokenExpired: token expired at ")
    assert body["Extensions"] == {} and body["Instance"]


def test_unknown_access_token_is_authentication_unsuccessful(xero):
    response = xero.call("GET", "/Organisation", headers={**xero.headers(), "Authorization": "Bearer not-a-token"})
    assert response.status_code == 401 and response.json()["Detail"] == "AuthenticationUnsuccessful"


# --- revocation and connections ----------------------------------------------------------------


def test_revocation_removes_the_users_connections_and_invalidates_tokens(emulator, oauth, xero):
    assert oauth.revoke(xero.tokens["refresh_token"]).status_code == 200
    assert requests.get(f"{emulator.base_url}/_emulator/connections").json()["connections"] == []
    assert xero.get("/Organisation").status_code == 401
    assert oauth.refresh(xero.tokens["refresh_token"]).json() == {"error": "invalid_grant"}


def test_revocation_needs_client_authentication(oauth, xero):
    oauth.client_secret = "nope"
    assert oauth.revoke(xero.tokens["refresh_token"]).status_code == 401


def test_one_consent_can_cover_several_tenants_sharing_an_auth_event(emulator, oauth):
    tenants = emulator.state.start_tenant_ids
    session = oauth.connect(tenant_ids=tenants)
    connections = session.connections
    assert sorted(c["tenantId"] for c in connections) == sorted(tenants)
    assert len({c["authEventId"] for c in connections}) == 1
    assert set(connections[0]) == {
        "id",
        "authEventId",
        "tenantId",
        "tenantType",
        "tenantName",
        "createdDateUtc",
        "updatedDateUtc",
    }
    assert connections[0]["tenantType"] == "ORGANISATION"
    auth_event = decode_jwt_claims(session.access_token)["authentication_event_id"]
    assert connections[0]["authEventId"] == auth_event


def test_connections_filter_by_auth_event_id(emulator, oauth):
    first_tenant, second_tenant = emulator.state.start_tenant_ids
    first = oauth.connect(tenant_ids=[first_tenant])
    second = oauth.connect(tenant_ids=[second_tenant])
    all_rows = second.refresh_connections()
    assert len(all_rows) == 2
    event = decode_jwt_claims(second.access_token)["authentication_event_id"]
    filtered = requests.get(
        f"{emulator.base_url}/connections", params={"authEventId": event}, headers=second.auth_header()
    ).json()
    assert [c["tenantId"] for c in filtered] == [second_tenant]
    assert first.refresh_connections() == all_rows  # same user + app: same connections


def test_delete_connection_by_connection_id_then_api_is_forbidden(emulator, xero):
    connection_id = xero.connections[0]["id"]
    # The tenant id is not a connection id (a common mistake, xero-facts §1.1)
    wrong = requests.delete(f"{emulator.base_url}/connections/{xero.tenant_id}", headers=xero.auth_header())
    assert wrong.status_code == 404
    deleted = requests.delete(f"{emulator.base_url}/connections/{connection_id}", headers=xero.auth_header())
    assert deleted.status_code == 204
    assert xero.refresh_connections() == []
    forbidden = xero.get("/Organisation")
    assert forbidden.status_code == 403 and forbidden.json()["Detail"] == "AuthenticationUnsuccessful"
    again = requests.delete(f"{emulator.base_url}/connections/{connection_id}", headers=xero.auth_header())
    assert again.status_code == 404


def test_sdk_spelling_of_connections_path_works(emulator, xero):
    response = requests.get(f"{emulator.base_url}/Connections", headers=xero.auth_header())
    assert response.status_code == 200 and response.json() == xero.connections


def test_reconsent_keeps_the_connection_and_updates_its_auth_event(emulator, oauth, xero):
    before = xero.connections[0]
    emulator.clock.advance(60)
    again = oauth.connect(tenant_ids=[xero.tenant_id])
    after = again.connections[0]
    assert after["id"] == before["id"] and after["createdDateUtc"] == before["createdDateUtc"]
    assert after["authEventId"] != before["authEventId"] and after["updatedDateUtc"] > before["updatedDateUtc"]


def test_token_endpoint_wants_a_form_body_and_refuses_client_credentials(emulator, oauth):
    as_json = requests.post(
        f"{emulator.base_url}/connect/token",
        json={"grant_type": "refresh_token"},
        auth=(oauth.client_id, oauth.client_secret),
    )
    assert as_json.status_code == 400 and as_json.json() == {"error": "invalid_request"}
    custom = oauth.token_request({"grant_type": "client_credentials"})
    assert custom.status_code == 400 and custom.json() == {"error": "unauthorized_client"}
