"""Per-module create / update / delete toggles end to end (issue 12, point 3; SPEC F3.11, seed
002 "Enable the Create and Update option … enable the Delete option"): saved through the settings
service the API uses, honoured by the export worker, checked in the emulated Xero's state."""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

from export_harness import contact, invoice
from scenario_helpers import XeroState, delete, emulator, enable_everything, harness  # noqa: F401


def test_create_turned_off_sends_nothing_and_turning_it_on_sends_what_was_held_back(harness):
    h = harness
    # Given invoice creation turned off
    enable_everything(h, actions={"invoices": {"create": False}})
    # When a contact and an invoice are exported
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1"))
    # Then nothing reached Xero — not even the contact, whose only transaction is held back
    row = h.record("invoice", "inv-1")
    assert row.status == "skipped" and row.error_code == "action_off", row.last_message
    state = XeroState(h)
    assert state.invoices() == [] and state.contacts() == []
    assert not h.requests_log("PUT", "/api.xro/2.0/Invoices")

    # When creation is turned on again
    enable_everything(h)
    h.drain()
    # Then the invoice that was held back is created, with its contact
    state = XeroState(h)
    assert state.invoice("INV-1001")["Status"] == "AUTHORISED" and len(state.contacts("Harbour Cafe Ltd")) == 1


def test_update_and_delete_turned_off_leave_xero_as_it_is(harness):
    h = harness
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1"))
    # Given updates and deletes of invoices turned off
    enable_everything(h, actions={"invoices": {"update": False, "delete": False}})
    # When the host changes the invoice, then deletes it
    h.export(invoice("inv-1", "INV-1001", "cus-1", version=2, reference="PO-9"))
    assert h.record("invoice", "inv-1").error_code == "action_off"
    h.export(delete("invoice", "inv-1", 3))
    # Then Xero still holds the first version, approved
    document = XeroState(h).invoice("INV-1001")
    assert document["Status"] == "AUTHORISED" and not document.get("Reference")
    assert h.record("invoice", "inv-1").error_code == "action_off"
