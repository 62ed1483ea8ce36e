"""The links table: which Xero contact a host contact is (domain/links.py)."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError

from xero_sync.dal.errors import is_condition_failure
from xero_sync.dal.models import LinkModel
from xero_sync.domain.links import RANK, ContactLink, LinkSource


def _to_link(item: LinkModel) -> ContactLink:
    return ContactLink(
        org_id=item.org_id,
        host_contact_id=item.host_contact_id,
        xero_contact_id=item.xero_contact_id,
        tenant_id=item.tenant_id,
        source=LinkSource(item.source),
        linked_at=item.linked_at,
    )


class ContactLinkRepository:
    def get(self, org_id: str, host_contact_id: str) -> ContactLink | None:
        try:
            return _to_link(LinkModel.get(org_id, f"contact#{host_contact_id}", consistent_read=True))
        except DoesNotExist:
            return None

    def by_xero_contact(self, org_id: str, xero_contact_id: str) -> list[ContactLink]:
        """The host contacts linked to one Xero contact (usually one; an index read)."""
        return [_to_link(item) for item in LinkModel.xero_contact_index.query(f"{org_id}#{xero_contact_id}")]

    def put(self, link: ContactLink) -> bool:
        """Store the link unless a link of a higher rank is there (an explicit link is never
        replaced by a match). Returns whether it was stored."""
        lower = [source.value for source in LinkSource if RANK[source] <= RANK[link.source]]
        item = LinkModel(
            link.org_id,
            f"contact#{link.host_contact_id}",
            host_contact_id=link.host_contact_id,
            xero_contact_id=link.xero_contact_id,
            xero_key=f"{link.org_id}#{link.xero_contact_id}",
            tenant_id=link.tenant_id,
            source=link.source.value,
            linked_at=link.linked_at,
        )
        try:
            item.save(condition=LinkModel.link_key.does_not_exist() | LinkModel.source.is_in(*lower))
        except PutError as error:
            if is_condition_failure(error):
                return False
            raise
        return True

    def delete(self, org_id: str, host_contact_id: str) -> bool:
        try:
            LinkModel(org_id, f"contact#{host_contact_id}").delete(condition=LinkModel.link_key.exists())
        except DeleteError as error:
            if is_condition_failure(error):
                return False
            raise
        return True
