"""Mapping as a whole: the fingerprint, dispatch by entity, and the domain end to end — envelope →
decision → dependencies → payload (F3.1–F3.4)."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from export_domain_helpers import context, invoice, invoice_payment, link
from mapping_helpers import CONTACT_X, INVOICE_X, E, ok

from xero_sync.domain.dependencies import ParentState, ParentStatus, Ready, parents_of, resolve
from xero_sync.domain.entities import referenced_contacts
from xero_sync.domain.mapping import fingerprint, map_record
from xero_sync.domain.restrictions import NEVER_EXPORTED, LinkState, Operation, RecordFacts, decide
from xero_sync.models.records import parse_envelope
from xero_sync.models.xero_payloads import with_id

# ----------------------------------------------------------------------------------------------
# Fingerprint
# ----------------------------------------------------------------------------------------------


def test_fingerprint_is_stable_and_compares_values():
    first = ok(E.INVOICE, invoice(lines=[{"quantity": "2", "rate": "10"}]))
    second = ok(E.INVOICE, invoice(lines=[{"quantity": "2.00", "rate": "10.000"}]))
    assert fingerprint(first) == fingerprint(second)
    changed = ok(E.INVOICE, invoice(lines=[{"quantity": "3", "rate": "10"}]))
    assert fingerprint(first) != fingerprint(changed)
    assert len(fingerprint(first)) == 64


def test_fingerprint_ignores_the_version_and_id():
    assert fingerprint(ok(E.INVOICE_PAYMENT, invoice_payment())) == fingerprint(
        ok(E.INVOICE_PAYMENT, invoice_payment())
    )
    payload = ok(E.INVOICE, invoice())
    assert with_id(payload, "X-9")["InvoiceID"] == "X-9"


def test_map_record_needs_the_parent_links():
    with pytest.raises(ValueError, match="contact_id"):
        map_record(E.INVOICE, "i", invoice(), context(), {})


# ----------------------------------------------------------------------------------------------
# The domain end to end: envelope → decision → dependencies → payload
# ----------------------------------------------------------------------------------------------


def test_spec_example_through_the_whole_domain():
    body = json.loads(
        '{"records": ['
        '{"entity": "contact", "id": "cus-17", "version": 2, "action": "upsert",'
        ' "data": {"display_name": "Harbour Cafe Ltd", "email": "ap@harbourcafe.example", "currency": "NZD"}},'
        '{"entity": "invoice", "id": "inv-1042", "version": 5, "action": "upsert",'
        ' "data": {"number": "INV-1042", "contact_id": "cus-17", "date": "2026-11-02", "due_date": "2026-12-02",'
        ' "lines": [{"item_name": "Espresso beans 1kg", "quantity": 12, "rate": "31.5", "tax_id": "gst15",'
        ' "account_code": "200"}], "discount": "10.00", "shipping_charge": "15.00", "shipping_tax_id": "gst15",'
        ' "round_off": "0.01", "total": "441.96"}}]}',
        parse_float=D,
    )
    contact_env, invoice_env = (parse_envelope(raw) for raw in body["records"])
    ctx = context()

    # The invoice refers to the contact, which makes the contact exportable.
    assert referenced_contacts(E.INVOICE, invoice_env.data) == ["cus-17"]
    decision = decide(E.CONTACT, contact_env.action, contact_env.data, 2, NEVER_EXPORTED, RecordFacts(referenced=True))
    assert decision.operation is Operation.CREATE
    assert map_record(E.CONTACT, "cus-17", contact_env.data, ctx, {}).ok

    # Until the contact is in Xero the invoice waits; then it is ready with the contact's id.
    [parent] = parents_of(E.INVOICE, invoice_env.data)
    assert not isinstance(resolve(E.INVOICE, invoice_env.action, invoice_env.data, {}), Ready)
    states = {parent: ParentState(ParentStatus.EXPORTED, link(E.CONTACT, "cus-17", CONTACT_X))}
    ready = resolve(E.INVOICE, invoice_env.action, invoice_env.data, states)
    assert isinstance(ready, Ready)
    assert decide(E.INVOICE, invoice_env.action, invoice_env.data, 5).operation is Operation.CREATE
    result = map_record(E.INVOICE, "inv-1042", invoice_env.data, ctx, ready.links)
    assert result.ok and result.totals.total == D("441.96") and result.notices == ()

    # Version 6 with the same content changes nothing in Xero.
    exported = LinkState(
        xero_id=INVOICE_X,
        exported_version=5,
        exported_action=invoice_env.action,
        exported_fingerprint=fingerprint(result.payload),
    )
    again = map_record(E.INVOICE, "inv-1042", invoice_env.data, ctx, ready.links)
    decision = decide(
        E.INVOICE, invoice_env.action, invoice_env.data, 6, exported, new_fingerprint=fingerprint(again.payload)
    )
    assert decision.operation is Operation.NOOP
