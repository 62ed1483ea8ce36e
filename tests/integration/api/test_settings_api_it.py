"""Settings, tax mappings and Xero's reference data through the API handler, with the Xero
emulator's demo company (a chart of accounts with an account without a code, a compound tax
rate) and tables created from template.yaml (F2.1–F2.3, F4.1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from api_it_helpers import connect_org, contact, invoice

from xero_sync.clock import utcnow
from xero_sync.dal.models import OrgConfigModel
from xero_sync.domain.records import RecordKey, RecordStatus
from xero_sync.services.reference_data import XERO_FIXABLE_CODES

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


def accounts_by_name(api, org, **query) -> dict[str, dict]:
    answer = api.call("GET", f"/v1/orgs/{org.org_id}/xero/accounts", key=org.key, query=query or None)
    assert answer.status == 200, answer.body
    return {account["name"]: account for account in answer.body["accounts"]}


def update_xero_account(xero, org_id: str, account_id: str, **fields) -> None:
    """What the admin does in Xero (through the API, as Xero's own screens would)."""
    answer = xero.container.xero_api.for_org(org_id).post(
        f"/Accounts/{account_id}", json={"Accounts": [{"AccountID": account_id, **fields}]}
    )
    assert answer.status == 200, answer.body


def test_reference_data_is_imported_on_connect_and_served(api, xero, org):
    # Given an org that just connected
    connect_org(api, org.org_id, org.key)
    # Then Xero's reference data is already stored (the after-connect hook), before any route asks
    assert xero.container.reference_data.load(org.org_id) is not None
    # And the chart of accounts is served, active accounts only by default, the no-code one included
    accounts = accounts_by_name(api, org)
    assert accounts["Merchant Fees"]["code"] is None
    assert "Old Sales (archived)" not in accounts
    assert "Old Sales (archived)" in accounts_by_name(api, org, include_inactive="true")
    # And payments_enabled=true gives bank accounts and payments-enabled ones, each with its flag
    payable = accounts_by_name(api, org, payments_enabled="true")
    assert {(a["code"], a["is_bank_account"], a["enable_payments_to_account"]) for a in payable.values()} == {
        ("090", True, False),
        ("091", True, False),
        ("970", False, True),
    }
    # And tax rates come with components and the effective (compound) rate
    rates = api.call("GET", f"/v1/orgs/{org.org_id}/xero/tax-rates", key=org.key).body["tax_rates"]
    compound = next(rate for rate in rates if rate["tax_type"] == "TAX002")
    assert compound["is_compound"] and Decimal(compound["effective_rate"]) == Decimal("15.4738")
    assert [c["name"] for c in compound["components"]] == ["GST", "QST"]
    assert "OUTPUT" not in {rate["tax_type"] for rate in rates}  # deleted rate: only with include_inactive
    groups = api.call("GET", f"/v1/orgs/{org.org_id}/xero/contact-groups", key=org.key).body["contact_groups"]
    assert sorted(g["name"] for g in groups) == ["Preferred Suppliers", "Wholesale Customers"]
    currencies = api.call("GET", f"/v1/orgs/{org.org_id}/xero/currencies", key=org.key).body
    assert currencies["base_currency"] == "NZD" and {c["code"] for c in currencies["currencies"]} == {"NZD", "USD"}


def test_reference_data_is_imported_on_demand_when_missing(api, xero, org):
    # Given a connected org whose imported chart of accounts is gone
    connect_org(api, org.org_id, org.key)
    OrgConfigModel(org.org_id, "xero#accounts").delete()
    # When the host asks for the accounts
    answer = api.call("GET", f"/v1/orgs/{org.org_id}/xero/accounts", key=org.key)
    # Then they are imported from Xero there and then
    assert answer.status == 200 and len(answer.body["accounts"]) > 10


def test_reference_data_of_an_org_never_connected_is_a_409(api, services, org):
    answer = api.call("GET", f"/v1/orgs/{org.org_id}/xero/tax-rates", key=org.key)
    assert answer.status == 409 and "/connect" in answer.body["error"]["message"]


def test_settings_round_trip_with_defaults_and_revisions(api, xero, org):
    connect_org(api, org.org_id, org.key)
    path = f"/v1/orgs/{org.org_id}/settings"
    # Given settings never saved: the defaults, revision 0
    first = api.call("GET", path, key=org.key)
    assert first.status == 200 and first.body["revision"] == 0
    assert first.body["settings"]["sync_frequency"] == "every_10_minutes"
    # When saved with accounts and other choices, from the revision read
    settings = {
        **first.body["settings"],
        "sales_account": "200",
        "sales_adjustments_account": "260",
        "bank_charges_account": "404",
        "sync_frequency": "hourly",
        "admin_emails": ["Admin@Example.com"],
    }
    saved = api.call("PUT", path, key=org.key, body={"settings": settings, "revision": 0})
    # Then they read back as saved (normalised), at revision 1
    assert saved.status == 200, saved.body
    again = api.call("GET", path, key=org.key).body
    assert again["revision"] == 1 and again["problems"] == []
    assert again["settings"]["bank_charges_account"] == "404"
    assert again["settings"]["admin_emails"] == ["admin@example.com"]
    # And the org is scheduled hourly (its frequency changed)
    connection = xero.container.connections.get(org.org_id)
    assert connection.next_sync_at is not None
    # When someone saves from the old revision
    stale = api.call("PUT", path, key=org.key, body={"settings": settings, "revision": 0})
    # Then 409: read again and re-apply
    assert stale.status == 409
    # And an invalid body is a 400 naming the field
    invalid = api.call("PUT", path, key=org.key, body={"settings": {"sync_frequency": "weekly"}})
    assert invalid.status == 400 and invalid.error_fields == ["settings.sync_frequency"]


def test_an_account_without_a_code_is_refused_then_accepted_once_the_code_is_added(api, xero, org):
    # Given a connected org, and an invoice that failed because an account had no code
    connect_org(api, org.org_id, org.key)
    api.call(
        "POST", f"/v1/orgs/{org.org_id}/records", key=org.key, body={"records": [contact("c1"), invoice("i1", "c1")]}
    )
    key = RecordKey(org.org_id, "invoice", "i1")
    xero.container.records.mark_outcome(
        key,
        owner=None,
        status=RecordStatus.FAILED,
        version=1,
        error_code="missing_account_code",
        message="no code",
        now=utcnow(),
    )
    merchant_fees = accounts_by_name(api, org)["Merchant Fees"]
    body = {"settings": {"bank_charges_account": merchant_fees["account_id"]}}
    # When the admin picks the account without a code for bank charges
    refused = api.call("PUT", f"/v1/orgs/{org.org_id}/settings", key=org.key, body=body)
    # Then 400 names the setting and the account, and says to add a code in Xero
    assert refused.status == 400 and refused.error_fields == ["settings.bank_charges_account"]
    message = refused.body["error"]["details"][0]["message"]
    assert "Merchant Fees" in message and "Add a code to it in Xero" in message
    # When the admin adds the code in Xero and the reference data is refreshed (as every sync does)
    update_xero_account(xero, org.org_id, merchant_fees["account_id"], Code="425")
    assert xero.container.reference_data.refresh(org.org_id, utcnow()) is True
    requeued = xero.container.records_service.requeue_failed(org.org_id, error_codes=XERO_FIXABLE_CODES, now=utcnow())
    # Then the failed invoice is retried, and the same choice is accepted now
    assert requeued == 1 and xero.container.records.get(key).status == "pending"
    assert api.call("PUT", f"/v1/orgs/{org.org_id}/settings", key=org.key, body=body).status == 200


def test_settings_show_accounts_that_xero_no_longer_accepts(api, xero, org):
    # Given saved settings naming Bank Fees for bank charges
    connect_org(api, org.org_id, org.key)
    api.call("PUT", f"/v1/orgs/{org.org_id}/settings", key=org.key, body={"settings": {"bank_charges_account": "404"}})
    # When the account is archived in Xero and the reference data refreshed
    update_xero_account(xero, org.org_id, accounts_by_name(api, org)["Bank Fees"]["account_id"], Status="ARCHIVED")
    xero.container.reference_data.refresh(org.org_id, utcnow())
    # Then the settings report it as a problem on that setting
    problems = api.call("GET", f"/v1/orgs/{org.org_id}/settings", key=org.key).body["problems"]
    assert [(p["field"], p["code"]) for p in problems] == [("settings.bank_charges_account", "archived_account")]


def test_settings_that_name_accounts_need_a_connected_org(api, services, org):
    answer = api.call(
        "PUT", f"/v1/orgs/{org.org_id}/settings", key=org.key, body={"settings": {"sales_account": "200"}}
    )
    assert answer.status == 409
    # while settings that pick nothing from Xero can be saved before connecting
    plain = api.call("PUT", f"/v1/orgs/{org.org_id}/settings", key=org.key, body={"settings": {"language": "de"}})
    assert plain.status == 200 and plain.body["settings"]["language"] == "de"


def test_tax_mappings_need_equal_rates_compound_rates_included(api, xero, org):
    connect_org(api, org.org_id, org.key)
    path = f"/v1/orgs/{org.org_id}/tax-mappings"
    # Given mappings with equal rates, one to the compound rate (5 % + 9.975 % on top = 15.47375 %)
    good = [
        {"host_tax_id": "gst15", "host_rate": "15", "xero_tax_type": "OUTPUT2", "purchases_xero_tax_type": "INPUT2"},
        {"host_tax_id": "qc", "host_tax_name": "GST+QST", "host_rate": 15.47375, "xero_tax_type": "TAX002"},
    ]
    # When saved, then read back
    assert api.call("PUT", path, key=org.key, body={"mappings": good}).status == 200
    stored = api.call("GET", path, key=org.key).body
    assert stored["revision"] == 1 and [m["host_tax_id"] for m in stored["mappings"]] == ["gst15", "qc"]
    # When a host tax of 14.975 % (the components added, not compounded) is mapped to the compound rate
    bad = [good[0], {**good[1], "host_rate": "14.975"}]
    refused = api.call("PUT", path, key=org.key, body={"mappings": bad})
    # Then 400 names the mapping and gives both rates
    assert refused.status == 400 and refused.error_fields == ["mappings[1].xero_tax_type"]
    message = refused.body["error"]["details"][0]["message"]
    assert "14.975 %" in message and "15.4738 %" in message
    # And the saved mappings are unchanged
    assert api.call("GET", path, key=org.key).body["revision"] == 1
