"""Authentication and org scoping for every host API route (N4).

One middleware for the whole resolver, so no route can forget it: it checks the API key and,
for any route with an ``org_id`` path parameter, that the key may act on that org (403
otherwise). Only the published OpenAPI document is public.
"""

from __future__ import annotations

from http import HTTPStatus

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from xero_sync.http.errors import error_response
from xero_sync.models.api import ErrorDetail
from xero_sync.observability import logger
from xero_sync.services.api_keys import ORG_ID_PATTERN, authenticate
from xero_sync.wiring import container

PUBLIC_PATHS = frozenset({"/v1/openapi.json"})


def require_api_key(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response:
    if app.current_event.path in PUBLIC_PATHS:
        return next_middleware(app)

    principal = authenticate(container().api_keys, app.current_event.headers.get("authorization"))
    if principal is None:
        return error_response(
            HTTPStatus.UNAUTHORIZED,
            "unauthorized",
            "Send a valid API key as 'Authorization: Bearer <key>'.",
        )

    org_id = app.context.get("_route_args", {}).get("org_id")
    if org_id is not None:
        if not ORG_ID_PATTERN.match(org_id):
            return error_response(
                HTTPStatus.BAD_REQUEST,
                "validation_error",
                "The org id in the path is not valid.",
                [ErrorDetail(field="path.org_id", message="letters, digits, . _ : - only; at most 100 characters")],
            )
        if not principal.may_access(org_id):
            logger.warning("API key used outside its org scope", extra={"key_id": principal.key_id})
            return error_response(HTTPStatus.FORBIDDEN, "forbidden", "This API key may not act on this org.")
        logger.append_keys(org_id=org_id)

    app.append_context(principal=principal)
    return next_middleware(app)
