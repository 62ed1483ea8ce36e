"""The read view through the API handler (F5), against the Xero emulator over HTTP and tables
created from template.yaml: a CRM links a contact to a Xero contact and reads its invoices,
totals and instalments; pins; and every bad input is a 400 naming the parameter."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests
from api_it_helpers import connect_org

from tests.read_view_bodies import invoice_body, payment_body
from xero_sync.clock import utcnow

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


def as_xero_user(xero, org_id: str, method: str, path: str, body=None) -> dict:
    """A change (or read) made in Xero by a user: the emulator's control plane."""
    tenant_id = xero.container.connections.get(org_id).tenant_id
    answer = requests.request(
        method, f"{xero.emulator.base_url.rstrip('/')}/_emulator/tenants/{tenant_id}/api/{path}", json=body, timeout=10
    )
    assert answer.status_code == 200, answer.text[:500]
    return answer.json()


def xero_contact(xero, org_id: str, name: str) -> str:
    return as_xero_user(xero, org_id, "PUT", "Contacts", {"Contacts": [{"Name": name}]})["Contacts"][0]["ContactID"]


def xero_invoice(xero, org_id: str, contact_id: str, number: str, day: date, due: date, amount: str, **extra) -> dict:
    body = invoice_body(contact_id, number, day, due, amount, **extra)
    return as_xero_user(xero, org_id, "PUT", "Invoices", {"Invoices": [body]})["Invoices"][0]


def xero_payment(xero, org_id: str, invoice_id: str, day: date, amount: str, reference: str) -> None:
    as_xero_user(xero, org_id, "PUT", "Payments", {"Payments": [payment_body(invoice_id, day, amount, reference)]})


@pytest.fixture
def crm(api, xero, org):
    """A connected org whose Xero has a customer with three invoices, one paid in two instalments."""
    connect_org(api, org.org_id, org.key)
    today = utcnow().date()
    contact_id = xero_contact(xero, org.org_id, "Harbour Cafe")
    paid = xero_invoice(
        xero, org.org_id, contact_id, "INV-1001", today - timedelta(days=40), today - timedelta(days=10), "300.00"
    )
    xero_payment(xero, org.org_id, paid["InvoiceID"], today - timedelta(days=20), "100.00", "first")
    xero_payment(xero, org.org_id, paid["InvoiceID"], today - timedelta(days=5), "200.00", "second")
    overdue = xero_invoice(
        xero, org.org_id, contact_id, "INV-1002", today - timedelta(days=30), today - timedelta(days=3), "50.00"
    )
    open_ = xero_invoice(
        xero, org.org_id, contact_id, "INV-1010", today - timedelta(days=2), today + timedelta(days=28), "80.00"
    )
    return {"contact": contact_id, "paid": paid, "overdue": overdue, "open": open_, "today": today}


def _call(api, org, method: str, path: str, **options):
    return api.call(method, f"/v1/orgs/{org.org_id}{path}", key=org.key, **options)


def test_a_crm_links_a_contact_and_reads_its_invoices_views_and_totals(api, xero, org, crm):
    # Given a host contact not linked yet: 404, saying how to link it
    answer = _call(api, org, "GET", "/contacts/cus-17/invoices")
    assert answer.status == 404 and "xero-link" in answer.body["error"]["message"]
    # When the CRM links it to the Xero contact
    linked = _call(api, org, "PUT", "/contacts/cus-17/xero-link", body={"xero_contact_id": crm["contact"]})
    assert linked.status == 200, linked.body
    assert (linked.body["source"], linked.body["xero_contact_name"]) == ("explicit", "Harbour Cafe")
    assert _call(api, org, "GET", "/contacts/cus-17/xero-link").body["xero_contact_id"] == crm["contact"]
    # Then the default view lists the open invoices only
    listed = _call(api, org, "GET", "/contacts/cus-17/invoices")
    assert listed.status == 200, listed.body
    assert (listed.body["view"], [i["number"] for i in listed.body["items"]]) == ("open", ["INV-1010"])

    # And each saved view holds what the seed says
    def numbers(view):
        return [
            i["number"] for i in _call(api, org, "GET", "/contacts/cus-17/invoices", query={"view": view}).body["items"]
        ]

    assert numbers("paid") == ["INV-1001"]
    assert numbers("unpaid") == ["INV-1010", "INV-1002"]
    assert numbers("overdue") == ["INV-1002"]
    assert numbers("all") == ["INV-1010", "INV-1002", "INV-1001"]
    # And the paid invoice shows its two instalments and a link into the right Xero organisation
    paid = next(i for i in _call(api, org, "GET", "/contacts/cus-17/invoices", query={"view": "paid"}).body["items"])
    assert (paid["status"], paid["payment_count"], Decimal(paid["balance"])) == ("paid", 2, Decimal(0))
    assert [(i["amount"], i["reference"]) for i in paid["instalments"]] == [("100.00", "first"), ("200.00", "second")]
    short_code = as_xero_user(xero, org.org_id, "GET", "Organisation")["Organisations"][0]["ShortCode"]
    assert paid["xero_url"] == (
        f"https://go.xero.com/organisationlogin/default.aspx?shortcode={short_code}"
        f"&redirecturl=/AccountsReceivable/View.aspx?InvoiceID={crm['paid']['InvoiceID']}"
    )
    # And the totals, with the list and alone
    summary = _call(api, org, "GET", "/contacts/cus-17/invoices/summary")
    assert summary.status == 200 and summary.body["totals"] == listed.body["totals"]
    sales = summary.body["totals"]["sales"]
    assert (sales["paid"], sales["unpaid"], sales["overdue"]) == ("300.00", "130.00", "50.00")
    assert summary.body["stale"] is False


