"""Contacts (xero-facts §6.5, §3.1, §9 item 6)."""

from __future__ import annotations

import pytest

from local.xero_emulator.interfaces import ResourceEvent
from tests.emulator.accounting.helpers import Engine, invoice_element, messages_of


def test_create_returns_xero_shape_with_both_address_slots_and_four_phones(engine: Engine):
    contact = engine.contact(
        "Harbour Cafe Ltd",
        FirstName="Ana",
        LastName="Ruiz",
        ContactNumber="cus-17",
        Addresses=[{"AddressType": "POBOX", "AddressLine1": "12 Quay St", "City": "Auckland", "Country": "NZ"}],
        Phones=[{"PhoneType": "MOBILE", "PhoneNumber": "555-1212"}],
        ContactPersons=[{"FirstName": "Sue", "EmailAddress": "sue@harbourcafe.example", "IncludeInEmails": True}],
    )
    assert contact["ContactStatus"] == "ACTIVE"
    assert [a["AddressType"] for a in contact["Addresses"]] == ["STREET", "POBOX"]
    assert contact["Addresses"][1]["City"] == "Auckland"
    assert [p["PhoneType"] for p in contact["Phones"]] == ["DEFAULT", "DDI", "FAX", "MOBILE"]
    assert contact["Phones"][3]["PhoneNumber"] == "555-1212"
    assert contact["IsCustomer"] is False and contact["IsSupplier"] is False
    assert contact["Balances"] == {
        "AccountsReceivable": {"Outstanding": 0.0, "Overdue": 0.0},
        "AccountsPayable": {"Outstanding": 0.0, "Overdue": 0.0},
    }


def test_name_is_required(engine: Engine):
    response = engine.put("/Contacts", {"Contacts": [{"EmailAddress": "x@example.com"}]})
    assert response.status == 400
    assert messages_of(response) == ["The contact Name is required when creating a contact."]


def test_put_refuses_a_name_already_used_by_an_active_contact(engine: Engine, customer):
    response = engine.put("/Contacts", {"Contacts": [{"Name": "harbour cafe ltd "}]})
    assert response.status == 400
    assert messages_of(response) == [
        "The contact name harbour cafe ltd is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    ]


def test_an_archived_contact_frees_its_name(engine: Engine, customer):
    engine.post(f"/Contacts/{customer['ContactID']}", {"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    again = engine.contact("Harbour Cafe Ltd")
    assert again["ContactID"] != customer["ContactID"]
    # …and restoring the archived one now clashes
    restore = engine.post(f"/Contacts/{customer['ContactID']}", {"Contacts": [{"ContactStatus": "ACTIVE"}]})
    assert restore.status == 400 and "already assigned" in messages_of(restore)[0]


def test_contact_number_and_account_number_are_unique(engine: Engine):
    engine.contact("A Ltd", ContactNumber="C-1", AccountNumber="ACC-1")
    response = engine.put("/Contacts", {"Contacts": [{"Name": "B Ltd", "ContactNumber": "c-1"}]})
    assert "The ContactNumber c-1 is already assigned to another contact." in messages_of(response)
    response = engine.put("/Contacts", {"Contacts": [{"Name": "B Ltd", "AccountNumber": "ACC-1"}]})
    assert messages_of(response) == ["The Account Number already exists. Please enter a different Account Number."]


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"ContactPersons": [{"FirstName": f"P{i}"} for i in range(6)]},
            "A contact can have a maximum of 5 contact persons.",
        ),
        (
            {"Addresses": [{"AddressType": "DELIVERY", "City": "x"}]},
            "AddressType DELIVERY is not valid. Use POBOX or STREET.",
        ),
        (
            {"Phones": [{"PhoneType": "PAGER", "PhoneNumber": "1"}]},
            "PhoneType PAGER is not valid. Use DEFAULT, DDI, MOBILE, FAX or OFFICE.",
        ),
        ({"Name": "x" * 256}, "Name must not be longer than 255 characters."),
        ({"ContactNumber": "n" * 51}, "ContactNumber must not be longer than 50 characters."),
        (
            {"Addresses": [{"AddressType": "STREET", "PostalCode": "9" * 51}]},
            "PostalCode must not be longer than 50 characters.",
        ),
        ({"EmailAddress": "not-an-email"}, "Email address must be valid."),
        ({"DefaultCurrency": "EUR"}, "Organisation is not subscribed to currency EUR"),
        ({"ContactStatus": "GDPRREQUEST"}, "ContactStatus GDPRREQUEST is not valid. Use ACTIVE or ARCHIVED."),
        ({"SalesDefaultAccountCode": "999"}, "Account code '999' is not a valid code for this document."),
    ],
)
def test_contact_field_rules(engine: Engine, fields, message):
    response = engine.put("/Contacts", {"Contacts": [{"Name": "Rule Test Ltd", **fields}]})
    assert response.status == 400
    assert message in messages_of(response)


def test_post_update_keeps_omitted_fields_and_replaces_contact_persons(engine: Engine):
    contact = engine.contact(
        "Keep Ltd", EmailAddress="a@keep.example", ContactPersons=[{"FirstName": "A"}, {"FirstName": "B"}]
    )
    engine.advance(5)
    response = engine.post(
        f"/Contacts/{contact['ContactID']}",
        {"Contacts": [{"FirstName": "Kim", "ContactPersons": [{"FirstName": "C"}]}]},
    )
    updated = engine.ok(response, "Contacts")
    assert updated["EmailAddress"] == "a@keep.example"
    assert updated["FirstName"] == "Kim"
    assert [p["FirstName"] for p in updated["ContactPersons"]] == ["C"]
    assert updated["UpdatedDateUTC"] != contact["UpdatedDateUTC"]
    assert response.events == [ResourceEvent("CONTACT", "UPDATE", contact["ContactID"])]


