"""The host API and the console include a resource's or page's routes when a request first needs
them (xero_sync/routing.py, N6): every route is reached through the segment its path names, a
request loads its own modules only, and neither the answers nor the OpenAPI document depend on
which requests came first.

Resolvers are built in fresh interpreters: a Powertools router delegates its request state to the
last resolver that included it, so a resolver built here would take the routers from the one
other tests use."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from benchmarks.cold_start import LAYER
from xero_sync.console import app as console
from xero_sync.http import app as api

SAMPLE_VALUES = {"org_id": "o-1", "entity": "invoice", "record_id": "inv-1", "contact_id": "cus-1", "name": "a.css"}
SAMPLE_VALUES |= {"invoice_id": "4aa20e93-ec11-441e-b5dc-1fdafdfdf06c", "record_type": "deal", "action": "disable"}


@dataclass(frozen=True)
class App:
    name: str
    package: str
    modules: tuple[str, ...]
    by_segment: dict[str, tuple[str, ...]]
    segment_of: Any
    prefix: str
    build: str  # how a fresh interpreter builds it

    def router(self, module: ModuleType) -> Any:
        return module.routes.router if self.name == "api" else module.routes


API = App("api", "xero_sync.http", api.RESOURCES, api.RESOURCES_BY_SEGMENT, api._resource_segment, "/v1",
          "from xero_sync.http.app import build_app as build")  # fmt: skip
CONSOLE = App("console", "xero_sync.console.pages", console.PAGES, console.PAGES_BY_SEGMENT, console._page_segment,
              "", "from xero_sync.console.app import build_console as build")  # fmt: skip
APPS = (API, CONSOLE)


def _declared_routes(app: App) -> list[tuple[str, str, str]]:
    """(module, method, path with sample values) of every route each module declares."""
    declared = []
    for name in app.modules:
        for rule, method, *_ in app.router(importlib.import_module(f"{app.package}.{name}"))._routes:
            filled = re.sub(r"<(\w+)>", lambda match: SAMPLE_VALUES[match.group(1)], f"{app.prefix}{rule}")
            declared.append((name, method, filled))
    return declared


def _in_fresh_interpreter(app: App, code: str) -> Any:
    environment = {**os.environ, "PYTHONPATH": str(LAYER), "POWERTOOLS_TRACE_DISABLED": "true"}
    setup = f"import json, sys\n{app.build}\n"
    completed = subprocess.run(
        [sys.executable, "-c", setup + code], env=environment, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


DECLARED = [(app, *route) for app in APPS for route in _declared_routes(app)]


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.name)
def test_every_module_declares_routes_and_is_named_by_a_segment(app):
    assert {name for name, _, _ in _declared_routes(app)} == set(app.modules)
    assert {name for names in app.by_segment.values() for name in names} == set(app.modules)
    # a segment's modules are in the order of the whole list, so routes keep their precedence
    assert all(list(names) == [m for m in app.modules if m in names] for names in app.by_segment.values())


@pytest.mark.parametrize(
    ("app", "module", "method", "path"), DECLARED, ids=[f"{a.name} {m} {p}" for a, _, m, p in DECLARED]
)
def test_each_route_is_included_by_the_segment_of_its_path(app, module, method, path):
    assert module in app.by_segment[app.segment_of(path)]


@pytest.mark.parametrize(
    ("app", "path", "segment"),
    [
        (API, "/v1/orgs/o-1/records", "records"),
        (API, "/v1/orgs/o-1/records/deal/d-1/pins", "records"),
        (API, "/v1/orgs/o-1", ""),  # no resource named: every route is included
        (API, "/v1/openapi.json", ""),
        (API, "/v2/orgs/o-1/records", ""),
        (CONSOLE, "/console/connection/return", "connection"),
        (CONSOLE, "/console/contacts/c-1/invoices", "contacts"),
        (CONSOLE, "/console", ""),
        (CONSOLE, "/v1/orgs/o-1/records", ""),
        (CONSOLE, "", ""),
    ],
)
def test_the_segment_of_a_path(app, path, segment):
    assert app.segment_of(path) == segment


def test_an_api_request_includes_its_own_resources_routes_only_and_an_unknown_path_all():
    code = """
app = build()
loaded = lambda: sorted(m.removeprefix("xero_sync.http.") for m in sys.modules if m.startswith("xero_sync.http."))
before = loaded()
app.routers.include_for("/v1/orgs/o-1/records/deal/d-1/pins")
after_pins = loaded()
routes = sorted({r.path for r in app._static_routes + app._dynamic_routes})
app.routers.include_for("/v1/orgs/o-1/nothing-here")
print(json.dumps([before, after_pins, routes, len(app._static_routes + app._dynamic_routes)]))
"""
    before, after_pins, routes, every = _in_fresh_interpreter(API, code)
    assert set(API.modules).isdisjoint(before)
    # the records' segment is served by records and pins (which shares the read view's words)
    assert {"records", "pins"} <= set(after_pins)
    assert {"connection", "history", "settings", "xero_data", "sync", "changes", "webhook"}.isdisjoint(after_pins)
    assert all(path.startswith("/v1/orgs/<org_id>/records") or path == "/v1/orgs/<org_id>/failures/retry"
               or path == "/v1/openapi.json" for path in routes)  # fmt: skip
    assert every == len(_declared_routes(API)) + 1  # and the document's own route


def test_a_console_request_includes_its_own_pages_routes_only_and_an_unknown_path_all():
    code = """
app = build()
pages = lambda: sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("xero_sync.console.pages."))
before = pages()
app.routers.include_for("/console/history")
after_history = pages()
app.routers.include_for("/console/nothing-here")
print(json.dumps([before, after_history, len(app._static_routes + app._dynamic_routes)]))
"""
    before, after_history, every = _in_fresh_interpreter(CONSOLE, code)
    assert before == []
    assert after_history == ["history"]
    assert every == len(_declared_routes(CONSOLE))


def test_the_api_document_is_the_same_whichever_requests_came_first():
    code = """
from xero_sync.http.app import openapi_json
fresh = openapi_json(build())
used = build()
for path in ("/v1/orgs/o-1/webhook", "/v1/orgs/o-1/records", "/v1/orgs/o-1/contacts/c/invoices"):
    used.routers.include_for(path)
print(json.dumps(fresh == openapi_json(used)))
"""
    assert _in_fresh_interpreter(API, code) is True
