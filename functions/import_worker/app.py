"""The import worker (F4): the import queue → Xero reads → changes in the orgs' feeds (the
work is in xero_sync.services.imports.worker). Answers with SQS's partial batch response: only
messages whose work failed unexpectedly come back (a retryable Xero error is re-queued with a
delay by the worker itself); an unreadable message ends in the DLQ."""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import TypeAdapter, ValidationError

from xero_sync.models.imports import ImportMessage
from xero_sync.observability import logger, metrics, tracer
from xero_sync.settings.import_worker import ImportWorkerSettings
from xero_sync.wiring import container

MESSAGE = TypeAdapter(ImportMessage)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    worker = container(ImportWorkerSettings).import_worker
    batch, failures = [], []
    for record in SQSEvent(event).records:
        try:
            batch.append((record.message_id, MESSAGE.validate_json(record.body)))
        except ValidationError:
            logger.error("Unreadable import message; left for the DLQ", extra={"message_id": record.message_id})
            failures.append(record.message_id)
    summary = worker.handle(batch, time_left=lambda: context.get_remaining_time_in_millis() / 1000)
    failures += summary.failed_messages
    logger.info("Import batch done", extra={"messages": len(batch), "changes": summary.changes, "orgs": summary.orgs})
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failures]}


cold_start.imported()  # last: the code is loaded
