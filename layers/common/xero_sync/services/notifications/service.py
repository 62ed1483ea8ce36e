"""The notification service as the composition root builds it: the producer (digest windows,
reconnect and inactivity emails queued), plus what the notifier needs to deliver them.

The producer's callers — the export worker, the inactivity checker — get the producer's methods
and nothing else: :meth:`NotificationService.deliver` imports the delivery side (rendering,
Jinja2) on first use, and the mailer and the once-guard are factories called only there, so a
producer never builds an SES client or the idempotency layer (cold start).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from xero_sync.clock import Clock
from xero_sync.models.notifications import DeliveryResult, NotificationMessage
from xero_sync.services.notifications.core import HostLinks, SettingsReader
from xero_sync.services.notifications.producer import NotificationProducer
from xero_sync.services.ports import HistoryStore, Mailer, OnceGuard, RecordStore

if TYPE_CHECKING:
    from xero_sync.services.notifications.delivery import NotificationDelivery, Renderer


@dataclass(kw_only=True)
class NotificationService(NotificationProducer):
    records: RecordStore
    history: HistoryStore
    mailer: Callable[[], Mailer]  # resolved on first send: producers never build an SES client
    guard: Callable[[], OnceGuard]
    settings_of: SettingsReader
    clock: Clock
    sender: str | None
    reply_to: str | None = None
    product_name: str = "Xero integration"
    links: HostLinks = field(default_factory=HostLinks)
    renderer: Renderer | None = None  # None: the templates in xero_sync/templates

    def deliver(self, message: NotificationMessage) -> DeliveryResult:
        """Send the email ``message`` asks for, at most once per ``notification_id`` (the notifier)."""
        return self._delivery.deliver(message)

    @functools.cached_property
    def _delivery(self) -> NotificationDelivery:
        from xero_sync.services.notifications.delivery import NotificationDelivery

        return NotificationDelivery(self)
