"""Contacts (F3.3, seed 000 / seed 001 contact tables).

Display Name → ``Name``; First/Last name → ``FirstName``/``LastName``; Email → ``EmailAddress``;
Phone (work) → ``Phones[DEFAULT]``; Phone (mobile) → ``Phones[MOBILE]``; Billing address →
``Addresses[POBOX]`` (Xero's billing/postal address); Shipping address → ``Addresses[STREET]``
(Xero's delivery address); Currency → ``DefaultCurrency``; Contact persons → ``ContactPersons``
("Additional People", at most 5: the rest are reported); plus ``contact_number`` →
``ContactNumber`` (natural_keys.contact_number) and tax number → ``TaxNumber``. Omitted fields
keep their Xero value on update (xero-facts §6.5).
"""

from __future__ import annotations

from typing import Literal

from xero_sync.domain.currency import currency_not_enabled
from xero_sync.domain.mapping.base import Mapped, MappingContext
from xero_sync.domain.mapping.collector import Collector
from xero_sync.domain.mapping.overrides import apply_overrides
from xero_sync.domain.natural_keys import contact_number
from xero_sync.domain.problems import Notice, NoticeCode
from xero_sync.models.records import Address, Contact, ContactPerson, EntityName
from xero_sync.models.xero_payloads import XeroAddress, XeroContact, XeroContactPerson, XeroPhone

MAX_CONTACT_PERSONS = 5  # xero-facts §6.5


def map_contact(contact: Contact, ctx: MappingContext, *, host_id: str) -> Mapped[XeroContact]:
    c = Collector(ctx)
    if contact.currency and not ctx.reference.currency_enabled(contact.currency):
        c.problem(currency_not_enabled(contact.currency))
    payload = XeroContact(
        Name=contact.display_name,
        ContactNumber=contact_number(contact.contact_number, ctx.org_id, host_id),
        FirstName=contact.first_name,
        LastName=contact.last_name,
        EmailAddress=contact.email,
        TaxNumber=contact.tax_number,
        DefaultCurrency=contact.currency,
        Phones=_phones(contact) or None,
        Addresses=_addresses(contact) or None,
        ContactPersons=_persons(contact, c) or None,
    )
    payload = apply_overrides(payload, contact, EntityName.CONTACT, ctx.settings, c)
    return c.result(payload)


def _phones(contact: Contact) -> list[XeroPhone]:
    phones: tuple[tuple[Literal["DEFAULT", "MOBILE"], str | None], ...] = (
        ("DEFAULT", contact.phone_work),
        ("MOBILE", contact.phone_mobile),
    )
    return [XeroPhone(PhoneType=phone_type, PhoneNumber=number) for phone_type, number in phones if number]


def _addresses(contact: Contact) -> list[XeroAddress]:
    addresses: tuple[tuple[Literal["POBOX", "STREET"], Address | None], ...] = (
        ("POBOX", contact.billing_address),
        ("STREET", contact.shipping_address),
    )
    return [
        _address(address_type, address)
        for address_type, address in addresses
        if address is not None and any(address.model_dump().values())
    ]


def _address(address_type: Literal["POBOX", "STREET"], address: Address) -> XeroAddress:
    return XeroAddress(
        AddressType=address_type,
        AddressLine1=address.line1,
        AddressLine2=address.line2,
        City=address.city,
        Region=address.region,
        PostalCode=address.postal_code,
        Country=address.country,
        AttentionTo=address.attention,
    )


def _persons(contact: Contact, c: Collector) -> list[XeroContactPerson]:
    """Xero's "Additional People": the first five; the others are reported."""
    persons = [
        XeroContactPerson(
            FirstName=person.first_name,
            LastName=person.last_name,
            EmailAddress=person.email,
            IncludeInEmails=person.include_in_emails,
        )
        for person in contact.contact_persons
    ]
    dropped = contact.contact_persons[MAX_CONTACT_PERSONS:]
    if dropped:
        names = ", ".join(_person_name(p) for p in dropped)
        c.notice(
            Notice(
                code=NoticeCode.CONTACT_PERSONS_DROPPED,
                message=(
                    f"Xero keeps at most {MAX_CONTACT_PERSONS} additional people per contact; "
                    f"{len(dropped)} were not sent: {names}."
                ),
                field="contact_persons",
                params={"count": str(len(dropped)), "names": names},
            )
        )
    return persons[:MAX_CONTACT_PERSONS]


def _person_name(person: ContactPerson) -> str:
    name = " ".join(part for part in (person.first_name, person.last_name) if part)
    return name or person.email or "(no name)"
