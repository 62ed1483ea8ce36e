"""The host's webhook subscription (F4.2): ``PUT/GET/DELETE /v1/orgs/{org_id}/webhook`` and
``POST …/webhook/test``. The URL is checked against the rules of domain/host_webhooks.py (https,
public addresses after DNS resolution); the signing secret is generated here, shown once, and
stored encrypted with the token key (KMS, the org as encryption context) like Xero's tokens.
A new subscription starts after the newest change of the feed: the host reads what came before
from GET /changes."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xero_sync.clock import Clock
from xero_sync.domain.history import HistoryEvent
from xero_sync.domain.host_webhooks import (
    ATTEMPT_HEADER,
    SECRET_PREFIX,
    SIGNATURE_HEADER,
    HostWebhook,
    UnsafeUrl,
    signature,
)
from xero_sync.models.api import ErrorDetail
from xero_sync.models.api_import import WebhookDeletedView, WebhookPutRequest, WebhookTestView, WebhookView
from xero_sync.services.errors import InvalidInput, NotFound
from xero_sync.services.history import admin_event
from xero_sync.services.ports import ChangeStore, Cipher, HistoryStore, HostWebhookStore, HttpAnswer, WebhookSender


def webhook_view(webhook: HostWebhook, secret: str | None = None) -> WebhookView:
    return WebhookView(
        url=webhook.url,
        signing_secret=secret,
        secret_hint=webhook.secret_hint,
        created_at=webhook.created_at,
        updated_at=webhook.updated_at,
        delivered_through=webhook.delivered_through,
        failing_since=webhook.failing_since,
        attempts=webhook.attempts,
        last_error=webhook.last_error,
        last_delivery_at=webhook.last_delivery_at,
    )


def signed_headers(secret: str, body: bytes, now: datetime, attempt: int) -> dict[str, str]:
    return {SIGNATURE_HEADER: signature(secret, int(now.timestamp()), body), ATTEMPT_HEADER: str(attempt)}


def delivery_event(
    org_id: str,
    now: datetime,
    action: str,
    outcome: str,
    message: str,
    *,
    change_id: str | None = None,
    error_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> HistoryEvent:
    """An attempt to reach the host's webhook, as the history shows it (every attempt, F4.2)."""
    return HistoryEvent(
        org_id=org_id,
        at=now,
        direction="webhook",
        action=action,
        outcome=outcome,
        entity="host_webhook",
        record_id=change_id,
        error_code=error_code,
        message=message,
        details=details,
    )


@dataclass
class HostWebhookService:
    store: HostWebhookStore
    changes: ChangeStore
    cipher: Cipher
    sender: Callable[[], WebhookSender]
    history: HistoryStore
    clock: Clock

    def put(self, org_id: str, request: WebhookPutRequest) -> WebhookView:
        url = request.url.strip()
        try:
            self.sender().check(url)
        except UnsafeUrl as error:
            raise InvalidInput(
                "The webhook URL is not one the service calls.", [ErrorDetail(field="url", message=str(error))]
            ) from error
        now = self.clock()
        existing = self.store.get(org_id)
        if existing is not None and not request.rotate_secret:
            updated = self.store.set_url(org_id, url, now)
            if updated is not None:
                self.history.append(admin_event(org_id, now, "webhook_updated", f"Webhook URL set to {url}."))
                return webhook_view(updated)
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        created = self.store.create(
            org_id,
            url=url,
            secret_enc=self.cipher.encrypt(secret, org_id=org_id),
            secret_hint=secret[-4:],
            delivered_through=existing.delivered_through if existing else self.changes.last_id(org_id),
            now=now,
        )
        what = "new signing secret" if existing else "webhook registered"
        self.history.append(admin_event(org_id, now, "webhook_secret", f"{what.capitalize()}: {url}."))
        return webhook_view(created, secret)

    def get(self, org_id: str) -> WebhookView:
        return webhook_view(self._existing(org_id))

    def delete(self, org_id: str) -> WebhookDeletedView:
        if not self.store.delete(org_id):
            raise NotFound(f"Org {org_id} has no webhook.")
        self.history.append(admin_event(org_id, self.clock(), "webhook_deleted", "Webhook removed."))
        return WebhookDeletedView(deleted=True)

    def test(self, org_id: str) -> WebhookTestView:
        """One signed delivery of a test event, now; its answer is reported (and recorded)."""
        webhook = self._existing(org_id)
        now = self.clock()
        secret = self.cipher.decrypt(webhook.secret_enc, org_id=org_id)
        body = json.dumps({"org_id": org_id, "test": True, "sent_at": now.isoformat()}).encode()
        answer: HttpAnswer = self.sender().post(webhook.url, body, signed_headers(secret, body, now, 1))
        outcome = "succeeded" if answer.accepted else "failed"
        self.history.append(
            delivery_event(
                org_id,
                now,
                "test",
                outcome,
                f"Test delivery to {webhook.url}: {answer.error or f'HTTP {answer.status_code}'}.",
                details={"status_code": answer.status_code, "duration_ms": answer.duration_ms},
            )
        )
        return WebhookTestView(
            delivered=answer.accepted,
            status_code=answer.status_code,
            error=answer.error,
            duration_ms=answer.duration_ms,
        )

    def _existing(self, org_id: str) -> HostWebhook:
        webhook = self.store.get(org_id)
        if webhook is None:
            raise NotFound(f"Org {org_id} has no webhook; create one with PUT /v1/orgs/{org_id}/webhook.")
        return webhook
