"""Shared tenants (N7) against the emulated Xero: two orgs of the host connected to one tenant by
the same Xero user share one Xero connection. One org leaving (delete, reset) removes only its own
link; the last one to leave removes the connection and revokes the access. A connection that
disappears in Xero behind the service's back moves the org that next calls Xero to needs_reauth,
with the reconnect email — in the export worker and in a call the host makes."""

from __future__ import annotations

from collections import Counter

import pytest
import requests
from lifecycle_helpers import contact, invoice, text_of

from xero_sync.domain.connection import ConnectionStatus
from xero_sync.domain.records import RecordStatus
from xero_sync.domain.sharing import KEPT_CONNECTION, KEPT_TOKEN
from xero_sync.xero.errors import ConnectionRemoved


def xero_releases(lifecycle, since: int) -> list[tuple[str, str, int]]:
    """The connection deletes and revocations Xero received after the ``since``-th request."""
    return [
        (r["method"], r["path"], r["status"])
        for r in lifecycle.requests_log()[since:]
        if r["path"].startswith("/connections/") or r["path"] == "/connect/revocation"
    ]


def remove_app_in_xero(lifecycle, tenant_id: str) -> None:
    """The Xero user removes the app for this organisation in Xero (Settings → Connected apps)."""
    answer = requests.post(f"{lifecycle.emulator.base_url}/_emulator/tenants/{tenant_id}/revoke-access", timeout=10)
    answer.raise_for_status()


@pytest.mark.parametrize("leave", ["delete", "reset"])
def test_one_org_leaving_keeps_the_shared_connection_for_the_other(lifecycle, leave):
    # Given two orgs connected to the same tenant by the same Xero user, both exporting
    a, b = lifecycle.org(), lifecycle.org()
    assert a.connection().connection_id == b.connection().connection_id
    assert a.services.connect.status(a.org_id).shared_tenant is True
    a.push(contact("c1", "Harbour Cafe"), invoice("a1", "c1", number="A-1"))
    b.push(contact("c1", "Harbour Cafe"), invoice("b1", "c1", number="B-1"))
    a.sync(), b.sync()
    lifecycle.drain_exports()
    assert a.xero_invoice_numbers() == ["A-1", "B-1"]

    # When org B is deleted (or reset) by its admin
    before = len(lifecycle.requests_log())
    view = getattr(b.services.connect, leave)(b.org_id)

    # Then B's answer says what was kept at Xero and why, and nothing was removed there
    assert view.warnings == [KEPT_CONNECTION, KEPT_TOKEN]
    assert xero_releases(lifecycle, before) == []
    [left] = [e for e in b.history("connection") if e.action == leave]
    assert "Nothing removed at Xero. Kept at Xero" in left.message

    # And org A keeps syncing through the same connection, and its status tells the truth
    a.push(invoice("a2", "c1", number="A-2"))
    a.sync()
    lifecycle.drain_exports()
    assert Counter(a.xero_invoice_numbers()) == {"A-1": 1, "A-2": 1, "B-1": 1}
    status = a.services.connect.status(a.org_id)
    assert (status.status, status.last_error, status.shared_tenant) == ("connected", None, False)
    assert a.record("invoice", "a2").status == RecordStatus.SYNCED.value

    # When A, the last org on the connection, is deleted too
    connection_id = a.connection().connection_id
    before = len(lifecycle.requests_log())
    last = a.services.connect.delete(a.org_id)

    # Then the connection is removed at Xero and the access revoked, with nothing to warn about
    assert last.warnings == []
    assert xero_releases(lifecycle, before) == [
        ("DELETE", f"/connections/{connection_id}", 204),
        ("POST", "/connect/revocation", 200),
    ]


def test_a_connection_removed_in_xero_pauses_the_exporting_org_and_emails_its_admin(lifecycle):
    # Given two orgs on one tenant, one of which exported an invoice
    a, b = lifecycle.org(), lifecycle.org()
    a.push(contact("c1", "Harbour Cafe"), invoice("i1", "c1"))
    a.sync()
    lifecycle.drain_exports()
    assert a.xero_invoice_numbers() == ["INV-i1"]

    # When the app is removed for the tenant in Xero, behind the service's back (the tokens still
    # refresh; the Accounting API answers 403), and A exports its next invoice
    remove_app_in_xero(lifecycle, a.tenant_id)
    a.push(invoice("i2", "c1"))
    a.sync()
    lifecycle.drain_exports()

    # Then A is needs_reauth with a message saying why, never left "connected"; the record waits
    connection = a.connection()
    assert connection.status is ConnectionStatus.NEEDS_REAUTH
    assert "no longer grants access" in connection.last_error
    assert a.record("invoice", "i2").status == RecordStatus.PENDING.value
    assert a.services.connect.status(a.org_id).status == "needs_reauth"
    # … B, which has not called Xero since, is not touched until it does
    assert b.connection().status is ConnectionStatus.CONNECTED

    # And A's admin receives the reconnect email, once
    lifecycle.run_notifier()
    lifecycle.run_notifier(wait=0)
    [email] = lifecycle.emails()
    assert "reconnect Xero" in email["Subject"] and email["To"] == "admin@demo.example"
    assert f"https://app.acme.example/orgs/{a.org_id}/integrations/xero" in text_of(email)

    # When A's admin reconnects, the pending invoice goes to Xero once
    a.connect()
    a.sync()
    lifecycle.drain_exports()
    assert Counter(a.xero_invoice_numbers()) == {"INV-i1": 1, "INV-i2": 1}


def test_a_host_call_that_reaches_xero_finds_the_connection_gone(lifecycle):
    # Given a connected org whose app was removed in Xero
    org = lifecycle.org()
    remove_app_in_xero(lifecycle, org.tenant_id)

    # When the host asks to import Xero's reference data again ("Refresh from Xero")
    with pytest.raises(ConnectionRemoved) as raised:
        org.services.mapping_contexts.refresh(org.org_id, lifecycle.now())

    # Then the org is needs_reauth (the API answers 409 with what to do) and the admin is emailed
    assert raised.value.status == 403
    assert org.connection().status is ConnectionStatus.NEEDS_REAUTH
    lifecycle.run_notifier()
    [email] = lifecycle.emails()
    assert "reconnect Xero" in email["Subject"]
    assert [e.action for e in org.history("notification")] == ["needs_reauth"]
