"""The 60-day inactivity disconnect (F6.1, F1.5) end to end: the checker's handler with the
sample EventBridge event, the emulated Xero (whose clock is the service's clock), the notifier
and the emails as an admin would receive them."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from lifecycle_helpers import contact, html_of, invoice, text_of

from xero_sync.dal.models import ConnectionModel
from xero_sync.domain.connection import ConnectionStatus


def test_warning_at_day_53_disconnect_at_day_60_and_a_reconnect_that_resumes(lifecycle):
    # Given an org that exported an invoice, and another org that keeps being used
    idle = lifecycle.org()
    idle.push(contact("c1", "Harbour Cafe"), invoice("i1", "c1"))
    idle.sync()
    lifecycle.drain_exports()
    assert idle.xero_invoice_numbers() == ["INV-i1"]
    last_activity = idle.connection().last_activity_at
    connection_id = idle.connection().connection_id
    busy = lifecycle.org()

    # When 52 days pass (the busy org exports an invoice on day 50) and the checker runs
    lifecycle.advance_to(last_activity + timedelta(days=50))
    busy.push(contact("b1", "Busy Bee"), invoice("b-i0", "b1"))
    busy.sync()
    lifecycle.drain_exports()
    lifecycle.advance_to(last_activity + timedelta(days=52, hours=23))
    assert lifecycle.run_inactivity_checker()["checked"] == 0

    # When day 53 comes: the idle org is warned — once, however often the checker runs
    lifecycle.advance_to(last_activity + timedelta(days=53, minutes=1))
    refreshes_before = len(lifecycle.requests_log(method="POST", path_prefix="/connect/token"))
    first = lifecycle.run_inactivity_checker()
    second = lifecycle.run_inactivity_checker()
    assert (first["checked"], first["warned"], first["disconnected"]) == (1, 1, 0)
    assert (second["warned"], second["disconnected"]) == (0, 0)
    lifecycle.run_notifier()
    [warning] = lifecycle.emails()
    disconnect_day = (last_activity + timedelta(days=60)).date()
    assert warning["To"] == "admin@demo.example"  # the Xero user who connected (no admin emails set)
    assert warning["From"] == "Acme Billing <xero-sync@acme.example>" and warning["Reply-To"] == "support@acme.example"
    assert "will be disconnected on" in warning["Subject"]
    body = text_of(warning)
    assert f"{disconnect_day.day} " in body and "(53 days)" in body
    assert "https://app.acme.example/orgs/" in body and "Sync now" in body
    assert "Sync now" in html_of(warning)
    # … and its token was refreshed, so that Xero still accepts it for the revocation on day 60
    assert len(lifecycle.requests_log(method="POST", path_prefix="/connect/token")) == refreshes_before + 1
    assert idle.connection().status == ConnectionStatus.CONNECTED.value

    # When day 60 comes
    lifecycle.advance_to(last_activity + timedelta(days=60, minutes=1))
    day_60 = lifecycle.now()
    result = lifecycle.run_inactivity_checker()
    again = lifecycle.run_inactivity_checker()

    # Then the idle org is disconnected. The busy org was connected to the same tenant by the same
    # Xero user, through the same Xero connection: it is kept at Xero, and the token not revoked
    # (that would revoke the busy org's too) (N7)
    assert (result["disconnected"], again["checked"]) == (1, 0)
    assert busy.connection().connection_id == connection_id
    calls = [r for r in lifecycle.requests_log() if r["at"] >= day_60.isoformat()[:19]]
    paths = [(r["method"], r["path"], r["status"]) for r in calls]
    assert not [p for p in paths if p[1].startswith("/connections/") or p[1] == "/connect/revocation"]
    connection = idle.connection()
    assert connection.status is ConnectionStatus.DISCONNECTED_INACTIVE
    assert connection.disconnect_reason.startswith("no activity for 60 days")
    row = ConnectionModel.get(connection.org_id, consistent_read=True)  # the sparse indexes' attributes
    assert row.next_sync_at is None and row.schedule_shard is None and row.activity_shard is None
    # … its admin is told, once
    lifecycle.run_notifier()
    disconnected = lifecycle.emails()[1:]
    assert len(disconnected) == 1 and "was disconnected after 60 days without activity" in disconnected[0]["Subject"]
    assert "Kept at Xero: another org uses this Xero connection" in text_of(disconnected[0])
    # … history and record links are kept
    assert idle.record("invoice", "i1").xero_id
    assert {e.action for e in idle.history("notification")} == {"inactivity_warning", "disconnected_inactive"}
    # … and the active org was left alone (no warning, no email, still connected — and it still
    # reaches Xero through the connection the idle org shared)
    assert busy.connection().status == ConnectionStatus.CONNECTED.value
    assert busy.connection().inactivity_warning_sent_at is None
    assert busy.history("notification") == []
    busy.push(contact("b1", "Busy Bee", version=2), invoice("b-i1", "b1"))
    busy.sync()
    lifecycle.drain_exports()
    assert busy.record("invoice", "b-i1").status == "synced"
    assert busy.connection().status == ConnectionStatus.CONNECTED.value

    # When the admin reconnects the same tenant and the host changes the invoice and adds one
    idle.connect()
    idle.push(invoice("i1", "c1", version=2, rate="60"), invoice("i2", "c1"))
    idle.sync()
    lifecycle.drain_exports()

    # Then syncing resumes without duplicates: the old invoice is updated, not created again
    numbers = Counter(idle.xero_invoice_numbers())  # the tenant also holds the busy org's invoices
    assert numbers == {"INV-i1": 1, "INV-i2": 1, "INV-b-i0": 1, "INV-b-i1": 1}
    assert [c["Name"] for c in idle.xero()["Contacts"]].count("Harbour Cafe") == 1
    updated = next(i for i in idle.xero()["Invoices"] if i["InvoiceNumber"] == "INV-i1")
    assert float(updated["SubTotal"]) == 120.0


def test_the_last_org_on_a_connection_removes_it_and_revokes_the_token_at_day_60(lifecycle):
    # Given one org alone on its Xero connection, idle since it connected
    idle = lifecycle.org()
    connection_id = idle.connection().connection_id
    last_activity = idle.connection().last_activity_at
    lifecycle.advance_to(last_activity + timedelta(days=53, minutes=1))
    assert lifecycle.run_inactivity_checker()["warned"] == 1

    # When day 60 comes
    lifecycle.advance_to(last_activity + timedelta(days=60, minutes=1))
    day_60 = lifecycle.now()
    assert lifecycle.run_inactivity_checker()["disconnected"] == 1

    # Then its Xero connection is deleted and its token revoked at Xero, and the history says so
    calls = [r for r in lifecycle.requests_log() if r["at"] >= day_60.isoformat()[:19]]
    paths = [(r["method"], r["path"], r["status"]) for r in calls]
    assert ("DELETE", f"/connections/{connection_id}", 204) in paths
    assert ("POST", "/connect/revocation", 200) in paths
    [event] = [e for e in idle.history("connection") if e.action == "disconnect_inactive"]
    assert "Token revoked at Xero; Xero connection removed." in event.message
    assert idle.connection().status is ConnectionStatus.DISCONNECTED_INACTIVE
