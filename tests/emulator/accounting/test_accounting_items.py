"""Items (accounting/items.py) and what an ItemCode on a line brings."""

from __future__ import annotations

import pytest

from tests.emulator.accounting.helpers import BANK, INVENTORY, Engine, invoice_element, messages_of

COGS = "310"


def beans(**fields) -> dict:
    item = {
        "Code": "BEANS-1KG",
        "Name": "Espresso beans 1 kg",
        "Description": "Espresso beans, 1 kg bag",
        "PurchaseDescription": "Green beans from the roaster",
        "SalesDetails": {"UnitPrice": 31.5, "AccountCode": "200", "TaxType": "OUTPUT2"},
        "PurchaseDetails": {"UnitPrice": 18.25, "AccountCode": "300", "TaxType": "INPUT2"},
    }
    item.update(fields)
    return item


def create(engine: Engine, **fields) -> dict:
    return engine.ok(engine.put("/Items", {"Items": [beans(**fields)]}), "Items")


# --- the Items endpoints ----------------------------------------------------------------------------------


def test_create_and_read_an_item(engine: Engine):
    item = create(engine)
    assert item["Code"] == "BEANS-1KG" and item["IsSold"] and item["IsPurchased"] and not item["IsTrackedAsInventory"]
    assert item["SalesDetails"] == {"UnitPrice": 31.5, "AccountCode": "200", "TaxType": "OUTPUT2"}
    assert item["StatusAttributeString"] == "OK"
    by_id = engine.ok(engine.get(f"/Items/{item['ItemID']}"), "Items")
    by_code = engine.ok(engine.get("/Items/beans-1kg"), "Items")
    assert by_id["ItemID"] == by_code["ItemID"] == item["ItemID"]
    assert engine.get("/Items/NO-SUCH-CODE").status == 404


def test_list_is_by_code_without_paging_with_where_and_if_modified_since(engine: Engine):
    create(engine, Code="ZETA")
    engine.advance(120)
    create(engine, Code="ALPHA")
    listed = engine.get("/Items", query={"page": "1", "pageSize": "1"}).body
    assert [i["Code"] for i in listed["Items"]] == ["ALPHA", "ZETA"] and "pagination" not in listed
    assert [i["Code"] for i in engine.get("/Items", query={"where": 'Code=="ZETA"'}).body["Items"]] == ["ZETA"]
    since = (engine.now).strftime("%Y-%m-%dT%H:%M:%S")
    changed = engine.get("/Items", headers={"If-Modified-Since": since}).body["Items"]
    assert [i["Code"] for i in changed] == ["ALPHA"]
    ordered = engine.get("/Items", query={"order": "Code DESC"}).body["Items"]
    assert [i["Code"] for i in ordered] == ["ZETA", "ALPHA"]


def test_unit_prices_show_four_decimals_with_unitdp(engine: Engine):
    item = engine.ok(
        engine.put("/Items", {"Items": [beans(SalesDetails={"UnitPrice": 1.23456})]}, query={"unitdp": "4"}), "Items"
    )
    assert item["SalesDetails"]["UnitPrice"] == 1.2346
    assert engine.get("/Items/BEANS-1KG").body["Items"][0]["SalesDetails"]["UnitPrice"] == 1.23


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"Code": ""}, "Item Code is required."),
        ({"Code": "C" * 31}, "Code must not be longer than 30 characters."),
        ({"Name": "N" * 51}, "Name must not be longer than 50 characters."),
        ({"Description": "D" * 4001}, "Description must not be longer than 4000 characters."),
        ({"PurchaseDescription": "D" * 4001}, "PurchaseDescription must not be longer than 4000 characters."),
        ({"SalesDetails": {"AccountCode": "999"}}, "Account code '999' is not a valid code for this document."),
        ({"SalesDetails": {"AccountCode": BANK}}, "Account code '090' is not a valid code for this document."),
        (
            {"SalesDetails": {"AccountCode": "200", "TaxType": "INPUT2"}},
            "The TaxType code 'INPUT2' cannot be used with account code '200'.",
        ),
        (
            {"PurchaseDetails": {"TaxType": "NOPE"}},
            "The TaxType code NOPE does not exist or cannot be used for this type of transaction.",
        ),
        ({"SalesDetails": {"UnitPrice": "lots"}}, "UnitPrice must be a number."),
        ({"IsTrackedAsInventory": True}, "InventoryAssetAccountCode is required to track an item as inventory."),
        (
            {"InventoryAssetAccountCode": INVENTORY},
            "PurchaseDetails.COGSAccountCode is required to track an item as inventory.",
        ),
        (
            {"InventoryAssetAccountCode": "200", "PurchaseDetails": {"COGSAccountCode": COGS}},
            "InventoryAssetAccountCode '200' must be an active account of Type INVENTORY.",
        ),
        (
            {"InventoryAssetAccountCode": INVENTORY, "PurchaseDetails": {"COGSAccountCode": "200"}},
            "COGSAccountCode '200' must be an active expense or direct costs account.",
        ),
    ],
)
def test_item_rules(engine: Engine, fields, message):
    response = engine.put("/Items", {"Items": [beans(**fields)]})
    assert response.status == 400 and message in messages_of(response)
    assert engine.books.items == {}


