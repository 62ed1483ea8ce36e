"""The exact reads of the service's import (services/imports/reads.py, issue 10), over HTTP and
checked against Xero's OpenAPI document: documents and contacts by ``IDs`` with ``page`` (full
records: line items, payments, allocations, contact groups), ``unitdp=4``, ``If-Modified-Since``
on credit notes and items, ``where`` on the document date, and ``includeArchived``."""

from __future__ import annotations

LINE = {"Description": "Beans", "Quantity": 3, "UnitAmount": 10.1234, "AccountCode": "200", "TaxType": "OUTPUT2"}


def _since(emulator) -> str:
    return emulator.clock.now().strftime("%Y-%m-%dT%H:%M:%S")


def _contact(xero, name: str) -> str:
    return xero.put("/Contacts", {"Contacts": [{"Name": name}]}).json()["Contacts"][0]["ContactID"]


def _invoice(xero, contact_id: str, day: str) -> dict:
    element = {"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "Date": day, "DueDate": "2026-12-31",
               "Status": "AUTHORISED", "LineItems": [LINE]}  # fmt: skip
    return xero.put("/Invoices", {"Invoices": [element]}, params={"unitdp": "4"}).json()["Invoices"][0]


def test_invoices_by_ids_with_paging_are_full_records_with_payments_at_four_places(emulator, xero):
    contact_id = _contact(xero, "Bulk Reader Ltd")
    first, second = _invoice(xero, contact_id, "2026-03-01"), _invoice(xero, contact_id, "2026-04-01")
    payment = {"Invoice": {"InvoiceID": first["InvoiceID"]}, "Account": {"Code": "090"}, "Date": "2026-03-10",
               "Amount": 5, "Reference": "Part"}  # fmt: skip
    assert xero.put("/Payments", {"Payments": [payment]}).status_code == 200
    ids = f"{first['InvoiceID']},{second['InvoiceID']}"
    body = xero.get("/Invoices", params={"IDs": ids, "page": 1, "pageSize": 1000, "unitdp": 4}).json()
    by_id = {invoice["InvoiceID"]: invoice for invoice in body["Invoices"]}
    assert set(by_id) == {first["InvoiceID"], second["InvoiceID"]}
    read = by_id[first["InvoiceID"]]
    assert read["LineItems"][0]["UnitAmount"] == 10.1234  # as written with unitdp=4
    assert [(p["Amount"], p["Reference"]) for p in read["Payments"]] == [(5, "Part")]
    assert read["AmountPaid"] == 5 and read["AmountDue"] == round(read["Total"] - 5, 2)
    # the write's answer carries what the read carries (the import recognises the export's own write)
    assert first["LineItems"][0]["UnitAmount"] == 10.1234 and first["Contact"]["ContactID"] == contact_id


def test_invoices_of_a_date_range_with_where_on_the_date(emulator, xero):
    contact_id = _contact(xero, "Range Reader Ltd")
    march, april = _invoice(xero, contact_id, "2026-03-15"), _invoice(xero, contact_id, "2026-04-15")
    where = "Date>=DateTime(2026,03,01) AND Date<=DateTime(2026,03,31)"
    found = xero.get("/Invoices", params={"where": where, "page": 1, "pageSize": 1000, "unitdp": 4}).json()["Invoices"]
    ids = {invoice["InvoiceID"] for invoice in found}
    assert march["InvoiceID"] in ids and april["InvoiceID"] not in ids


def test_credit_notes_by_ids_and_since_a_time_with_their_remaining_credit(emulator, xero):
    contact_id = _contact(xero, "Credit Reader Ltd")
    note = {"Type": "ACCRECCREDIT", "Contact": {"ContactID": contact_id}, "Date": "2026-03-02", "Status": "AUTHORISED",
            "LineItems": [LINE]}  # fmt: skip
    created = xero.put("/CreditNotes", {"CreditNotes": [note]}, params={"unitdp": "4"}).json()["CreditNotes"][0]
    by_id = xero.get("/CreditNotes", params={"IDs": created["CreditNoteID"], "page": 1, "pageSize": 1000, "unitdp": 4})
    (read,) = by_id.json()["CreditNotes"]
    assert read["RemainingCredit"] == read["Total"] and read["LineItems"][0]["UnitAmount"] == 10.1234
    emulator.clock.advance(60)
    since = _since(emulator)
    assert (
        xero.get("/CreditNotes", params={"page": 1}, headers=xero.headers(**{"If-Modified-Since": since})).json()[
            "CreditNotes"
        ]
        == []
    )
    xero.post(f"/CreditNotes/{created['CreditNoteID']}", {"Reference": "changed"})
    changed = xero.get("/CreditNotes", params={"page": 1}, headers=xero.headers(**{"If-Modified-Since": since}))
    assert [c["CreditNoteID"] for c in changed.json()["CreditNotes"]] == [created["CreditNoteID"]]


def test_items_since_a_time_in_one_call(emulator, xero):
    xero.put("/Items", {"Items": [{"Code": "OLD-1", "Name": "Old item"}]})
    emulator.clock.advance(60)
    since = _since(emulator)
    xero.put("/Items", {"Items": [{"Code": "NEW-1", "Name": "New item", "SalesDetails": {"UnitPrice": 4.5}}]})
    recent = xero.get("/Items", params={"unitdp": 4}, headers=xero.headers(**{"If-Modified-Since": since})).json()
    assert [item["Code"] for item in recent["Items"]] == ["NEW-1"]
    assert recent["Items"][0]["SalesDetails"]["UnitPrice"] == 4.5


def test_contacts_by_ids_with_paging_include_archived_ones_and_their_groups(emulator, xero):
    keep, gone = _contact(xero, "Grouped Ltd"), _contact(xero, "Archived Ltd")
    group = xero.put("/ContactGroups", {"ContactGroups": [{"Name": "Importers"}]}).json()["ContactGroups"][0]
    xero.put(f"/ContactGroups/{group['ContactGroupID']}/Contacts", {"Contacts": [{"ContactID": keep}]})
    xero.post(f"/Contacts/{gone}", {"ContactStatus": "ARCHIVED"})
    params = {"IDs": f"{keep},{gone}", "includeArchived": "true", "page": 1, "pageSize": 1000}
    read = {c["ContactID"]: c for c in xero.get("/Contacts", params=params).json()["Contacts"]}
    assert read[gone]["ContactStatus"] == "ARCHIVED"
    assert [g["ContactGroupID"] for g in read[keep]["ContactGroups"]] == [group["ContactGroupID"]]
