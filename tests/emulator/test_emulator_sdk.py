"""The official xero-python SDK as a client of the emulator: if Xero's own SDK can authorise,
refresh and call the Accounting API against it, the emulator speaks Xero's wire format."""

from __future__ import annotations

import time

import pytest
import requests
from xero_python.accounting import Contact, Contacts
from xero_python.exceptions import AccountingBadRequestException


def test_sdk_reads_connections_after_a_consent_driven_by_requests(sdk_client):
    connections = sdk_client.identity.get_connections()
    assert [c.tenant_id for c in connections] == [sdk_client.tenant_id]
    assert connections[0].tenant_type == "ORGANISATION" and connections[0].auth_event_id


def test_sdk_refreshes_through_the_emulator_exactly_once(emulator, sdk_client):
    # Given an access token that has expired (emulated time) and that the SDK knows has expired
    emulator.clock.advance(1800)
    token = dict(sdk_client.stored["token"])
    token["expires_at"] = time.time() - 1
    sdk_client.api_client.set_oauth2_token(token)
    old_refresh_token = token["refresh_token"]
    # When the SDK makes a call, it refreshes first (TokenApi → /connect/token)
    connections = sdk_client.identity.get_connections()
    # Then the call works with a rotated token set, and the emulator saw exactly one refresh
    assert connections
    assert sdk_client.stored["token"]["refresh_token"] != old_refresh_token
    stats = requests.get(f"{emulator.base_url}/_emulator/stats").json()
    assert stats["clients"]["demo-client-id"]["refreshes"] == 1


def test_sdk_accounting_smoke(sdk_client):
    """Organisation, create + read a contact, and a validation error, through the SDK."""
    tenant = sdk_client.tenant_id
    organisations = sdk_client.accounting.get_organisations(tenant).organisations
    assert organisations and organisations[0].name
    created = sdk_client.accounting.create_contacts(tenant, Contacts(contacts=[Contact(name="SDK Smoke Ltd")]))
    contact_id = created.contacts[0].contact_id
    assert contact_id
    fetched = sdk_client.accounting.get_contact(tenant, contact_id).contacts[0]
    assert fetched.name == "SDK Smoke Ltd"
    with pytest.raises(AccountingBadRequestException):
        sdk_client.accounting.create_contacts(
            tenant, Contacts(contacts=[Contact(email_address="nameless@example.com")])
        )


def test_sdk_reads_settings_of_the_demo_company(sdk_client):
    tenant = sdk_client.tenant_id
    assert sdk_client.accounting.get_accounts(tenant).accounts
    tax_rates = sdk_client.accounting.get_tax_rates(tenant).tax_rates
    assert any(len(rate.tax_components or []) > 1 for rate in tax_rates), "the demo company has a compound rate"
    assert sdk_client.accounting.get_currencies(tenant).currencies