def test_codes_are_unique_and_put_only_creates(engine: Engine):
    create(engine)
    duplicate = engine.put("/Items", {"Items": [beans(Code="beans-1kg")]})
    assert messages_of(duplicate) == ["Item code 'beans-1kg' already exists. Item codes must be unique."]
    mixed = engine.put("/Items", {"Items": [beans(Code="NEW"), beans()]}, query={"summarizeErrors": "false"})
    assert [i["StatusAttributeString"] for i in mixed.body["Items"]] == ["OK", "ERROR"]
    assert sorted(i["Code"] for i in engine.books.items.values()) == ["BEANS-1KG", "NEW"]


def test_post_updates_by_code_or_id_and_is_sold_false_clears_the_sales_side(engine: Engine):
    item = create(engine)
    engine.advance(60)
    renamed = engine.ok(engine.post("/Items", {"Items": [{"Code": "BEANS-1KG", "Name": "Beans"}]}), "Items")
    assert renamed["ItemID"] == item["ItemID"] and renamed["Name"] == "Beans"
    assert renamed["UpdatedDateUTC"] != item["UpdatedDateUTC"]
    same = engine.ok(engine.post(f"/Items/{item['ItemID']}", {"Name": "Beans"}), "Items")
    assert same["UpdatedDateUTC"] == renamed["UpdatedDateUTC"]  # nothing changed
    purchase_only = engine.ok(engine.post(f"/Items/{item['ItemID']}", {"IsSold": False}), "Items")
    assert purchase_only["SalesDetails"] == {} and "Description" not in purchase_only
    assert purchase_only["PurchaseDetails"]["UnitPrice"] == 18.25
    unknown = engine.post("/Items", {"Items": [{"ItemID": "00000000-0000-0000-0000-000000000001", "Code": "X"}]})
    assert messages_of(unknown) == ["An existing Item with the specified ItemID could not be found"]


def test_a_tracked_item_posts_purchases_to_inventory(engine: Engine):
    tracked = create(
        engine,
        Code="GRINDER",
        InventoryAssetAccountCode=INVENTORY,
        PurchaseDetails={"UnitPrice": 200, "COGSAccountCode": COGS, "AccountCode": "300", "TaxType": "INPUT2"},
    )
    assert tracked["IsTrackedAsInventory"] is True and tracked["InventoryAssetAccountCode"] == INVENTORY
    assert tracked["PurchaseDetails"] == {"UnitPrice": 200.0, "COGSAccountCode": COGS, "TaxType": "INPUT2"}
    assert tracked["QuantityOnHand"] == 0 and tracked["TotalCostPool"] == 0
    untracked = engine.ok(engine.post("/Items/GRINDER", {"IsTrackedAsInventory": False}), "Items")
    assert untracked["IsTrackedAsInventory"] is False and "InventoryAssetAccountCode" not in untracked


