"""Changes made in Xero by a user, not through the app's token (control_books.py): lock dates,
contact merges and any accounting request run "as the web app" — and the webhooks they cause."""

from __future__ import annotations

import requests


def _control(emulator, xero, path: str) -> str:
    return f"{emulator.base_url}/_emulator/tenants/{xero.tenant_id}{path}"


def _events(emulator, webhook_receiver) -> list[tuple[str, str, str]]:
    assert emulator.state.webhooks.wait_idle(timeout=30)
    return [(e["eventCategory"], e["eventType"], e["resourceId"]) for e in webhook_receiver.events()]


def _invoice(contact_id: str, **fields) -> dict:
    invoice = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "Date": "2026-03-10",
        "DueDate": "2026-04-10",
        "Status": "AUTHORISED",
        "LineItems": [
            {"Description": "Beans", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200", "TaxType": "OUTPUT2"}
        ],
    }
    invoice.update(fields)
    return invoice


# --- lock dates ----------------------------------------------------------------------------------------


def test_lock_dates_set_in_xero_show_on_the_organisation_and_refuse_documents(emulator, xero):
    url = _control(emulator, xero, "/lock-dates")
    first = requests.post(url, json={"period_lock_date": "2026-02-28", "end_of_year_lock_date": "2025-03-31"})
    assert first.status_code == 200, first.text
    assert first.json()["changed"] is True and first.json()["period_lock_date"] == "2026-02-28"
    organisation = xero.get("/Organisation").json()["Organisations"][0]  # checked against the OpenAPI document
    assert organisation["PeriodLockDate"] == "/Date(1772236800000+0000)/"
    assert organisation["EndOfYearLockDate"] == "/Date(1743379200000+0000)/"

    contact_id = xero.put("/Contacts", {"Contacts": [{"Name": "Locked Period Ltd"}]}).json()["Contacts"][0]["ContactID"]
    refused = xero.put("/Invoices", {"Invoices": [_invoice(contact_id, Date="2026-02-27")]})
    assert refused.status_code == 400
    (message,) = [m["Message"] for e in refused.json()["Elements"] for m in e["ValidationErrors"]]
    assert message == "The document date cannot be before the period lock date, currently set at 28-Feb-2026"
    assert "lock date" in message  # what the service's failure classifier keys on (closed_period)

    emulator.clock.advance(60)
    moved = requests.post(url, json={"period_lock_date": "2026-03-31"}).json()
    assert moved["organisation_updated"] > first.json()["organisation_updated"]
    assert moved["end_of_year_lock_date"] == "2025-03-31"  # a key left out keeps its date
    cleared = requests.post(url, json={"period_lock_date": None, "end_of_year_lock_date": None}).json()
    assert cleared["period_lock_date"] is None and cleared["end_of_year_lock_date"] is None
    assert "PeriodLockDate" not in xero.get("/Organisation").json()["Organisations"][0]
    assert xero.put("/Invoices", {"Invoices": [_invoice(contact_id, Date="2026-02-27")]}).status_code == 200


def test_lock_dates_route_validates_its_input(emulator, xero):
    url = _control(emulator, xero, "/lock-dates")
    assert requests.post(url, json={}).status_code == 400
    assert requests.post(url, json={"period_lock_date": "28/02/2026"}).status_code == 400
    assert requests.post(url, json={"lock": "2026-02-28"}).status_code == 400
    unknown = f"{emulator.base_url}/_emulator/tenants/00000000-0000-0000-0000-000000000000/lock-dates"
    assert requests.post(unknown, json={"period_lock_date": "2026-02-28"}).status_code == 404


# --- changes through the accounting engine as a user ---------------------------------------------------


