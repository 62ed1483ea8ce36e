"""The console's pages through its handler, with the in-memory fakes of every port (no I/O): the
session cookie and CSRF, the security headers, errors next to the fields, the invoices panel
against the ``ContactInvoices`` interface (the read-view service of issue 11 is not wired yet),
and one org never reaching another's data."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest

from tests.fakes import (
    InMemoryConnections,
    InMemoryConsoleSessions,
    InMemoryContactInvoices,
    InMemoryHistory,
    InMemoryOAuthStates,
    InMemoryOrgConfig,
    InMemoryRecords,
    ManualClock,
    RecordingExportQueue,
    connection,
    contact_invoice,
)
from tests.unit.services.export_services_helpers import NO_CODE_ACCOUNT_ID, reference
from xero_sync.console.app import build_console, handle
from xero_sync.models.console import ConsoleSessionRequest
from xero_sync.models.org_config import OrgSettings
from xero_sync.services.reference_data import item_name, stored_bodies
from xero_sync.settings.everything import Settings
from xero_sync.wiring import Container, set_container

EVENTS = Path(__file__).resolve().parents[3] / "events" / "console"
ORG, OTHER = "org-1", "org-2"
HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"


@pytest.fixture
def app() -> Iterator[Container]:
    clock = ManualClock()
    settings = Settings.model_construct(
        **{name: f"local-{name}" for name, field in Settings.model_fields.items() if field.is_required()},
        xero_login_url="https://login.xero.com",
        xero_redirect_uri=None,
        console_base_url=None,
        console_link_ttl_seconds=300,
        console_idle_minutes=120,
        console_max_hours=12,
        schedule_shards=4,
        aws_region="us-east-1",
        aws_endpoint_url=None,
    )
    container = Container(settings, clock=clock)
    container.connections = InMemoryConnections()
    container.history = InMemoryHistory()
    container.org_config = InMemoryOrgConfig()
    container.records = InMemoryRecords()
    container.console_session_store = InMemoryConsoleSessions()
    container.export_queues = RecordingExportQueue()
    # The connection page needs the connect service's reads and status changes, never Xero here.
    container.identity = container.tokens = container.cipher = None
    today = clock().date()
    invoices = InMemoryContactInvoices(today=lambda: today)
    invoices.add(
        ORG,
        "cus-17",
        contact_invoice("i-1", "INV-1", today - timedelta(days=3), today + timedelta(days=27), "100", "100"),
    )
    invoices.add(
        OTHER,
        "cus-17",
        contact_invoice("i-9", "OTHER-9", today - timedelta(days=3), today + timedelta(days=27), "100", "100"),
    )
    container.contact_invoices = invoices
    set_container(container)
    yield container
    set_container(None)


class Browser:
    """A browser's view of the console handler: the cookie it was given, forms it posts."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.resolver = build_console()
        self.cookie: str | None = None

    def start(self, org_id: str, **request: str) -> dict:
        link = self.container.console_sessions.create_link(
            org_id, ConsoleSessionRequest(**request), base_url=f"https://{HOST}"
        )
        answer = self.get("/console/start", query=link.url.split("?", 1)[1], iframe=True)
        self.cookie = answer["cookies"][0].split(";", 1)[0]
        return answer

    def get(self, path: str, query: str = "", iframe: bool = False) -> dict:
        event = self._event("GET", path, query)
        if iframe:
            event["headers"]["sec-fetch-dest"] = "iframe"
        return handle(self.resolver, event, None)

    def post(self, path: str, fields: dict[str, str], *, csrf: bool = True) -> dict:
        body = dict(fields)
        if csrf:
            body["csrf_token"] = self.csrf()
        event = self._event("POST", path, "")
        event["body"] = base64.b64encode(urlencode(body).encode()).decode()
        event["isBase64Encoded"] = True
        return handle(self.resolver, event, None)

    def csrf(self) -> str:
        (session,) = self.container.console_session_store.sessions.values()
        return session.csrf_token

    def _event(self, method: str, path: str, query: str) -> dict:
        event = copy.deepcopy(json.loads((EVENTS / "settings_page.json").read_text()))
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["requestContext"]["http"]["method"] = method
        event["rawQueryString"] = query
        event["queryStringParameters"] = dict(parse_qsl(query)) if query else None  # decoded, as API Gateway does
        event["cookies"] = [self.cookie] if self.cookie else []
        event["pathParameters"] = {"proxy": path.removeprefix("/console/")}
        return event


