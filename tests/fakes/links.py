"""In-memory :class:`~xero_sync.services.ports.ContactLinkStore` (the rank rule of dal/links.py)."""

from __future__ import annotations

from xero_sync.domain.links import ContactLink


class InMemoryContactLinks:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], ContactLink] = {}

    def get(self, org_id: str, host_contact_id: str) -> ContactLink | None:
        return self.items.get((org_id, host_contact_id))

    def by_xero_contact(self, org_id: str, xero_contact_id: str) -> list[ContactLink]:
        return [
            link
            for (org, _), link in sorted(self.items.items())
            if org == org_id and link.xero_contact_id == xero_contact_id
        ]

    def put(self, link: ContactLink) -> bool:
        current = self.items.get((link.org_id, link.host_contact_id))
        if current is not None and not current.may_be_replaced_by(link.source):
            return False
        self.items[(link.org_id, link.host_contact_id)] = link
        return True

    def delete(self, org_id: str, host_contact_id: str) -> bool:
        return self.items.pop((org_id, host_contact_id), None) is not None
