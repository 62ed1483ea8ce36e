"""The integration console (F8): API Gateway HTTP API events under /console/ → server-rendered
pages for the org of the console session (never an API key).

Sessions, pages, CSRF and security headers live in xero_sync.console; this file only wires them.
"""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.console.app import build_console, handle
from xero_sync.observability import logger, metrics, tracer
from xero_sync.settings.console import ConsoleSettings
from xero_sync.wiring import container

app = build_console()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    container(ConsoleSettings)  # read and check settings, bind tables: now, not at import
    return handle(app, event, context)


cold_start.imported()  # last: the code is loaded
