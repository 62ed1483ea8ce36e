"""Xero's webhooks (F4.4): ``POST /webhooks/xero``, no API key — the ``x-xero-signature`` HMAC of
the raw body authenticates. 200 with an empty body once the events are queued, 401 (nothing
queued) for a bad signature or body; intent-to-receive is just that. Within Xero's 5 seconds:
nothing here reads Xero or a table."""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
import base64

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.observability import logger, metrics, tracer
from xero_sync.settings.xero_webhook import XeroWebhookSettings
from xero_sync.wiring import container


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    request = APIGatewayProxyEventV2(event)
    text = request.body or ""
    raw = base64.b64decode(text) if request.is_base64_encoded else text.encode("utf-8")  # HMAC the exact bytes
    receipt = container(XeroWebhookSettings).xero_webhook_receiver.receive(raw, request.headers.get("x-xero-signature"))
    logger.info("Xero webhook", extra={"status": receipt.status, "events": receipt.queued_events})
    return {"statusCode": receipt.status, "headers": {"Content-Type": "text/plain"}, "body": ""}


cold_start.imported()  # last: the code is loaded
