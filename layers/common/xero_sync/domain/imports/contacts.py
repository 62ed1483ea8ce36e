"""A Xero contact in the host's contact schema (SPEC §7) — the seeds' contact tables read
backwards (domain/mapping/contacts.py writes them forwards):

``Name`` → display_name; ``FirstName``/``LastName`` → first_name/last_name (when Xero has neither,
they come from the name, seed 004: "If no first/last name exists …, contact name is used");
``EmailAddress`` → email; ``Phones[DEFAULT]`` → phone_work; ``Phones[MOBILE]`` → phone_mobile;
``Addresses[POBOX]`` → billing_address; ``Addresses[STREET]`` → shipping_address;
``DefaultCurrency`` → currency; ``ContactPersons`` → contact_persons; ``ContactNumber`` →
contact_number; ``TaxNumber`` → tax_number. Import-only fields: ``kind`` (from Xero's
IsCustomer/IsSupplier), ``status`` (active | archived), ``contact_groups`` and
``merged_into_xero_id``.

``kind`` is left out of the fingerprint: Xero sets IsCustomer/IsSupplier when a document first
names the contact without moving its UpdatedDateUTC (xero-facts §5), so it would make an export
of an invoice look like a change of its contact.
"""

from __future__ import annotations

from typing import Any

from xero_sync.domain.imports.wire import fingerprint, iso_time, text

_ADDRESS_FIELDS = {
    "line1": "AddressLine1",
    "line2": "AddressLine2",
    "city": "City",
    "region": "Region",
    "postal_code": "PostalCode",
    "country": "Country",
    "attention": "AttentionTo",
}
NOT_FINGERPRINTED = ("kind",)


def contact_kind(xero: dict[str, Any]) -> str | None:
    """customer | vendor | both, from Xero's flags; None while no document names the contact."""
    customer, supplier = bool(xero.get("IsCustomer")), bool(xero.get("IsSupplier"))
    if customer and supplier:
        return "both"
    if customer:
        return "customer"
    if supplier:
        return "vendor"
    return None


def split_name(name: str | None) -> tuple[str | None, str | None]:
    """Seed 004: a contact without first/last name gets them from its name — the first word is
    the first name, the rest the last name ("Harbour Cafe Ltd" → "Harbour", "Cafe Ltd")."""
    words = (name or "").split()
    if not words:
        return None, None
    return words[0], " ".join(words[1:]) or None


def _phone(xero: dict[str, Any], phone_type: str) -> str | None:
    for phone in xero.get("Phones") or []:
        if phone.get("PhoneType") == phone_type:
            parts = [text(phone.get(part)) for part in ("PhoneCountryCode", "PhoneAreaCode", "PhoneNumber")]
            present = [part for part in parts if part]
            if not present or not parts[2]:
                return None
            if parts[0] and not parts[0].startswith("+"):
                present[0] = f"+{parts[0]}"
            return " ".join(present)
    return None


def _address(xero: dict[str, Any], address_type: str) -> dict[str, str | None] | None:
    for address in xero.get("Addresses") or []:
        if address.get("AddressType") == address_type:
            mapped = {field: text(address.get(source)) for field, source in _ADDRESS_FIELDS.items()}
            return mapped if any(mapped.values()) else None
    return None


def _persons(xero: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "first_name": text(person.get("FirstName")),
            "last_name": text(person.get("LastName")),
            "email": text(person.get("EmailAddress")),
            "include_in_emails": bool(person.get("IncludeInEmails")),
        }
        for person in xero.get("ContactPersons") or []
    ]


def _groups(xero: dict[str, Any]) -> list[dict[str, str]]:
    groups = [
        {"id": str(group["ContactGroupID"]), "name": str(group.get("Name") or "")}
        for group in xero.get("ContactGroups") or []
        if group.get("ContactGroupID") and group.get("Status", "ACTIVE") == "ACTIVE"
    ]
    return sorted(groups, key=lambda group: group["id"])


def map_contact(xero: dict[str, Any]) -> dict[str, Any]:
    """The host's view of one Xero contact (a full one: a paged read or a fetch by id)."""
    first, last = text(xero.get("FirstName")), text(xero.get("LastName"))
    if not first and not last:
        first, last = split_name(xero.get("Name"))
    status = str(xero.get("ContactStatus") or "ACTIVE").upper()
    return {
        "display_name": text(xero.get("Name")),
        "kind": contact_kind(xero),
        "status": "active" if status == "ACTIVE" else "archived",
        "contact_number": text(xero.get("ContactNumber")),
        "first_name": first,
        "last_name": last,
        "email": text(xero.get("EmailAddress")),
        "phone_work": _phone(xero, "DEFAULT"),
        "phone_mobile": _phone(xero, "MOBILE"),
        "billing_address": _address(xero, "POBOX"),
        "shipping_address": _address(xero, "STREET"),
        "currency": text(xero.get("DefaultCurrency")),
        "tax_number": text(xero.get("TaxNumber")),
        "contact_persons": _persons(xero),
        "contact_groups": _groups(xero),
        "merged_into_xero_id": text(xero.get("MergedToContactID")),
    }


def contact_fingerprint(state: dict[str, Any]) -> str:
    return fingerprint({key: value for key, value in state.items() if key not in NOT_FINGERPRINTED})


def contact_updated(xero: dict[str, Any]) -> str | None:
    return iso_time(xero.get("UpdatedDateUTC"))


def group_ids(state: dict[str, Any]) -> set[str]:
    return {group["id"] for group in state.get("contact_groups") or []}
