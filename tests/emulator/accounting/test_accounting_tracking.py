"""Tracking categories and options (accounting/tracking.py) and tracking on line items."""

from __future__ import annotations

from local.xero_emulator.accounting.ids import seed_id
from tests.emulator.accounting.helpers import (
    BANK,
    INVENTORY,
    TENANT_ID,
    Engine,
    credit_note_element,
    invoice_element,
    messages_of,
)

REGION_ID = seed_id(TENANT_ID, "trackingcategory", "Region")
NORTH_ID = seed_id(TENANT_ID, "trackingoption", "Region/North")


def categories(engine: Engine, **query: str) -> dict[str, list[str]]:
    body = engine.get("/TrackingCategories", query=query).body
    return {c["Name"]: [o["Name"] for o in c["Options"]] for c in body["TrackingCategories"]}


def line_with(tracking: list[dict]) -> dict:
    return {"Description": "Beans", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200", "Tracking": tracking}


# --- categories and options ------------------------------------------------------------------------------


def test_the_demo_company_has_a_region_category(engine: Engine):
    assert categories(engine) == {"Region": ["North", "South"]}
    region = engine.ok(engine.get(f"/TrackingCategories/{REGION_ID}"), "TrackingCategories")
    assert region["Status"] == "ACTIVE" and region["Options"][0]["TrackingOptionID"] == NORTH_ID
    assert engine.get("/TrackingCategories", query={"where": 'Name=="Region"'}).body["TrackingCategories"]
    assert engine.get("/TrackingCategories", query={"where": 'Name=="Other"'}).body["TrackingCategories"] == []


def test_create_a_category_and_its_options(engine: Engine):
    created = engine.ok(engine.put("/TrackingCategories", {"Name": "Department"}), "TrackingCategories")
    assert created["Options"] == [] and created["Status"] == "ACTIVE"
    path = f"/TrackingCategories/{created['TrackingCategoryID']}/Options"
    sales = engine.ok(engine.put(path, {"Name": "Sales"}), "Options")
    assert set(sales) == {"TrackingOptionID", "Name", "Status"}
    more = engine.put(path, {"Options": [{"Name": "Support"}, {"Name": "Ops"}]})
    assert [o["Name"] for o in more.body["Options"]] == ["Support", "Ops"]
    assert categories(engine)["Department"] == ["Sales", "Support", "Ops"]


def test_category_and_option_rules(engine: Engine):
    assert messages_of(engine.put("/TrackingCategories", {"Name": "region"})) == [
        "For each specified tracking category the name must be unique."
    ]
    assert messages_of(engine.put("/TrackingCategories", {"Name": " "})) == ["Tracking category Name is required."]
    assert messages_of(engine.put("/TrackingCategories", {"Name": "x" * 101})) == [
        "Name must not be longer than 100 characters."
    ]
    engine.ok(engine.put("/TrackingCategories", {"Name": "Department"}), "TrackingCategories")
    third = engine.put("/TrackingCategories", {"Name": "Project"})
    assert third.status == 400
    assert messages_of(third) == ["An organisation can have at most 2 active tracking categories."]
    duplicate = engine.put(f"/TrackingCategories/{REGION_ID}/Options", {"Name": "NORTH"})
    assert messages_of(duplicate) == ["For each specified tracking option the name must be unique."]
    assert engine.put("/TrackingCategories/00000000-0000-0000-0000-000000000001/Options", {"Name": "X"}).status == 404


def test_archived_categories_and_options_need_include_archived(engine: Engine):
    department = engine.ok(engine.put("/TrackingCategories", {"Name": "Department"}), "TrackingCategories")
    archived = engine.post(f"/TrackingCategories/{department['TrackingCategoryID']}", {"Status": "ARCHIVED"})
    assert archived.status == 200
    south = categories_ids(engine)["South"]
    engine.ok(engine.post(f"/TrackingCategories/{REGION_ID}/Options/{south}", {"Status": "ARCHIVED"}), "Options")
    assert categories(engine) == {"Region": ["North"]}
    assert categories(engine, includeArchived="true") == {"Region": ["North", "South"], "Department": []}
    # an archived category frees its active slot; restoring it needs one again
    engine.ok(engine.put("/TrackingCategories", {"Name": "Project"}), "TrackingCategories")
    restore = engine.post(f"/TrackingCategories/{department['TrackingCategoryID']}", {"Status": "ACTIVE"})
    assert messages_of(restore) == ["An organisation can have at most 2 active tracking categories."]


def categories_ids(engine: Engine) -> dict[str, str]:
    region = engine.get(f"/TrackingCategories/{REGION_ID}").body["TrackingCategories"][0]
    return {o["Name"]: o["TrackingOptionID"] for o in region["Options"]}


def test_deleting_is_refused_once_used_on_a_transaction(engine: Engine, customer):
    spare = engine.ok(engine.put("/TrackingCategories", {"Name": "Spare"}), "TrackingCategories")
    deleted = engine.delete(f"/TrackingCategories/{spare['TrackingCategoryID']}")
    assert deleted.status == 200 and deleted.body["TrackingCategories"][0]["Status"] == "DELETED"
    assert engine.get(f"/TrackingCategories/{spare['TrackingCategoryID']}").status == 404
    engine.invoice(customer["ContactID"], LineItems=[line_with([{"Name": "Region", "Option": "North"}])])
    refused = engine.delete(f"/TrackingCategories/{REGION_ID}")
    assert refused.status == 400 and "cannot be deleted" in messages_of(refused)[0]
    option = engine.delete(f"/TrackingCategories/{REGION_ID}/Options/{NORTH_ID}")
    assert option.status == 400 and "Archive it instead" in messages_of(option)[0]
    south = categories_ids(engine)["South"]
    assert engine.delete(f"/TrackingCategories/{REGION_ID}/Options/{south}").body["Options"][0]["Status"] == "DELETED"
    assert categories(engine, includeArchived="true") == {"Region": ["North"]}


# --- tracking on lines ---------------------------------------------------------------------------------


def test_line_tracking_by_name_or_id_is_rendered_with_ids_and_names(engine: Engine, customer):
    by_name = engine.invoice(customer["ContactID"], LineItems=[line_with([{"Name": "region", "Option": "north"}])])
    by_id = engine.invoice(
        customer["ContactID"], LineItems=[line_with([{"TrackingCategoryID": REGION_ID, "TrackingOptionID": NORTH_ID}])]
    )
    expected = [{"Name": "Region", "Option": "North", "TrackingCategoryID": REGION_ID, "TrackingOptionID": NORTH_ID}]
    assert by_name["LineItems"][0]["Tracking"] == expected
    assert by_id["LineItems"][0]["Tracking"] == expected
    # renaming the option shows on the documents that use it
    engine.ok(engine.post(f"/TrackingCategories/{REGION_ID}/Options/{NORTH_ID}", {"Name": "Northern"}), "Options")
    read = engine.get(f"/Invoices/{by_name['InvoiceID']}").body["Invoices"][0]
    assert read["LineItems"][0]["Tracking"][0]["Option"] == "Northern"


def test_unknown_or_archived_tracking_is_a_validation_error(engine: Engine, customer):
    cases = [
        ([{"Name": "Colour", "Option": "Red"}], "There is no ACTIVE tracking category with the name 'Colour'"),
        (
            [{"Name": "Region", "Option": "East"}],
            "There is no ACTIVE tracking option with the name 'East' in tracking category 'Region'",
        ),
        (
            [{"TrackingCategoryID": "00000000-0000-0000-0000-0000000000aa", "TrackingOptionID": NORTH_ID}],
            "There is no ACTIVE tracking category with the TrackingCategoryID '00000000-0000-0000-0000-0000000000aa'",
        ),
        (
            [{"Name": "Region", "Option": "North"}, {"TrackingCategoryID": REGION_ID, "Option": "South"}],
            "A line item can have only one option of tracking category 'Region'.",
        ),
        ([{"Option": "North"}], "Tracking on a line item must name its category (Name or TrackingCategoryID)."),
    ]
    for tracking, message in cases:
        element = invoice_element(customer["ContactID"], LineItems=[line_with(tracking)])
        response = engine.put("/Invoices", {"Invoices": [element]})
        assert response.status == 400 and messages_of(response) == [message], tracking
    engine.ok(engine.post(f"/TrackingCategories/{REGION_ID}/Options/{NORTH_ID}", {"Status": "ARCHIVED"}), "Options")
    element = invoice_element(customer["ContactID"], LineItems=[line_with([{"Name": "Region", "Option": "North"}])])
    assert messages_of(engine.put("/Invoices", {"Invoices": [element]})) == [
        "There is no ACTIVE tracking option with the name 'North' in tracking category 'Region'"
    ]
    assert engine.books.invoices == {}


def test_an_entry_without_an_option_tracks_nothing(engine: Engine, customer):
    invoice = engine.invoice(customer["ContactID"], LineItems=[line_with([{"Name": "Region", "Option": ""}])])
    assert invoice["LineItems"][0]["Tracking"] == []


def test_credit_notes_bank_transactions_and_journals_validate_tracking(engine: Engine, customer):
    good, bad = [{"Name": "Region", "Option": "South"}], [{"Name": "Region", "Option": "West"}]
    note = engine.credit_note(customer["ContactID"], LineItems=[line_with(good)])
    assert note["LineItems"][0]["Tracking"][0]["Option"] == "South"
    refused = engine.put(
        "/CreditNotes", {"CreditNotes": [credit_note_element(customer["ContactID"], LineItems=[line_with(bad)])]}
    )
    assert refused.status == 400
    spend = {
        "Type": "SPEND",
        "Contact": {"ContactID": customer["ContactID"]},
        "BankAccount": {"Code": BANK},
        "LineItems": [{"Description": "Fee", "UnitAmount": 5, "AccountCode": "404", "Tracking": good}],
    }
    made = engine.ok(engine.put("/BankTransactions", {"BankTransactions": [spend]}), "BankTransactions")
    assert made["LineItems"][0]["Tracking"][0]["TrackingCategoryID"] == REGION_ID
    spend["LineItems"][0]["Tracking"] = bad
    assert engine.put("/BankTransactions", {"BankTransactions": [spend]}).status == 400
    journal = {
        "Narration": "Stock by region",
        "Status": "POSTED",
        "JournalLines": [
            {"LineAmount": 40, "AccountCode": "310", "Tracking": good},
            {"LineAmount": -40, "AccountCode": INVENTORY, "Tracking": good},
        ],
    }
    posted = engine.ok(engine.put("/ManualJournals", {"ManualJournals": [journal]}), "ManualJournals")
    assert posted["JournalLines"][0]["Tracking"][0]["Option"] == "South"
    journal["JournalLines"][0]["Tracking"] = bad
    assert engine.put("/ManualJournals", {"ManualJournals": [journal]}).status == 400
