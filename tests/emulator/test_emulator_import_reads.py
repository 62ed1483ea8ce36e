"""The reads the service's import and read view make, over HTTP and checked against the OpenAPI
document: big contact pages, incremental reads, invoices with their payments and credits,
payments, the organisation, items and tracking categories under the settings scope."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.emulator.support import OAuthDriver


def _since(emulator) -> str:
    return emulator.clock.now().strftime("%Y-%m-%dT%H:%M:%S")


@pytest.mark.slow
def test_2500_contacts_page_at_1000_and_if_modified_since_returns_only_changed_ones(emulator, xero):
    for batch in range(5):
        body = {"Contacts": [{"Name": f"Import Contact {batch * 500 + n:04d}"} for n in range(500)]}
        assert xero.put("/Contacts", body, params={"summarizeErrors": "false"}).status_code == 200
    pages = [xero.get("/Contacts", params={"page": page, "pageSize": 1000}).json() for page in (1, 2, 3)]
    assert [len(p["Contacts"]) for p in pages] == [1000, 1000, 500]
    assert [p["pagination"] for p in pages] == [
        {"page": page, "pageSize": 1000, "pageCount": 3, "itemCount": 2500} for page in (1, 2, 3)
    ]
    ids = [c["ContactID"] for p in pages for c in p["Contacts"]]
    assert len(set(ids)) == 2500
    assert xero.get("/Contacts", params={"page": 4, "pageSize": 1000}).json()["Contacts"] == []
    # over the limit: clamped to 1000, as Xero does
    assert len(xero.get("/Contacts", params={"page": 1, "pageSize": 5000}).json()["Contacts"]) == 1000

    emulator.clock.advance(60)
    since = _since(emulator)
    changed = ids[10], ids[1500], ids[2499]
    for contact_id in changed:
        assert xero.post(f"/Contacts/{contact_id}", {"EmailAddress": "new@import.example"}).status_code == 200
    delta = xero.get(
        "/Contacts", params={"page": 1, "pageSize": 1000}, headers=xero.headers(**{"If-Modified-Since": since})
    )
    body = delta.json()
    assert [c["ContactID"] for c in body["Contacts"]] == sorted(changed, key=ids.index)  # UpdatedDateUTC, then id
    assert body["pagination"]["itemCount"] == 3
    assert {c["EmailAddress"] for c in body["Contacts"]} == {"new@import.example"}


def test_contacts_by_ids_and_archived(emulator, xero):
    created = xero.put("/Contacts", {"Contacts": [{"Name": n} for n in ("Keep Ltd", "Gone Ltd", "Other Ltd")]}).json()
    keep, gone, _ = (c["ContactID"] for c in created["Contacts"])
    assert xero.post(f"/Contacts/{gone}", {"ContactStatus": "ARCHIVED"}).status_code == 200
    by_ids = xero.get("/Contacts", params={"IDs": f"{keep},{gone}"}).json()["Contacts"]
    assert {c["ContactID"] for c in by_ids} == {keep, gone}
    active = {c["ContactID"] for c in xero.get("/Contacts").json()["Contacts"]}
    assert keep in active and gone not in active
    everyone = {c["ContactID"] for c in xero.get("/Contacts", params={"includeArchived": "true"}).json()["Contacts"]}
    assert gone in everyone


def test_invoices_for_the_read_view(emulator, xero):
    contacts = xero.put("/Contacts", {"Contacts": [{"Name": "Reader One Ltd"}, {"Name": "Reader Two Ltd"}]}).json()
    one, two = (c["ContactID"] for c in contacts["Contacts"])

    def invoice(contact_id: str, day: str, status: str = "AUTHORISED") -> dict:
        line = {"Description": "Beans", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200", "TaxType": "OUTPUT2"}
        element = {"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Date": day, "DueDate": "2026-05-31",
                   "Status": status, "LineItems": [line]}  # fmt: skip
        return xero.put("/Invoices", {"Invoices": [element]}).json()["Invoices"][0]

    early, late, draft = invoice(one, "2026-03-01"), invoice(one, "2026-03-20"), invoice(one, "2026-03-25", "DRAFT")
    invoice(two, "2026-03-05")
    payment = {"Invoice": {"InvoiceID": early["InvoiceID"]}, "Account": {"Code": "090"}, "Date": "2026-03-10",
               "Amount": 50, "Reference": "DD 4411"}  # fmt: skip
    assert xero.put("/Payments", {"Payments": [payment]}).status_code == 200
    note = {"Type": "ACCRECCREDIT", "Contact": {"ContactID": one}, "Date": "2026-03-02", "Status": "AUTHORISED",
            "LineItems": [{"Description": "Refund", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200", "TaxType": "OUTPUT2"}]}  # fmt: skip
    credit = xero.put("/CreditNotes", {"CreditNotes": [note]}).json()["CreditNotes"][0]
    allocation = {"Allocations": [{"Invoice": {"InvoiceID": early["InvoiceID"]}, "Amount": 11.5, "Date": "2026-03-02"}]}
    assert xero.put(f"/CreditNotes/{credit['CreditNoteID']}/Allocations", allocation).status_code == 200

    params = {"ContactIDs": one, "Statuses": "AUTHORISED,PAID", "page": 1, "pageSize": 10, "order": "Date DESC"}
    listed = xero.get("/Invoices", params=params).json()
    assert [i["InvoiceID"] for i in listed["Invoices"]] == [late["InvoiceID"], early["InvoiceID"]]
    assert draft["InvoiceID"] not in {i["InvoiceID"] for i in listed["Invoices"]}
    first = listed["Invoices"][1]
    assert first["Type"] == "ACCREC" and first["DueDate"] == "/Date(1780185600000+0000)/"
    assert (first["AmountPaid"], first["AmountCredited"], first["AmountDue"]) == (50, 11.5, 53.5)
    (paid,) = first["Payments"]
    assert {"PaymentID", "Date", "Amount", "Reference"} <= set(paid) and paid["Reference"] == "DD 4411"
    assert [c["CreditNoteID"] for c in first["CreditNotes"]] == [credit["CreditNoteID"]]

    emulator.clock.advance(60)
    since = _since(emulator)
    xero.post(f"/Invoices/{late['InvoiceID']}", {"Reference": "changed"})
    changed = xero.get("/Invoices", params={"page": 1}, headers=xero.headers(**{"If-Modified-Since": since})).json()
    assert [i["InvoiceID"] for i in changed["Invoices"]] == [late["InvoiceID"]]


def test_payments_with_where_paging_and_if_modified_since(emulator, xero):
    contact_id = xero.put("/Contacts", {"Contacts": [{"Name": "Payer Ltd"}]}).json()["Contacts"][0]["ContactID"]
    line = {"Description": "Beans", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200", "TaxType": "OUTPUT2"}
    element = {"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "DueDate": "2026-05-31", "Status": "AUTHORISED",
               "LineItems": [line]}  # fmt: skip
    invoice_id = xero.put("/Invoices", {"Invoices": [element]}).json()["Invoices"][0]["InvoiceID"]

    def pay(amount: int) -> str:
        body = {
            "Payments": [
                {
                    "Invoice": {"InvoiceID": invoice_id},
                    "Account": {"Code": "090"},
                    "Date": "2026-03-10",
                    "Amount": amount,
                }
            ]
        }
        return xero.put("/Payments", body).json()["Payments"][0]["PaymentID"]

    first = pay(10)
    emulator.clock.advance(timedelta(minutes=1).total_seconds())
    since = _since(emulator)
    second = pay(20)
    page = xero.get("/Payments", params={"page": 1, "pageSize": 1}).json()
    assert page["pagination"] == {"page": 1, "pageSize": 1, "pageCount": 2, "itemCount": 2}
    assert [p["PaymentID"] for p in page["Payments"]] == [first]
    where = xero.get("/Payments", params={"where": "Amount>=20"}).json()["Payments"]
    assert [p["PaymentID"] for p in where] == [second]
    recent = xero.get("/Payments", headers=xero.headers(**{"If-Modified-Since": since})).json()["Payments"]
    assert [p["PaymentID"] for p in recent] == [second]


def test_organisation_and_settings_reads_with_the_settings_scope_only(emulator, oauth: OAuthDriver):
    session = oauth.connect(scope="offline_access accounting.settings.read")
    organisation = session.get("/Organisation").json()["Organisations"][0]
    assert (organisation["CountryCode"], organisation["BaseCurrency"]) == ("NZ", "NZD")
    assert organisation["ShortCode"].startswith("!") and organisation["Timezone"] == "NEWZEALANDSTANDARDTIME"
    assert session.get("/Items").json()["Items"] == []
    categories = session.get("/TrackingCategories").json()["TrackingCategories"]
    assert [(c["Name"], [o["Name"] for o in c["Options"]]) for c in categories] == [("Region", ["North", "South"])]
    refused = session.put("/Items", {"Items": [{"Code": "X"}]})
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "insufficient_scope"
