"""N7 end to end over HTTP: two host orgs connected to one Xero tenant by the same Xero user (one
Xero connection). Deleting one org's integration leaves the other syncing, and the other's
``GET /connection`` tells the truth; the app removed in Xero behind the service's back moves the
org that next reaches Xero to needs_reauth, with a 409 saying what to do and the reconnect email."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.policy import default
from pathlib import Path

import pytest
import requests

from local.host_records import GST
from local.stack import LocalStack
from tests.e2e.conftest import Host, start_e2e_stack

SETTINGS = {"sync_frequency": "manual", "sales_account": "200", "sales_adjustments_account": "260"}


@pytest.fixture(scope="module")
def email_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("emails")


@pytest.fixture(scope="module")
def stack(email_dir: Path) -> Iterator[LocalStack]:
    """The local stack of the other e2e tests, writing every email SES accepts to ``email_dir``."""
    with start_e2e_stack(
        "e2e-shared",
        LOCAL_EMAIL_DIR=str(email_dir),
        HOST_RECONNECT_URL_TEMPLATE="https://app.acme.example/orgs/{org_id}/integrations/xero",
    ) as running:
        yield running


def host_for(stack: LocalStack, org_id: str) -> Host:
    key = stack.create_api_key(name=f"host of {org_id}", org_ids=[org_id])
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key.api_key}"
    return Host(stack.api_url, org_id, session)


def invoice(record_id: str) -> dict:
    return {
        "entity": "invoice",
        "id": record_id,
        "version": 1,
        "action": "upsert",
        "data": {
            "number": record_id.upper(),
            "contact_id": "c1",
            "date": "2026-11-02",
            "status": "open",
            "lines": [{"item_name": "Beans", "quantity": 2, "rate": "50", "tax_id": "gst15", "account_code": "200"}],
        },
    }


def push_and_sync(stack: LocalStack, host: Host, *records: dict) -> None:
    pushed = host.call("POST", "/records", {"records": list(records)}, expect=202)
    assert pushed["rejected"] == 0, pushed
    host.call("POST", "/sync", {}, expect=202)
    stack.runner.drain(timeout=120)


def xero(stack: LocalStack, path: str, **params) -> list[dict]:
    body = requests.get(f"{stack.emulator.base_url}/_emulator/{path}", params=params, timeout=30).json()
    return body["requests"] if isinstance(body, dict) and "requests" in body else body


def test_two_orgs_on_one_connection_leave_and_lose_it_independently(stack, email_dir):
    # Given two orgs of the host connected to the demo tenant by the same Xero user
    a, b = host_for(stack, "shared-org-a"), host_for(stack, "shared-org-b")
    assert a.connect()["xero_status"] == "connected" and b.connect()["xero_status"] == "connected"
    assert a.call("GET", "/connection")["shared_tenant"] is True
    assert b.call("GET", "/connection")["shared_tenant"] is True
    tenant_id = a.call("GET", "/connection")["tenant"]["tenant_id"]
    a.call("PUT", "/settings", {"settings": SETTINGS})
    a.call("PUT", "/tax-mappings", {"mappings": [GST]})
    contact = {"entity": "contact", "id": "c1", "version": 1, "action": "upsert", "data": {"display_name": "Cafe A"}}
    push_and_sync(stack, a, contact, invoice("a-1"))
    assert a.call("GET", "/records/invoice/a-1")["status"] == "synced"

    # When B's admin deletes B's integration
    log_before = len(xero(stack, "requests"))
    deleted = b.call("DELETE", "/connection")

    # Then B is disconnected, told that the Xero side was kept for another org, and Xero saw nothing
    assert deleted["status"] == "disconnected"
    assert [w.split(":")[0] for w in deleted["warnings"]] == ["Kept at Xero", "Kept at Xero"]
    released = [
        r
        for r in xero(stack, "requests")[log_before:]
        if r["path"].startswith(("/connections/", "/connect/revocation"))
    ]
    assert released == []

    # And A keeps syncing, and its status tells the truth
    push_and_sync(stack, a, invoice("a-2"))
    assert a.call("GET", "/records/invoice/a-2")["status"] == "synced"
    status = a.call("GET", "/connection")
    assert (status["status"], status["last_error"], status["shared_tenant"]) == ("connected", None, False)

    # When the Xero user removes the app for the tenant in Xero, behind the service's back
    requests.post(f"{stack.emulator.base_url}/_emulator/tenants/{tenant_id}/revoke-access", timeout=30)

    # Then A's next call that reaches Xero is refused with what to do, not a 502
    refused = a.call("POST", "/xero/refresh", expect=409)["error"]
    assert refused["code"] == "conflict" and "needs_reauth" in refused["message"] and "/connect" in refused["message"]
    # … A's status says so, with the reason
    status = a.call("GET", "/connection")
    assert status["status"] == "needs_reauth" and "no longer grants access" in status["last_error"]
    # … and A's admin receives the reconnect email
    stack.runner.drain(timeout=60)
    [message] = [email.message_from_bytes(p.read_bytes(), policy=default) for p in sorted(email_dir.glob("*.eml"))]
    assert "reconnect Xero" in message["Subject"]
    assert "https://app.acme.example/orgs/shared-org-a/integrations/xero" in message.get_body(("plain",)).get_content()
