"""Xero → host as pure rules: Xero's JSON in the host's schema, fingerprints, what a new state
is, contact matching, change ids and cursors (F4)."""

from __future__ import annotations

import pytest

from xero_sync.domain.changes import (
    ChangeKind,
    Resource,
    What,
    decode_cursor,
    encode_cursor,
    format_change_id,
    kind_of,
)
from xero_sync.domain.errors import InvalidCursor
from xero_sync.domain.imports.contacts import contact_fingerprint, map_contact, split_name
from xero_sync.domain.imports.decide import Seen, contact_wanted, what_changed
from xero_sync.domain.imports.documents import map_document, payment_fingerprint, payment_status
from xero_sync.domain.imports.matching import Directory, contact_keys, normal_phone
from xero_sync.domain.imports.wire import amount, iso_date, iso_time
from xero_sync.domain.xero_objects import ObjectKey, Origin, XeroObject

XERO_CONTACT = {
    "ContactID": "c-1",
    "ContactNumber": "CUS-17",
    "ContactStatus": "ACTIVE",
    "Name": "Harbour Cafe Ltd",
    "FirstName": "",
    "LastName": "",
    "EmailAddress": "AP@HarbourCafe.example",
    "Addresses": [
        {
            "AddressType": "STREET",
            "AddressLine1": "1 Wharf Rd",
            "City": "Auckland",
            "Region": "",
            "PostalCode": "",
            "Country": "NZ",
        },
        {
            "AddressType": "POBOX",
            "AddressLine1": "PO Box 12",
            "City": "Auckland",
            "Region": "",
            "PostalCode": "1010",
            "Country": "NZ",
        },
    ],
    "Phones": [
        {"PhoneType": "DEFAULT", "PhoneNumber": "555 1234", "PhoneAreaCode": "9", "PhoneCountryCode": "64"},
        {"PhoneType": "MOBILE", "PhoneNumber": "", "PhoneAreaCode": "", "PhoneCountryCode": ""},
    ],
    "ContactGroups": [{"ContactGroupID": "g-2", "Name": "Wholesale", "Status": "ACTIVE"}],
    "IsCustomer": True,
    "IsSupplier": False,
    "DefaultCurrency": "NZD",
    "ContactPersons": [
        {"FirstName": "Ana", "LastName": "Lee", "EmailAddress": "ana@h.example", "IncludeInEmails": True}
    ],
    "UpdatedDateUTC": "/Date(1795521699000+0000)/",
}

XERO_INVOICE = {
    "InvoiceID": "i-1",
    "Type": "ACCREC",
    "InvoiceNumber": "INV-1042",
    "Reference": "PO 7",
    "Contact": {"ContactID": "c-1", "Name": "Harbour Cafe Ltd"},
    "Date": "/Date(1793577600000+0000)/",
    "DueDate": "/Date(1796169600000+0000)/",
    "Status": "AUTHORISED",
    "LineAmountTypes": "Exclusive",
    "LineItems": [
        {
            "Description": "Espresso beans",
            "Quantity": 12,
            "UnitAmount": 31.5,
            "TaxType": "OUTPUT2",
            "TaxAmount": 56.7,
            "LineAmount": 378,
            "AccountCode": "200",
            "ItemCode": "BEANS",
        },
    ],
    "SubTotal": 384.31,
    "TotalTax": 58.95,
    "Total": 441.96,
    "AmountDue": 241.96,
    "AmountPaid": 200,
    "AmountCredited": 0,
    "CurrencyCode": "NZD",
    "CurrencyRate": 1,
    "Payments": [{"PaymentID": "p-1", "Date": "/Date(1794182400000+0000)/", "Amount": 200, "Reference": "DD 4411"}],
    "UpdatedDateUTC": "/Date(1795521699000+0000)/",
}


# --- wire ---------------------------------------------------------------------------------------


def test_xero_dates_and_amounts_read_as_the_host_writes_them():
    assert iso_date("/Date(1793577600000+0000)/") == "2026-11-02"
    assert iso_date("2026-11-02T00:00:00") == "2026-11-02"
    assert iso_time("/Date(1795521699000+0000)/") == "2026-11-24T12:01:39+00:00"
    assert (amount(441.96), amount(100), amount(1.2345), amount(None)) == ("441.96", "100.00", "1.2345", None)


# --- contacts -----------------------------------------------------------------------------------