def test_a_contact_edited_in_xero_is_seen_by_the_app_and_sends_a_webhook(emulator, xero, webhook_receiver):
    contact_id = xero.put("/Contacts", {"Contacts": [{"Name": "Edited In Xero Ltd"}]}).json()["Contacts"][0][
        "ContactID"
    ]
    calls_before = requests.get(f"{emulator.base_url}/_emulator/stats").json()["tenants"][xero.tenant_id]["calls"]
    edited = requests.post(
        _control(emulator, xero, f"/api/Contacts/{contact_id}"), json={"EmailAddress": "ap@edited.example"}
    )
    assert edited.status_code == 200 and edited.json()["Contacts"][0]["EmailAddress"] == "ap@edited.example"
    assert ("CONTACT", "UPDATE", contact_id) in _events(emulator, webhook_receiver)
    assert xero.get(f"/Contacts/{contact_id}").json()["Contacts"][0]["EmailAddress"] == "ap@edited.example"
    # no token, no rate limit, no request-log entry: only the app's GET above was counted
    stats = requests.get(f"{emulator.base_url}/_emulator/stats").json()["tenants"][xero.tenant_id]
    assert stats["calls"] == calls_before + 1
    logged = requests.get(f"{emulator.base_url}/_emulator/requests", params={"path_prefix": "/api.xro"}).json()
    assert [(r["method"], r["path"]) for r in logged["requests"]] == [
        ("PUT", "/api.xro/2.0/Contacts"),
        ("GET", f"/api.xro/2.0/Contacts/{contact_id}"),
    ]


def test_user_changes_answer_as_the_engine_does(emulator, xero):
    base = _control(emulator, xero, "/api")
    assert requests.get(f"{base}/Organisation").json()["Organisations"][0]["OrganisationID"] == xero.tenant_id
    invalid = requests.put(f"{base}/Contacts", json={"Contacts": [{"Name": ""}]})
    assert invalid.status_code == 400 and invalid.json()["Type"] == "ValidationException"
    missing = requests.get(f"{base}/Contacts/00000000-0000-0000-0000-000000000001")
    assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/plain")
    assert requests.put(f"{base}/Contacts", data="{not json").status_code == 400


def test_a_payment_recorded_in_xero_sends_an_invoice_update(emulator, xero, webhook_receiver):
    contact_id = xero.put("/Contacts", {"Contacts": [{"Name": "Pays In Xero Ltd"}]}).json()["Contacts"][0]["ContactID"]
    invoice = xero.put("/Invoices", {"Invoices": [_invoice(contact_id)]}).json()["Invoices"][0]
    payment = {
        "Invoice": {"InvoiceID": invoice["InvoiceID"]},
        "Account": {"Code": "090"},
        "Date": "2026-03-12",
        "Amount": 40,
    }
    recorded = requests.put(_control(emulator, xero, "/api/Payments"), json={"Payments": [payment]})
    assert recorded.status_code == 200, recorded.text
    events = _events(emulator, webhook_receiver)
    assert events[-1] == ("INVOICE", "UPDATE", invoice["InvoiceID"])  # Xero sends no PAYMENT events (§8)
    read = xero.get(f"/Invoices/{invoice['InvoiceID']}").json()["Invoices"][0]
    assert read["AmountPaid"] == 40 and read["AmountDue"] == 75
    assert [(p["Amount"], p["Date"]) for p in read["Payments"]] == [(40, "/Date(1773273600000+0000)/")]


def test_a_payment_through_the_api_also_sends_an_invoice_update(emulator, xero, webhook_receiver):
    contact_id = xero.put("/Contacts", {"Contacts": [{"Name": "Pays By Api Ltd"}]}).json()["Contacts"][0]["ContactID"]
    invoice = xero.put("/Invoices", {"Invoices": [_invoice(contact_id)]}).json()["Invoices"][0]
    _events(emulator, webhook_receiver)
    paid = xero.put(
        "/Payments",
        {
            "Payments": [
                {
                    "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                    "Account": {"Code": "090"},
                    "Date": "2026-03-12",
                    "Amount": 115,
                }
            ]
        },
    )
    assert paid.status_code == 200 and paid.json()["Payments"][0]["Invoice"]["Status"] == "PAID"
    assert _events(emulator, webhook_receiver)[-1] == ("INVOICE", "UPDATE", invoice["InvoiceID"])


# --- contact groups -------------------------------------------------------------------------------------


