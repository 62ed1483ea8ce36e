"""The composition root's builders for Xero → host (F4): the webhook receiver, the import
worker, the export's no-echo record, the change feed and the host's webhooks. A mixin of
:class:`xero_sync.wiring.Container` (one module of builders per feature); like the rest
of the root, every builder imports what it builds on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from xero_sync.clock import Clock
from xero_sync.settings import (
    CoreSettings,
    HostWebhookQueueSettings,
    ImportQueueSettings,
    NotificationQueueSettings,
    XeroWebhookKeySettings,
)

if TYPE_CHECKING:
    from xero_sync.aws.import_queue import SqsHostWebhookQueue, SqsImportQueue
    from xero_sync.aws.kms import TokenCipher
    from xero_sync.dal.changes import ChangeRepository
    from xero_sync.dal.connections import ConnectionRepository
    from xero_sync.dal.history import HistoryRepository
    from xero_sync.dal.host_contacts import HostContactRepository
    from xero_sync.dal.host_webhooks import HostWebhookRepository
    from xero_sync.dal.links import ContactLinkRepository
    from xero_sync.dal.org_config import OrgConfigRepository
    from xero_sync.dal.records import RecordRepository
    from xero_sync.dal.xero_objects import XeroObjectRepository
    from xero_sync.outbound.host_http import PinnedHttpSender
    from xero_sync.services.changes import ChangeFeed
    from xero_sync.services.export.context import OrgMappingContexts
    from xero_sync.services.host_delivery import HostWebhookDeliverer
    from xero_sync.services.host_webhooks import HostWebhookService
    from xero_sync.services.imports.exported import ExportedObjects
    from xero_sync.services.imports.receiver import XeroWebhookReceiver
    from xero_sync.services.imports.start import ImportStarter
    from xero_sync.services.imports.worker import ImportWorker, OrgContext
    from xero_sync.services.invoice_view import InvoiceCacheListener
    from xero_sync.services.notifications.service import NotificationService
    from xero_sync.services.org_settings import OrgSettingsService
    from xero_sync.services.ports import XeroInvoiceListener
    from xero_sync.services.reference_data import ReferenceDataService
    from xero_sync.xero.client import XeroApiClient


class ImportBuilders:
    # What the Container provides (its fields and builders).
    settings: CoreSettings
    clock: Clock
    host_webhook_retry_delay: Callable[[int], int] | None

    if TYPE_CHECKING:

        @property
        def connections(self) -> ConnectionRepository: ...

        @property
        def invoice_cache_listener(self) -> InvoiceCacheListener: ...

        @property
        def records(self) -> RecordRepository: ...

        @property
        def history(self) -> HistoryRepository: ...

        @property
        def contact_links(self) -> ContactLinkRepository: ...

        @property
        def org_config(self) -> OrgConfigRepository: ...

        @property
        def cipher(self) -> TokenCipher: ...

        @property
        def xero_api(self) -> XeroApiClient: ...

        @property
        def mapping_contexts(self) -> OrgMappingContexts: ...

        @property
        def reference_data(self) -> ReferenceDataService: ...

        @property
        def org_settings(self) -> OrgSettingsService: ...

        @property
        def notifications(self) -> NotificationService: ...

        def settings_for(self, kind: Any) -> Any: ...

    @property
    def queues_imports(self) -> bool:
        """This function may start imports (its settings name the import queue). getattr: tools
        and tests may build partial settings (model_construct) without it."""
        return bool(getattr(self.settings, "import_queue_url", None))

    @property
    def has_import_stores(self) -> bool:
        """This function may use the import's tables (the export notes what it wrote, no echo)."""
        return bool(getattr(self.settings, "xero_objects_table", None))

    @functools.cached_property
    def changes(self) -> ChangeRepository:
        from xero_sync.dal.changes import ChangeRepository

        return ChangeRepository()

    @functools.cached_property
    def xero_objects(self) -> XeroObjectRepository:
        from xero_sync.dal.xero_objects import XeroObjectRepository

        return XeroObjectRepository()

    @functools.cached_property
    def host_webhooks_store(self) -> HostWebhookRepository:
        from xero_sync.dal.host_webhooks import HostWebhookRepository

        return HostWebhookRepository()

    @functools.cached_property
    def host_contacts(self) -> HostContactRepository:
        from xero_sync.dal.host_contacts import HostContactRepository

        return HostContactRepository()

    @functools.cached_property
    def import_queue(self) -> SqsImportQueue:
        from xero_sync.aws.clients import aws_client
        from xero_sync.aws.import_queue import SqsImportQueue

        url = self.settings_for(ImportQueueSettings).import_queue_url
        return SqsImportQueue(aws_client("sqs", self.settings), url)

    @functools.cached_property
    def host_webhook_queue(self) -> SqsHostWebhookQueue:
        from xero_sync.aws.clients import aws_client
        from xero_sync.aws.import_queue import SqsHostWebhookQueue

        url = self.settings_for(HostWebhookQueueSettings).host_webhooks_queue_url
        return SqsHostWebhookQueue(aws_client("sqs", self.settings), url)

    @functools.cached_property
    def webhook_sender(self) -> PinnedHttpSender:
        from xero_sync.outbound.host_http import PinnedHttpSender

        settings = self.settings_for(HostWebhookQueueSettings)
        return PinnedHttpSender(allow_loopback_http=settings.host_webhook_allow_loopback)

    @functools.cached_property
    def xero_webhook_receiver(self) -> XeroWebhookReceiver:
        from xero_sync.aws.secrets import get_xero_webhook_key
        from xero_sync.services.imports.receiver import XeroWebhookReceiver

        settings = self.settings_for(XeroWebhookKeySettings)
        return XeroWebhookReceiver(key=lambda: get_xero_webhook_key(settings), queue=self.import_queue)

    @functools.cached_property
    def import_starter(self) -> ImportStarter:
        from xero_sync.services.imports.start import ImportStarter

        return ImportStarter(self.import_queue)

    @functools.cached_property
    def exported_objects(self) -> ExportedObjects:
        from xero_sync.services.imports.exported import ExportedObjects

        return ExportedObjects(self.xero_objects)

    @functools.cached_property
    def invoice_listeners(self) -> list[XeroInvoiceListener]:
        """Told which Xero contacts' invoices changed, for every INVOICE event and imported invoice
        (services/ports.py ``XeroInvoiceListener``): the read view's invoice cache (F5), so a
        payment recorded in Xero shows at the next view."""
        return [self.invoice_cache_listener]

    @functools.cached_property
    def import_worker(self) -> ImportWorker:
        from xero_sync.services.imports.conflicts import Conflicts
        from xero_sync.services.imports.org_import import OrgImporter
        from xero_sync.services.imports.reference import ReferenceImport
        from xero_sync.services.imports.worker import ImportWorker

        importer = OrgImporter(
            objects=self.xero_objects,
            changes=self.changes,
            links=self.contact_links,
            records=self.records,
            host_contacts=self.host_contacts,
            history=self.history,
            conflicts=Conflicts(records=self.records, objects=self.xero_objects, history=self.history),
        )
        return ImportWorker(
            connections=self.connections,
            tenant_client=lambda org_id, time_left: self.xero_api.for_org(org_id, time_left=time_left),
            importer=importer,
            objects=self.xero_objects,
            queue=self.import_queue,
            reference=ReferenceImport(
                refresh=lambda org_id, now: self.mapping_contexts.refresh(org_id, now),
                load=lambda org_id: self.reference_data.load(org_id),
            ),
            settings_of=lambda org_id: self.org_settings.current(org_id),
            context_of=self._import_context,
            history=self.history,
            clock=self.clock,
            after_changes=self._nudge_host_webhook,
            notifications=self.notifications if isinstance(self.settings, NotificationQueueSettings) else None,
            invoice_listeners=self.invoice_listeners,
        )

    def _import_context(self, org_id: str) -> OrgContext:
        from xero_sync.domain.config_items import TAX_MAPPINGS
        from xero_sync.models.org_config import TaxMappings
        from xero_sync.services.imports.worker import OrgContext

        reference = self.reference_data.load_or_import(org_id)
        stored = self.org_config.get(org_id, TAX_MAPPINGS)
        mappings = TaxMappings.model_validate(stored.body) if stored else TaxMappings()
        tax_ids: dict[str, str] = {}
        for mapping in mappings.mappings:
            for tax_type in (mapping.xero_tax_type, mapping.purchases_xero_tax_type):
                if tax_type:
                    tax_ids.setdefault(tax_type, mapping.host_tax_id)
        return OrgContext(region=reference.organisation.CountryCode, tax_ids=tax_ids)

    def _nudge_host_webhook(self, org_id: str) -> None:
        """New changes: the org's webhook deliverer goes through them (if the host has a webhook)."""
        if self.host_webhooks_store.get(org_id) is not None:
            self.host_webhook_queue.nudge(org_id)

    @functools.cached_property
    def change_feed(self) -> ChangeFeed:
        from xero_sync.services.changes import ChangeFeed

        return ChangeFeed(self.changes)

    @functools.cached_property
    def host_webhook_service(self) -> HostWebhookService:
        from xero_sync.services.host_webhooks import HostWebhookService

        return HostWebhookService(
            store=self.host_webhooks_store,
            changes=self.changes,
            cipher=self.cipher,
            sender=lambda: self.webhook_sender,
            history=self.history,
            clock=self.clock,
        )

    @functools.cached_property
    def host_webhook_deliverer(self) -> HostWebhookDeliverer:
        from xero_sync.domain.host_webhooks import retry_delay
        from xero_sync.services.host_delivery import HostWebhookDeliverer

        has_notifications = isinstance(self.settings, NotificationQueueSettings)
        return HostWebhookDeliverer(
            store=self.host_webhooks_store,
            changes=self.changes,
            cipher=self.cipher,
            sender=lambda: self.webhook_sender,
            queue=self.host_webhook_queue,
            history=self.history,
            clock=self.clock,
            notifications=self.notifications if has_notifications else None,
            retry_delay=self.host_webhook_retry_delay or retry_delay,
        )
