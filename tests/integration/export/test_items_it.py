"""Items (issue 12, point 2; SPEC F3.10, seed 002 "Products"): the host's items reach Xero Items
keyed by code when the org's items module is on; invoice lines may name an item, which Xero then
shows; Xero's items can always be read for viewing. Checked in the emulated Xero's state."""

# ruff: noqa: F811 — the test parameters are the fixtures imported from scenario_helpers

from __future__ import annotations

from decimal import Decimal

from export_harness import contact, invoice, record
from scenario_helpers import XeroState, delete, emulator, enable_everything, harness, line  # noqa: F401

BEANS = {
    "code": "BEANS-1",
    "name": "Espresso beans 1kg",
    "description": "Single origin",
    "sales_price": "31.5",
    "sales_account": "200",
    "sales_tax_id": "gst15",
    "purchase_price": "18.5",
    "purchase_account": "300",
    "purchase_tax_id": "gst15",
}


def items(h) -> list[dict]:
    return XeroState(h).raw["Items"]


def test_items_reach_xero_keyed_by_code_and_lines_show_them(harness):
    h = harness
    # Given the items module on
    enable_everything(h, export={**h_export(), "items": True})
    # When an item and an invoice with a line of that item are exported
    h.export(record("item", "item-1", **BEANS))
    h.export(
        contact("cus-1", "Harbour Cafe Ltd"),
        invoice("inv-1", "INV-1001", "cus-1", lines=[line("31.5", 2, item="Espresso beans", item_code="BEANS-1")]),
    )
    # Then Xero has the item under its code, with both sides, and the line shows the item
    (item,) = items(h)
    assert (item["Code"], item["Name"], item["Description"]) == ("BEANS-1", "Espresso beans 1kg", "Single origin")
    assert Decimal(str(item["SalesDetails"]["UnitPrice"])) == Decimal("31.5")
    assert (item["SalesDetails"]["AccountCode"], item["SalesDetails"]["TaxType"]) == ("200", "OUTPUT2")
    assert (item["PurchaseDetails"]["AccountCode"], item["PurchaseDetails"]["TaxType"]) == ("300", "INPUT2")
    (line_item,) = XeroState(h).invoice("INV-1001")["LineItems"]
    assert line_item["ItemCode"] == "BEANS-1" and line_item["Item"]["Code"] == "BEANS-1"
    assert h.record("item", "item-1").status == "synced"

    # When the host renames it, then deletes it
    h.export(record("item", "item-1", version=2, **{**BEANS, "name": "Espresso beans (1 kg)"}))
    assert [i["Name"] for i in items(h)] == ["Espresso beans (1 kg)"]
    h.export(delete("item", "item-1", 3))
    # Then Xero's item is gone; the invoice keeps its line
    assert items(h) == [] and h.record("item", "item-1").status == "synced"

    # And Xero's items can be read for viewing (reference data, F4.1)
    h.export(record("item", "item-2", code="CUPS-6", name="Cups"))
    h.container.mapping_contexts.refresh(h.org_id, h.container.clock())
    viewed = h.container.reference_data.items(h.org_id)
    assert [i.code for i in viewed.items] == ["CUPS-6"]


def test_with_the_items_module_off_nothing_reaches_xero(harness):
    h = harness
    h.export(record("item", "item-1", **BEANS))
    row = h.record("item", "item-1")
    assert row.status == "skipped" and row.error_code == "family_off"
    assert items(h) == []


def test_a_tracked_item_is_tracked_on_the_inventory_asset_account(harness):
    h = harness
    enable_everything(
        h,
        export={**h_export(), "items": True},
        inventory_asset_account="630",
        cost_of_goods_sold_account="310",
    )
    h.export(record("item", "item-1", code="GRINDER", name="Grinder", purchase_price="120", tracked=True))
    (item,) = items(h)
    assert item["IsTrackedAsInventory"] is True and item["InventoryAssetAccountCode"] == "630"
    assert item["PurchaseDetails"]["COGSAccountCode"] == "310"


def h_export() -> dict:
    return {
        "invoices_and_payments": True,
        "credit_notes": True,
        "bills_and_payments": True,
        "vendor_credits": True,
        "bank_charges": True,
    }
