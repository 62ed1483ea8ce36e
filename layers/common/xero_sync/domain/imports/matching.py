"""Matching an imported Xero contact that is not linked yet to the org's host contacts (F4.2,
seed 004: "Existing Platform contacts with the same email/phone are updated with Xero details").

* Emails are compared without regard to case (and surrounding blanks).
* Phones are compared in E.164, parsed with Google's libphonenumber (``phonenumbers``) with the
  org's country from Xero's Organisation as the default region: ``09 555 1234`` in a New
  Zealand org and ``+64 9 555 1234`` are the same number. A text that is not a possible number
  matches nothing.

Email wins over phone. When several host contacts share the email (or phone), the match is the
lowest host id among them, so that every import picks the same one; the host is told which.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from xero_sync.domain.changes import Match
from xero_sync.domain.imports.wire import fingerprint

PHONE_FIELDS = ("phone_work", "phone_mobile")


def normal_email(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    return email if "@" in email else None


def normal_phone(value: Any, region: str | None) -> str | None:
    """E.164 (``+6495551234``), or None when the text is not a possible phone number."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


@dataclass(frozen=True)
class ContactKeys:
    emails: frozenset[str]
    phones: frozenset[str]

    @property
    def basis(self) -> str:
        """What a match was looked for with: re-matched only when this changes."""
        return fingerprint([sorted(self.emails), sorted(self.phones)])

    def __bool__(self) -> bool:
        return bool(self.emails or self.phones)


def contact_keys(state: dict[str, Any], region: str | None) -> ContactKeys:
    """A contact's email and phones (host schema: the import's state, or a host record's data)."""
    email = normal_email(state.get("email"))
    phones = {normal_phone(state.get(name), region) for name in PHONE_FIELDS}
    return ContactKeys(frozenset({email} if email else ()), frozenset(p for p in phones if p))


@dataclass
class Directory:
    """The org's host contacts by email and by phone."""

    by_email: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_phone: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, contacts: Iterable[tuple[str, dict[str, Any]]], region: str | None) -> Directory:
        directory = cls()
        for host_id, data in contacts:
            keys = contact_keys(data, region)
            for email in keys.emails:
                directory.by_email[email].add(host_id)
            for phone in keys.phones:
                directory.by_phone[phone].add(host_id)
        return directory

    def match(self, keys: ContactKeys) -> Match | None:
        for by, index, values in (("email", self.by_email, keys.emails), ("phone", self.by_phone, keys.phones)):
            found = sorted({host_id for value in values for host_id in index.get(value, ())})
            if found:
                return Match(host_id=found[0], by=by)
        return None