def test_a_xero_contact_in_the_host_schema():
    state = map_contact(XERO_CONTACT)
    assert state["display_name"] == "Harbour Cafe Ltd"
    assert (state["first_name"], state["last_name"]) == ("Harbour", "Cafe Ltd")  # seed 004: from the name
    assert state["email"] == "AP@HarbourCafe.example"
    assert state["phone_work"] == "+64 9 555 1234" and state["phone_mobile"] is None
    assert state["billing_address"] == {
        "line1": "PO Box 12",
        "line2": None,
        "city": "Auckland",
        "region": None,
        "postal_code": "1010",
        "country": "NZ",
        "attention": None,
    }
    assert state["shipping_address"]["line1"] == "1 Wharf Rd"
    assert state["kind"] == "customer" and state["status"] == "active"
    assert state["contact_groups"] == [{"id": "g-2", "name": "Wholesale"}]
    assert state["contact_persons"] == [
        {"first_name": "Ana", "last_name": "Lee", "email": "ana@h.example", "include_in_emails": True}
    ]


def test_first_and_last_names_in_xero_win_over_the_name():
    state = map_contact({**XERO_CONTACT, "FirstName": "Mia", "LastName": "Wong"})
    assert (state["first_name"], state["last_name"]) == ("Mia", "Wong")
    assert split_name("Acme") == ("Acme", None) and split_name("  ") == (None, None)


def test_the_contact_fingerprint_ignores_key_order_and_the_kind_flags_xero_sets_by_itself():
    # Given the same contact read twice, once after an invoice made it a customer in Xero
    before = map_contact({**XERO_CONTACT, "IsCustomer": False})
    after = map_contact(dict(reversed(list(XERO_CONTACT.items()))))
    # Then the fingerprints are equal (Xero does not move UpdatedDateUTC for IsCustomer)
    assert contact_fingerprint(before) == contact_fingerprint(after)
    # And any real edit changes it
    assert contact_fingerprint(map_contact({**XERO_CONTACT, "EmailAddress": "new@h.example"})) != contact_fingerprint(
        after
    )


@pytest.mark.parametrize(
    ("kind", "customers", "vendors", "groups", "wanted"),
    [
        ("customer", True, False, [], True),
        ("customer", False, True, [], False),
        ("vendor", False, True, [], True),
        (None, False, True, [], True),  # no document names it yet: comes with either option
        ("both", True, False, [], True),
        ("customer", False, False, [], False),
        ("customer", True, False, ["g-2"], True),
        ("customer", True, False, ["g-9"], False),
    ],
)
def test_import_options_choose_the_contacts(kind, customers, vendors, groups, wanted):
    state = {**map_contact(XERO_CONTACT), "kind": kind}
    assert contact_wanted(state, customers=customers, vendors=vendors, contact_group_ids=groups) is wanted


# --- documents ----------------------------------------------------------------------------------


def test_an_invoice_in_the_host_schema_with_its_payment_status():
    state = map_document(XERO_INVOICE)
    assert (state["number"], state["date"], state["due_date"], state["status"]) == (
        "INV-1042",
        "2026-11-02",
        "2026-12-02",
        "open",
    )
    assert state["contact"] == {"xero_id": "c-1", "name": "Harbour Cafe Ltd"}
    assert state["amounts_are"] == "exclusive" and state["total"] == "441.96" and state["exchange_rate"] is None
    assert state["lines"][0] == {
        "item_name": "BEANS",
        "description": "Espresso beans",
        "quantity": "12.00",
        "rate": "31.50",
        "discount_percent": None,
        "account_code": "200",
        "xero_tax_type": "OUTPUT2",
        "tax_amount": "56.70",
        "line_amount": "378.00",
    }
    payment = payment_status(XERO_INVOICE)
    assert payment == {
        "status": "partially_paid",
        "xero_status": "AUTHORISED",
        "total": "441.96",
        "amount_paid": "200.00",
        "amount_due": "241.96",
        "amount_credited": "0.00",
        "fully_paid_on": None,
        "payments": [{"xero_id": "p-1", "date": "2026-11-09", "amount": "200.00", "reference": "DD 4411"}],
    }


def test_payment_status_words_and_a_foreign_rate_in_the_hosts_direction():
    paid = {**XERO_INVOICE, "Status": "PAID", "AmountDue": 0, "AmountPaid": 441.96}
    assert payment_status(paid)["status"] == "paid"
    assert payment_status({**XERO_INVOICE, "Status": "VOIDED"})["status"] == "void"
    assert payment_status({**XERO_INVOICE, "AmountPaid": 0, "AmountDue": 441.96, "Payments": []})["status"] == "unpaid"
    # Xero: 0.54 USD per NZD → host: 1 USD = 1.851852 NZD (SPEC §7)
    assert map_document({**XERO_INVOICE, "CurrencyCode": "USD", "CurrencyRate": 0.54})["exchange_rate"] == "1.851852"


