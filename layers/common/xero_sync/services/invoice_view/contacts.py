"""Which Xero contact a host contact is, for the read view (F5), and the host's own links.

Resolution, in the org's current tenant only (a link made in another tenant does not count):
an explicit link (``PUT …/contacts/{contact_id}/xero-link``) first, then the export's link (the
host contact record's ``xero_id`` in the records table), then a link the import made by matching
email or phone. A CRM that never exports (seed 003) gets in by the explicit link or the import's
email match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xero_sync.clock import Clock
from xero_sync.domain.links import ContactLink, LinkSource
from xero_sync.domain.records import RecordKey
from xero_sync.models.invoice_view import ContactLinkView
from xero_sync.services.connection_gate import require_connected
from xero_sync.services.errors import InvalidInput, NotFound
from xero_sync.services.invoice_view.documents import TenantReaders
from xero_sync.services.ports import ConnectionStore, ContactLinkStore, RecordStore
from xero_sync.xero.client import CallPriority
from xero_sync.xero.errors import XeroNotFound


@dataclass(frozen=True)
class ResolvedLink:
    contact_id: str
    xero_contact_id: str
    source: LinkSource
    linked_at: datetime | None = None


def not_linked_message(org_id: str, contact_id: str) -> str:
    return (
        f"Contact {contact_id} is not linked to a Xero contact. Link it with PUT /v1/orgs/{org_id}/contacts/"
        f'{contact_id}/xero-link and body {{"xero_contact_id": "<Xero ContactID>"}}; contacts exported to Xero, '
        "and contacts the import matched by email or phone, are linked by themselves."
    )


def resolve(
    links: ContactLinkStore, records: RecordStore, org_id: str, tenant_id: str, contact_id: str
) -> ResolvedLink | None:
    """The host contact's Xero contact in ``tenant_id``, or None."""
    link = links.get(org_id, contact_id)
    if link is not None and link.tenant_id != tenant_id:
        link = None
    if link is not None and link.source is LinkSource.EXPLICIT:
        return ResolvedLink(contact_id, link.xero_contact_id, link.source, link.linked_at)
    record = records.get(RecordKey(org_id, "contact", contact_id))
    if record is not None and record.xero_id and record.xero_tenant_id == tenant_id:
        return ResolvedLink(contact_id, record.xero_id, LinkSource.EXPORT, record.synced_at)
    if link is not None:
        return ResolvedLink(contact_id, link.xero_contact_id, link.source, link.linked_at)
    return None


def link_view(contact_id: str, resolved: ResolvedLink | None, name: str | None = None) -> ContactLinkView:
    if resolved is None:
        return ContactLinkView(contact_id=contact_id, linked=False)
    return ContactLinkView(
        contact_id=contact_id,
        linked=True,
        xero_contact_id=resolved.xero_contact_id,
        source=resolved.source.value,
        linked_at=resolved.linked_at,
        xero_contact_name=name,
    )


@dataclass
class ContactLinksService:
    """``GET``/``PUT``/``DELETE /v1/orgs/{org_id}/contacts/{contact_id}/xero-link``."""

    links: ContactLinkStore
    records: RecordStore
    connections: ConnectionStore
    tenant_reader: TenantReaders
    clock: Clock

    def current(self, org_id: str, contact_id: str) -> ContactLinkView:
        tenant_id = require_connected(self.connections, org_id).tenant_id or ""
        resolved = resolve(self.links, self.records, org_id, tenant_id, contact_id)
        if resolved is None:
            raise NotFound(not_linked_message(org_id, contact_id))
        return link_view(contact_id, resolved)

    def link(self, org_id: str, contact_id: str, xero_contact_id: str) -> ContactLinkView:
        """Link explicitly, after checking the Xero contact exists (and was not merged away)."""
        tenant_id = require_connected(self.connections, org_id).tenant_id or ""
        name = self._xero_contact_name(org_id, xero_contact_id)
        link = ContactLink(org_id, contact_id, xero_contact_id, tenant_id, LinkSource.EXPLICIT, self.clock())
        self.links.put(link)  # explicit has the highest rank: it always replaces what is there
        return link_view(contact_id, ResolvedLink(contact_id, xero_contact_id, link.source, link.linked_at), name)

    def unlink(self, org_id: str, contact_id: str) -> ContactLinkView:
        """Remove the host's link (or the import's match). What is left — the export's link, if
        the contact was exported — is the answer; 404 when there was nothing to remove."""
        tenant_id = require_connected(self.connections, org_id).tenant_id or ""
        if not self.links.delete(org_id, contact_id):
            raise NotFound(
                f"Contact {contact_id} has no link to remove. A contact exported to Xero stays linked to the "
                "Xero contact it was exported as."
            )
        return link_view(contact_id, resolve(self.links, self.records, org_id, tenant_id, contact_id))

    def _xero_contact_name(self, org_id: str, xero_contact_id: str) -> str | None:
        try:
            body = (
                self.tenant_reader(org_id).get(f"/Contacts/{xero_contact_id}", priority=CallPriority.INTERACTIVE).body
            )
        except XeroNotFound as error:
            raise _bad_contact("There is no contact with this ContactID in the org's Xero organisation.") from error
        contact = ((body or {}).get("Contacts") or [{}])[0]
        merged_into = contact.get("MergedToContactID")
        if merged_into:
            raise _bad_contact(f"This Xero contact was merged into {merged_into}; link that one instead.")
        name = contact.get("Name")
        return str(name) if name is not None else None


def _bad_contact(message: str) -> InvalidInput:
    return InvalidInput.of_field("xero_contact_id", message)
