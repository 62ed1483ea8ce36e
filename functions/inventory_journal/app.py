"""The daily inventory journal (F3.9), started every hour by an EventBridge schedule: each org
whose local day has ended (its Xero timezone) and whose settings name an inventory asset account
gets one manual journal for that day, exactly once. Safe to run more than once an hour."""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.observability import logger, metrics, tracer
from xero_sync.settings.inventory_journal import InventoryJournalSettings
from xero_sync.wiring import container


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    services = container(InventoryJournalSettings)
    summary = services.inventory_journal.run(
        services.clock(), time_left=lambda: context.get_remaining_time_in_millis() / 1000
    )
    logger.info("Inventory journals done", extra=summary.model_dump())
    return summary.model_dump()


cold_start.imported()  # last: the code is loaded
