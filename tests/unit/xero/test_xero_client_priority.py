"""Interactive calls (a person waits: the read view, F5) wait briefly for their turn under the
tenant's limits and for Xero's answer; background calls keep the client's longer budgets."""

from __future__ import annotations

import pytest
from test_xero_client import LIMIT_HEADERS, FakeTokens
from xero_unit_helpers import FakeClock, FakeSession, make_response, make_settings

from tests.fakes import InMemoryGovernor
from xero_sync.xero.client import CallPriority, XeroApiClient
from xero_sync.xero.governor import GovernorWait


@pytest.fixture
def client_and_session():
    clock = FakeClock()
    governor = InMemoryGovernor(clock=clock, sleep=clock.sleep, rng=lambda: 0.5)
    session = FakeSession()
    settings = make_settings(xero_interactive_max_wait_seconds=2.0, xero_interactive_timeout_seconds=8.0)
    client = XeroApiClient(settings, FakeTokens(), governor, session, max_wait_seconds=20.0)  # type: ignore[arg-type]
    return client, session, clock


def test_an_interactive_call_has_the_short_time_out(client_and_session):
    client, session, _ = client_and_session
    session.responses += [make_response(200, {"Invoices": []}, headers=LIMIT_HEADERS)] * 2
    xero = client.for_org("org-1")
    xero.get("/Invoices", priority=CallPriority.INTERACTIVE)
    xero.get("/Invoices")
    assert [call.kwargs["timeout"] for call in session.calls] == [(5.0, 8.0), (5.0, 30.0)]


def test_an_interactive_call_gives_up_at_once_when_xero_holds_the_tenant_beyond_its_wait(client_and_session):
    # Given Xero answered 429 with Retry-After 10 s (the governor now holds the tenant that long)
    client, session, clock = client_and_session
    session.responses += [
        make_response(429, headers={"Retry-After": "10", "X-Rate-Limit-Problem": "minute"}),
        make_response(200, {"Invoices": []}),
    ]
    started = clock.now
    # When a person's page asks, it is told to wait rather than kept waiting
    with pytest.raises(GovernorWait) as info:
        client.for_org("org-1").get("/Invoices", priority=CallPriority.INTERACTIVE)
    assert info.value.retry_after == pytest.approx(10, abs=0.5)
    assert clock.now - started < 2.0 and len(session.calls) == 1
    # while background work waits its turn and goes on
    assert client.for_org("org-1").get("/Invoices").status == 200
    assert clock.now - started >= 10


def test_the_interactive_wait_never_exceeds_the_clients_own(client_and_session):
    client, *_ = client_and_session
    client.max_wait_seconds = 1.0
    assert client.policy(CallPriority.INTERACTIVE).max_wait_seconds == 1.0
    assert client.policy(CallPriority.BACKGROUND).max_wait_seconds == 1.0