def test_contact_group_membership_changes_send_contact_updates(emulator, xero, webhook_receiver):
    contact_id = xero.put("/Contacts", {"Contacts": [{"Name": "Grouped Ltd"}]}).json()["Contacts"][0]["ContactID"]
    group = xero.get("/ContactGroups").json()["ContactGroups"][0]
    before = xero.get(f"/Contacts/{contact_id}").json()["Contacts"][0]["UpdatedDateUTC"]
    emulator.clock.advance(5)
    added = xero.put(f"/ContactGroups/{group['ContactGroupID']}/Contacts", {"Contacts": [{"ContactID": contact_id}]})
    assert added.status_code == 200
    members = xero.get(f"/ContactGroups/{group['ContactGroupID']}").json()["ContactGroups"][0]["Contacts"]
    assert [m["ContactID"] for m in members] == [contact_id]
    contact = xero.get(f"/Contacts/{contact_id}").json()["Contacts"][0]
    assert contact["UpdatedDateUTC"] != before and contact["ContactGroups"][0]["Name"] == group["Name"]
    assert xero.call("DELETE", f"/ContactGroups/{group['ContactGroupID']}/Contacts/{contact_id}").status_code == 204
    events = _events(emulator, webhook_receiver)
    assert events.count(("CONTACT", "UPDATE", contact_id)) == 2
    assert xero.get(f"/ContactGroups/{group['ContactGroupID']}").json()["ContactGroups"][0]["Contacts"] == []


# --- merged and archived contacts -----------------------------------------------------------------------


def test_merging_a_contact_archives_it_and_moves_its_documents(emulator, xero, webhook_receiver):
    created = xero.put("/Contacts", {"Contacts": [{"Name": "Old Name Ltd"}, {"Name": "Kept Ltd"}]}).json()["Contacts"]
    merged_id, kept_id = created[0]["ContactID"], created[1]["ContactID"]
    invoice = xero.put("/Invoices", {"Invoices": [_invoice(merged_id)]}).json()["Invoices"][0]
    _events(emulator, webhook_receiver)

    merge = requests.post(_control(emulator, xero, f"/contacts/{merged_id}/merge"), json={"into": kept_id})
    assert merge.status_code == 200, merge.text
    events = set(_events(emulator, webhook_receiver))
    assert {
        ("CONTACT", "UPDATE", merged_id),
        ("CONTACT", "UPDATE", kept_id),
        ("INVOICE", "UPDATE", invoice["InvoiceID"]),
    } <= events

    merged = xero.get(f"/Contacts/{merged_id}").json()["Contacts"][0]
    assert merged["ContactStatus"] == "ARCHIVED" and merged["MergedToContactID"] == kept_id
    assert xero.get(f"/Invoices/{invoice['InvoiceID']}").json()["Invoices"][0]["Contact"]["ContactID"] == kept_id
    listed = [c["ContactID"] for c in xero.get("/Contacts").json()["Contacts"]]
    assert merged_id not in listed and kept_id in listed
    archived = xero.get("/Contacts", params={"includeArchived": "true", "page": "1"}).json()["Contacts"]
    assert {c["ContactID"]: c.get("MergedToContactID") for c in archived}[merged_id] == kept_id
    unpaged = xero.get("/Contacts", params={"includeArchived": "true"}).json()["Contacts"]
    assert all("MergedToContactID" not in c for c in unpaged)  # only with paging or by id (SPEC)
    assert xero.get("/Contacts", params={"IDs": merged_id}).json()["Contacts"][0]["ContactStatus"] == "ARCHIVED"


def test_merge_refuses_what_xero_would_not_do(emulator, xero):
    created = xero.put("/Contacts", {"Contacts": [{"Name": "Twice Ltd"}, {"Name": "Target Ltd"}]}).json()["Contacts"]
    first, second = created[0]["ContactID"], created[1]["ContactID"]
    merge = _control(emulator, xero, f"/contacts/{first}/merge")
    assert requests.post(merge, json={"into": first}).status_code == 400
    assert requests.post(merge, json={}).status_code == 400
    assert requests.post(merge, json={"into": "00000000-0000-0000-0000-000000000009"}).status_code == 404
    assert requests.post(merge, json={"into": second}).status_code == 200
    assert requests.post(merge, json={"into": second}).status_code == 400  # already merged (archived)
    into_archived = _control(emulator, xero, f"/contacts/{second}/merge")
    assert requests.post(into_archived, json={"into": first}).status_code == 400
