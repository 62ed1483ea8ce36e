"""Field mappings onto lines (issue 12, point 4; SPEC F2.4): Xero tracking categories on lines
from a host field or custom field, validated against the imported tracking categories, and the
line description from a field of the org's choice — saved through the settings service the API
uses, carried out by the export worker, checked in the emulated Xero's state."""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

import pytest
import requests
from export_harness import contact, invoice
from scenario_helpers import XeroState, emulator, enable_everything, harness, line  # noqa: F401

from xero_sync.services.errors import InvalidInput

REGION_FROM_CUSTOM_FIELD = [{"category": "Region", "source": "custom_fields.region"}]


def tracking(document: dict) -> list[list[tuple[str, str]]]:
    return [[(t["Name"], t["Option"]) for t in item.get("Tracking") or []] for item in document["LineItems"]]


def test_a_custom_field_fills_a_tracking_category_on_every_line(harness):
    h = harness
    # Given the org maps its custom field "region" to Xero's tracking category Region (North/South)
    enable_everything(h, tracking=REGION_FROM_CUSTOM_FIELD)
    # When an invoice of the North region, with a discount line, is exported
    lines = [line("50", 2), line("10", 1, item="Cups")]
    h.export(
        contact("cus-1", "Harbour Cafe Ltd"),
        invoice("inv-1", "INV-1001", "cus-1", lines=lines, discount="5.00", custom_fields={"region": "north"}),
    )
    # Then every line in Xero carries Region: North (Xero's spelling of the option)
    document = XeroState(h).invoice("INV-1001")
    assert tracking(document) == [[("Region", "North")]] * 3


def test_a_line_level_source_and_an_unknown_option_which_is_cured_in_xero(harness):
    h = harness
    enable_everything(h, tracking=[{"category": "Region", "source": "line.custom_fields.store"}])
    # When the second line names a store region Xero does not have
    lines = [line("50", 2, custom_fields={"store": "South"}), line("10", 1, custom_fields={"store": "East"})]
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1", lines=lines))
    # Then the invoice is refused before sending, naming the line, the value and the options
    row = h.record("invoice", "inv-1")
    assert row.status == "failed" and row.error_code == "unknown_tracking_option"
    assert "Line 2: 'East'" in row.last_message and "(options: North, South)" in row.last_message
    assert XeroState(h).invoices("INV-1001") == []

    # When the accountant adds the option East in Xero and the host refreshes from Xero
    category = next(c for c in XeroState(h).raw["TrackingCategories"] if c["Name"] == "Region")
    requests.put(
        f"{h.emulator.base_url}/_emulator/tenants/{h.tenant_id}/api/TrackingCategories/"
        f"{category['TrackingCategoryID']}/Options",
        json={"Name": "East"},
        timeout=10,
    ).raise_for_status()
    assert h.container.mapping_contexts.refresh(h.org_id, h.container.clock()).requeued == 1
    h.drain()
    # Then it is sent, each line with its own region
    assert tracking(XeroState(h).invoice("INV-1001")) == [[("Region", "South")], [("Region", "East")]]


def test_the_settings_refuse_a_tracking_category_xero_does_not_have(harness):
    h = harness
    with pytest.raises(InvalidInput) as refused:
        enable_everything(h, tracking=[{"category": "Department", "source": "custom_fields.dept"}])
    assert [d.field for d in refused.value.details] == ["settings.tracking[0].category"]
    assert "Region" in refused.value.details[0].message


def test_the_line_description_from_a_field_of_the_orgs_choice(harness):
    h = harness
    enable_everything(h, line_mappings=[{"xero_field": "Description", "source": "line.custom_fields.label"}])
    lines = [line("50", 2, custom_fields={"label": "Beans (house blend)"}), line("10", 1, item="Cups")]
    h.export(contact("cus-1", "Harbour Cafe Ltd"), invoice("inv-1", "INV-1001", "cus-1", lines=lines))
    descriptions = [item["Description"] for item in XeroState(h).invoice("INV-1001")["LineItems"]]
    assert descriptions == ["Beans (house blend)", "Cups"]
