"""Needs-reauth (F1.4): Xero rejects the refresh token → syncing stops, the admin is emailed once
with the host's reconnect link, records pushed meanwhile wait, and reconnecting resumes
without losing or duplicating anything."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from lifecycle_helpers import contact, invoice, text_of

from xero_sync.domain.connection import ConnectionStatus
from xero_sync.domain.records import RecordKey, RecordStatus
from xero_sync.models.messages import EnqueueReason
from xero_sync.services.errors import Conflict


def test_a_rejected_refresh_token_pauses_emails_once_and_reconnecting_resumes(lifecycle):
    # Given an org that exported an invoice
    org = lifecycle.org()
    org.push(contact("c1", "Harbour Cafe"), invoice("i1", "c1"))
    org.sync()
    lifecycle.drain_exports()
    assert org.xero_invoice_numbers() == ["INV-i1"]

    # When the user removes the app's access in Xero (its refresh token is revoked there) and the
    # access token has expired by the time the next records are exported
    refresh = org.services.tokens.refresh_token_for_revocation(org.org_id)
    org.services.identity.revoke(refresh)
    lifecycle.advance(timedelta(minutes=31))
    org.push(invoice("i2", "c1"))
    org.sync()
    lifecycle.drain_exports()

    # Then the org is paused as needs-reauth, and the record waits (pending, not failed)
    connection = org.connection()
    assert connection.status == ConnectionStatus.NEEDS_REAUTH.value
    assert "reconnect" in connection.last_error
    assert org.record("invoice", "i2").status == RecordStatus.PENDING.value
    # … more records pushed meanwhile wait too; "Sync now" says why it cannot run
    org.push(invoice("i3", "c1"))
    with pytest.raises(Conflict, match="needs_reauth"):
        org.sync()
    # … and another worker that meets the paused org sends no second request
    org.services.export_queues.enqueue([RecordKey(org.org_id, "invoice", "i3")], EnqueueReason.SYNC)
    lifecycle.drain_exports()

    # Then the admin receives exactly one email, with the host's reconnect link
    lifecycle.run_notifier()
    lifecycle.run_notifier(wait=0)
    [email] = lifecycle.emails()
    assert "reconnect Xero (Demo Company (NZ))" in email["Subject"]
    body = text_of(email)
    assert f"https://app.acme.example/orgs/{org.org_id}/integrations/xero" in body
    assert "2 records are waiting" in body
    assert [e.action for e in org.history("notification")] == ["needs_reauth"]

    # When the admin reconnects the same organisation and the next scheduled tick runs
    org.connect()
    summary = org.services.sync.tick(lifecycle.now())
    assert summary.orgs == 1
    lifecycle.drain_exports()

    # Then everything pushed meanwhile is in Xero, and nothing twice
    assert Counter(org.xero_invoice_numbers()) == {"INV-i1": 1, "INV-i2": 1, "INV-i3": 1}
    assert org.connection().status == ConnectionStatus.CONNECTED.value
    assert list(org.services.records.keys_with_status(org.org_id, RecordStatus.PENDING)) == []
    lifecycle.run_notifier(wait=0)
    assert len(lifecycle.emails()) == 1
