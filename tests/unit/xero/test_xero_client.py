"""The Accounting API client's request shape, retries and error handling (fake session, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from pydantic import SecretStr
from xero_unit_helpers import FakeClock, FakeSession, make_response, make_settings

from tests.fakes import InMemoryGovernor
from xero_sync.xero.client import XeroApiClient
from xero_sync.xero.errors import (
    ConnectionRemoved,
    NotConnected,
    ReauthRequired,
    XeroForbidden,
    XeroInsufficientScope,
    XeroRateLimited,
    XeroServerError,
    XeroTimeout,
    XeroTokenExpired,
    XeroValidationError,
)
from xero_sync.xero.governor import GovernorWait
from xero_sync.xero.tokens import AccessToken

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
EXPIRED = {"Title": "Unauthorized", "Status": 401, "Detail": "TokenExpired: token expired at 11/21/2026 11:59:00"}
LIMIT_HEADERS = {"X-DayLimit-Remaining": "4000", "X-MinLimit-Remaining": "50", "X-AppMinLimit-Remaining": "9000"}


class FakeTokens:
    def __init__(self, tenant_id: str | None = "tenant-1") -> None:
        self.version = 1
        self.tenant_id = tenant_id
        self.forced: list[int] = []
        self.gone = False  # what confirm_access_lost answers
        self.confirmed: list[tuple[int, str]] = []

    def _token(self) -> AccessToken:
        return AccessToken(
            "org-1", SecretStr(f"at-{self.version}"), self.tenant_id, self.version, NOW + timedelta(minutes=30)
        )

    def access_token(self, org_id: str) -> AccessToken:
        return self._token()

    def force_refresh(self, org_id: str, stale_version: int) -> AccessToken:
        self.forced.append(stale_version)
        self.version += 1
        return self._token()

    def confirm_access_lost(self, token: AccessToken, tenant_id: str) -> bool:
        self.confirmed.append((token.token_version, tenant_id))
        return self.gone


@pytest.fixture
def setup():
    clock = FakeClock()
    governor = InMemoryGovernor(clock=clock, sleep=clock.sleep, rng=lambda: 0.5)
    session = FakeSession()
    tokens = FakeTokens()
    client = XeroApiClient(make_settings(), tokens, governor, session, clock=lambda: NOW)  # type: ignore[arg-type]
    return client, session, tokens, governor, clock


def test_request_sends_the_required_headers(setup):
    client, session, *_ = setup
    session.responses.append(
        make_response(200, {"Invoices": []}, headers={"Xero-Correlation-Id": "corr-1", **LIMIT_HEADERS})
    )
    response = client.for_org("org-1").put(
        "/Invoices",
        json={"Invoices": []},
        params={"summarizeErrors": "false"},
        idempotency_key="org-1:invoice:inv-1:v5",
    )
    call = session.calls[0]
    assert (call.method, call.url) == ("PUT", "https://api.example/api.xro/2.0/Invoices")
    assert call.kwargs["headers"]["Authorization"] == "Bearer at-1"
    assert call.kwargs["headers"]["xero-tenant-id"] == "tenant-1"
    assert call.kwargs["headers"]["Accept"] == "application/json"
    assert call.kwargs["headers"]["Idempotency-Key"] == "org-1:invoice:inv-1:v5"
    assert call.kwargs["params"] == {"summarizeErrors": "false"}
    assert call.kwargs["json"] == {"Invoices": []}
    assert call.kwargs["timeout"] == (5.0, 30.0)
    assert (response.status, response.body, response.correlation_id) == (200, {"Invoices": []}, "corr-1")


def test_caller_headers_cannot_override_auth_or_tenant(setup):
    client, session, *_ = setup
    session.responses.append(make_response(200, {}))
    client.for_org("org-1").get(
        "/Contacts", headers={"If-Modified-Since": "2026-11-01T00:00:00", "xero-tenant-id": "evil"}
    )
    headers = session.calls[0].kwargs["headers"]
    assert headers["If-Modified-Since"] == "2026-11-01T00:00:00"
    assert headers["xero-tenant-id"] == "tenant-1"
    assert "Idempotency-Key" not in headers


@pytest.mark.parametrize("key", ["", "x" * 129, "naïve-key", "line\nbreak"])
def test_invalid_idempotency_keys_are_refused_before_sending(setup, key):
    client, session, *_ = setup
    with pytest.raises(ValueError):
        client.for_org("org-1").post("/Invoices", json={}, idempotency_key=key)
    assert session.calls == []


def test_a_128_character_key_is_fine(setup):
    # Given a key of exactly Xero's maximum length
    client, session, *_ = setup
    session.responses.append(make_response(200, {}))
    # When a write is sent with it
    response = client.for_org("org-1").post("/Invoices", json={}, idempotency_key="k" * 128)
    # Then it goes to Xero unchanged, once
    assert response.status == 200
    assert [call.kwargs["headers"]["Idempotency-Key"] for call in session.calls] == ["k" * 128]


@pytest.mark.parametrize("path", ["Invoices", "https://evil.example/x", "//evil.example/x"])
def test_paths_must_be_relative_to_the_api(setup, path):
    client, *_ = setup
    with pytest.raises(ValueError):
        client.for_org("org-1").get(path)


def test_token_expired_refreshes_once_and_repeats_the_call(setup):
    client, session, tokens, *_ = setup
    session.responses += [make_response(401, EXPIRED), make_response(200, {"Contacts": []})]
    response = client.for_org("org-1").post("/Contacts", json={"Contacts": []}, idempotency_key="k1")
    assert response.status == 200
    assert tokens.forced == [1]
    assert [c.kwargs["headers"]["Authorization"] for c in session.calls] == ["Bearer at-1", "Bearer at-2"]
    assert [c.kwargs["headers"]["Idempotency-Key"] for c in session.calls] == ["k1", "k1"]


def test_token_expired_twice_gives_up(setup):
    client, session, tokens, *_ = setup
    session.responses += [make_response(401, EXPIRED), make_response(401, EXPIRED)]
    with pytest.raises(XeroTokenExpired):
        client.for_org("org-1").get("/Contacts")
    assert tokens.forced == [1]


def test_429_is_honoured_then_repeated(setup):
    client, session, _tokens, _governor, clock = setup
    session.responses += [
        make_response(429, headers={"Retry-After": "7", "X-Rate-Limit-Problem": "minute", **LIMIT_HEADERS}),
        make_response(200, {"Invoices": []}),
    ]
    started = clock.now
    response = client.for_org("org-1").get("/Invoices")
    assert response.status == 200
    assert clock.now >= started + 7  # the governor held the tenant for Retry-After
    assert len(session.calls) == 2


def test_429_beyond_the_wait_budget_raises(setup):
    client, session, *_ = setup
    session.responses += [make_response(429, headers={"Retry-After": "3600", "X-Rate-Limit-Problem": "day"})]
    with pytest.raises(GovernorWait) as info:
        client.for_org("org-1").get("/Invoices")
    assert isinstance(info.value, XeroRateLimited)
    assert info.value.retry_after == pytest.approx(3600)
    assert len(session.calls) == 1


def test_repeated_429s_stop_after_the_retry_budget(setup):
    client, session, *_ = setup
    session.responses += [make_response(429, headers={"Retry-After": "1", "X-Rate-Limit-Problem": "minute"})] * 2
    with pytest.raises(XeroRateLimited) as info:
        client.for_org("org-1").get("/Invoices")
    assert not isinstance(info.value, GovernorWait)
    assert len(session.calls) == 2


def test_errors_are_classified_and_the_slot_is_released(setup):
    client, session, _tokens, _governor, clock = setup
    governor_limited = InMemoryGovernor(clock=clock, sleep=clock.sleep, concurrency_limit=1)
    client.governor = governor_limited
    tenant = client.for_org("org-1")
    session.responses += [
        make_response(
            400,
            {"Type": "ValidationException", "Message": "x", "Elements": [{"ValidationErrors": [{"Message": "bad"}]}]},
        ),
        make_response(403, {"Title": "Forbidden", "Detail": "AuthenticationUnsuccessful"}),
        make_response(503, text="The Organisation is offline", method="POST"),
        requests.ReadTimeout("read timed out"),
        make_response(200, {}),
    ]
    with pytest.raises(XeroValidationError):
        tenant.put("/Invoices", json={})
    with pytest.raises(XeroForbidden):
        tenant.get("/Invoices")
    with pytest.raises(XeroServerError) as server:
        tenant.post("/Invoices", json={})
    assert server.value.outcome_unknown
    with pytest.raises(XeroTimeout) as timeout:
        tenant.post("/Invoices", json={})
    assert timeout.value.outcome_unknown
    # with one slot only, this call proves every failed call gave its slot back
    assert tenant.get("/Invoices", timeout=3).status == 200
    assert session.calls[-1].kwargs["timeout"] == (3, 3)


def test_release_failure_does_not_hide_the_answer(setup):
    client, session, _tokens, governor, _clock = setup

    def broken_release(*args, **kwargs):
        raise RuntimeError("DynamoDB is down")

    governor.release = broken_release
    session.responses.append(make_response(200, {"ok": True}))
    assert client.for_org("org-1").get("/Organisation").body == {"ok": True}


def test_org_without_a_chosen_tenant(setup):
    client, _session, tokens, *_ = setup
    tokens.tenant_id = None
    with pytest.raises(NotConnected):
        client.for_org("org-1")


def test_empty_and_text_bodies(setup):
    client, session, *_ = setup
    session.responses += [make_response(204, method="DELETE"), make_response(200, text="plain")]
    tenant = client.for_org("org-1")
    assert tenant.delete("/CreditNotes/cn/Allocations/al").body is None
    assert tenant.get("/Reports/x").body == "plain"


FORBIDDEN = {"Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"}
UNAUTHORISED = {"Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful"}


def test_a_403_for_a_connection_gone_at_xero_raises_connection_removed(setup):
    # Given Xero refuses the tenant and the token manager finds its connection gone
    client, session, tokens, *_ = setup
    tokens.gone = True
    session.responses.append(make_response(403, FORBIDDEN, headers={"Xero-Correlation-Id": "corr-403"}))
    # When the org calls Xero
    with pytest.raises(ConnectionRemoved) as raised:
        client.for_org("org-1").get("/Invoices")
    # Then the org must reconnect (a ReauthRequired), with Xero's answer kept for the logs
    assert isinstance(raised.value, ReauthRequired) and raised.value.org_id == "org-1"
    assert (raised.value.status, raised.value.correlation_id) == (403, "corr-403")
    assert "tenant-1" in str(raised.value) and "AuthenticationUnsuccessful" in str(raised.value)
    assert tokens.confirmed == [(1, "tenant-1")] and tokens.forced == []


def test_a_403_while_the_tenant_is_still_connected_stays_a_forbidden(setup):
    # Given Xero refuses a call but the tenant is still among the token's connections
    client, session, tokens, *_ = setup
    session.responses.append(make_response(403, FORBIDDEN))
    # When the org calls Xero, Then the refusal is reported as it is
    with pytest.raises(XeroForbidden):
        client.for_org("org-1").get("/Invoices")
    assert tokens.confirmed == [(1, "tenant-1")]


def test_a_401_refreshes_once_then_checks_whether_the_connection_is_gone(setup):
    # Given an access token Xero no longer accepts, also after a refresh
    client, session, tokens, *_ = setup
    tokens.gone = True
    session.responses += [make_response(401, UNAUTHORISED), make_response(401, UNAUTHORISED)]
    # When the org calls Xero
    with pytest.raises(ConnectionRemoved):
        client.for_org("org-1").get("/Invoices")
    # Then it tried one fresh token, and asked about the connection with that one
    assert tokens.forced == [1]
    assert tokens.confirmed == [(2, "tenant-1")]
    assert [call.kwargs["headers"]["Authorization"] for call in session.calls] == ["Bearer at-1", "Bearer at-2"]


def test_a_401_cured_by_a_refresh_is_no_lost_connection(setup):
    # Given a revoked access token whose refresh works
    client, session, tokens, *_ = setup
    session.responses += [make_response(401, UNAUTHORISED), make_response(200, {"Invoices": []})]
    # When the org calls Xero, Then the call succeeds with the fresh token
    assert client.for_org("org-1").get("/Invoices").status == 200
    assert tokens.forced == [1] and tokens.confirmed == []


def test_a_missing_scope_is_not_taken_for_a_lost_connection(setup):
    # Given Xero says the token lacks a scope
    client, session, tokens, *_ = setup
    tokens.gone = True
    session.responses.append(
        make_response(401, UNAUTHORISED, headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'})
    )
    # When the org calls Xero, Then the admin must consent again, but nobody asks about the connection
    with pytest.raises(XeroInsufficientScope):
        client.for_org("org-1").get("/Invoices")
    assert tokens.confirmed == [] and tokens.forced == []


def test_a_call_the_invocation_has_no_time_for_is_not_made(setup):
    # Given an invocation with 35 s left: less than Xero's 30 s answer plus the 10 s to record it
    client, session, _tokens, governor, _clock = setup
    asked: list[float] = []
    governor.acquire = lambda *args, **kwargs: asked.append(kwargs["max_wait_seconds"])
    # When a call is asked for
    with pytest.raises(GovernorWait) as info:
        client.for_org("org-1", time_left=lambda: 35.0).get("/Invoices")
    # Then nothing was sent and no turn was asked for: the records go back to their queue
    assert "invocation" in str(info.value) and info.value.retry_after == 1.0
    assert session.calls == [] and asked == []


def test_a_call_waits_for_its_turn_only_as_long_as_the_invocation_can(setup):
    client, session, *_ = setup
    waits: list[float] = []
    governor = client.governor
    original_acquire = governor.acquire

    def acquire(tenant_id, **kwargs):
        waits.append(kwargs["max_wait_seconds"])
        return original_acquire(tenant_id, **kwargs)

    governor.acquire = acquire
    session.responses += [make_response(200, {"Invoices": []}), make_response(200, {"Invoices": []})]
    # With 45 s left, a call may wait 5 s (45 - 30 s for the answer - 10 s to record it); with
    # plenty of time, the client's own 20 s
    client.for_org("org-1", time_left=lambda: 45.0).get("/Invoices")
    client.for_org("org-1", time_left=lambda: 900.0).get("/Invoices")
    assert waits == [5.0, 20.0]
    assert len(session.calls) == 2
