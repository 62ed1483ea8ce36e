"""The host HTTP API (SPEC §5): API Gateway HTTP API events → the Powertools resolver.

Routes, authentication and error mapping live in xero_sync.http; this file only wires them.
"""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.http.app import build_app, handle
from xero_sync.http.catch_all import answer_unexpected_errors, internal_error
from xero_sync.observability import logger, metrics, tracer
from xero_sync.settings.api import ApiSettings
from xero_sync.wiring import container

app = build_app()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@answer_unexpected_errors(internal_error)  # never API Gateway's bare 500: the error shape, with the request id
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    container(ApiSettings)  # read and check settings, bind tables: now, not at import
    return handle(app, event, context)


cold_start.imported()  # last: the code is loaded
