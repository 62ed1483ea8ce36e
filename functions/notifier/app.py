"""The notifier (F6.2, F6.3, F1.4, F6.1): the notifications queue → admin emails through SES.

Each SQS message names one email to consider (a failure digest, a reconnect request, an
inactivity warning or disconnect notice). Messages are handled one by one with SQS's partial
batch response: an SES throttle (or any unexpected error) sends only that message back to the
queue, and after ``maxReceiveCount`` to the notifications DLQ. Idempotency on the message's
notification id keeps a redelivered message from sending a second email.
"""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.models.notifications import parse_notification
from xero_sync.observability import logger, metrics, tracer
from xero_sync.settings.notifier import NotifierSettings
from xero_sync.wiring import container

# A batch whose every message failed is answered like any other (all listed as failures) rather
# than raised: the outcome for SQS is the same, and the error stays per message in the logs.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def deliver(record: SQSRecord) -> dict:
    message = parse_notification(record.body)  # unreadable: raises, the message ends in the DLQ
    result = container(NotifierSettings).notifications.deliver(message)
    logger.info("Notification handled", extra=result.model_dump(mode="json"))
    return result.model_dump(mode="json")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    container(NotifierSettings).notification_guard.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)


cold_start.imported()  # last: the code is loaded