def test_delete_an_item(engine: Engine):
    item = create(engine)
    deleted = engine.delete(f"/Items/{item['ItemID']}")
    assert deleted.status == 204 and deleted.body is None
    assert engine.get(f"/Items/{item['ItemID']}").status == 404
    assert engine.delete(f"/Items/{item['ItemID']}").status == 404


# --- ItemCode on lines -------------------------------------------------------------------------------------


def test_a_known_item_code_fills_what_the_line_leaves_out(engine: Engine, customer):
    item = create(engine)
    invoice = engine.invoice(customer["ContactID"], LineItems=[{"ItemCode": "beans-1kg", "Quantity": 2}])
    line = invoice["LineItems"][0]
    assert (line["Description"], line["UnitAmount"], line["AccountCode"], line["TaxType"]) == (
        "Espresso beans, 1 kg bag",
        31.5,
        "200",
        "OUTPUT2",
    )
    assert line["LineAmount"] == 63.0 and line["TaxAmount"] == 9.45
    assert line["ItemCode"] == "beans-1kg"
    assert line["Item"] == {"ItemID": item["ItemID"], "Name": "Espresso beans 1 kg", "Code": "BEANS-1KG"}
    own = engine.invoice(
        customer["ContactID"],
        LineItems=[{"ItemCode": "BEANS-1KG", "Description": "Beans (promo)", "UnitAmount": 25, "AccountCode": "260"}],
    )
    line = own["LineItems"][0]
    assert (line["Description"], line["UnitAmount"], line["AccountCode"], line["TaxType"]) == (
        "Beans (promo)",
        25.0,
        "260",
        "OUTPUT2",  # the line's account brings its own default tax type
    )


def test_purchase_documents_take_the_purchase_side(engine: Engine, customer):
    create(engine)
    create(
        engine,
        Code="GRINDER",
        InventoryAssetAccountCode=INVENTORY,
        PurchaseDetails={"UnitPrice": 200, "COGSAccountCode": COGS},
    )
    bill = engine.invoice(
        customer["ContactID"],
        Type="ACCPAY",
        LineItems=[
            {"ItemCode": "BEANS-1KG", "Quantity": 1},
            {"ItemCode": "GRINDER", "Quantity": 1, "TaxType": "INPUT2"},
        ],
    )
    beans_line, grinder_line = bill["LineItems"]
    assert (beans_line["Description"], beans_line["UnitAmount"], beans_line["AccountCode"]) == (
        "Green beans from the roaster",
        18.25,
        "300",
    )
    assert (grinder_line["UnitAmount"], grinder_line["AccountCode"]) == (200.0, INVENTORY)
    spend = {
        "Type": "SPEND",
        "Contact": {"ContactID": customer["ContactID"]},
        "BankAccount": {"Code": BANK},
        "LineItems": [{"ItemCode": "BEANS-1KG", "Quantity": 1}],
    }
    paid = engine.ok(engine.put("/BankTransactions", {"BankTransactions": [spend]}), "BankTransactions")
    assert paid["LineItems"][0]["AccountCode"] == "300" and paid["LineItems"][0]["UnitAmount"] == 18.25


def test_an_unknown_item_code_is_a_validation_error(engine: Engine, customer):
    element = invoice_element(customer["ContactID"])
    element["LineItems"][0]["ItemCode"] = "NOPE"
    response = engine.put("/Invoices", {"Invoices": [element]})
    assert response.status == 400 and messages_of(response) == ["Item code 'NOPE' is not valid"]


def test_documents_keep_the_code_of_a_deleted_item(engine: Engine, customer):
    item = create(engine)
    invoice = engine.invoice(customer["ContactID"], LineItems=[{"ItemCode": "BEANS-1KG", "Quantity": 1}])
    engine.delete(f"/Items/{item['ItemID']}")
    line = engine.get(f"/Invoices/{invoice['InvoiceID']}").body["Invoices"][0]["LineItems"][0]
    assert line["ItemCode"] == "BEANS-1KG" and "Item" not in line
