"""F5/F4.2: a host contact's link to a Xero contact; an explicit link is never replaced by a match."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from xero_sync.dal.links import ContactLinkRepository
from xero_sync.dal.models import LinkModel
from xero_sync.domain.links import ContactLink, LinkSource

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def links(aws_settings) -> ContactLinkRepository:
    if not LinkModel.exists():
        LinkModel.create_table(wait=True)
    return ContactLinkRepository()


def _link(org_id: str, xero_id: str, source: LinkSource) -> ContactLink:
    return ContactLink(org_id, "cus-1", xero_id, "tenant-1", source, NOW)


def test_a_match_does_not_replace_an_explicit_link_and_the_xero_side_finds_the_host_contact(links):
    org_id = f"org-{uuid.uuid4().hex[:8]}"
    # Given a link the host made itself
    assert links.put(_link(org_id, "X-1", LinkSource.EXPLICIT))
    # When the import matches the same host contact to another Xero contact by email
    assert not links.put(_link(org_id, "X-2", LinkSource.MATCH_EMAIL))
    # Then the host's link stands, and is found from both sides
    assert links.get(org_id, "cus-1").xero_contact_id == "X-1"
    assert [link.host_contact_id for link in links.by_xero_contact(org_id, "X-1")] == ["cus-1"]
    assert links.by_xero_contact(org_id, "X-2") == []
    # And an explicit link replaces a match, and unlinking removes it
    assert links.delete(org_id, "cus-1") and not links.delete(org_id, "cus-1")
    assert links.put(_link(org_id, "X-2", LinkSource.MATCH_PHONE))
    assert links.put(_link(org_id, "X-3", LinkSource.EXPLICIT))
    assert links.get(org_id, "cus-1").source is LinkSource.EXPLICIT
