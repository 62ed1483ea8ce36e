"""Contacts → Xero contacts (F3.3): the seeds' contact field tables row by row, contact persons,
currencies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from export_domain_helpers import ORG_ID, contact
from mapping_helpers import E, codes, mapped, ok

from xero_sync.domain.natural_keys import record_key
from xero_sync.domain.problems import NoticeCode, ProblemCode
from xero_sync.models.xero_payloads import to_wire

# ----------------------------------------------------------------------------------------------
# Field tables of the seeds, one test per row
# ----------------------------------------------------------------------------------------------

ADDRESS = {
    "line1": "12 Quay St",
    "line2": "Level 2",
    "city": "Auckland",
    "region": "Auckland",
    "postal_code": "1010",
    "country": "NZ",
    "attention": "Accounts",
}
PERSONS = [{"first_name": "Ana", "last_name": "Ruiz", "email": "ana@harbour.example", "include_in_emails": True}]


def _phones(payload) -> dict[str, str]:
    return {phone.PhoneType: phone.PhoneNumber for phone in payload.Phones or []}


def _address(payload, kind: str) -> dict[str, Any]:
    [address] = [a for a in payload.Addresses if a.AddressType == kind]
    return address.model_dump(exclude_none=True)


CONTACT_ROWS: list[tuple[str, dict[str, Any], Callable[[Any], Any], Any]] = [
    ("Display Name → Contact Name", {"display_name": "Harbour Cafe Ltd"}, lambda p: p.Name, "Harbour Cafe Ltd"),
    ("First name → First Name", {"first_name": "Ana"}, lambda p: p.FirstName, "Ana"),
    ("Last Name → Last Name", {"last_name": "Ruiz"}, lambda p: p.LastName, "Ruiz"),
    ("Email → Email", {"email": "ap@harbour.example"}, lambda p: p.EmailAddress, "ap@harbour.example"),
    ("Phone - Work → Phone Number", {"phone_work": "09 555 0100"}, lambda p: _phones(p), {"DEFAULT": "09 555 0100"}),
    (
        "Phone - Mobile → Mobile number",
        {"phone_mobile": "021 555 0101"},
        lambda p: _phones(p),
        {"MOBILE": "021 555 0101"},
    ),
    (
        "Billing Address → Billing Address",
        {"billing_address": ADDRESS},
        lambda p: _address(p, "POBOX"),
        {
            "AddressType": "POBOX",
            "AddressLine1": "12 Quay St",
            "AddressLine2": "Level 2",
            "City": "Auckland",
            "Region": "Auckland",
            "PostalCode": "1010",
            "Country": "NZ",
            "AttentionTo": "Accounts",
        },
    ),
    (
        "Shipping Address → Delivery Address",
        {"shipping_address": {"line1": "3 Wharf Rd", "city": "Napier"}},
        lambda p: _address(p, "STREET"),
        {"AddressType": "STREET", "AddressLine1": "3 Wharf Rd", "City": "Napier"},
    ),
    ("Currency → Currency", {"currency": "EUR"}, lambda p: p.DefaultCurrency, "EUR"),
    (
        "Contact Persons → Additional People",
        {"contact_persons": PERSONS},
        lambda p: [person.model_dump() for person in p.ContactPersons],
        [{"FirstName": "Ana", "LastName": "Ruiz", "EmailAddress": "ana@harbour.example", "IncludeInEmails": True}],
    ),
]


@pytest.mark.parametrize(
    ("fields", "extract", "expected"),
    [
        pytest.param(f, x, e, id=f"seed {seed} contacts: {name}".replace("→", "->"))
        for seed in ("000", "001")
        for name, f, x, e in CONTACT_ROWS
    ],
)
def test_contact_field_rows(fields, extract, expected):
    payload = ok(E.CONTACT, contact(**fields))
    assert extract(payload) == expected


# ----------------------------------------------------------------------------------------------
# Contacts
# ----------------------------------------------------------------------------------------------


def test_contact_number_from_host_or_derived():
    assert ok(E.CONTACT, contact(contact_number="C-42")).ContactNumber == "C-42"
    assert ok(E.CONTACT, contact()).ContactNumber == f"XS-{record_key(ORG_ID, E.CONTACT, 'host-1')}"


def test_contact_persons_beyond_five_are_reported():
    persons = [{"first_name": f"P{n}", "email": f"p{n}@x.example"} for n in range(7)]
    result = mapped(E.CONTACT, contact(contact_persons=persons))
    assert result.ok and len(result.payload.ContactPersons) == 5
    [notice] = result.notices
    assert notice.code is NoticeCode.CONTACT_PERSONS_DROPPED and "P5, P6" in notice.message


def test_contact_with_only_a_name_sends_no_empty_lists():
    assert to_wire(ok(E.CONTACT, contact())) == {
        "Name": "Harbour Cafe Ltd",
        "ContactNumber": f"XS-{record_key(ORG_ID, E.CONTACT, 'host-1')}",
    }


def test_contact_currency_must_be_enabled():
    assert codes(mapped(E.CONTACT, contact(currency="USD"))) == [ProblemCode.CURRENCY_NOT_ENABLED]
