"""Reads (xero-facts §5, §9 item 9): where, order, paging, If-Modified-Since, list parameters,
line items only with paging, summaryOnly, GET by id or number, 404."""

from __future__ import annotations

import pytest

from tests.emulator.accounting.helpers import BANK, FUNDS_INTRODUCED, SALES, Engine

# --- helpers -------------------------------------------------------------------------------------


def numbers(response) -> list[str]:
    return [invoice["InvoiceNumber"] for invoice in response.body["Invoices"]]


@pytest.fixture
def three_invoices(engine: Engine, customer):
    """INV-0001 (DRAFT, 2026-01-10), INV-0002 (AUTHORISED, 2026-02-10), a bill (AUTHORISED),
    created one minute apart."""
    other = engine.contact("Quay Supplies Ltd", EmailAddress="accounts@quay.example", ContactNumber="SUP-1")
    engine.invoice(customer["ContactID"], Status="DRAFT", Date="2026-01-10", Reference="first order")
    engine.advance(60)
    engine.invoice(customer["ContactID"], Date="2026-02-10", Reference="second order")
    engine.advance(60)
    engine.invoice(
        other["ContactID"],
        Type="ACCPAY",
        InvoiceNumber="BILL-77",
        LineItems=[
            {"Description": "Beans", "Quantity": 2, "UnitAmount": 50, "AccountCode": "300", "TaxType": "INPUT2"}
        ],
    )
    engine.advance(60)
    return customer, other


# --- where ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where, expected",
    [
        ('Status=="AUTHORISED"', ["INV-0002", "BILL-77"]),
        ('Status=="AUTHORISED" AND Type=="ACCREC"', ["INV-0002"]),
        ('Type=="ACCPAY" OR Status=="DRAFT"', ["INV-0001", "BILL-77"]),
        ('Status!="DRAFT" && (Type=="ACCREC" || InvoiceNumber=="BILL-77")', ["INV-0002", "BILL-77"]),
        ("Date>=DateTime(2026,02,01)", ["INV-0002", "BILL-77"]),
        ("Date<DateTime(2026,02,01)", ["INV-0001"]),
        ("Date<=DateTime(2026, 1, 10)", ["INV-0001"]),
        ('Date>DateTime.Parse("2026-02-10T00:00:00")', ["BILL-77"]),
        ('Reference.Contains("order")', ["INV-0001", "INV-0002"]),
        ('InvoiceNumber.StartsWith("INV")', ["INV-0001", "INV-0002"]),
        ('Reference.EndsWith("ORDER")', ["INV-0001", "INV-0002"]),
        ("Total>200", []),
        ("Total>=115 AND AmountDue>0", ["INV-0001", "INV-0002", "BILL-77"]),
        ('NOT (Type=="ACCREC")', ["BILL-77"]),
        ('status=="draft"', ["INV-0001"]),
        ("Reference==null", ["BILL-77"]),
    ],
)
def test_where_on_invoices(engine: Engine, three_invoices, where, expected):
    response = engine.get("/Invoices", query={"where": where})
    assert response.status == 200
    assert numbers(response) == expected


def test_where_on_contact_id_with_guid(engine: Engine, three_invoices):
    customer, _ = three_invoices
    where = f'Contact.ContactID==guid("{customer["ContactID"].upper()}")'
    assert numbers(engine.get("/Invoices", query={"where": where})) == ["INV-0001", "INV-0002"]
    where = f'Contact.ContactID=Guid("{customer["ContactID"]}") AND Status=="DRAFT"'
    assert numbers(engine.get("/Invoices", query={"where": where})) == ["INV-0001"]


@pytest.mark.parametrize(
    "where, message",
    [
        ('Foo=="x"', "No property or field 'Foo' exists in type 'Invoice'"),
        ("Status==", "Expression expected"),
        ('(Status=="DRAFT"', "')' expected"),
        ('Total=="100"', "Operator '==' incompatible with operand types 'Decimal' and 'String'"),
        ('Contact.ContactID=="0d8f0b5e-0000-4000-8000-000000000000"', "Operator '==' incompatible"),
        ('HasErrors=="true"', "Operator '==' incompatible with operand types 'Boolean' and 'String'"),
        ("Status", "Expression of type 'Boolean' expected"),
        ('Total.Contains("1")', "No applicable method 'Contains' exists in type 'Decimal'"),
        ("Date>=DateTime(2026,13,01)", "un-representable DateTime"),
        ('Status=="DRAFT" AND', "Expression expected"),
    ],
)
def test_a_bad_where_is_a_400_query_parse_exception(engine: Engine, three_invoices, where, message):
    response = engine.get("/Invoices", query={"where": where})
    assert response.status == 400
    assert response.body["ErrorNumber"] == 16 and response.body["Type"] == "QueryParseException"
    assert message in response.body["Message"]


