"""The daily inactivity checker (F6.1), started by an EventBridge schedule: warn connections idle
for 53 days, disconnect those idle for 60 (revoke at Xero, delete the Xero connection, email
the admin). Safe to run twice: an error with some orgs fails the invocation so that Lambda's
retry of the scheduled event runs it again."""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.observability import logger, metrics, tracer
from xero_sync.settings.inactivity_checker import InactivitySettings
from xero_sync.wiring import container


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    services = container(InactivitySettings)
    summary = services.inactivity.run(services.clock(), time_left=lambda: context.get_remaining_time_in_millis() / 1000)
    logger.info("Inactivity check done", extra=summary.model_dump())
    return summary.model_dump()


cold_start.imported()  # last: the code is loaded
