"""Operator reprocessing (F7.3), run from the Lambda console with a test event from
``events/reprocess/``: re-queue an org's records by status, entity, error code and time range.
``dry_run`` (the default) only reports what would be re-queued. The answer lists, per org, how
many records matched and were sent again, with a sample; the log shows the same in words."""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.models.notifications import ReprocessRequest
from xero_sync.observability import logger, metrics, tracer
from xero_sync.services.reprocess import describe
from xero_sync.settings.reprocess import ReprocessSettings
from xero_sync.wiring import container


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    request = ReprocessRequest.model_validate(event)  # a wrong field fails with its name
    result = container(ReprocessSettings).reprocess.run(request)
    logger.info(describe(result), extra={"dry_run": result.dry_run, "requeued": result.requeued})
    return result.model_dump(mode="json")


cold_start.imported()  # last: the code is loaded
