"""F5 end to end: a CRM (seed 003) reads its contacts' Xero invoices through the local stack's HTTP
API, with the Xero emulator as Xero and the service's clock under the test's control.

Covered: every saved view on dates around the org's today, across the org's midnight (New
Zealand) while UTC is still on the previous day; search and the date filter; totals in two
currencies; pins on a contact and on a deal; instalments; the deep link; a payment made in Xero
reaching the list within seconds through Xero's webhook (and, without it, after the TTL); and the
last data served, with its age, when Xero answers 429 or 503.

The webhook receiver here stands in for the import's (issue 10): it checks Xero's signature, reads
the changed invoice's contact and calls the read view's listener — the one call the import's
webhook handling makes (``container().invoice_cache_listener.invoices_changed``). Each test uses a
Xero organisation of its own (the consent covers several; the org chooses one), so that a tenant
held by a 429 does not slow the others."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from local.stack import LocalStack
from tests.e2e.conftest import Host
from tests.read_view_bodies import invoice_body, payment_body
from xero_sync.settings import get_settings
from xero_sync.settings.everything import Settings
from xero_sync.wiring import Container, container, set_container

TIME_SCALE = 20
TENANTS = 9
WEBHOOK_KEY = "e2e-read-view-webhook-key"
NZ_MIDNIGHT = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)  # 21 November 2026, 00:00 in Auckland (NZDT, UTC+13)


class ServiceClock:
    """The service's clock: it stands still, and moves only when the test sets or advances it (the
    TTL and the org's midnight are then exact; Xero's own clock, the emulator's, runs on)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    def set(self, moment: datetime) -> None:
        with self.lock:
            self.now = moment

    def advance(self, **delta: float) -> None:
        with self.lock:
            self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack.start(
        retry_delay_seconds=1,
        max_batching_window_seconds=0.2,
        emulator_options={"time_scale": TIME_SCALE, "tenants": TENANTS},
        extra_environment={"XERO_MINUTE_LIMIT": str(60 * TIME_SCALE), "READ_VIEW_CACHE_TTL_SECONDS": "60"},
        stack_name="e2e-read-view",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def clock(stack: LocalStack) -> Iterator[ServiceClock]:
    """Every function of the stack runs with this clock (one container, as the local stack's
    functions share a process)."""
    test_clock = ServiceClock()
    set_container(Container(get_settings(Settings), clock=test_clock))
    yield test_clock
    set_container(None)


# --- the stand-in for the import's webhook receiver -------------------------------------------------


class WebhookStandIn:
    """Receives the emulator's signed webhooks; for each INVOICE event reads the invoice, tells the
    read view's listener which contact's invoices changed (for every org on the tenant), then notes
    the invoice as it was read — so a test can wait for the event of *its* change."""

    def __init__(self, emulator_url: str) -> None:
        self.emulator_url = emulator_url
        self.handled: dict[str, list[dict[str, Any]]] = {}
        self.changed = threading.Condition()
        self.rejected = 0

    def wait_for(self, invoice_id: str, condition: Any, timeout: float) -> bool:
        """True once an event for the invoice was handled after ``condition(invoice)`` held in Xero."""
        with self.changed:
            return self.changed.wait_for(lambda: any(map(condition, self.handled.get(invoice_id, []))), timeout)

    def receive(self, body: bytes, signature: str | None) -> int:
        expected = base64.b64encode(hmac.new(WEBHOOK_KEY.encode(), body, hashlib.sha256).digest()).decode()
        if not signature or not hmac.compare_digest(signature, expected):
            self.rejected += 1
            return 401
        for event in json.loads(body)["events"]:
            if event["eventCategory"] == "INVOICE":
                self._invoice_changed(event["tenantId"], event["resourceId"])
        return 200

    def _invoice_changed(self, tenant_id: str, invoice_id: str) -> None:
        answer = requests.get(
            f"{self.emulator_url}/_emulator/tenants/{tenant_id}/api/Invoices/{invoice_id}", timeout=10
        )
        invoice = answer.json()["Invoices"][0]
        services = container()
        for connection in services.connections.on_tenant(tenant_id):
            if connection.tenant_id == tenant_id:
                services.invoice_cache_listener.invoices_changed(
                    connection.org_id, [invoice["Contact"]["ContactID"]], services.clock()
                )
        with self.changed:
            self.handled.setdefault(invoice_id, []).append(invoice)
            self.changed.notify_all()


@pytest.fixture(scope="module")
def webhook_receiver(stack: LocalStack, clock: ServiceClock) -> Iterator[tuple[WebhookStandIn, str]]:
    receiver = WebhookStandIn(stack.emulator.base_url.rstrip("/"))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(receiver.receive(body, self.headers.get("x-xero-signature")))
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver, f"http://127.0.0.1:{server.server_address[1]}/webhooks/xero"
    server.shutdown()


@pytest.fixture
def webhooks(stack: LocalStack, webhook_receiver: tuple[WebhookStandIn, str]) -> Iterator[WebhookStandIn]:
    """Xero's webhooks on (subscribed to the stand-in) for one test; off for the others."""
    receiver, url = webhook_receiver
    control = f"{stack.emulator.base_url.rstrip('/')}/_emulator/webhooks"
    requests.post(control, json={"url": url, "key": WEBHOOK_KEY}, timeout=10).raise_for_status()
    yield receiver
    requests.post(control, json={}, timeout=10).raise_for_status()


# --- a CRM org on a Xero organisation of its own ----------------------------------------------------

_tenant_numbers = itertools.count()


@dataclass
class Crm:
    host: Host
    emulator_url: str
    tenant_id: str

    def xero(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        """A change (or read) made in Xero by a user (the emulator's control plane)."""
        answer = requests.request(
            method, f"{self.emulator_url}/_emulator/tenants/{self.tenant_id}/api/{path}", json=body, timeout=30
        )
        assert answer.status_code == 200, answer.text[:500]
        return answer.json()

    def contact(self, name: str) -> str:
        return self.xero("PUT", "Contacts", {"Contacts": [{"Name": name}]})["Contacts"][0]["ContactID"]

    def invoice(self, contact_id: str, number: str, day: date, due: date, amount: str, **extra: Any) -> dict:
        body = invoice_body(contact_id, number, day, due, amount, **extra)
        return self.xero("PUT", "Invoices", {"Invoices": [body]})["Invoices"][0]

    def pay(self, invoice_id: str, day: date, amount: str, reference: str, **extra: Any) -> None:
        self.xero("PUT", "Payments", {"Payments": [payment_body(invoice_id, day, amount, reference, **extra)]})

    def link(self, contact_id: str, xero_contact_id: str) -> None:
        self.host.call("PUT", f"/contacts/{contact_id}/xero-link", {"xero_contact_id": xero_contact_id})

    def invoices(self, contact_id: str, expect: int = 200, **query: str) -> dict:
        response = self.host.session.get(
            f"{self.host.base}/v1/orgs/{self.host.org_id}/contacts/{contact_id}/invoices", params=query, timeout=60
        )
        assert response.status_code == expect, response.text[:500]
        return response.json()

    def numbers(self, contact_id: str, **query: str) -> list[str]:
        return [item["number"] for item in self.invoices(contact_id, **query)["items"]]

    def xero_reads(self, path: str, *, with_query: str | None = None) -> int:
        """GETs of ``path`` on the tenant; with ``with_query``, only those that had that parameter
        (the read view asks for a contact's documents with ``ContactIDs``; the import, which a
        webhook may start at any moment, asks for what changed)."""
        log = requests.get(
            f"{self.emulator_url}/_emulator/requests",
            params={"method": "GET", "path_prefix": path, "tenant_id": self.tenant_id},
            timeout=10,
        ).json()
        return len([r for r in log["requests"] if with_query is None or with_query in (r.get("query") or {})])


@pytest.fixture
def crm(stack: LocalStack, clock: ServiceClock, host: Host) -> Crm:
    emulator_url = stack.emulator.base_url.rstrip("/")
    tenant_id = requests.get(f"{emulator_url}/_emulator/tenants", timeout=10).json()["start_tenant_ids"][
        next(_tenant_numbers) % TENANTS
    ]
    assert host.connect()["xero_status"] == "choose_tenant"  # the consent covered several organisations
    assert host.call("PUT", "/connection/tenant", {"tenant_id": tenant_id})["status"] == "connected"
    return Crm(host, emulator_url, tenant_id)


# --- the tests -----------------------------------------------------------------------------------------


def test_every_view_follows_the_orgs_today_across_its_midnight(crm, clock):
    # Given a contact with invoices due on 20, 21 and 22 November, and one paid
    contact = crm.contact("Harbour Cafe")
    for number, due in (("DUE-20", date(2026, 11, 20)), ("DUE-21", date(2026, 11, 21)), ("DUE-22", date(2026, 11, 22))):
        crm.invoice(contact, number, date(2026, 11, 1), due, "100.00")
    paid = crm.invoice(contact, "PAID-1", date(2026, 10, 1), date(2026, 10, 31), "40.00")
    crm.pay(paid["InvoiceID"], date(2026, 10, 20), "40.00", "in full")
    crm.link("cus-1", contact)

    # When it is 23:30 on 20 November in Auckland (10:30 UTC)
    clock.set(NZ_MIDNIGHT - timedelta(minutes=30))
    evening = crm.invoices("cus-1")
    # Then today is the 20th: open means due after it, nothing is overdue yet
    assert evening["today"] == "2026-11-20"
    assert [i["number"] for i in evening["items"]] == ["DUE-22", "DUE-21"]
    assert crm.numbers("cus-1", view="overdue") == []

    # When it is 00:30 on the 21st in Auckland — still the 20th in UTC (11:30)
    clock.set(NZ_MIDNIGHT + timedelta(minutes=30))
    # Then the org's today is the 21st: due on the 20th is overdue, due today is neither open nor overdue
    assert crm.invoices("cus-1")["today"] == "2026-11-21"
    assert crm.numbers("cus-1") == ["DUE-22"]
    assert crm.numbers("cus-1", view="overdue") == ["DUE-20"]
    assert crm.numbers("cus-1", view="unpaid") == ["DUE-22", "DUE-21", "DUE-20"]
    assert crm.numbers("cus-1", view="paid") == ["PAID-1"]
    assert crm.numbers("cus-1", view="all") == ["DUE-22", "DUE-21", "DUE-20", "PAID-1"]


def test_search_the_date_filter_and_totals_in_two_currencies(crm, clock):
    clock.set(NZ_MIDNIGHT + timedelta(hours=12))
    contact = crm.contact("Pacific Imports Inc")
    crm.invoice(contact, "INV-1042", date(2026, 11, 2), date(2026, 12, 2), "441.96")
    crm.invoice(contact, "INV-1043", date(2026, 11, 9), date(2026, 12, 9), "100.00")
    usd = crm.invoice(
        contact, "US-7", date(2026, 11, 15), date(2026, 12, 15), "200.00", CurrencyCode="USD", CurrencyRate=0.6
    )
    crm.pay(usd["InvoiceID"], date(2026, 11, 18), "50.00", "USD part", CurrencyRate=0.625)
    crm.link("cus-2", contact)

    assert crm.numbers("cus-2", view="all", q="104") == ["INV-1043", "INV-1042"]
    assert crm.numbers("cus-2", view="all", q="inv-1042") == ["INV-1042"]
    assert crm.numbers("cus-2", view="all", **{"from": "2026-11-05", "to": "2026-11-15"}) == ["US-7", "INV-1043"]

    sales = crm.invoices("cus-2")["totals"]["sales"]
    # NZD 541.96 unpaid; USD 150 unpaid at Xero's 0.6 (250.00 NZD); USD 50 paid at the payment's 0.625 (80.00 NZD)
    assert (sales["base_currency"], sales["unpaid"], sales["paid"]) == ("NZD", "791.96", "80.00")
    assert {c["currency"]: (c["paid"], c["unpaid"]) for c in sales["by_currency"]} == {
        "NZD": ("0.00", "541.96"),
        "USD": ("50.00", "150.00"),
    }
    summary = crm.host.call("GET", "/contacts/cus-2/invoices/summary")
    assert summary["totals"]["sales"] == sales


def test_instalments_and_the_link_into_xero(crm, clock):
    clock.set(NZ_MIDNIGHT + timedelta(hours=12))
    contact = crm.contact("Kiwi Roasters")
    invoice = crm.invoice(contact, "INV-2001", date(2026, 11, 3), date(2026, 12, 3), "300.00")
    for day, amount, reference in ((5, "100.00", "first"), (12, "100.00", "second"), (19, "100.00", "third")):
        crm.pay(invoice["InvoiceID"], date(2026, 11, day), amount, reference)
    crm.link("cus-3", contact)

    item = crm.invoices("cus-3", view="paid")["items"][0]
    assert (item["status"], item["payment_count"], item["balance"]) == ("paid", 3, "0.00")
    assert [(i["date"], i["amount"], i["reference"]) for i in item["instalments"]] == [
        ("2026-11-05", "100.00", "first"),
        ("2026-11-12", "100.00", "second"),
        ("2026-11-19", "100.00", "third"),
    ]
    short_code = crm.xero("GET", "Organisation")["Organisations"][0]["ShortCode"]
    assert item["xero_url"] == (
        f"https://go.xero.com/organisationlogin/default.aspx?shortcode={short_code}"
        f"&redirecturl=/AccountsReceivable/View.aspx?InvoiceID={invoice['InvoiceID']}"
    )


def test_pins_on_a_contact_and_on_a_deal(crm, clock):
    clock.set(NZ_MIDNIGHT + timedelta(hours=12))
    cafe, roasters = crm.contact("Harbour Cafe"), crm.contact("Kiwi Roasters")
    a = crm.invoice(cafe, "A-1", date(2026, 11, 1), date(2026, 11, 10), "120.00")
    b = crm.invoice(roasters, "B-1", date(2026, 11, 2), date(2026, 12, 2), "80.00")
    crm.invoice(cafe, "A-2", date(2026, 11, 3), date(2026, 12, 3), "60.00")
    crm.link("cus-4", cafe)

    crm.host.call("PUT", f"/contacts/cus-4/invoices/{a['InvoiceID']}/pin")
    assert crm.numbers("cus-4", view="pinned") == ["A-1"]
    # the other contact's invoice cannot be pinned to this contact
    refused = crm.host.call("PUT", f"/contacts/cus-4/invoices/{b['InvoiceID']}/pin", expect=400)
    assert refused["error"]["details"][0]["field"] == "path.invoice_id"

    for invoice in (a, b):
        crm.host.call("PUT", f"/records/deal/deal-9/pins/{invoice['InvoiceID']}")
    deal = crm.host.call("GET", "/records/deal/deal-9/pins")
    assert [i["number"] for i in deal["items"]] == ["B-1", "A-1"]
    sales = deal["totals"]["sales"]
    assert (sales["unpaid"], sales["overdue"], sales["unpaid_count"]) == ("200.00", "120.00", 2)


def test_a_payment_in_xero_shows_within_seconds_through_the_webhook(crm, clock, webhooks):
    clock.set(NZ_MIDNIGHT + timedelta(hours=12))
    contact = crm.contact("Webhook Cafe")
    invoice = crm.invoice(contact, "INV-3001", date(2026, 11, 10), date(2026, 12, 10), "250.00")
    crm.link("cus-5", contact)
    before = crm.invoices("cus-5")["items"][0]
    assert (before["balance"], before["payment_count"]) == ("250.00", 0)
    reads = crm.xero_reads("/api.xro/2.0/Invoices", with_query="ContactIDs")

    # When the accountant records a payment in Xero (Xero sends an INVOICE webhook)
    crm.pay(invoice["InvoiceID"], date(2026, 11, 21), "100.00", "deposit")
    # Then once the webhook of that payment is handled — well within the 60 s TTL: the clock has
    # not moved past it —
    paid = webhooks.wait_for(invoice["InvoiceID"], lambda seen: seen["Payments"], timeout=60)
    assert paid, "the emulator's webhook for the payment never reached the receiver"
    after = crm.invoices("cus-5")
    item = after["items"][0]
    assert (item["balance"], item["payment_count"], item["partially_paid"]) == ("150.00", 1, True)
    assert after["stale"] is False
    # And that cost one Xero call (the contact's invoices; its credit notes were still fresh)
    assert crm.xero_reads("/api.xro/2.0/Invoices", with_query="ContactIDs") == reads + 1
    assert webhooks.rejected == 0


def test_without_a_webhook_a_payment_shows_once_the_ttl_has_passed(crm, clock):
    clock.set(NZ_MIDNIGHT + timedelta(hours=12))
    contact = crm.contact("Quiet Cafe")
    invoice = crm.invoice(contact, "INV-4001", date(2026, 11, 10), date(2026, 12, 10), "90.00")
    crm.link("cus-6", contact)
    assert crm.numbers("cus-6") == ["INV-4001"]
    # Given a payment made in Xero while no webhook reaches the service (webhooks are off here)
    crm.pay(invoice["InvoiceID"], date(2026, 11, 21), "90.00", "cash")
    # Then within the TTL the cached list is served as it was
    clock.advance(seconds=30)
    assert crm.numbers("cus-6") == ["INV-4001"] and crm.numbers("cus-6", view="paid") == []
    # And once 60 s have passed since it was read, the payment shows
    clock.advance(seconds=31)
    item = crm.invoices("cus-6", view="paid")["items"][0]
    assert (item["number"], item["balance"]) == ("INV-4001", "0.00")


@pytest.mark.parametrize(
    ("fault", "options"),
    [("http_429", {"problem": "minute", "delay_seconds": 120}), ("http_503", {})],
    ids=["429", "503"],
)
def test_when_xero_answers_429_or_503_the_last_data_is_served_with_its_age(crm, clock, stack, fault, options):
    clock.set(NZ_MIDNIGHT + timedelta(hours=12))
    contact = crm.contact("Busy Cafe")
    crm.invoice(contact, "INV-5001", date(2026, 11, 10), date(2026, 12, 10), "70.00")
    crm.link("cus-7", contact)
    fresh = crm.invoices("cus-7")
    assert fresh["stale"] is False

    # Given the TTL has passed and Xero refuses this organisation's reads
    stack.emulator.state.faults.add(fault, count=5, tenant_id=crm.tenant_id, path_prefix="/Invoices", **options)
    clock.advance(seconds=90)
    # When the CRM shows the contact
    served = crm.invoices("cus-7")
    # Then the invoices are the last ones read, with their age and why
    assert [i["number"] for i in served["items"]] == ["INV-5001"]
    assert served["stale"] is True and served["as_of"] == fresh["as_of"]
    assert "Xero could not be read" in served["stale_reason"]
    assert Decimal(served["totals"]["sales"]["unpaid"]) == Decimal("70.00")


def test_with_nothing_cached_an_unavailable_xero_is_a_502_to_retry(crm, clock, stack):
    clock.set(NZ_MIDNIGHT + timedelta(hours=12))
    contact = crm.contact("New Cafe")
    crm.link("cus-8", contact)
    # (Xero down for as long as it takes: the import's own reads of /Invoices may meet it too)
    stack.emulator.state.faults.add("http_503", count=1000, tenant_id=crm.tenant_id, path_prefix="/Invoices")
    answer = crm.invoices("cus-8", expect=502)
    assert answer["error"]["code"] == "xero_error"
    stack.emulator.state.faults.clear()
    assert crm.invoices("cus-8")["stale"] is False  # Xero is back
