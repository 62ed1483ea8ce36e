"""Xero's OAuth redirect (F1.2): ``GET /oauth/callback?code=…&state=…`` (no API key: the
single-use ``state`` authenticates). Answers with a redirect back to the host, or a short page
when the state is unknown."""

from xero_sync import cold_start  # first: the garbage collector waits while the imports below run

# isort: split
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
from aws_lambda_powertools.utilities.typing import LambdaContext

from xero_sync.http.catch_all import answer_unexpected_errors, callback_error_page
from xero_sync.models.api import OAuthCallbackQuery
from xero_sync.observability import logger, metrics, tracer
from xero_sync.settings.oauth_callback import OAuthCallbackSettings
from xero_sync.wiring import container

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@answer_unexpected_errors(callback_error_page)  # a page with the request id, never a bare 500
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    query = OAuthCallbackQuery.model_validate(APIGatewayProxyEventV2(event).query_string_parameters or {})
    result = container(OAuthCallbackSettings).connect.complete(
        state=query.state, code=query.code, error=query.error, error_description=query.error_description
    )
    if result.location:
        return {"statusCode": result.status_code, "headers": {**NO_STORE, "Location": result.location}, "body": ""}
    headers = {**NO_STORE, "Content-Type": "text/html; charset=utf-8"}
    return {"statusCode": result.status_code, "headers": headers, "body": result.page or ""}


cold_start.imported()  # last: the code is loaded
