"""Xero's webhooks (F4.4, xero-facts §8): check, queue, answer — within Xero's 5 seconds.

* ``x-xero-signature`` must be the base64 HMAC-SHA256 of the *raw* body with the app's webhook
  key, compared in constant time; anything else — no header, a wrong one, a body that is not
  Xero's payload — is answered 401 and queues nothing. So intent-to-receive passes: its correctly
  signed deliveries (no events) get 200, the mis-signed ones 401.
* Events are grouped by tenant, one message per tenant (the import worker fans a tenant's
  events out to every org connected to it, N7). Nothing reads Xero or a table here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import SecretStr, ValidationError

from xero_sync.models.imports import CATEGORY_RESOURCES, TenantEvents, XeroWebhookEvent, XeroWebhookPayload
from xero_sync.observability import MetricUnit, logger, metrics
from xero_sync.services.ports import ImportQueue

MAX_EVENTS_PER_MESSAGE = 500  # keeps a message well under SQS's 256 KB


def signature_valid(body: bytes, header: str | None, key: str) -> bool:
    if not header:
        return False
    expected = base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode("ascii")
    return hmac.compare_digest(expected.encode(), header.strip().encode())


@dataclass(frozen=True)
class Receipt:
    status: int  # 200 or 401: Xero reads nothing else
    queued_events: int = 0
    reason: str | None = None


@dataclass
class XeroWebhookReceiver:
    key: Callable[[], SecretStr]
    queue: ImportQueue

    def receive(self, body: bytes, signature: str | None) -> Receipt:
        if not signature_valid(body, signature, self.key().get_secret_value()):
            metrics.add_metric(name="XeroWebhooksRefused", unit=MetricUnit.Count, value=1)
            return Receipt(401, reason="signature")
        try:
            payload = XeroWebhookPayload.model_validate_json(body)
        except ValidationError:
            # Signed with our key but not Xero's payload: refuse it like a forgery, store nothing.
            logger.warning("Signed webhook body is not a Xero payload; refused")
            return Receipt(401, reason="payload")
        messages = _by_tenant(payload.events)
        if messages:
            self.queue.send(messages)
        queued = sum(len(message.events) for message in messages)
        metrics.add_metric(name="XeroWebhookEvents", unit=MetricUnit.Count, value=queued)
        return Receipt(200, queued_events=queued)


def _by_tenant(events: list[XeroWebhookEvent]) -> list[TenantEvents]:
    grouped: dict[str, list[XeroWebhookEvent]] = defaultdict(list)
    for event in events:
        if event.eventCategory.upper() in CATEGORY_RESOURCES:  # SUBSCRIPTION and unknown ones: nothing to read
            grouped[event.tenantId].append(event)
    return [
        TenantEvents(tenant_id=tenant_id, events=tenant_events[start : start + MAX_EVENTS_PER_MESSAGE])
        for tenant_id, tenant_events in grouped.items()
        for start in range(0, len(tenant_events), MAX_EVENTS_PER_MESSAGE)
    ]