def test_search_date_filter_and_paging(api, org, crm):
    _call(api, org, "PUT", "/contacts/cus-17/xero-link", body={"xero_contact_id": crm["contact"]})
    found = _call(api, org, "GET", "/contacts/cus-17/invoices", query={"view": "all", "q": "inv-100"}).body
    assert [i["number"] for i in found["items"]] == ["INV-1002", "INV-1001"]
    since = (crm["today"] - timedelta(days=30)).isoformat()
    dated = _call(api, org, "GET", "/contacts/cus-17/invoices", query={"view": "all", "from": since}).body
    assert [i["number"] for i in dated["items"]] == ["INV-1010", "INV-1002"]
    first = _call(api, org, "GET", "/contacts/cus-17/invoices", query={"view": "all", "limit": "2"}).body
    second = _call(
        api,
        org,
        "GET",
        "/contacts/cus-17/invoices",
        query={"view": "all", "limit": "2", "cursor": first["next_cursor"]},
    ).body
    assert [i["number"] for i in first["items"] + second["items"]] == ["INV-1010", "INV-1002", "INV-1001"]
    assert second["next_cursor"] is None and first["matched"] == 3


def test_pins_on_the_contact_and_on_a_deal(api, xero, org, crm):
    _call(api, org, "PUT", "/contacts/cus-17/xero-link", body={"xero_contact_id": crm["contact"]})
    paid_id, overdue_id = crm["paid"]["InvoiceID"], crm["overdue"]["InvoiceID"]
    pinned = _call(api, org, "PUT", f"/contacts/cus-17/invoices/{paid_id}/pin")
    assert pinned.status == 200 and pinned.body["pinned"] and pinned.body["changed"]
    view = _call(api, org, "GET", "/contacts/cus-17/invoices", query={"view": "pinned"}).body
    assert [(i["number"], i["pinned"]) for i in view["items"]] == [("INV-1001", True)]
    # the same pin through the records route, on a deal, with the deal's totals
    for invoice_id in (paid_id, overdue_id):
        assert _call(api, org, "PUT", f"/records/deal/deal-7/pins/{invoice_id}").status == 200
    deal = _call(api, org, "GET", "/records/deal/deal-7/pins").body
    assert [i["number"] for i in deal["items"]] == ["INV-1002", "INV-1001"]
    assert (deal["totals"]["sales"]["paid"], deal["totals"]["sales"]["unpaid"]) == ("300.00", "50.00")
    unpinned = _call(api, org, "DELETE", f"/records/deal/deal-7/pins/{overdue_id}")
    assert unpinned.status == 200 and not unpinned.body["pinned"] and unpinned.body["changed"]
    assert [i["number"] for i in _call(api, org, "GET", "/records/deal/deal-7/pins").body["items"]] == ["INV-1001"]


