"""Reset to another tenant (issue 12, point 6; SPEC F1.5, seed 002 "Reset Connection"): after the
admin resets the connection and connects another Xero organisation, what was in the old one is
sent to the new one without a new push from the host; the history keeps both."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from export_harness import contact, invoice
from scenario_helpers import SyncHarness, XeroState, invoice_payment, ready, running_emulator


@pytest.fixture
def emulator():
    yield from running_emulator(tenants=2)  # two organisations: the consent covers both


class TwoTenantHarness(SyncHarness):
    def connect_to(self, index: int) -> str:
        """The real consent round trip; the consent covers both organisations: choose one."""
        start = self.container.connect.start(
            self.org_id, return_url="https://host.example/xero", redirect_uri="http://127.0.0.1:9/oauth/callback"
        )
        answer = requests.get(start.authorize_url, allow_redirects=False, timeout=10)
        query = parse_qs(urlsplit(answer.headers["Location"]).query)
        result = self.container.connect.complete(state=query["state"][0], code=query["code"][0], error=None)
        assert "xero_status=choose_tenant" in (result.location or ""), result
        tenants = sorted(t.tenant_id for t in self.container.connections.get(self.org_id).tenants)
        self.container.connect.choose_tenant(self.org_id, tenants[index])
        self.tenant_id = tenants[index]
        return self.tenant_id


@pytest.fixture
def harness(container, emulator) -> Iterator[TwoTenantHarness]:
    org = TwoTenantHarness(container, emulator)
    org.connect_to(0)
    yield ready(org)
    # Connecting made the org's first sync due; the tables are shared by the session's tests,
    # whose ticks must not find it.
    container.connections.set_next_sync(org.org_id, None)


def test_a_reset_to_another_tenant_sends_what_the_old_one_had_and_history_keeps_both(harness):
    h = harness
    # Given a contact, an invoice and its payment in the first Xero organisation
    h.export(
        contact("cus-1", "Harbour Cafe Ltd"),
        invoice("inv-1", "INV-1001", "cus-1"),
        invoice_payment("pay-1", "inv-1", "40.00"),
    )
    first = h.tenant_id
    old_invoice_id = h.record("invoice", "inv-1").xero_id

    # When the admin resets the connection and connects the other organisation (no push from the host)
    h.container.connect.reset(h.org_id)
    second = h.connect_to(1)
    assert second != first
    h.drain()

    # Then the new organisation holds them, once, with the same amounts
    state = XeroState(h)
    assert len(state.contacts("Harbour Cafe Ltd")) == 1
    document = state.invoice("INV-1001")
    assert (document["Total"], document["AmountDue"]) == (115.0, 75.0)
    assert len(state.payments_stamped("invoice_payment", "pay-1")) == 1
    row = h.record("invoice", "inv-1")
    assert (row.status, row.xero_tenant_id) == ("synced", second) and row.xero_id != old_invoice_id
    # And the old organisation still has its copy (nothing was removed there)
    h.tenant_id = first
    assert len(XeroState(h).invoices("INV-1001")) == 1
    # And the record's history keeps both exports
    events = h.container.history.for_record(h.org_id, "invoice", "inv-1")
    assert {e.xero_id for e in events if e.outcome == "succeeded"} == {old_invoice_id, row.xero_id}
