"""What the host API's routers share (SPEC §5): the org id in the path, and routes declared with
the answers they document — the success model and the errors they can give, all in the one
error shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar, cast

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from xero_sync.models.api import ApiModel
from xero_sync.models.api_export import documented_responses

OrgId = Annotated[str, Path(description="The host's id of the organisation.")]

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
        """Declare a route. With ``model``, the OpenAPI document lists the success answer with
        that model and the errors the route can give: 400, 401, 403 and ``errors``."""
        responses = None if model is None else _responses(status_code, model, errors)
        return self.router.route(path, method, tags=[self.tag], status_code=status_code, responses=responses, **options)


def _responses(success: int, model: type[ApiModel], errors: tuple[int, ...]) -> dict[int, OpenAPIResponse]:
    # documented_responses builds Powertools' OpenAPI response objects as plain dicts.
    return cast(dict[int, OpenAPIResponse], documented_responses(success, model, *errors))