@pytest.mark.parametrize(
    ("method", "path", "options", "field"),
    [
        ("GET", "/contacts/cus-17/invoices", {"query": {"view": "recent"}}, "query.view"),
        ("GET", "/contacts/cus-17/invoices", {"query": {"from": "2026-11-02", "to": "2026-11-01"}}, "query.from"),
        ("GET", "/contacts/cus-17/invoices", {"query": {"from": "2026-13-01"}}, "query.from"),
        ("GET", "/contacts/cus-17/invoices", {"query": {"to": "yesterday"}}, "query.to"),
        ("GET", "/contacts/cus-17/invoices", {"query": {"limit": "0"}}, "query.limit"),
        ("GET", "/contacts/cus-17/invoices", {"query": {"cursor": "garbage"}}, "query.cursor"),
        ("PUT", "/contacts/cus-17/invoices/not-a-guid/pin", {}, "path.invoice_id"),
        ("PUT", "/records/Deal!/d-1/pins/4aa20e93-ec11-441e-b5dc-1fdafdfdf06c", {}, "path.record_type"),
        ("PUT", "/contacts/cus-17/xero-link", {"body": {"xero_contact_id": "nope"}}, "xero_contact_id"),
        (
            "PUT",
            "/contacts/cus-17/xero-link",
            {"body": {"xero_contact_id": "4aa20e93-ec11-441e-b5dc-1fdafdfdf06c"}},
            "xero_contact_id",
        ),
        ("PUT", "/records/deal/d-1/pins/4aa20e93-ec11-441e-b5dc-1fdafdfdf06c", {}, "path.invoice_id"),
    ],
)
def test_bad_input_is_400_naming_the_parameter(api, xero, org, crm, method, path, options, field):
    _call(api, org, "PUT", "/contacts/cus-17/xero-link", body={"xero_contact_id": crm["contact"]})
    answer = _call(api, org, method, path, **options)
    assert answer.status == 400, answer.body
    assert field in answer.error_fields, answer.body


def test_a_pin_on_an_invoice_that_is_not_the_contacts_is_400_and_stores_nothing(api, xero, org, crm):
    _call(api, org, "PUT", "/contacts/cus-17/xero-link", body={"xero_contact_id": crm["contact"]})
    other = xero_contact(xero, org.org_id, "Kiwi Roasters")
    today = crm["today"]
    foreign = xero_invoice(xero, org.org_id, other, "KR-1", today, today + timedelta(days=30), "10.00")
    answer = _call(api, org, "PUT", f"/contacts/cus-17/invoices/{foreign['InvoiceID']}/pin")
    assert answer.status == 400 and answer.error_fields == ["path.invoice_id"]
    assert _call(api, org, "GET", "/contacts/cus-17/invoices", query={"view": "pinned"}).body["items"] == []


def test_without_a_connection_the_read_view_is_409_saying_what_to_do(api, services, org):
    answer = _call(api, org, "GET", "/contacts/cus-17/invoices")
    assert answer.status == 409 and "connect" in answer.body["error"]["message"]


READ_VIEW_ROUTES = {
    ("get", "/v1/orgs/{org_id}/contacts/{contact_id}/invoices"): "InvoiceListView",
    ("get", "/v1/orgs/{org_id}/contacts/{contact_id}/invoices/summary"): "InvoiceSummaryView",
    ("put", "/v1/orgs/{org_id}/contacts/{contact_id}/invoices/{invoice_id}/pin"): "PinView",
    ("delete", "/v1/orgs/{org_id}/contacts/{contact_id}/invoices/{invoice_id}/pin"): "PinView",
    ("get", "/v1/orgs/{org_id}/contacts/{contact_id}/xero-link"): "ContactLinkView",
    ("put", "/v1/orgs/{org_id}/contacts/{contact_id}/xero-link"): "ContactLinkView",
    ("delete", "/v1/orgs/{org_id}/contacts/{contact_id}/xero-link"): "ContactLinkView",
    ("get", "/v1/orgs/{org_id}/records/{record_type}/{record_id}/pins"): "PinnedInvoicesView",
    ("put", "/v1/orgs/{org_id}/records/{record_type}/{record_id}/pins/{invoice_id}"): "PinView",
    ("delete", "/v1/orgs/{org_id}/records/{record_type}/{record_id}/pins/{invoice_id}"): "PinView",
}


def test_the_openapi_document_describes_every_read_view_route(api, services):
    from openapi_spec_validator import validate

    document = api.call("GET", "/v1/openapi.json", key=None).body
    validate(document)
    for (method, path), model in READ_VIEW_ROUTES.items():
        responses = document["paths"][path][method]["responses"]
        assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith(f"/{model}"), (method, path)
        assert {"400", "401", "403"} <= set(responses), (method, path)
    listing = document["paths"]["/v1/orgs/{org_id}/contacts/{contact_id}/invoices"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"view", "q", "from", "to", "limit", "cursor"}
    assert document["components"]["schemas"]["View"]["enum"] == ["open", "paid", "unpaid", "overdue", "pinned", "all"]
