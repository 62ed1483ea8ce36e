"""The read view's builders (F5): a contact's Xero documents through the cache, pins, links.
Part of the one :class:`~xero_sync.wiring.Container`; the stubs say what it takes from the rest."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from xero_sync.clock import Clock
from xero_sync.settings import CoreSettings, ReadViewSettings

if TYPE_CHECKING:
    from xero_sync.dal.connections import ConnectionRepository
    from xero_sync.dal.invoice_view import InvoiceCacheRepository, PinRepository
    from xero_sync.dal.links import ContactLinkRepository
    from xero_sync.dal.org_config import OrgConfigRepository
    from xero_sync.dal.records import RecordRepository
    from xero_sync.services.invoice_view import (
        ContactDocuments,
        ContactLinksService,
        InvoiceCacheListener,
        InvoiceViewService,
    )
    from xero_sync.services.reference_data import ReferenceDataService
    from xero_sync.xero.client import XeroApiClient

K = TypeVar("K", bound=CoreSettings)


class ReadViewBuilders:
    if TYPE_CHECKING:  # built by the Container
        clock: Clock

        def settings_for(self, kind: type[K]) -> K: ...
        @property
        def connections(self) -> ConnectionRepository: ...
        @property
        def contact_links(self) -> ContactLinkRepository: ...
        @property
        def records(self) -> RecordRepository: ...
        @property
        def org_config(self) -> OrgConfigRepository: ...
        @property
        def reference_data(self) -> ReferenceDataService: ...
        @property
        def xero_api(self) -> XeroApiClient: ...

    @functools.cached_property
    def invoice_cache(self) -> InvoiceCacheRepository:
        from xero_sync.dal.invoice_view import InvoiceCacheRepository

        return InvoiceCacheRepository()

    @functools.cached_property
    def pins(self) -> PinRepository:
        from xero_sync.dal.invoice_view import PinRepository

        return PinRepository()

    @functools.cached_property
    def contact_documents(self) -> ContactDocuments:
        """A linked Xero contact's documents, read through the cache (TTL from ReadViewSettings)."""
        from xero_sync.services.invoice_view import ContactDocuments, OrgFactsLoader

        settings = self.settings_for(ReadViewSettings)
        return ContactDocuments(
            cache=self.invoice_cache,
            tenant_reader=lambda org_id: self.xero_api.for_org(org_id),
            org_facts=OrgFactsLoader(
                org_config=self.org_config,
                import_reference_data=lambda org_id, now: self.reference_data.refresh(org_id, now),
                clock=self.clock,
            ),
            ttl=timedelta(seconds=settings.read_view_cache_ttl_seconds),
            clock=self.clock,
        )

    @functools.cached_property
    def invoice_view(self) -> InvoiceViewService:
        from xero_sync.services.invoice_view import InvoiceViewService

        return InvoiceViewService(
            connections=self.connections,
            links=self.contact_links,
            records=self.records,
            pins=self.pins,
            documents=self.contact_documents,
            tenant_reader=lambda org_id: self.xero_api.for_org(org_id),
            clock=self.clock,
        )

    @functools.cached_property
    def contact_xero_links(self) -> ContactLinksService:
        from xero_sync.services.invoice_view import ContactLinksService

        return ContactLinksService(
            links=self.contact_links,
            records=self.records,
            connections=self.connections,
            tenant_reader=lambda org_id: self.xero_api.for_org(org_id),
            clock=self.clock,
        )

    @functools.cached_property
    def invoice_cache_listener(self) -> InvoiceCacheListener:
        """What the import's webhook handling calls for INVOICE and CREDITNOTE events (F4.4): the
        contacts' cached invoices become stale. Needs only the cache table."""
        from xero_sync.services.invoice_view import InvoiceCacheListener

        return InvoiceCacheListener(cache=self.invoice_cache)
