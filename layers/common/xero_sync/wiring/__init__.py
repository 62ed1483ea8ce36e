"""The composition root: builds the services and their adapters from settings, once per Lambda
instance (warm invocations reuse clients and connections), and lets tests swap it.

A handler asks for the container of its function family when an invocation starts —
``container(ApiSettings)``, never at import — so its settings are read (and checked) then. Each
adapter is built on first use, so a function pays only for what it touches (cold start, N6), and
an adapter that needs settings the function's family does not have fails with a clear message.

Imports of services and adapters are inside the builders for the same reason: the Api function
never imports the export worker, the notifier never imports the Xero client.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from xero_sync.clock import Clock, utcnow
from xero_sync.dal.api_keys import ApiKeyRepository
from xero_sync.dal.base import configure
from xero_sync.dal.connections import ConnectionRepository
from xero_sync.dal.history import HistoryRepository
from xero_sync.dal.links import ContactLinkRepository
from xero_sync.dal.oauth_states import OAuthStateRepository
from xero_sync.dal.org_config import OrgConfigRepository
from xero_sync.dal.records import RecordRepository
from xero_sync.settings import (
    ConfigurationError,
    CoreSettings,
    EmailSettings,
    ExportQueueSettings,
    NotificationQueueSettings,
    XeroSettings,
    get_settings,
)
from xero_sync.wiring.console import ConsoleBuilders
from xero_sync.wiring.imports import ImportBuilders
from xero_sync.wiring.read_view import ReadViewBuilders

if TYPE_CHECKING:
    import requests

    from xero_sync.aws.export_queues import ExportQueues
    from xero_sync.aws.idempotency import PowertoolsOnce
    from xero_sync.aws.kms import TokenCipher
    from xero_sync.aws.ses import SesMailer
    from xero_sync.services.connect import ConnectService
    from xero_sync.services.copy_to_xero import CopyToXeroService
    from xero_sync.services.export.context import OrgMappingContexts
    from xero_sync.services.export.worker import ExportWorker
    from xero_sync.services.inactivity import InactivityChecker
    from xero_sync.services.inventory_journal import InventoryJournalService
    from xero_sync.services.notifications.service import NotificationService
    from xero_sync.services.org_settings import OrgSettingsService
    from xero_sync.services.records import RecordsService
    from xero_sync.services.reference_data import ReferenceDataService
    from xero_sync.services.reprocess import ReprocessService
    from xero_sync.services.sync import SyncNowGate, SyncService
    from xero_sync.xero.client import XeroApiClient
    from xero_sync.xero.identity import XeroIdentity
    from xero_sync.xero.tokens import TokenManager

K = TypeVar("K", bound=CoreSettings)
RetryDelay = Callable[[float | None, int], int]
ConnectedHook = Callable[[str, datetime], object]


@dataclass
class Container(ReadViewBuilders, ConsoleBuilders, ImportBuilders):
    settings: CoreSettings
    clock: Clock = utcnow
    export_retry_delay: RetryDelay | None = None
    """Seconds before a record is tried again, by (Retry-After, attempts); None = the worker's
    back-off from settings. Tests pass ``lambda retry_after, attempts: 0``."""
    host_webhook_retry_delay: Callable[[int], int] | None = None
    """Seconds before a failed host webhook delivery is tried again, by attempt; None = the
    back-off of domain/host_webhooks.py (30 s … 15 min). Tests shorten it."""

    def __post_init__(self) -> None:
        configure(self.settings)

    def settings_for(self, kind: type[K]) -> K:
        """The settings as the family ``kind`` (e.g. the export queues' URLs), or a clear error
        when this function is not configured for it."""
        if not isinstance(self.settings, kind):
            raise ConfigurationError(
                f"this function runs with {type(self.settings).__name__}, which has no {kind.__name__}"
            )
        return self.settings

    @functools.cached_property
    def http(self) -> requests.Session:
        """The HTTP session of the calls to Xero (its API and identity service), traced. Made on
        first use: a function that calls no one over HTTP never loads requests (cold start, N6)."""
        from xero_sync.observability import traced_http_session

        return traced_http_session()

    # --- repositories ----------------------------------------------------------------------

    @functools.cached_property
    def connections(self) -> ConnectionRepository:
        return ConnectionRepository(self.settings.schedule_shards)

    @functools.cached_property
    def oauth_states(self) -> OAuthStateRepository:
        return OAuthStateRepository()

    @functools.cached_property
    def api_keys(self) -> ApiKeyRepository:
        return ApiKeyRepository()

    @functools.cached_property
    def history(self) -> HistoryRepository:
        return HistoryRepository()

    @functools.cached_property
    def org_config(self) -> OrgConfigRepository:
        return OrgConfigRepository()

    @functools.cached_property
    def records(self) -> RecordRepository:
        return RecordRepository()

    @functools.cached_property
    def contact_links(self) -> ContactLinkRepository:
        return ContactLinkRepository()

    # --- AWS and Xero adapters ----------------------------------------------------------------

    @functools.cached_property
    def cipher(self) -> TokenCipher:
        from xero_sync.aws.kms import TokenCipher

        return TokenCipher(self.settings)

    @functools.cached_property
    def identity(self) -> XeroIdentity:
        from xero_sync.aws.secrets import get_xero_credentials
        from xero_sync.xero.identity import XeroIdentity

        settings = self.settings_for(XeroSettings)
        return XeroIdentity(settings, get_xero_credentials(settings), self.http)

    @functools.cached_property
    def tokens(self) -> TokenManager:
        from xero_sync.xero.tokens import TokenManager

        return TokenManager(self.connections, self.cipher, self.identity, self.clock, on_reauth=self.reauth_email())

    def reauth_email(self) -> Callable[[str, datetime], object] | None:
        """What runs once the token manager moved an org to needs_reauth (a refresh token
        refused, a connection gone at Xero): the reconnect email, in every function that may
        queue one — the notification service is built on first use only."""
        if not isinstance(self.settings, NotificationQueueSettings):
            return None
        return lambda org_id, now: self.notifications.needs_reauth(org_id, now)

    @functools.cached_property
    def xero_api(self) -> XeroApiClient:
        """The Accounting API client (tokens, the shared rate governor, typed errors)."""
        from xero_sync.dal.app_budget import DynamoAppBudgetStore
        from xero_sync.dal.rate_limits import DynamoRateLimitStore
        from xero_sync.domain.app_budget import AppBudgetPolicy
        from xero_sync.xero.app_budget import AppBudget
        from xero_sync.xero.client import XeroApiClient
        from xero_sync.xero.governor import RateGovernor

        settings = self.settings_for(XeroSettings)
        # Every function that calls Xero counts its calls in the app-wide budget (N2).
        app_budget = AppBudget(DynamoAppBudgetStore(), AppBudgetPolicy(calls_per_minute=settings.xero_app_minute_limit))
        governor = RateGovernor.from_settings(settings, DynamoRateLimitStore(), app_budget=app_budget)
        return XeroApiClient(settings, self.tokens, governor, self.http, clock=self.clock)

    @functools.cached_property
    def export_queues(self) -> ExportQueues:
        from xero_sync.aws.clients import aws_client
        from xero_sync.aws.export_queues import ExportQueues

        return ExportQueues(self.settings_for(ExportQueueSettings), aws_client("sqs", self.settings))

    # --- connect ------------------------------------------------------------------------------

    @functools.cached_property
    def connect(self) -> ConnectService:
        from xero_sync.services.connect import ConnectService

        return ConnectService(
            connections=self.connections,
            states=self.oauth_states,
            history=self.history,
            cipher=self.cipher,
            identity=self.identity,
            tokens=self.tokens,
            clock=self.clock,
            scopes=self.settings_for(XeroSettings).xero_scopes,
            on_connected=self.after_connect_hooks(),
            return_origins=self.return_origins,
        )

    def return_origins(self, org_id: str) -> frozenset[str]:
        """Where a connect may send the admin's browser back: the deployment's host app
        (HOST_APP_ORIGINS) and the org's own allowed_host_origins. A console link's return_url
        and the console's frame-ancestors use the same origins."""
        from xero_sync.settings import HostOriginSettings

        deployment = self.settings_for(HostOriginSettings).host_origins
        return deployment | set(self.org_settings.current(org_id).allowed_host_origins)

    def after_connect_hooks(self) -> list[ConnectedHook]:
        """What happens once an org is connected to a tenant: later features add to this."""
        # Built on first call, so a callback that never connects never builds the Xero client.
        hooks: list[ConnectedHook] = [
            lambda org_id, now: self.mapping_contexts.refresh(org_id, now),  # F4.1: imported on connect
            lambda org_id, now: self.sync.on_connected(org_id, now),  # first sync due at once
            self._resend_to_new_tenant,  # F1.5: a reset to another tenant gets what the old one had
        ]
        if self.queues_imports:  # F4.2: the tenant's contacts and documents
            hooks.append(lambda org_id, now: self.import_starter.on_connected(org_id, now))
        return hooks

    def _resend_to_new_tenant(self, org_id: str, now: datetime) -> object:
        connection = self.connections.get(org_id)
        return self.records_service.resend_to_tenant(org_id, connection.tenant_id if connection else None, now)

    # --- export pipeline: records, settings, Xero reference data, "Sync now" --------------------

    @functools.cached_property
    def reference_data(self) -> ReferenceDataService:
        from xero_sync.services.reference_data import ReferenceDataService

        # ``for_org`` is looked up per call, so a test may replace ``xero_api`` after this is built.
        return ReferenceDataService(
            org_config=self.org_config,
            connections=self.connections,
            tenant_client=lambda org_id: self.xero_api.for_org(org_id),
            clock=self.clock,
        )

    @functools.cached_property
    def records_service(self) -> RecordsService:
        from xero_sync.services.records import RecordsService

        return RecordsService(
            records=self.records,
            history=self.history,
            connections=self.connections,
            queues=self.export_queues,
            settings_of=lambda org_id: self.org_settings.current(org_id),
            clock=self.clock,
            payment_status_of=self._payment_status_of if self.has_import_stores else None,
        )

    def _payment_status_of(self, org_id: str, entity: str, xero_id: str) -> Any:
        from xero_sync.services.imports.exported import payment_status_of

        return payment_status_of(self.xero_objects, org_id, entity, xero_id)

    @functools.cached_property
    def org_settings(self) -> OrgSettingsService:
        from xero_sync.services.org_settings import OrgSettingsService

        return OrgSettingsService(
            org_config=self.org_config,
            connections=self.connections,
            history=self.history,
            reference_data=self.reference_data,
            requeue_failed=lambda org_id, **options: self.records_service.requeue_failed(org_id, **options),
            clock=self.clock,
            requeue_skipped=lambda org_id, **options: self.records_service.requeue_skipped(org_id, **options),
        )

    @functools.cached_property
    def sync(self) -> SyncService:
        """Starting syncs: the scheduled tick, "Sync now" and historical ranges (F3.7, F3.8)."""
        from xero_sync.services.sync import SyncService

        return SyncService(
            connections=self.connections,
            records=self.records,
            queues=self.export_queues,
            org_config=self.org_config,
            history=self.history,
            settings_of=lambda org_id: self.org_settings.current(org_id),
            clock=self.clock,
            shards=self.settings.schedule_shards,
            after_scheduled=[self.import_starter.on_scheduled] if self.queues_imports else [],
        )

    @functools.cached_property
    def sync_now(self) -> SyncNowGate:
        from xero_sync.services.sync import SyncNowGate

        return SyncNowGate(
            connections=self.connections,
            sync_service=lambda: self.sync,
            clock=self.clock,
            start_import=self.import_starter.historical if self.queues_imports else None,
        )

    @functools.cached_property
    def mapping_contexts(self) -> OrgMappingContexts:
        from xero_sync.services.export.context import OrgMappingContexts

        return OrgMappingContexts(
            org_config=self.org_config,
            reference_data=self.reference_data,
            requeue_failed=lambda org_id, **options: self.records_service.requeue_failed(org_id, **options),
        )

    @functools.cached_property
    def export_worker(self) -> ExportWorker:
        """The export worker (one per process). Every family's function runs the same worker:
        the family only decides which queue feeds it; the worker handles any entity it is given."""
        from xero_sync.services.export.worker import ExportWorker

        settings = self.settings_for(XeroSettings)
        has_notifications = isinstance(self.settings, NotificationQueueSettings)
        return ExportWorker(
            records=self.records,
            connections=self.connections,
            history=self.history,
            queues=self.export_queues,
            xero=self.xero_api,
            contexts=self.mapping_contexts,
            clock=self.clock,
            notifications=self.notifications if has_notifications else None,  # failure digests, reconnect emails
            batch_size=settings.xero_batch_size,
            backoff_base_seconds=settings.export_backoff_seconds,
            retry_delay=self.export_retry_delay,
            missing_parent_hours=settings.missing_parent_hours,
            written=self.exported_objects if self.has_import_stores else None,
        )

    # --- lifecycle and alerts: emails, the inactivity checker, operator reprocessing ----------

    @functools.cached_property
    def notifications(self) -> NotificationService:
        """Queues admin emails (digest windows, needs-reauth, inactivity) and, in the notifier,
        sends them. Producers never build the SES client or the idempotency layer."""
        from xero_sync.aws.clients import aws_client
        from xero_sync.aws.notification_queue import SqsNotificationQueue
        from xero_sync.services.notifications.core import HostLinks
        from xero_sync.services.notifications.service import NotificationService

        queue_settings = self.settings_for(NotificationQueueSettings)
        email = self.settings if isinstance(self.settings, EmailSettings) else None
        return NotificationService(
            org_config=self.org_config,
            connections=self.connections,
            records=self.records,
            history=self.history,
            queue=SqsNotificationQueue(aws_client("sqs", self.settings), queue_settings.notifications_queue_url),
            mailer=lambda: self.mailer,
            guard=lambda: self.notification_guard,
            settings_of=lambda org_id: self.org_settings.current(org_id),
            clock=self.clock,
            sender=email.email_sender if email else None,
            reply_to=email.email_reply_to if email else None,
            product_name=email.email_product_name if email else "Xero integration",
            links=HostLinks(
                email.host_history_url_template if email else None,
                email.host_reconnect_url_template if email else None,
            ),
            window=timedelta(seconds=queue_settings.digest_window_seconds),
        )

    @functools.cached_property
    def mailer(self) -> SesMailer:
        from xero_sync.aws.clients import aws_client
        from xero_sync.aws.ses import SesMailer

        email = self.settings_for(EmailSettings)
        return SesMailer(aws_client("ses", self.settings), local_email_dir=email.local_email_dir, clock=self.clock)

    @functools.cached_property
    def notification_guard(self) -> PowertoolsOnce:
        """Powertools idempotency on the Idempotency table: one email per notification id."""
        from xero_sync.aws.clients import aws_client
        from xero_sync.aws.idempotency import PowertoolsOnce

        return PowertoolsOnce(self.settings.idempotency_table, aws_client("dynamodb", self.settings))

    @functools.cached_property
    def inactivity(self) -> InactivityChecker:
        from xero_sync.services.inactivity import InactivityChecker

        return InactivityChecker(
            connections=self.connections,
            releaser=lambda: self.connect,
            tokens=lambda: self.tokens,
            notifications=self.notifications,
            history=self.history,
            clock=self.clock,
            shards=self.settings.schedule_shards,
        )

    @functools.cached_property
    def copy_to_xero(self) -> CopyToXeroService:
        """ "Copy to Xero" (F3.11): the worker's pass for one record, inside the API request."""
        from xero_sync.services.copy_to_xero import CopyToXeroService

        return CopyToXeroService(
            records=self.records,
            connections=self.connections,
            queues=self.export_queues,
            history=self.history,
            exporter=lambda: self.export_worker,
            clock=self.clock,
            wait_seconds=getattr(self.settings, "copy_to_xero_wait_seconds", 20.0),
        )

    @functools.cached_property
    def inventory_journal(self) -> InventoryJournalService:
        """The daily inventory journal (F3.9), run hourly for the orgs whose day has ended."""
        from xero_sync.services.inventory_journal import InventoryJournalService

        return InventoryJournalService(
            connections=self.connections,
            records=self.records,
            org_config=self.org_config,
            history=self.history,
            contexts=self.mapping_contexts,
            tenant_client=lambda org_id: self.xero_api.for_org(org_id),
            settings_of=lambda org_id: self.org_settings.current(org_id),
            stored_reference=lambda org_id: self.reference_data.load(org_id),
            clock=self.clock,
            shards=self.settings.schedule_shards,
        )

    @functools.cached_property
    def reprocess(self) -> ReprocessService:
        from xero_sync.services.reprocess import ReprocessService

        return ReprocessService(
            records=self.records,
            connections=self.connections,
            queues=self.export_queues,
            history=self.history,
            clock=self.clock,
        )


_lock = threading.Lock()
_containers: dict[type[CoreSettings], Container] = {}
_override: Container | None = None


def container(kind: type[CoreSettings] | None = None) -> Container:
    """The container of one function family in this process, built from the environment on
    first use (its settings checked then). Tools and the local stack, which run every function,
    use the default: all settings (``settings/everything.py``, imported only then)."""
    if kind is None:
        from xero_sync.settings.everything import Settings

        kind = Settings
    with _lock:
        if _override is not None:
            if not isinstance(_override.settings, kind):
                raise ConfigurationError(f"the container set by set_container has no {kind.__name__}")
            return _override
        built = _containers.get(kind)
        if built is None:
            built = _containers[kind] = Container(get_settings(kind))
        return built


def set_container(value: Container | None) -> None:
    """For tests: every function family uses this container (or, with None, its own again,
    rebuilt from the environment)."""
    global _override
    with _lock:
        _override = value
        _containers.clear()