def test_a_link_starts_a_session_with_a_secure_partitioned_cookie_scoped_to_the_console(app):
    browser = Browser(app)
    answer = browser.start(ORG, page="contacts/cus-17/invoices")
    assert answer["statusCode"] == 303
    assert answer["headers"]["Location"] == "/console/contacts/cus-17/invoices"
    (cookie,) = answer["cookies"]
    assert cookie.startswith("__Secure-xero_console=")
    for attribute in ("Path=/console", "HttpOnly", "Secure", "SameSite=None", "Partitioned"):
        assert attribute in cookie
    # Started inside an iframe: remembered, so that Xero's consent opens in a tab of its own
    (session,) = app.console_session_store.sessions.values()
    assert session.embedded is True


def test_every_page_carries_the_security_headers_and_frames_only_the_allowed_origins(app):
    app.org_config.put(
        ORG,
        "settings",
        OrgSettings(allowed_host_origins=["https://app.example.com"]).model_dump(mode="json"),
        now=app.clock(),
    )
    browser = Browser(app)
    browser.start(ORG)
    answer = browser.get("/console/history")
    assert answer["statusCode"] == 200
    headers = answer["headers"]
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors https://app.example.com;" in policy
    assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy
    assert "form-action 'self' https://login.xero.com" in policy
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    # and an org that lists no host origin cannot be framed at all
    other = Browser(app)
    app.console_session_store.sessions.clear()
    other.start(OTHER)
    assert "frame-ancestors 'none'" in other.get("/console/history")["headers"]["Content-Security-Policy"]


def test_without_a_session_no_page_is_served(app):
    answer = Browser(app).get("/console/settings")
    assert answer["statusCode"] == 401
    assert "Your session has ended" in answer["body"]
    assert "settings" not in answer["body"].lower().split("<title>", 1)[1].split("</title>")[0]


def test_a_form_without_the_sessions_csrf_token_changes_nothing(app):
    browser = Browser(app)
    browser.start(ORG, page="contacts/cus-17/invoices")
    answer = browser.post("/console/contacts/cus-17/invoices/pin", {"invoice_id": "i-1"}, csrf=False)
    assert answer["statusCode"] == 403 and "This form has expired" in answer["body"]
    assert app.contact_invoices.pins == {}
    forged = browser.post(
        "/console/contacts/cus-17/invoices/pin", {"invoice_id": "i-1", "csrf_token": "forged"}, csrf=False
    )
    assert forged["statusCode"] == 403 and app.contact_invoices.pins == {}


def test_the_invoices_panel_lists_totals_and_pins_through_the_interface(app):
    browser = Browser(app)
    browser.start(ORG, page="contacts/cus-17/invoices")
    page = browser.get("/console/contacts/cus-17/invoices")
    assert page["statusCode"] == 200
    assert "INV-1" in page["body"] and "OTHER-9" not in page["body"]  # the session's org only
    assert "100.00 NZD" in page["body"]  # total unpaid

    pinned = browser.post("/console/contacts/cus-17/invoices/pin", {"invoice_id": "i-1", "pinned": "false"})
    assert pinned["statusCode"] == 303  # PRG
    assert app.contact_invoices.pins == {(ORG, "cus-17"): {"i-1"}}
    view = browser.get("/console/contacts/cus-17/invoices", query="view=pinned")
    assert 'aria-pressed="true"' in view["body"] and "INV-1" in view["body"]

    # A date range that ends before it starts is refused next to the field, nothing is listed
    refused = browser.get("/console/contacts/cus-17/invoices", query="from=2026-11-20&to=2026-11-01")
    assert refused["statusCode"] == 400 and 'id="f-to-error"' in refused["body"]


def test_the_invoices_panel_says_so_while_the_read_view_is_not_wired(app):
    app.contact_invoices = None
    browser = Browser(app)
    browser.start(ORG, page="contacts/cus-17/invoices")
    answer = browser.get("/console/contacts/cus-17/invoices")
    assert answer["statusCode"] == 503 and "not available in this installation" in answer["body"]


def test_a_tax_mapping_with_another_rate_is_refused_next_to_the_xero_rate(app):
    for kind, body in stored_bodies(reference()).items():
        app.org_config.put(ORG, item_name(kind), body, now=app.clock())
    browser = Browser(app)
    browser.start(ORG, page="tax-mappings")
    fields = {
        "rows": "1",
        "revision": "0",
        "mappings[0].host_tax_id": "gst",
        "mappings[0].host_rate": "12.5",
        "mappings[0].xero_tax_type": "OUTPUT2",
    }
    answer = browser.post("/console/tax-mappings", fields)
    assert answer["statusCode"] == 400
    body = answer["body"]
    assert 'id="f-mappings-0-xero_tax_type-error"' in body and "12.5" in body
    assert app.org_config.get(ORG, "tax_mappings") is None  # nothing half-stored
    # With the same rate, it is saved, and the page redirects (PRG)
    fields["mappings[0].host_rate"] = "15"
    assert browser.post("/console/tax-mappings", fields)["statusCode"] == 303
    assert app.org_config.get(ORG, "tax_mappings").body["mappings"][0]["xero_tax_type"] == "OUTPUT2"