def test_post_collection_updates_by_id_number_or_name_and_creates_otherwise(engine: Engine):
    first = engine.contact("Alpha Ltd", ContactNumber="A-1")
    response = engine.post(
        "/Contacts",
        {
            "Contacts": [
                {"ContactID": first["ContactID"], "FirstName": "By id"},
                {"ContactNumber": "A-1", "LastName": "By number"},
                {"Name": "ALPHA LTD", "EmailAddress": "by@name.example"},
                {"Name": "Beta Ltd"},
            ]
        },
    )
    results = response.body["Contacts"]
    assert [c["ContactID"] == first["ContactID"] for c in results] == [True, True, True, False]
    final = engine.get(f"/Contacts/{first['ContactID']}").body["Contacts"][0]
    assert (final["FirstName"], final["LastName"], final["EmailAddress"]) == ("By id", "By number", "by@name.example")
    assert ResourceEvent("CONTACT", "CREATE", results[3]["ContactID"]) in response.events


def test_post_with_an_unknown_contact_id_fails(engine: Engine):
    response = engine.post(
        "/Contacts", {"Contacts": [{"ContactID": "5e9f0000-0000-4000-8000-000000000001", "Name": "Ghost"}]}
    )
    assert response.status == 400
    assert messages_of(response) == ["An existing Contact with the specified ContactID could not be found"]


def test_client_supplied_id_on_put_is_ignored(engine: Engine):
    sent_id = "5e9f0000-0000-4000-8000-000000000001"
    created = engine.ok(
        engine.put("/Contacts", {"Contacts": [{"ContactID": sent_id, "Name": "Own Id Ltd"}]}), "Contacts"
    )
    assert created["ContactID"] != sent_id


def test_is_customer_and_is_supplier_are_set_by_xero_not_the_client(engine: Engine, customer):
    ignored = engine.ok(engine.put("/Contacts", {"Contacts": [{"Name": "Flags Ltd", "IsSupplier": True}]}), "Contacts")
    assert ignored["IsSupplier"] is False
    engine.invoice(customer["ContactID"])
    assert engine.get(f"/Contacts/{customer['ContactID']}").body["Contacts"][0]["IsCustomer"] is True


def test_balances_show_outstanding_and_overdue_receivables(engine: Engine, customer):
    engine.invoice(customer["ContactID"], DueDate="2026-02-01")  # overdue on 2026-03-02
    engine.invoice(customer["ContactID"], DueDate="2026-04-01")
    balances = engine.get(f"/Contacts/{customer['ContactID']}").body["Contacts"][0]["Balances"]
    assert balances["AccountsReceivable"] == {"Outstanding": 230.0, "Overdue": 115.0}


def test_a_document_naming_a_new_contact_creates_it(engine: Engine):
    response = engine.put("/Invoices", {"Invoices": [invoice_element("", Contact={"Name": "Walk-in Customer"})]})
    invoice = engine.ok(response, "Invoices")
    contact_id = invoice["Contact"]["ContactID"]
    assert engine.get(f"/Contacts/{contact_id}").body["Contacts"][0]["Name"] == "Walk-in Customer"
    assert response.events[0] == ResourceEvent("CONTACT", "CREATE", contact_id)
    # the same name again finds the contact instead of creating another
    again = engine.ok(
        engine.put("/Invoices", {"Invoices": [invoice_element("", Contact={"Name": "walk-in customer"})]}), "Invoices"
    )
    assert again["Contact"]["ContactID"] == contact_id


def test_archived_contacts_cannot_be_put_on_new_documents(engine: Engine, customer):
    engine.post(f"/Contacts/{customer['ContactID']}", {"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    response = engine.put("/Invoices", {"Invoices": [invoice_element(customer["ContactID"])]})
    assert messages_of(response) == [
        "The contact Harbour Cafe Ltd is archived. Restore the contact before using it on a transaction."
    ]


def test_contact_groups_membership(engine: Engine, customer):
    groups = engine.get("/ContactGroups").body["ContactGroups"]
    wholesale = next(g for g in groups if g["Name"] == "Wholesale Customers")
    added = engine.put(
        f"/ContactGroups/{wholesale['ContactGroupID']}/Contacts", {"Contacts": [{"ContactID": customer["ContactID"]}]}
    )
    assert added.status == 200
    group = engine.get(f"/ContactGroups/{wholesale['ContactGroupID']}").body["ContactGroups"][0]
    assert group["Contacts"] == [{"ContactID": customer["ContactID"], "Name": "Harbour Cafe Ltd"}]
    contact = engine.get(f"/Contacts/{customer['ContactID']}").body["Contacts"][0]
    assert [g["Name"] for g in contact["ContactGroups"]] == ["Wholesale Customers"]
    removed = engine.delete(f"/ContactGroups/{wholesale['ContactGroupID']}/Contacts/{customer['ContactID']}")
    assert removed.status == 204
    assert engine.get(f"/ContactGroups/{wholesale['ContactGroupID']}").body["ContactGroups"][0]["Contacts"] == []
