"""The lifecycle services' unit-test world: the shared in-memory fakes (``tests/fakes``) wired
into a notification service, with an org's usual defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tests.fakes import (
    T0,
    InMemoryConnections,
    InMemoryHistory,
    InMemoryOrgConfig,
    InMemoryRecords,
    ManualClock,
    MemoryOnce,
    RecordingMailer,
    RecordingNotificationQueue,
)
from xero_sync.models.org_config import OrgSettings
from xero_sync.services.notifications.core import HostLinks
from xero_sync.services.notifications.service import NotificationService

SHARDS = 4


@dataclass
class World:
    clock: ManualClock = field(default_factory=ManualClock)
    org_config: InMemoryOrgConfig = field(default_factory=InMemoryOrgConfig)
    connections: InMemoryConnections = field(
        default_factory=lambda: InMemoryConnections(
            SHARDS,
            last_activity_at=T0,
            connected_by_email="owner@acme.example",
            tenant_name="Acme NZ",
            token_version=3,
        )
    )
    records: InMemoryRecords = field(default_factory=InMemoryRecords)
    history: InMemoryHistory = field(default_factory=InMemoryHistory)
    queue: RecordingNotificationQueue = field(default_factory=RecordingNotificationQueue)
    mailer: RecordingMailer = field(default_factory=RecordingMailer)
    guard: MemoryOnce = field(default_factory=MemoryOnce)
    settings: dict[str, OrgSettings] = field(default_factory=dict)

    def service(self, **overrides: Any) -> NotificationService:
        options: dict[str, Any] = dict(
            org_config=self.org_config,
            connections=self.connections,
            records=self.records,
            history=self.history,
            queue=self.queue,
            mailer=lambda: self.mailer,
            guard=lambda: self.guard,
            settings_of=lambda org_id: self.settings.get(org_id, OrgSettings()),
            clock=self.clock,
            sender="Acme Billing <xero-sync@acme.example>",
            reply_to="support@acme.example",
            product_name="Acme Billing",
            links=HostLinks(
                "https://app.acme.example/orgs/{org_id}/xero/history", "https://app.acme.example/orgs/{org_id}/xero"
            ),
            window=timedelta(minutes=10),
        )
        options.update(overrides)
        return NotificationService(**options)

    def deliver_all(self, service: NotificationService) -> list[Any]:
        return [service.deliver(message) for message in self.queue.take()]
