"""The composition root: builds the services and their adapters from settings, once per Lambda
instance (warm invocations reuse clients and connections), and lets tests swap it.

Handlers call ``container()`` when an invocation starts — never at import — so that settings
are read from the environment only then. Each adapter is built on first use, so a function pays
only for what it touches (cold start, N6).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

import requests

from xero_sync.clock import Clock, utcnow
from xero_sync.dal.api_keys import ApiKeyRepository
from xero_sync.dal.base import configure
from xero_sync.dal.connections import ConnectionRepository
from xero_sync.dal.history import HistoryRepository
from xero_sync.dal.oauth_states import OAuthStateRepository
from xero_sync.dal.org_config import OrgConfigRepository
from xero_sync.settings import Settings, get_settings


@dataclass
class Container:
    settings: Settings
    clock: Clock = utcnow
    http: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        configure(self.settings)

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

    # --- AWS and Xero adapters ----------------------------------------------------------------

    @functools.cached_property
    def cipher(self):
        from xero_sync.aws.kms import TokenCipher

        return TokenCipher(self.settings)

    @functools.cached_property
    def identity(self):
        from xero_sync.aws.secrets import get_xero_credentials
        from xero_sync.xero.identity import XeroIdentity

        return XeroIdentity(self.settings, get_xero_credentials(self.settings), self.http)

    @functools.cached_property
    def tokens(self):
        from xero_sync.xero.tokens import TokenManager

        return TokenManager(self.connections, self.cipher, self.identity, self.clock)

    # --- services -----------------------------------------------------------------------------

    @functools.cached_property
    def connect(self):
        from xero_sync.services.connect import ConnectService

        return ConnectService(
            connections=self.connections,
            states=self.oauth_states,
            history=self.history,
            cipher=self.cipher,
            identity=self.identity,
            tokens=self.tokens,
            clock=self.clock,
            scopes=self.settings.xero_scopes,
            on_connected=self.after_connect_hooks(),
        )

    # --- export pipeline: records, settings, Xero reference data, "Sync now" --------------------

    @functools.cached_property
    def records(self):
        from xero_sync.dal.records import RecordRepository

        return RecordRepository()

    @functools.cached_property
    def export_queues(self):
        from xero_sync.aws.clients import aws_client
        from xero_sync.services.queues import ExportQueues

        return ExportQueues(self.settings, aws_client("sqs", self.settings))

    @functools.cached_property
    def xero_api(self):
        """The Accounting API client (tokens, the shared rate governor, typed errors)."""
        from xero_sync.dal.rate_limits import DynamoRateLimitStore
        from xero_sync.xero.client import XeroApiClient
        from xero_sync.xero.governor import RateGovernor

        governor = RateGovernor.from_settings(self.settings, DynamoRateLimitStore())
        return XeroApiClient(self.settings, self.tokens, governor, self.http, clock=self.clock)

    @functools.cached_property
    def reference_data(self):
        from xero_sync.services.reference_data import ReferenceDataService

        # ``for_org`` is looked up per call, so a test may replace ``xero_api`` after this is built.
        return ReferenceDataService(
            org_config=self.org_config,
            connections=self.connections,
            tenant_client=lambda org_id: self.xero_api.for_org(org_id),
            clock=self.clock,
        )

    @functools.cached_property
    def records_service(self):
        from xero_sync.services.records import RecordsService

        return RecordsService(
            records=self.records,
            history=self.history,
            connections=self.connections,
            queues=self.export_queues,
            settings_of=lambda org_id: self.org_settings.current(org_id),
            clock=self.clock,
        )

    @functools.cached_property
    def org_settings(self):
        from xero_sync.services.org_settings import OrgSettingsService

        return OrgSettingsService(
            org_config=self.org_config,
            connections=self.connections,
            history=self.history,
            reference_data=self.reference_data,
            requeue_failed=lambda org_id, **options: self.records_service.requeue_failed(org_id, **options),
            clock=self.clock,
        )

    @functools.cached_property
    def sync(self):
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
        )

    @functools.cached_property
    def mapping_contexts(self):
        from xero_sync.services.export.context import OrgMappingContexts

        return OrgMappingContexts(
            org_config=self.org_config,
            reference_data=self.reference_data,
            requeue_failed=lambda org_id, **options: self.records_service.requeue_failed(org_id, **options),
        )

    def export_worker(self, family):
        """The export worker of one family (one per worker function; the family only names
        which queue it serves — the worker itself handles any entity it is given)."""
        return self._export_worker

    @functools.cached_property
    def _export_worker(self):
        from xero_sync.services.export.worker import ExportWorker

        return ExportWorker(
            records=self.records,
            connections=self.connections,
            history=self.history,
            queues=self.export_queues,
            xero=self.xero_api,
            contexts=self.mapping_contexts,
            clock=self.clock,
            # Failure digests and reconnect emails, where the notifications queue exists.
            notifications=self.notifications if self.settings.notifications_queue_url else None,
            batch_size=self.settings.xero_batch_size,
            backoff_base_seconds=self.settings.export_backoff_seconds,
        )

    @functools.cached_property
    def sync_now(self):
        from xero_sync.services.sync import SyncNowGate

        return SyncNowGate(connections=self.connections, sync_service=lambda: self.sync, clock=self.clock)

    # --- lifecycle and alerts: emails, the inactivity checker, operator reprocessing ----------

    @functools.cached_property
    def notifications(self):
        """Queues admin emails (digest windows, needs-reauth, inactivity) and, in the notifier,
        sends them. Producers never build the SES client or the idempotency layer."""
        from datetime import timedelta

        from xero_sync.aws.clients import aws_client
        from xero_sync.services.notifications import HostLinks, NotificationService, SqsNotificationQueue

        settings = self.settings
        return NotificationService(
            org_config=self.org_config,
            connections=self.connections,
            records=self.records,
            history=self.history,
            queue=SqsNotificationQueue(aws_client("sqs", settings), settings.notifications_queue_url),
            mailer=lambda: self.mailer,
            guard=lambda: self.notification_guard,
            settings_of=lambda org_id: self.org_settings.current(org_id),
            clock=self.clock,
            sender=settings.email_sender,
            reply_to=settings.email_reply_to,
            product_name=settings.email_product_name,
            links=HostLinks(settings.host_history_url_template, settings.host_reconnect_url_template),
            window=timedelta(seconds=settings.digest_window_seconds),
        )

    @functools.cached_property
    def mailer(self):
        from xero_sync.aws.clients import aws_client
        from xero_sync.aws.ses import SesMailer

        return SesMailer(aws_client("ses", self.settings), local_email_dir=self.settings.local_email_dir, clock=self.clock)

    @functools.cached_property
    def notification_guard(self):
        """Powertools idempotency on the Idempotency table: one email per notification id."""
        from xero_sync.aws.clients import aws_client
        from xero_sync.services.notifications import PowertoolsOnce

        return PowertoolsOnce(self.settings.idempotency_table, aws_client("dynamodb", self.settings))

    @functools.cached_property
    def inactivity(self):
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
    def reprocess(self):
        from xero_sync.services.reprocess import ReprocessService

        return ReprocessService(
            records=self.records,
            connections=self.connections,
            queues=self.export_queues,
            history=self.history,
            clock=self.clock,
        )

    def after_connect_hooks(self) -> list:
        """What happens once an org is connected to a tenant: later features add to this."""
        # Built on first call, so a callback that never connects never builds the Xero client.
        return [
            lambda org_id, now: self.mapping_contexts.refresh(org_id, now),  # F4.1: imported on connect
            lambda org_id, now: self.sync.on_connected(org_id, now),  # first sync due at once
        ]


_lock = threading.Lock()
_container: Container | None = None


def container() -> Container:
    """The process's container, built from the environment on first use."""
    global _container
    with _lock:
        if _container is None:
            _container = Container(get_settings())
        return _container


def set_container(value: Container | None) -> None:
    """For tests and the local runner: use this container (or rebuild from env with None)."""
    global _container
    with _lock:
        _container = value
