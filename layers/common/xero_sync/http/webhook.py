"""The host's signed change notifications (SPEC §5; F4.2)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from xero_sync.http.routes import OrgId, Routes
from xero_sync.http.services import services
from xero_sync.models.api_import import WebhookDeletedView, WebhookPutRequest, WebhookTestView, WebhookView

routes = Routes("Webhook")

WEBHOOK = "/orgs/<org_id>/webhook"


@routes.route(
    "PUT",
    WEBHOOK,
    WebhookView,
    summary="Register (or change) the webhook that receives every change",
    description=(
        "Every change of GET /changes is POSTed to the URL as JSON {org_id, change}, in order, at least once "
        "(retried with back-off for 24 hours), signed: X-Xero-Sync-Signature: t=<unix time>,v1=<hex "
        "HMAC-SHA256 of '<t>.<raw body>'>; refuse a t more than 300 s from your clock, compare in constant time. "
        "X-Xero-Sync-Change-Id carries the change id: ignore one you have applied. The signing secret is shown "
        "once (first PUT, or rotate_secret)."
    ),
)
def put_webhook(org_id: OrgId, body: Annotated[WebhookPutRequest, Body()]) -> WebhookView:
    return services().host_webhook_service.put(org_id, body)


@routes.route("GET", WEBHOOK, WebhookView, 404, summary="The webhook and how its deliveries stand")
def get_webhook(org_id: OrgId) -> WebhookView:
    return services().host_webhook_service.get(org_id)


@routes.route("DELETE", WEBHOOK, WebhookDeletedView, 404, summary="Stop the webhook")
def delete_webhook(org_id: OrgId) -> WebhookDeletedView:
    return services().host_webhook_service.delete(org_id)


@routes.route(
    "POST",
    f"{WEBHOOK}/test",
    WebhookTestView,
    404,
    summary="Send one signed test delivery now",
    description="Body {org_id, test: true, sent_at}, signed like every delivery; the answer is reported.",
)
def test_webhook(org_id: OrgId) -> WebhookTestView:
    return services().host_webhook_service.test(org_id)
