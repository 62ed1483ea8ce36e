"""Authentication and org scoping for every host API request (N4).

It runs before the resolver routes or validates anything, so that a request without a valid key
gets 401 and a key used on another org gets 403 — never a 400 that would describe the body of
a request the caller may not make. The org is taken from the path itself (``/v1/orgs/{org_id}``),
so no route can forget the check. Only the published OpenAPI document is public.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from xero_sync.http.catch_all import lambda_error
from xero_sync.http.services import services
from xero_sync.models.api import ErrorDetail
from xero_sync.observability import logger
from xero_sync.services.api_keys import ORG_ID_PATTERN, Principal, authenticate

PUBLIC_PATHS = frozenset({"/v1/openapi.json"})
_ORG_PATH = re.compile(r"^/v1/orgs/(?P<org_id>[^/]*)(?:/|$)")


def authorize(event: dict[str, Any]) -> Principal | dict[str, Any]:
    """The caller's principal, or the 401/403/400 response to send instead."""
    request = APIGatewayProxyEventV2(event)
    path = _path_without_stage(request)
    if path in PUBLIC_PATHS:
        return Principal(key_id="public", name="public", all_orgs=False, org_ids=frozenset())
    principal = authenticate(services().api_keys, request.headers.get("authorization"))
    if principal is None:
        return _error(HTTPStatus.UNAUTHORIZED, "unauthorized", "Send a valid API key as 'Authorization: Bearer <key>'.")
    match = _ORG_PATH.match(path)
    if match:
        org_id = match["org_id"]
        if not ORG_ID_PATTERN.fullmatch(org_id):
            return _error(
                HTTPStatus.BAD_REQUEST,
                "validation_error",
                "The org id in the path is not valid.",
                [ErrorDetail(field="path.org_id", message="letters, digits, . _ : - only; at most 100 characters")],
            )
        if not principal.may_access(org_id):
            logger.warning("API key used outside its org scope", extra={"key_id": principal.key_id})
            return _error(HTTPStatus.FORBIDDEN, "forbidden", "This API key may not act on this org.")
        logger.append_keys(org_id=org_id)
    return principal


def _path_without_stage(request: APIGatewayProxyEventV2) -> str:
    path = request.raw_path or request.path
    stage = request.request_context.stage
    if stage and stage != "$default" and path.startswith(f"/{stage}/"):
        return path[len(stage) + 1 :]
    return path


def _error(status: HTTPStatus, code: str, message: str, details: list[ErrorDetail] | None = None) -> dict[str, Any]:
    return lambda_error(status, code, message, details or [])
