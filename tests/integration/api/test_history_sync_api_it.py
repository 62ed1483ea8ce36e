"""History listing with filters and paging (F7.1), "Sync now" with the sync service (F3.7, F3.8),
and the org scope of every export route (N4), through the API handler against moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from api_it_helpers import contact, invoice, receive_all

from xero_sync.domain.connection import EncryptedTokens, TenantRef
from xero_sync.domain.families import Family
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.records import RecordKey

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

DAY = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


def mark_connected(container, org_id: str) -> None:
    """A connection as the OAuth callback stores it (the tokens are never used here: nothing in
    these tests calls Xero)."""
    now = datetime.now(UTC)
    tenant = TenantRef(tenant_id=f"tenant-{org_id}", connection_id="conn-1", tenant_name="Demo Ltd")
    container.connections.save_consent(
        org_id,
        tenants=[tenant],
        chosen=tenant,
        auth_event_id=None,
        scopes=None,
        connected_by_email=None,
        connected_by_user_id=None,
        tokens=EncryptedTokens(b"a", now + timedelta(minutes=30), b"r", now),
        now=now,
    )


def seed_history(container, org_id: str) -> list[HistoryEvent]:
    """Ten events over ten days: invoices and payments, every third one failed."""
    events = []
    for n in range(10):
        entity = "invoice" if n % 2 == 0 else "invoice_payment"
        events.append(
            HistoryEvent(
                org_id=org_id,
                at=DAY + timedelta(days=n),
                direction="export",
                action="create",
                outcome="failed" if n % 3 == 0 else "succeeded",
                entity=entity,
                record_id=f"{entity}-{n}",
                version=1,
                message=f"attempt {n}" + (" Account 'Merchant Fees' has no code" if n % 3 == 0 else ""),
            )
        )
    container.history.append_many(events)
    return events


def history(api, org, **query):
    answer = api.call("GET", f"/v1/orgs/{org.org_id}/history", key=org.key, query=query)
    assert answer.status == 200, answer.body
    return answer.body


def test_history_filters_by_outcome_entity_dates_and_text(api, services, org):
    # Given ten events over ten days
    seed_history(services, org.org_id)
    # Then each filter narrows the list, newest first
    failed = history(api, org, status="failed")["events"]
    assert [e["record_id"] for e in failed] == ["invoice_payment-9", "invoice-6", "invoice_payment-3", "invoice-0"]
    assert {e["entity"] for e in history(api, org, entity="invoice_payment")["events"]} == {"invoice_payment"}
    in_range = history(api, org, **{"from": "2026-11-12", "to": "2026-11-14"})["events"]
    assert [e["record_id"] for e in in_range] == ["invoice-4", "invoice_payment-3", "invoice-2"]
    since_moment = history(api, org, **{"from": "2026-11-18T08:00:00Z"})["events"]
    assert [e["record_id"] for e in since_moment] == ["invoice_payment-9", "invoice-8"]
    assert len(history(api, org, q="Merchant Fees")["events"]) == 4


def test_history_pages_with_an_opaque_cursor(api, services, org):
    # Given ten events
    events = seed_history(services, org.org_id)
    # When they are read three at a time, following next_cursor
    seen, cursor, pages = [], None, 0
    while True:
        page = history(api, org, limit="3", **({"cursor": cursor} if cursor else {}))
        seen += [e["record_id"] for e in page["events"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Then every event comes exactly once, newest first, over four pages
    assert seen == [e.record_id for e in reversed(events)] and pages == 4


def test_history_filters_page_too(api, services, org):
    seed_history(services, org.org_id)
    first = history(api, org, status="succeeded", limit="4")
    second = history(api, org, status="succeeded", limit="4", cursor=first["next_cursor"])
    assert len(first["events"]) == 4 and len(second["events"]) == 2
    assert {e["outcome"] for e in first["events"] + second["events"]} == {"succeeded"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "bm90LWEtY3Vyc29y"}, "query.cursor"),
        ({"limit": "0"}, "query.limit"),
        ({"limit": "201"}, "query.limit"),
        ({"status": "exploded"}, "query.status"),
        ({"from": "yesterday"}, "query.from"),
        ({"from": "2026-11-12", "to": "2026-11-01"}, "query.to"),
    ],
)
def test_bad_history_parameters_are_400_naming_the_parameter(api, services, org, query, field):
    answer = api.call("GET", f"/v1/orgs/{org.org_id}/history", key=org.key, query=query)
    assert answer.status == 400 and answer.error_fields == [field]


def test_a_cursor_of_another_org_is_refused(api, services, org, other_org):
    seed_history(services, other_org.org_id)
    foreign = api.call("GET", f"/v1/orgs/{other_org.org_id}/history", key=other_org.key, query={"limit": "2"})
    answer = api.call(
        "GET", f"/v1/orgs/{org.org_id}/history", key=org.key, query={"cursor": foreign.body["next_cursor"]}
    )
    assert answer.status == 400 and answer.error_fields == ["query.cursor"]


# --- "Sync now" ------------------------------------------------------------------------------------


def test_sync_now_sends_the_outstanding_records(api, services, org, api_stack):
    # Given a connected org with a contact and an invoice waiting for export
    mark_connected(services, org.org_id)
    api.call(
        "POST", f"/v1/orgs/{org.org_id}/records", key=org.key, body={"records": [contact("c1"), invoice("i1", "c1")]}
    )
    # When the host asks for a sync of invoices only, then of everything
    only_invoices = api.call("POST", f"/v1/orgs/{org.org_id}/sync", key=org.key, body={"entities": ["invoice"]})
    everything = api.call("POST", f"/v1/orgs/{org.org_id}/sync", key=org.key)
    # Then 202 with what was enqueued, and the keys are in the queues with reason sync (the contact
    # stays idle: the worker exports it with the invoice that refers to it)
    assert (only_invoices.status, only_invoices.body["enqueued"]) == (202, 1)
    assert (everything.status, everything.body["enqueued"]) == (202, 1)
    queued = [m for m in receive_all(services, api_stack.queue_urls[Family.INVOICES]) if m["org_id"] == org.org_id]
    assert [(m["record_id"], m["reason"]) for m in queued] == [("i1", "sync"), ("i1", "sync")]


def test_sync_now_takes_a_historical_range(api, services, org):
    mark_connected(services, org.org_id)
    answer = api.call(
        "POST", f"/v1/orgs/{org.org_id}/sync", key=org.key, body={"from": "2025-01-01", "to": "2025-12-31"}
    )
    assert answer.status == 202 and (answer.body["from"], answer.body["to"]) == ("2025-01-01", "2025-12-31")
    reversed_range = api.call(
        "POST", f"/v1/orgs/{org.org_id}/sync", key=org.key, body={"from": "2025-12-31", "to": "2025-01-01"}
    )
    assert reversed_range.status == 400 and reversed_range.error_fields == ["to"]


def test_sync_now_of_an_org_not_connected_is_a_409(api, services, org):
    answer = api.call("POST", f"/v1/orgs/{org.org_id}/sync", key=org.key)
    assert answer.status == 409 and "/connect" in answer.body["error"]["message"]


# --- org scope (N4) ---------------------------------------------------------------------------------

EXPORT_ROUTES = [
    (
        "POST",
        "/records",
        {
            "records": [
                {
                    "entity": "contact",
                    "id": "c1",
                    "version": 1,
                    "action": "upsert",
                    "data": {"display_name": "Harbour Cafe Ltd"},
                }
            ]
        },
    ),
    ("GET", "/records/invoice/inv-1", None),
    ("POST", "/records/invoice/inv-1/retry", None),
    ("POST", "/failures/retry", None),
    ("GET", "/history", None),
    ("GET", "/settings", None),
    ("PUT", "/settings", {"settings": {"language": "fr"}}),
    ("GET", "/tax-mappings", None),
    ("PUT", "/tax-mappings", {"mappings": []}),
    ("GET", "/xero/accounts", None),
    ("GET", "/xero/tax-rates", None),
    ("GET", "/xero/contact-groups", None),
    ("GET", "/xero/currencies", None),
    ("POST", "/sync", None),
]


@pytest.mark.parametrize(("method", "route", "body"), EXPORT_ROUTES, ids=[f"{m} {r}" for m, r, _ in EXPORT_ROUTES])
def test_a_key_for_one_org_gets_403_on_another_org(api, services, org, other_org, method, route, body):
    # Given org B with data, and a key scoped to org A
    api.call("POST", f"/v1/orgs/{other_org.org_id}/records", key=other_org.key, body=EXPORT_ROUTES[0][2])
    # When org A's key is used on org B's route
    answer = api.call(method, f"/v1/orgs/{other_org.org_id}{route}", key=org.key, body=body)
    # Then 403, and nothing of org B is read or changed
    assert answer.status == 403 and answer.body["error"]["code"] == "forbidden"
    assert services.org_settings.get(other_org.org_id).revision == 0
    assert services.records.get(RecordKey(other_org.org_id, "contact", "c1")).status == "idle"
    # And without a key the same route is 401
    assert api.call(method, f"/v1/orgs/{org.org_id}{route}", key=None, body=body).status == 401
