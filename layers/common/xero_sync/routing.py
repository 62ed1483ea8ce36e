"""Routers included in a Powertools resolver when a request first needs them (cold start, N6).

The host API (``http/app.py``) and the console (``console/app.py``) each serve many resources or
pages from one function. Importing every route module at import loads every resource's models,
services and domain, most of which one request never uses. Instead each request's path names
the modules that serve it (a segment of the path → module names); they are imported and their
routers included before the request is resolved. A path whose segment names nothing includes
them all, so a 404 or 405 never depends on what earlier requests loaded.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver, Router


class RoutersOnFirstUse:
    def __init__(
        self,
        resolver: ApiGatewayResolver,
        package: str,
        modules: tuple[str, ...],
        by_segment: Mapping[str, tuple[str, ...]],
        segment_of: Callable[[str], str],
        router_of: Callable[[ModuleType], Router],
        prefix: str | None = None,
    ) -> None:
        self._resolver = resolver
        self._package = package
        self.modules = modules  # every module that declares routes, in the order they are listed
        self.by_segment = by_segment
        self._segment_of = segment_of
        self._router_of = router_of
        self._prefix = prefix
        self._included: set[str] = set()

    def include_for(self, path: str) -> None:
        self._include(self.by_segment.get(self._segment_of(path), self.modules))

    def include_all(self) -> None:
        self._include(self.modules)

    def _include(self, names: Iterable[str]) -> None:
        for name in names:
            if name not in self._included:
                module = importlib.import_module(f"{self._package}.{name}")
                self._resolver.include_router(self._router_of(module), prefix=self._prefix)
                self._included.add(name)
