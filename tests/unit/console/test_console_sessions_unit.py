"""Console links and sessions (F8): single use, short-lived links; sessions bound to one org with an
idle and an absolute end; return URLs on the org's allowed host origins; pages a link may open."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakes import InMemoryConsoleSessions, ManualClock
from xero_sync.domain.console import PageError, check_page, origin_of, secret_hash
from xero_sync.models.console import ConsoleSessionRequest
from xero_sync.models.org_config import OrgSettings
from xero_sync.services.console_sessions import ConsoleSessionService
from xero_sync.services.errors import InvalidInput

ORG = "org-1"
BASE = "https://api.example.com"


def _service(
    clock: ManualClock, settings: OrgSettings | None = None
) -> tuple[ConsoleSessionService, InMemoryConsoleSessions]:
    store = InMemoryConsoleSessions()
    origins = frozenset((settings or OrgSettings()).allowed_host_origins)
    service = ConsoleSessionService(store=store, return_origins=lambda org_id: origins, clock=clock)
    return service, store


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


@pytest.mark.parametrize(
    "page", ["connection", "settings", "tax-mappings", "field-mapping", "history", "contacts/cus-17/invoices"]
)
def test_a_link_may_open_each_console_page(page):
    assert check_page(page) == page


@pytest.mark.parametrize(
    "page", ["admin", "../settings", "contacts//invoices", "contacts/a b/invoices", "https://evil.example"]
)
def test_anything_else_is_not_a_page(page):
    with pytest.raises(PageError):
        check_page(page)


def test_origins_are_compared_without_default_ports_or_case():
    assert origin_of("https://App.Example.com:443/settings?x=1") == "https://app.example.com"
    assert origin_of("http://localhost:8080/x") == "http://localhost:8080"
    assert origin_of("javascript:alert(1)") is None


def test_a_link_is_single_use_and_stores_only_the_hash_of_its_token():
    # Given a link the host asked for
    clock = ManualClock()
    service, store = _service(clock)
    link = service.create_link(ORG, ConsoleSessionRequest(page="settings"), base_url=BASE)
    token = _token(link.url)
    assert link.url.startswith(f"{BASE}/console/start?token=")
    assert link.expires_at == clock() + timedelta(minutes=5)
    assert token not in store.links and secret_hash(token) in store.links

    # When the browser opens it, a session for that org starts on the page asked for
    opened = service.open(token, embedded=True)
    assert opened is not None and (opened.session.org_id, opened.page) == (ORG, "settings")
    assert opened.session.embedded and len(opened.session.csrf_token) >= 40
    assert opened.session_id not in store.sessions and secret_hash(opened.session_id) in store.sessions

    # Then the same link opens nothing a second time
    assert service.open(token, embedded=False) is None


def test_an_expired_or_unknown_link_opens_nothing():
    clock = ManualClock()
    service, _ = _service(clock)
    token = _token(service.create_link(ORG, ConsoleSessionRequest(), base_url=BASE).url)
    clock.advance(minutes=5)
    assert service.open(token, embedded=False) is None
    assert service.open("forged", embedded=False) is None
    assert service.open("x" * 500, embedded=False) is None


def test_a_session_ends_after_two_idle_hours_and_after_twelve_hours_in_any_case():
    clock = ManualClock()
    service, _store = _service(clock)
    opened = service.open(_token(service.create_link(ORG, ConsoleSessionRequest(), base_url=BASE).url), embedded=False)
    assert opened is not None
    # Used every 90 minutes, the session stays alive (its idle end moves on) ...
    for _ in range(7):
        clock.advance(minutes=90)
        assert service.resume(opened.session_id) is not None
    # ... but not past twelve hours after it started
    clock.advance(minutes=90)  # 12 h in total
    assert service.resume(opened.session_id) is None

    # and a session left alone for two hours ends
    other = service.open(_token(service.create_link(ORG, ConsoleSessionRequest(), base_url=BASE).url), embedded=False)
    assert other is not None
    clock.advance(hours=2)
    assert service.resume(other.session_id) is None
    assert service.resume(None) is None and service.resume("unknown") is None


def test_the_idle_end_is_stored_at_most_every_five_minutes():
    clock = ManualClock()
    service, store = _service(clock)
    opened = service.open(_token(service.create_link(ORG, ConsoleSessionRequest(), base_url=BASE).url), embedded=False)
    assert opened is not None
    first = store.sessions[secret_hash(opened.session_id)].idle_until
    clock.advance(minutes=4)
    service.resume(opened.session_id)
    assert store.sessions[secret_hash(opened.session_id)].idle_until == first
    clock.advance(minutes=2)
    service.resume(opened.session_id)
    assert store.sessions[secret_hash(opened.session_id)].idle_until == clock() + timedelta(hours=2)


def test_an_ended_session_is_not_brought_back():
    clock = ManualClock()
    service, _ = _service(clock)
    opened = service.open(_token(service.create_link(ORG, ConsoleSessionRequest(), base_url=BASE).url), embedded=False)
    assert opened is not None
    service.end(opened.session_id)
    clock.advance(minutes=10)
    assert service.resume(opened.session_id) is None


def test_the_return_url_must_be_on_the_orgs_allowed_host_origins():
    clock = ManualClock()
    service, store = _service(clock, OrgSettings(allowed_host_origins=["https://app.example.com"]))
    ok = service.create_link(ORG, ConsoleSessionRequest(return_url="https://app.example.com/settings"), base_url=BASE)
    assert ok.url
    with pytest.raises(InvalidInput) as refused:
        service.create_link(ORG, ConsoleSessionRequest(return_url="https://evil.example/settings"), base_url=BASE)
    assert [d.field for d in refused.value.details] == ["return_url"]
    with pytest.raises(InvalidInput) as plain_http:
        service.create_link(ORG, ConsoleSessionRequest(return_url="http://app.example.com/"), base_url=BASE)
    assert "https" in plain_http.value.message
    assert len(store.links) == 1  # nothing stored for a refused request


def test_a_page_that_is_not_one_is_refused_naming_the_field():
    service, store = _service(ManualClock())
    with pytest.raises(InvalidInput) as refused:
        service.create_link(ORG, ConsoleSessionRequest(page="admin"), base_url=BASE)
    assert [d.field for d in refused.value.details] == ["page"]
    assert store.links == {}


def test_the_session_keeps_the_language_of_its_link():
    service, _ = _service(ManualClock())
    link = service.create_link(ORG, ConsoleSessionRequest(language="fr"), base_url=BASE)
    opened = service.open(_token(link.url), embedded=False)
    assert opened is not None and opened.session.language == "fr"