def test_where_on_contacts(engine: Engine, three_invoices):
    found = engine.get("/Contacts", query={"where": 'Name.Contains("cafe")'}).body["Contacts"]
    assert [c["Name"] for c in found] == ["Harbour Cafe Ltd"]
    found = engine.get("/Contacts", query={"where": 'EmailAddress=="ACCOUNTS@quay.example"'}).body["Contacts"]
    assert [c["Name"] for c in found] == ["Quay Supplies Ltd"]
    found = engine.get("/Contacts", query={"where": 'ContactNumber!=null AND ContactNumber.StartsWith("SUP")'}).body[
        "Contacts"
    ]
    assert [c["Name"] for c in found] == ["Quay Supplies Ltd"]
    found = engine.get("/Contacts", query={"where": "IsSupplier==true"}).body["Contacts"]
    assert [c["Name"] for c in found] == ["Quay Supplies Ltd"]


def test_where_on_account_enums_and_booleans(engine: Engine):
    def codes(where: str) -> list[str | None]:
        return [a.get("Code") for a in engine.get("/Accounts", query={"where": where}).body["Accounts"]]

    assert codes('Type=="BANK"') == [BANK, "091"]
    assert codes("EnablePaymentsToAccount==true") == [FUNDS_INTRODUCED]
    assert codes("EnablePaymentsToAccount") == [FUNDS_INTRODUCED]
    assert codes('Status=="ARCHIVED"') == ["210"]
    assert codes('Type=="BANK" OR EnablePaymentsToAccount==true') == [BANK, "091", FUNDS_INTRODUCED]
    assert codes('Class=="REVENUE" AND Status=="ACTIVE"') == [SALES, "260", "270"]
    assert codes("Code==null") == [None]


# --- order and paging ---------------------------------------------------------------------------------


def test_default_order_is_updated_date_then_id(engine: Engine, three_invoices):
    # INV-0001 is modified last, so it moves to the end.
    engine.post("/Invoices/INV-0001", {"Invoices": [{"Reference": "changed"}]})
    assert numbers(engine.get("/Invoices")) == ["INV-0002", "BILL-77", "INV-0001"]


def test_order_by_field_and_desc(engine: Engine, three_invoices):
    assert numbers(engine.get("/Invoices", query={"order": "Date DESC"})) == ["BILL-77", "INV-0002", "INV-0001"]
    assert numbers(engine.get("/Invoices", query={"order": "InvoiceNumber"})) == ["BILL-77", "INV-0001", "INV-0002"]
    assert numbers(engine.get("/Invoices", query={"order": "Type, Date desc"})) == ["BILL-77", "INV-0002", "INV-0001"]
    bad = engine.get("/Invoices", query={"order": "Nope"})
    assert bad.status == 400 and bad.body["Type"] == "QueryParseException"


def test_paging_with_pagination_object(engine: Engine, customer):
    for _ in range(5):
        engine.invoice(customer["ContactID"])
        engine.advance(1)  # same second → ordered by id; one apart → in creation order
    first = engine.get("/Invoices", query={"page": "1", "pageSize": "2"}).body
    assert first["pagination"] == {"page": 1, "pageSize": 2, "pageCount": 3, "itemCount": 5}
    assert [i["InvoiceNumber"] for i in first["Invoices"]] == ["INV-0001", "INV-0002"]
    third = engine.get("/Invoices", query={"Page": "3", "PageSize": "2"}).body  # names are case-insensitive
    assert [i["InvoiceNumber"] for i in third["Invoices"]] == ["INV-0005"]
    beyond = engine.get("/Invoices", query={"page": "4", "pageSize": "2"}).body
    assert beyond["Invoices"] == [] and beyond["pagination"]["itemCount"] == 5


@pytest.mark.parametrize("sent, used", [("5000", 1000), ("0", 1), ("-3", 1), ("250", 250)])
def test_page_size_is_clamped(engine: Engine, sent, used):
    body = engine.get("/Contacts", query={"page": "1", "pageSize": sent}).body
    assert body["pagination"]["pageSize"] == used


