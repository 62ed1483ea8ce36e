"""Which Xero contact a host contact is (F5, F4.2): the link the read view and the import use.

A host contact reaches Xero in one of three ways, and the link says which:

* ``export`` — the service exported it (the records table holds that link too, per tenant);
* ``match_email`` / ``match_phone`` — the import found a Xero contact with the host contact's
  email or phone (F4.2: "Existing contacts with the same email/phone are updated with Xero
  details");
* ``explicit`` — the host linked it itself (``PUT …/contacts/{contact_id}/xero-link``), as a CRM
  that never exports does.

An explicit link wins over the others and is never replaced by a match; a link belongs to the
tenant it was made in (a reset to another tenant makes it stale, like record links).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LinkSource(StrEnum):
    EXPORT = "export"
    MATCH_EMAIL = "match_email"
    MATCH_PHONE = "match_phone"
    EXPLICIT = "explicit"


RANK = {LinkSource.EXPLICIT: 3, LinkSource.EXPORT: 2, LinkSource.MATCH_EMAIL: 1, LinkSource.MATCH_PHONE: 1}
"""A link is replaced only by one of the same or a higher rank."""


@dataclass(frozen=True)
class ContactLink:
    org_id: str
    host_contact_id: str
    xero_contact_id: str
    tenant_id: str
    source: LinkSource
    linked_at: datetime

    def may_be_replaced_by(self, other: LinkSource) -> bool:
        return RANK[other] >= RANK[self.source]
