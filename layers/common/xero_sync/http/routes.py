"""What the host API's routers share (SPEC §5): the org id in the path, and routes declared with
the answers they document — the success model and the errors they can give, all in the one
error shape."""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar, cast

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from xero_sync.models.api import ApiModel
from xero_sync.models.api_export import documented_responses
from xero_sync.models.fields import HOST_ID_PATTERN
from xero_sync.services.api_keys import ORG_ID_REGEX

OrgId = Annotated[
    str,
    Path(
        description="The host's id of the organisation: a letter or digit, then letters, digits and . _ : - "
        "(at most 100 characters).",
        pattern=ORG_ID_REGEX,
    ),
]

HostRecordId = Annotated[
    str,
    Path(
        description="The host's id of the record: letters, digits and . _ : @ ~ - (1–255 characters).",
        pattern=HOST_ID_PATTERN,
    ),
]

Handler = TypeVar("Handler", bound=Callable[..., Any])


@dataclass(frozen=True)
class Routes:
    """The routes of one resource of the host API: one router, one OpenAPI tag."""

    tag: str
    router: APIGatewayHttpRouter = field(default_factory=APIGatewayHttpRouter)

    def route(
        self,
        method: str,
        path: str,
        model: type[ApiModel] | None = None,
        *errors: int,
        status_code: int = 200,
        **options: Any,
    ) -> Callable[[Handler], Handler]:
        """Declare a route. The OpenAPI document lists the success answer with ``model`` (by
        default the model the handler's return annotation names) and the errors the route can
        give: 400, 401, 403 and 500 for every route, and ``errors``; 404 for a route with path
        parameters besides org_id; 413 and 415 for routes that take a body (``http/openapi.py``)."""

        # A path parameter the router cannot match (e.g. a control character in an id) is answered
        # 404 "No such route", so every route with parameters besides org_id documents a 404.
        if path.count("<") > 1 and 404 not in errors:
            errors = (*errors, 404)

        def decorate(handler: Handler) -> Handler:
            success = model or _returned_model(handler)
            responses = None if success is None else _responses(status_code, success, errors)
            register = self.router.route(
                path, method, tags=[self.tag], status_code=status_code, responses=responses, **options
            )
            return register(handler)

        return decorate


def _returned_model(handler: Callable[..., Any]) -> type[ApiModel] | None:
    """The API model a handler's return annotation names, if it names one."""
    returned = typing.get_type_hints(handler, include_extras=False).get("return")
    return returned if isinstance(returned, type) and issubclass(returned, ApiModel) else None


def _responses(success: int, model: type[ApiModel], errors: tuple[int, ...]) -> dict[int, OpenAPIResponse]:
    # documented_responses builds Powertools' OpenAPI response objects as plain dicts.
    return cast(dict[int, OpenAPIResponse], documented_responses(success, model, *errors))
