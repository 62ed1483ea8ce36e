"""Delivers the change feed to the hosts' webhooks (F4.2): each message nudges one org's
deliverer (xero_sync.services.host_delivery), which POSTs the org's undelivered changes signed,
in order, and re-queues itself with back-off while the host's endpoint fails. Partial batch
response: only a message whose handling failed unexpectedly comes back."""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.models.imports import DeliveryNudge
from xero_sync.observability import logger, metrics, tracer
from xero_sync.settings.host_webhooks import HostWebhookSettings
from xero_sync.wiring import container

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def deliver(record: SQSRecord, lambda_context: LambdaContext) -> dict:
    nudge = DeliveryNudge.model_validate_json(record.body)  # unreadable: raises, the message ends in the DLQ
    time_left = lambda_context.get_remaining_time_in_millis
    result = container(HostWebhookSettings).host_webhook_deliverer.deliver(nudge, time_left=lambda: time_left() / 1000)
    logger.info("Host webhook delivery", extra=vars(result))
    return vars(result)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)


cold_start.imported()  # last: the code is loaded
