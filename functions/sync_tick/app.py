"""The sync tick (F3.7): every minute, start the sync of each org whose next sync is due."""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.observability import logger, metrics, tracer
from xero_sync.settings.sync_tick import SyncTickSettings
from xero_sync.wiring import container


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    services = container(SyncTickSettings)
    summary = services.sync.tick(services.clock(), time_left=lambda: context.get_remaining_time_in_millis() / 1000)
    logger.info("Tick done", extra=summary.model_dump())
    return summary.model_dump()


cold_start.imported()  # last: the code is loaded
