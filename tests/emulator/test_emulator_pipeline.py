"""The /api.xro/2.0 pipeline's checks before the accounting engine (checklist §9 item 2): tenant
header, scopes, Accept, headers on every response, the request log."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.emulator.support import XeroSession


def _assert_forbidden(response: requests.Response) -> None:
    assert response.status_code == 403
    body = response.json()
    assert body["Type"] is None and body["Title"] == "Forbidden" and body["Status"] == 403
    assert body["Detail"] == "AuthenticationUnsuccessful"
    assert set(body) == {"Type", "Title", "Status", "Detail", "Instance", "Extensions"}


def test_missing_tenant_header_is_forbidden(xero):
    headers = xero.headers()
    del headers["xero-tenant-id"]
    _assert_forbidden(xero.call("GET", "/Organisation", headers=headers))


@pytest.mark.parametrize("tenant", ["not-a-uuid", "6f1c2e1a-0b7d-4c55-9a1e-3d2b8f4e5a60"])  # a tenant nobody connected
def test_unknown_tenant_is_forbidden(xero, tenant):
    _assert_forbidden(xero.get("/Organisation", tenant_id=tenant))


def test_tenant_the_user_did_not_connect_is_forbidden(emulator, xero):
    other_tenant = emulator.state.start_tenant_ids[1]
    assert other_tenant not in {c["tenantId"] for c in xero.connections}
    _assert_forbidden(xero.get("/Organisation", tenant_id=other_tenant))


def test_missing_scope_is_401_authorization_unsuccessful_with_www_authenticate(oauth):
    session = oauth.connect(scope="offline_access accounting.contacts")
    response = session.get("/Invoices")
    assert response.status_code == 401
    assert response.json()["Detail"] == "AuthorizationUnsuccessful"
    assert response.headers["WWW-Authenticate"] == "insufficient_scope"
    assert session.get("/Contacts").status_code == 200


def test_read_scope_allows_get_but_not_writes(oauth):
    session = oauth.connect(scope="offline_access accounting.contacts.read accounting.settings.read")
    assert session.get("/Contacts").status_code == 200
    assert session.get("/Organisation").status_code == 200
    write = session.put("/Contacts", {"Contacts": [{"Name": "Read Only Ltd"}]})
    assert write.status_code == 401 and write.headers["WWW-Authenticate"] == "insufficient_scope"


def test_broad_transactions_scope_covers_invoices(oauth):
    session = oauth.connect(scope="offline_access accounting.transactions.read")
    assert session.get("/Invoices").status_code == 200
    assert session.get("/Contacts").status_code == 401


def test_without_accept_json_the_emulator_refuses_with_406(xero):
    headers = {k: v for k, v in xero.headers().items() if k != "Accept"}
    response = xero.call("GET", "/Organisation", headers=headers)
    assert response.status_code == 406
    assert "application/json" in response.text


def test_every_api_response_carries_correlation_id_and_limit_headers(emulator, xero):
    ok = xero.get("/Organisation")
    forbidden = xero.get("/Organisation", tenant_id=str(uuid.uuid4()))
    unauthorised = xero.call("GET", "/Organisation", headers={**xero.headers(), "Authorization": "Bearer nope"})
    for response in (ok, forbidden, unauthorised):
        assert uuid.UUID(response.headers["Xero-Correlation-Id"])
        for name in ("X-DayLimit-Remaining", "X-MinLimit-Remaining", "X-AppMinLimit-Remaining"):
            assert response.headers[name].isdigit(), name
    assert ok.headers["X-MinLimit-Remaining"] == "59"
    assert ok.headers["X-DayLimit-Remaining"] == "4999"
    assert ok.headers["X-AppMinLimit-Remaining"] == "9999"
    # refused calls are not counted
    assert xero.get("/Organisation").headers["X-MinLimit-Remaining"] == "58"


def test_request_log_records_and_filters(emulator, xero):
    other = emulator.state.start_tenant_ids[1]
    xero.get("/Organisation")
    xero.put("/Contacts", {"Contacts": [{"Name": "Logged Ltd"}]}, headers=xero.headers(**{"Idempotency-Key": "log-1"}))
    xero.get("/Organisation", tenant_id=other)
    base = f"{emulator.base_url}/_emulator/requests"
    puts = requests.get(base, params={"method": "PUT"}).json()["requests"]
    assert len(puts) == 1
    entry = puts[0]
    assert entry["path"] == "/api.xro/2.0/Contacts" and entry["status"] == 200
    assert entry["tenant_id"] == xero.tenant_id and entry["idempotency_key"] == "log-1"
    assert entry["at"].endswith("Z")
    api_calls = requests.get(base, params={"path_prefix": "/api.xro/2.0/"}).json()["requests"]
    assert len(api_calls) == 3
    for_other = requests.get(base, params={"tenant_id": other}).json()["requests"]
    assert [e["status"] for e in for_other] == [403]
    # identity calls are logged too, but never their secrets
    token_calls = requests.get(base, params={"path_prefix": "/connect/token"}).json()["requests"]
    assert token_calls and all(e["query"] == {} for e in token_calls)
    assert requests.delete(base).status_code == 200
    assert requests.get(base).json()["requests"] == []


def test_secrets_never_appear_in_the_request_log(emulator, oauth, xero):
    oauth.refresh(xero.tokens["refresh_token"])
    log = requests.get(f"{emulator.base_url}/_emulator/requests").text
    assert "demo-client-secret" not in log
    assert xero.tokens["refresh_token"] not in log and xero.access_token not in log


def test_engine_receives_path_query_headers_and_parsed_body(emulator, xero):
    seen = []
    tenant = emulator.state.tenant(xero.tenant_id)
    original = tenant.books.handle

    def spy(request):
        seen.append(request)
        return original(request)

    tenant.books.handle = spy
    try:
        xero.call("POST", "/Contacts", {"Contacts": [{"Name": "Spy Ltd"}]}, params={"summarizeErrors": "false"})
    finally:
        tenant.books.handle = original
    (request,) = seen
    assert request.method == "POST" and request.path == "/Contacts"
    assert request.query == {"summarizeErrors": "false"}
    assert request.body == {"Contacts": [{"Name": "Spy Ltd"}]}
    assert request.headers["xero-tenant-id"] == xero.tenant_id and "authorization" not in request.headers
    assert request.now.tzinfo is not None


def test_invalid_json_body_is_a_400_validation_error(xero):
    response = xero.call(
        "PUT", "/Contacts", data=b"{not json", headers={**xero.headers(), "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["Type"] == "ValidationException"


def test_revoke_access_from_the_control_plane_makes_the_tenant_forbidden(emulator, oauth, xero: XeroSession):
    response = requests.post(f"{emulator.base_url}/_emulator/tenants/{xero.tenant_id}/revoke-access")
    assert response.json()["connections_removed"] == 1
    _assert_forbidden(xero.get("/Organisation"))
    # the refresh token still works (xero-facts §1.5: 403 even though refresh works)
    assert oauth.refresh(xero.tokens["refresh_token"]).status_code == 200


def test_concurrent_writes_to_one_tenant_are_serialised_by_the_tenant_lock(emulator, xero):
    import threading

    statuses: list[int] = []

    def writer(worker: int) -> None:
        for index in range(4):
            response = xero.put("/Contacts", {"Contacts": [{"Name": f"Parallel {worker}-{index} Ltd"}]})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 20  # never more than 5 in flight, so no 429 either
    names = {c["Name"] for c in xero.get("/Contacts").json()["Contacts"]}
    assert {f"Parallel {w}-{i} Ltd" for w in range(5) for i in range(4)} <= names
