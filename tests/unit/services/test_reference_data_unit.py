"""Xero reference data: parsing Xero's answers, change detection, and the host's views (F4.1, F2.3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from export_services_helpers import NOW, reference, xero_bodies

from tests.fakes import FakeTenantClient, InMemoryConnections, InMemoryOrgConfig, connection
from xero_sync.domain.connection import Connection
from xero_sync.services.reference_data import (
    KINDS,
    NotConnectedToXero,
    ReferenceDataService,
    content_hash,
    parse_xero_bodies,
    select_accounts,
    tax_rate_view,
)

ORG = "org-1"


def test_xero_answers_parse_with_a_blank_code_as_none_and_rates_as_decimals():
    data = parse_xero_bodies(xero_bodies())
    assert data.base_currency == "NZD"
    assert next(a for a in data.accounts if a.Name == "Merchant Fees").Code is None
    assert data.tax_rate("TAX002").TaxComponents[1].Rate == Decimal("9.975")


def test_content_hash_ignores_key_order_but_not_content():
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})


def test_payment_accounts_are_bank_accounts_and_payments_enabled_ones():
    # Given the demo chart (a bank account, an equity account with payments enabled, others)
    enabled = select_accounts(reference(), payments_enabled=True, include_inactive=False)
    # Then exactly those two, each carrying the flag so a host can keep only EnablePaymentsToAccount
    assert {(a.Code, a.EnablePaymentsToAccount) for a in enabled} == {("090", False), ("970", True)}
    others = select_accounts(reference(), payments_enabled=False, include_inactive=False)
    assert "210" not in {a.Code for a in others}  # archived: only with include_inactive
    assert "210" in {a.Code for a in select_accounts(reference(), payments_enabled=None, include_inactive=True)}


def test_a_compound_tax_rate_shows_its_components_and_effective_rate():
    view = tax_rate_view(reference().tax_rate("TAX002"))
    assert view.is_compound and view.effective_rate == Decimal("15.4738")
    assert [(c.name, c.rate, c.is_compound) for c in view.components] == [
        ("GST", Decimal("5.0"), False),
        ("QST", Decimal("9.975"), True),
    ]


CONNECTED = connection(ORG)


def service(bodies: dict, connection: Connection | None = CONNECTED):
    org_config = InMemoryOrgConfig()
    xero = FakeTenantClient(bodies)
    connections = InMemoryConnections.of(*([connection] if connection else []))
    return (
        ReferenceDataService(
            org_config=org_config, connections=connections, tenant_client=lambda org_id: xero, clock=lambda: NOW
        ),
        org_config,
        xero,
    )


def test_refresh_reports_a_change_only_when_xero_changed_and_writes_only_what_changed():
    bodies = xero_bodies()
    refs, org_config, _ = service(bodies)
    # When imported the first time, then again unchanged
    assert refs.refresh(ORG, NOW) is True
    assert sorted(org_config.puts) == sorted(
        [
            "xero#organisation",
            "xero#accounts",
            "xero#tax_rates",
            "xero#currencies",
            "xero#contact_groups",
            "xero#items",
            "xero#tracking_categories",
        ]
    )
    assert refs.refresh(ORG, NOW) is False
    # When the admin adds the missing code in Xero
    merchant = next(a for a in bodies["accounts"]["Accounts"] if a["Name"] == "Merchant Fees")
    merchant["Code"] = "425"
    org_config.puts.clear()
    # Then the next refresh reports the change and writes the accounts only
    assert refs.refresh(ORG, NOW) is True
    assert org_config.puts == ["xero#accounts"]
    assert refs.load(ORG).account_by_code("425").Name == "Merchant Fees"


def test_nothing_imported_and_not_connected_is_a_conflict_saying_to_connect():
    refs, _, xero = service(xero_bodies(), connection=None)
    with pytest.raises(NotConnectedToXero, match="connect it first"):
        refs.accounts(ORG, payments_enabled=None, include_inactive=False)
    assert xero.calls == []


def test_the_views_import_on_demand_once():
    refs, _, xero = service(xero_bodies())
    groups = refs.contact_groups(ORG)
    currencies = refs.currencies(ORG)
    assert [g.name for g in groups.contact_groups] == ["Wholesale"]
    assert [(c.code, c.is_base_currency) for c in currencies.currencies] == [("NZD", True), ("USD", False)]
    assert len(xero.calls) == len(KINDS)  # one import for both views
