"""Delivering the change feed to the host's webhook (F4.2): signed, in order, at least once.

One deliverer at a time per org (a lease on the subscription) reads the changes after the
subscription's cursor and POSTs each, signed (domain/host_webhooks.py), moving the cursor after
each 2xx. So a host whose endpoint was down gets every change afterwards, each once by id and in
order (a crash between a 2xx and the cursor's write repeats one delivery, with the same id).

When the endpoint fails (no 2xx, time-out, refused URL) the nudge goes back to the queue with a
growing delay (30 s, 1, 2, 4, 8 min, then every 15 min) and an attempt count; every attempt is in
the history. After :data:`~xero_sync.domain.host_webhooks.GIVE_UP_AFTER` (24 h) of failures the
waiting changes are given up — still in the feed for GET /changes — the history says so, and the
admin's failure digest reports it; later changes are delivered as usual.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from xero_sync.clock import Clock
from xero_sync.domain.changes import Change
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.host_webhooks import CHANGE_ID_HEADER, HostWebhook, gives_up, retry_delay
from xero_sync.models.imports import DeliveryNudge
from xero_sync.observability import MetricUnit, logger, metrics
from xero_sync.services.changes import change_view
from xero_sync.services.host_webhooks import delivery_event, signed_headers
from xero_sync.services.ports import (
    ChangeStore,
    Cipher,
    HistoryStore,
    HostWebhookQueue,
    HostWebhookStore,
    WebhookSender,
)

LEASE = timedelta(seconds=55)  # below the deliverer's 60 s time-out
BUSY_RETRY_SECONDS = 5
PAGE = 100
TIME_MARGIN_SECONDS = 15.0
UNREACHABLE = "host_webhook_unreachable"


class AdminNotifier(Protocol):
    def failure_recorded(self, org_id: str, now: datetime) -> bool: ...


@dataclass
class DeliveryResult:
    org_id: str
    delivered: int = 0
    failed: bool = False
    gave_up: int = 0
    busy: bool = False


def delivery_body(org_id: str, change: Change) -> bytes:
    return json.dumps(
        {"org_id": org_id, "change": change_view(change).model_dump(mode="json")}, separators=(",", ":")
    ).encode()


@dataclass
class HostWebhookDeliverer:
    store: HostWebhookStore
    changes: ChangeStore
    cipher: Cipher
    sender: Callable[[], WebhookSender]
    queue: HostWebhookQueue
    history: HistoryStore
    clock: Clock
    notifications: AdminNotifier | None = None
    retry_delay: Callable[[int], int] = retry_delay
    owner: str = field(default_factory=lambda: f"deliverer-{uuid.uuid4().hex[:12]}")

    def deliver(self, nudge: DeliveryNudge, *, time_left: Callable[[], float] = lambda: 60.0) -> DeliveryResult:
        org_id = nudge.org_id
        result = DeliveryResult(org_id)
        now = self.clock()
        webhook = self.store.acquire_lease(org_id, owner=self.owner, now=now, until=now + LEASE)
        if webhook is None:
            if self.store.get(org_id) is not None:
                # Another deliverer is at it; it may have read the changes before the newest one.
                self.queue.nudge(org_id, attempt=nudge.attempt, delay_seconds=BUSY_RETRY_SECONDS)
                result.busy = True
            return result
        events: list[HistoryEvent] = []
        try:
            self._run(webhook, result, events, time_left)
        finally:
            self.store.release_lease(org_id, owner=self.owner)
            if events:
                self.history.append_many(events)
        metrics.add_metric(name="HostWebhookDeliveries", unit=MetricUnit.Count, value=result.delivered)
        return result

    def _run(
        self, webhook: HostWebhook, result: DeliveryResult, events: list[HistoryEvent], time_left: Callable[[], float]
    ) -> None:
        org_id = webhook.org_id
        secret = self.cipher.decrypt(webhook.secret_enc, org_id=org_id)
        cursor = webhook.delivered_through
        attempt = webhook.attempts + 1
        while True:
            page = self.changes.page(org_id, after=cursor, limit=PAGE)
            for change in page.changes:
                if not self._send(webhook, secret, change, attempt, result, events):
                    return
                cursor, attempt = change.change_id, 1
                if time_left() < TIME_MARGIN_SECONDS:
                    self.queue.nudge(org_id)  # go on in the next invocation
                    return
            if not page.has_more:
                return

    def _send(
        self,
        webhook: HostWebhook,
        secret: str,
        change: Change,
        attempt: int,
        result: DeliveryResult,
        events: list[HistoryEvent],
    ) -> bool:
        org_id = webhook.org_id
        now = self.clock()
        body = delivery_body(org_id, change)
        headers = {**signed_headers(secret, body, now, attempt), CHANGE_ID_HEADER: change.change_id}
        answer = self.sender().post(webhook.url, body, headers)
        details: dict[str, Any] = {
            "change_id": change.change_id,
            "kind": change.kind.value,
            "attempt": attempt,
            "status_code": answer.status_code,
            "duration_ms": answer.duration_ms,
        }
        if answer.accepted:
            if not self.store.delivered(org_id, owner=self.owner, change_id=change.change_id, now=now):
                logger.warning("Lost the delivery lease; another deliverer goes on", extra={"org_id": org_id})
                return False
            result.delivered += 1
            message = f"Change {change.change_id} ({change.kind.value}) delivered: HTTP {answer.status_code}."
            events.append(
                delivery_event(
                    org_id, now, "deliver", "succeeded", message, change_id=change.change_id, details=details
                )
            )
            return True
        self._failed(webhook, change, answer.error or "no answer", now, result, events, details)
        return False

    def _failed(
        self,
        webhook: HostWebhook,
        change: Change,
        error: str,
        now: datetime,
        result: DeliveryResult,
        events: list[HistoryEvent],
        details: dict[str, Any],
    ) -> None:
        org_id = webhook.org_id
        failing_since = webhook.failing_since or now
        attempts = webhook.attempts + 1
        result.failed = True
        if gives_up(failing_since, now):
            last = self.changes.last_id(org_id) or change.change_id
            waiting = int(last) - int(change.change_id) + 1
            self.store.gave_up(org_id, owner=self.owner, through=last, error=error)
            result.gave_up = waiting
            message = (
                f"The host's webhook {webhook.url} failed for 24 hours ({error}): {waiting} change(s) from "
                f"{change.change_id} to {last} were not delivered. They are still in the change feed (GET "
                "/changes); later changes are delivered again. Check the endpoint."
            )
            events.append(
                delivery_event(
                    org_id,
                    now,
                    "deliver",
                    "failed",
                    message,
                    change_id=change.change_id,
                    error_code=UNREACHABLE,
                    details=details,
                )
            )
            if self.notifications is not None:
                self.notifications.failure_recorded(org_id, now)
            return
        self.store.failed(org_id, owner=self.owner, error=error, failing_since=failing_since, attempts=attempts)
        delay = self.retry_delay(attempts)
        self.queue.nudge(org_id, attempt=attempts, delay_seconds=delay)
        message = (
            f"Change {change.change_id} ({change.kind.value}) not delivered ({error}); "
            f"attempt {attempts + 1} in {delay} s."
        )
        events.append(
            delivery_event(
                org_id,
                now,
                "deliver",
                "retrying",
                message,
                change_id=change.change_id,
                error_code=UNREACHABLE,
                details=details,
            )
        )