def test_a_credit_notes_remaining_credit_is_its_balance():
    note = {"CreditNoteID": "n-1", "Type": "ACCRECCREDIT", "CreditNoteNumber": "CN-7", "Status": "AUTHORISED",
            "Total": 34.21, "RemainingCredit": 14.21, "Contact": {"ContactID": "c-1"}}  # fmt: skip
    assert payment_status(note)["amount_due"] == "14.21" and payment_status(note)["amount_paid"] == "20.00"
    assert map_document(note)["number"] == "CN-7" and "lines" not in map_document(note)


def test_a_deleted_payment_is_not_a_payment():
    deleted = {
        **XERO_INVOICE,
        "Payments": [*XERO_INVOICE["Payments"], {"PaymentID": "p-2", "Status": "DELETED", "Amount": 5}],
    }
    assert payment_fingerprint(payment_status(deleted)) == payment_fingerprint(payment_status(XERO_INVOICE))


# --- what a new state is ---------------------------------------------------------------------


def _known(fp="a", payment="p", updated="2026-11-24T12:00:00+00:00", origin=Origin.XERO):
    return XeroObject(ObjectKey("o", Resource.INVOICE, "i-1"), fingerprint=fp, payment_fingerprint=payment,
                      xero_updated=updated, origin=origin, revision=3)  # fmt: skip


@pytest.mark.parametrize(
    ("known", "seen", "content", "payment", "expected"),
    [
        (None, Seen("a", "p", None, False), True, True, What.CREATED),
        (None, Seen("a", "p", None, True), True, True, What.ARCHIVED),
        (_known(), Seen("a", "p", "2026-11-24T12:00:00+00:00", False), True, True, None),  # echo / duplicate
        (_known(), Seen("b", "p", "2026-11-24T12:05:00+00:00", False), True, True, What.UPDATED),
        (_known(), Seen("b", "p", "2026-11-24T12:05:00+00:00", True), True, True, What.ARCHIVED),
        (_known(), Seen("a", "q", "2026-11-24T12:05:00+00:00", False), True, True, What.PAYMENT_STATUS_CHANGED),
        (_known(), Seen("b", "p", "2026-11-24T12:05:00+00:00", False), False, True, None),  # content not followed
        (_known(), Seen("b", "q", "2026-11-24T11:00:00+00:00", False), True, True, None),  # older than known
    ],
)
def test_what_a_new_state_is(known, seen, content, payment, expected):
    assert what_changed(known, seen, content=content, payment=payment) is expected


def test_kinds_read_as_documents_and_objects_do():
    assert kind_of(Resource.CONTACT, What.ARCHIVED) is ChangeKind.CONTACT_ARCHIVED
    assert kind_of(Resource.INVOICE, What.ARCHIVED) is ChangeKind.INVOICE_VOIDED
    assert kind_of(Resource.BILL, What.PAYMENT_STATUS_CHANGED) is ChangeKind.BILL_PAYMENT_STATUS_CHANGED
    assert kind_of(Resource.ACCOUNT, What.VOIDED) is ChangeKind.ACCOUNT_ARCHIVED


# --- matching -----------------------------------------------------------------------------------


def test_phones_are_compared_in_e164_with_the_orgs_country():
    assert normal_phone("09 555 1234", "NZ") == normal_phone("+64 9 555 1234", None) == "+6495551234"
    assert normal_phone("(415) 555-0100", "US") == "+14155550100"
    assert normal_phone("not a number", "NZ") is None and normal_phone("12", "NZ") is None


def test_a_match_by_email_ignores_case_and_wins_over_phone():
    directory = Directory.of(
        [
            ("cus-3", {"email": "ap@harbourcafe.example"}),
            ("cus-9", {"phone_work": "09 555 1234"}),
            ("cus-1", {"phone_mobile": "+64 9 555 1234"}),
        ],
        "NZ",
    )
    keys = contact_keys(map_contact(XERO_CONTACT), "NZ")
    assert directory.match(keys).host_id == "cus-3" and directory.match(keys).by == "email"
    by_phone = contact_keys({"phone_work": "+64 9 555 1234"}, "NZ")
    match = directory.match(by_phone)
    assert (match.host_id, match.by) == ("cus-1", "phone")  # two host contacts share it: the lowest id
    assert directory.match(contact_keys({"email": "nobody@x.example"}, "NZ")) is None


# --- ids and cursors ----------------------------------------------------------------------------


def test_change_ids_sort_as_numbers_and_cursors_are_bound_to_the_org():
    ids = [format_change_id(n) for n in (9, 10, 100)]
    assert ids == sorted(ids) and ids[0] == "000000000009"
    cursor = encode_cursor("org-a", ids[1])
    assert decode_cursor(cursor, "org-a") == "000000000010"
    for wrong in ("nonsense", encode_cursor("org-b", ids[1]), cursor[:-2]):
        with pytest.raises(InvalidCursor):
            decode_cursor(wrong, "org-a")