def test_a_settings_account_without_a_code_is_refused_and_the_rest_is_kept(app):
    for kind, body in stored_bodies(reference()).items():
        app.org_config.put(ORG, item_name(kind), body, now=app.clock())
    app.connections.items[ORG] = connection(ORG)
    browser = Browser(app)
    browser.start(ORG, page="settings")
    page = browser.get("/console/settings")
    assert "Merchant Fees · no code: add one in Xero" in page["body"]
    answer = browser.post("/console/settings", {"revision": "0", "bank_charges_account": NO_CODE_ACCOUNT_ID})
    assert answer["statusCode"] == 400
    assert 'id="f-bank_charges_account-error"' in answer["body"] and "Add a code to it in Xero" in answer["body"]
    saved = browser.post("/console/settings", {"revision": "0", "sales_account": "200", "sync_frequency": "daily"})
    assert saved["statusCode"] == 303 and saved["headers"]["Location"] == "/console/settings?done=settings_saved"
    assert app.org_config.get(ORG, "settings").body["sales_account"] == "200"


def test_a_connection_action_needs_its_confirmation_page_and_reports_what_cannot_be_done(app):
    app.connections.items[ORG] = connection(ORG)
    browser = Browser(app)
    browser.start(ORG)
    confirm = browser.get("/console/connection/confirm/disable")
    assert confirm["statusCode"] == 200 and "Disable the integration?" in confirm["body"]
    assert browser.post("/console/connection/disable", {})["statusCode"] == 303
    assert app.connections.items[ORG].status == "disabled"
    again = browser.post("/console/connection/disable", {})
    assert again["statusCode"] == 409 and "only a connected integration" in again["body"]


def test_history_filters_are_checked_and_shown_next_to_the_field(app):
    browser = Browser(app)
    browser.start(ORG, page="history")
    answer = browser.get("/console/history", query="from=2026-11-20&to=2026-11-01")
    assert answer["statusCode"] == 400 and 'id="f-to-error"' in answer["body"]


def test_signing_out_ends_the_session_and_clears_the_cookie(app):
    browser = Browser(app)
    browser.start(ORG)
    answer = browser.post("/console/sign-out", {})
    assert answer["statusCode"] == 200 and "Your session has ended" in answer["body"]
    assert "Max-Age=0" in answer["cookies"][0]
    assert app.console_session_store.sessions == {}
    assert browser.get("/console/history")["statusCode"] == 401


class _Identity:
    def authorize_url(self, *, state: str, code_challenge: str, redirect_uri: str, scopes: str) -> str:
        return f"https://login.xero.com/identity/connect/authorize?state={state}&redirect_uri={redirect_uri}"


class _Cipher:
    def encrypt(self, plaintext: str, *, org_id: str) -> bytes:
        return b"sealed"


def test_connect_in_a_tab_goes_to_xero_and_inside_an_iframe_opens_xero_in_a_new_tab(app):
    app.oauth_states = InMemoryOAuthStates()
    app.identity, app.cipher = _Identity(), _Cipher()
    # Given a console opened as a page of its own: Connect goes straight to Xero's consent,
    # which returns to the console (through the OAuth callback)
    browser = Browser(app)
    browser.start(ORG)
    app.console_session_store.sessions[next(iter(app.console_session_store.sessions))] = replace(
        next(iter(app.console_session_store.sessions.values())), embedded=False
    )
    answer = browser.post("/console/connection/connect", {})
    assert answer["statusCode"] == 303
    assert answer["headers"]["Location"].startswith("https://login.xero.com/identity/connect/authorize?")
    assert f"https://{HOST}/oauth/callback" in answer["headers"]["Location"]
    (pending,) = app.oauth_states.items.values()
    assert pending.return_url == f"https://{HOST}/console/connection/return"

    # Given a console inside an iframe (Xero refuses to be framed): a page with a link that opens
    # Xero in a new tab, and a script that waits for the outcome
    app.console_session_store.sessions.clear()
    framed = Browser(app)
    framed.start(ORG)
    answer = framed.post("/console/connection/connect", {})
    location = answer["headers"]["Location"]
    assert answer["statusCode"] == 303 and location.startswith("/console/connection/continue?to=")
    page = framed.get("/console/connection/continue", query=location.split("?", 1)[1])
    assert page["statusCode"] == 200
    assert (
        'target="_blank" rel="noopener noreferrer"' in page["body"]
        and 'data-status-url="/console/connection/status.json"' in page["body"]
    )
    # and the page links only to Xero's consent, never elsewhere
    elsewhere = framed.get("/console/connection/continue", query="to=https%3A%2F%2Fevil.example%2F")
    assert elsewhere["statusCode"] == 303 and elsewhere["headers"]["Location"] == "/console/connection"