def test_default_page_size_is_100(engine: Engine, customer):
    body = engine.get("/Invoices", query={"page": "1"}).body
    assert body["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 0, "itemCount": 0}


def test_line_items_only_with_paging_and_a_contact_summary_without(engine: Engine, customer):
    engine.invoice(customer["ContactID"])
    unpaged = engine.get("/Invoices").body
    assert "pagination" not in unpaged
    assert unpaged["Invoices"][0]["LineItems"] == []
    assert unpaged["Invoices"][0]["Contact"] == {
        "ContactID": customer["ContactID"],
        "Name": "Harbour Cafe Ltd",
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "HasValidationErrors": False,
    }
    paged = engine.get("/Invoices", query={"page": "1"}).body
    assert len(paged["Invoices"][0]["LineItems"]) == 1
    single = engine.get(f"/Invoices/{paged['Invoices'][0]['InvoiceID']}").body
    assert len(single["Invoices"][0]["LineItems"]) == 1


def test_bank_transactions_and_credit_notes_also_omit_lines_without_paging(engine: Engine, customer):
    engine.credit_note(customer["ContactID"])
    body = {
        "Type": "SPEND",
        "Contact": {"ContactID": customer["ContactID"]},
        "BankAccount": {"Code": BANK},
        "LineItems": [{"Description": "Fee", "Quantity": 1, "UnitAmount": 5, "AccountCode": "404"}],
    }
    engine.put("/BankTransactions", {"BankTransactions": [body]})
    assert engine.get("/CreditNotes").body["CreditNotes"][0]["LineItems"] == []
    assert engine.get("/BankTransactions").body["BankTransactions"][0]["LineItems"] == []
    assert engine.get("/BankTransactions", query={"page": "1"}).body["BankTransactions"][0]["LineItems"]


def test_summary_only_drops_heavy_fields_and_forces_paging(engine: Engine, customer):
    engine.invoice(customer["ContactID"])
    body = engine.get("/Invoices", query={"summaryOnly": "true"}).body
    invoice = body["Invoices"][0]
    assert body["pagination"]["page"] == 1
    assert "LineItems" not in invoice and "Payments" not in invoice and "HasAttachments" not in invoice
    contacts = engine.get("/Contacts", query={"summaryOnly": "True"}).body
    assert "Addresses" not in contacts["Contacts"][0] and "Balances" not in contacts["Contacts"][0]
    assert contacts["pagination"]["itemCount"] == 1


# --- If-Modified-Since ----------------------------------------------------------------------------


def test_if_modified_since_returns_records_created_or_modified_since_to_the_second(engine: Engine, customer):
    first = engine.invoice(customer["ContactID"])  # 09:30:00
    engine.advance(90.4)
    second = engine.invoice(customer["ContactID"])  # 09:31:30.4
    engine.advance(60)
    since_second = {"If-Modified-Since": "2026-03-02T09:31:30"}
    assert [i["InvoiceID"] for i in engine.get("/Invoices", headers=since_second).body["Invoices"]] == [
        second["InvoiceID"]
    ]
    # a modification brings the first back
    engine.post(f"/Invoices/{first['InvoiceID']}", {"Invoices": [{"Reference": "changed"}]})
    found = engine.get("/Invoices", headers=since_second).body["Invoices"]
    assert {i["InvoiceID"] for i in found} == {first["InvoiceID"], second["InvoiceID"]}
    # what the SDK sends (ISO with offset) and an HTTP date work too
    later = {"If-Modified-Since": "2026-03-02T09:31:31+00:00"}
    assert [i["InvoiceID"] for i in engine.get("/Invoices", headers=later).body["Invoices"]] == [first["InvoiceID"]]
    http_date = {"If-Modified-Since": "Mon, 02 Mar 2026 09:33:00 GMT"}
    assert engine.get("/Invoices", headers=http_date).body["Invoices"] == []


def test_if_modified_since_on_contacts_payments_accounts_bank_transactions(engine: Engine, customer):
    engine.advance(10)
    since = {"If-Modified-Since": "2026-03-02T09:30:05"}
    assert engine.get("/Contacts", headers=since).body["Contacts"] == []
    assert engine.get("/Accounts", headers=since).body["Accounts"] == []
    invoice = engine.invoice(customer["ContactID"])
    engine.pay(invoice["InvoiceID"], 10)
    assert len(engine.get("/Payments", headers=since).body["Payments"]) == 1
    assert engine.get("/BankTransactions", headers=since).body["BankTransactions"] == []


# --- list parameters ---------------------------------------------------------------------------------


def test_invoice_list_parameters(engine: Engine, three_invoices):
    _customer, other = three_invoices
    all_ids = {i["InvoiceNumber"]: i["InvoiceID"] for i in engine.get("/Invoices").body["Invoices"]}
    ids = f"{all_ids['INV-0001']},{all_ids['BILL-77']}"
    assert numbers(engine.get("/Invoices", query={"IDs": ids})) == ["INV-0001", "BILL-77"]
    assert numbers(engine.get("/Invoices", query={"InvoiceNumbers": "INV-0002,BILL-77"})) == ["INV-0002", "BILL-77"]
    assert numbers(engine.get("/Invoices", query={"ContactIDs": other["ContactID"]})) == ["BILL-77"]
    assert numbers(engine.get("/Invoices", query={"Statuses": "DRAFT,AUTHORISED"})) == [
        "INV-0001",
        "INV-0002",
        "BILL-77",
    ]
    assert numbers(engine.get("/Invoices", query={"searchTerm": "SECOND"})) == ["INV-0002"]
    assert numbers(engine.get("/Invoices", query={"searchTerm": "bill"})) == ["BILL-77"]
    bad = engine.get("/Invoices", query={"IDs": "not-a-guid"})
    assert bad.status == 400


def test_deleted_and_voided_invoices_stay_readable(engine: Engine, three_invoices):
    engine.post("/Invoices/INV-0001", {"Invoices": [{"Status": "DELETED"}]})
    engine.post("/Invoices/INV-0002", {"Invoices": [{"Status": "VOIDED"}]})
    assert numbers(engine.get("/Invoices")) == ["BILL-77", "INV-0002"]  # DELETED only when asked for
    assert sorted(numbers(engine.get("/Invoices", query={"Statuses": "DELETED,VOIDED"}))) == ["INV-0001", "INV-0002"]
    assert engine.get("/Invoices/INV-0001").body["Invoices"][0]["Status"] == "DELETED"


def test_contact_search_term_and_archived(engine: Engine, three_invoices):
    customer, other = three_invoices
    assert [c["Name"] for c in engine.get("/Contacts", query={"searchTerm": "quay"}).body["Contacts"]] == [
        "Quay Supplies Ltd"
    ]
    assert [c["Name"] for c in engine.get("/Contacts", query={"searchTerm": "sup-1"}).body["Contacts"]] == [
        "Quay Supplies Ltd"
    ]
    assert [c["Name"] for c in engine.get("/Contacts", query={"searchTerm": "harbourcafe"}).body["Contacts"]] == [
        "Harbour Cafe Ltd"
    ]
    engine.post(f"/Contacts/{other['ContactID']}", {"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    assert [c["Name"] for c in engine.get("/Contacts").body["Contacts"]] == ["Harbour Cafe Ltd"]
    archived_too = engine.get("/Contacts", query={"includeArchived": "true"}).body["Contacts"]
    assert {c["Name"] for c in archived_too} == {"Harbour Cafe Ltd", "Quay Supplies Ltd"}
    ids = engine.get("/Contacts", query={"IDs": f"{customer['ContactID']},{other['ContactID']}"}).body["Contacts"]
    assert len(ids) == 2  # explicit ids are returned whatever their status


# --- single records --------------------------------------------------------------------------------


def test_get_one_by_id_or_number_and_404(engine: Engine, three_invoices):
    _customer, other = three_invoices
    assert engine.get("/Invoices/INV-0002").body["Invoices"][0]["InvoiceNumber"] == "INV-0002"
    assert engine.get("/invoices/inv-0002").status == 200  # paths and numbers ignore case
    assert engine.get("/Contacts/SUP-1").body["Contacts"][0]["ContactID"] == other["ContactID"]
    for path in (
        "/Invoices/INV-9999",
        "/Invoices/3b1d4c8e-0000-4000-8000-000000000000",
        "/Contacts/nobody",
        "/Payments/3b1d4c8e-0000-4000-8000-000000000000",
        "/Nowhere",
    ):
        missing = engine.get(path)
        assert missing.status == 404
        assert missing.body == "The resource you're looking for cannot be found"
        assert missing.headers["Content-Type"].startswith("text/plain")


def test_unsupported_method_is_405(engine: Engine):
    response = engine.delete("/Invoices")
    assert response.status == 405
