"""The host API adds a resource's routes when a request first needs them (http/app.py, N6): every
route is reached through the segment its path names, a request loads its own resource only, and
neither the answers nor the OpenAPI document depend on which requests came first.

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

import pytest

from benchmarks.cold_start import LAYER
from xero_sync.http.app import RESOURCES, RESOURCES_BY_SEGMENT, _resource_segment

SAMPLE_VALUES = {"org_id": "o-1", "entity": "invoice", "record_id": "inv-1", "contact_id": "cus-1"}
SAMPLE_VALUES |= {"invoice_id": "4aa20e93-ec11-441e-b5dc-1fdafdfdf06c", "record_type": "deal"}


def _declared_routes() -> list[tuple[str, str, str]]:
    """(resource, method, path with sample values) of every route each resource declares."""
    declared = []
    for name in RESOURCES:
        router = importlib.import_module(f"xero_sync.http.{name}").routes.router
        for rule, method, *_ in router._routes:
            filled = re.sub(r"<(\w+)>", lambda match: SAMPLE_VALUES[match.group(1)], f"/v1{rule}")
            declared.append((name, method, filled))
    return declared


def _in_fresh_interpreter(code: str) -> str:
    environment = {**os.environ, "PYTHONPATH": str(LAYER), "POWERTOOLS_TRACE_DISABLED": "true"}
    setup = "import json, sys\nfrom xero_sync.http.app import build_app, openapi_json\n"
    completed = subprocess.run(
        [sys.executable, "-c", setup + code], env=environment, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip().splitlines()[-1]


DECLARED = _declared_routes()


def test_every_resource_declares_routes_and_is_named_by_a_segment():
    assert {name for name, _, _ in DECLARED} == set(RESOURCES)
    assert {name for names in RESOURCES_BY_SEGMENT.values() for name in names} == set(RESOURCES)


@pytest.mark.parametrize(("resource", "method", "path"), DECLARED, ids=[f"{m} {p}" for _, m, p in DECLARED])
def test_each_route_is_included_by_the_segment_of_its_path(resource, method, path):
    assert resource in RESOURCES_BY_SEGMENT[_resource_segment(path)]


@pytest.mark.parametrize(
    ("path", "segment"),
    [
        ("/v1/orgs/o-1/records", "records"),
        ("/v1/orgs/o-1/records/deal/d-1/pins", "records"),
        ("/v1/orgs/o-1/xero/accounts", "xero"),
        ("/v1/orgs/o-1", ""),  # no resource named: every route is included
        ("/v1/openapi.json", ""),
        ("/v2/orgs/o-1/records", ""),
        ("", ""),
    ],
)
def test_the_segment_of_a_path(path, segment):
    assert _resource_segment(path) == segment


def test_a_request_includes_its_own_resources_routes_only_and_an_unknown_path_all():
    code = """
app = build_app()
loaded = lambda: sorted(m.removeprefix("xero_sync.http.") for m in sys.modules if m.startswith("xero_sync.http."))
before = loaded()
app.include_routes_for("/v1/orgs/o-1/records/deal/d-1/pins")
after_pins = loaded()
routes = sorted({r.path for r in app._static_routes + app._dynamic_routes})
app.include_routes_for("/v1/orgs/o-1/nothing-here")
print(json.dumps([before, after_pins, routes, len(app._static_routes + app._dynamic_routes)]))
"""
    before, after_pins, routes, every = json.loads(_in_fresh_interpreter(code))
    assert set(RESOURCES).isdisjoint(before)
    # the records' segment is served by records and pins (which shares the read view's words)
    assert {"records", "pins"} <= set(after_pins)
    assert {"connection", "history", "settings", "xero_data", "sync", "changes", "webhook"}.isdisjoint(after_pins)
    assert all(path.startswith("/v1/orgs/<org_id>/records") or path == "/v1/orgs/<org_id>/failures/retry"
               or path == "/v1/openapi.json" for path in routes)  # fmt: skip
    assert every == len(DECLARED) + 1  # and the document's own route


def test_the_document_is_the_same_whichever_requests_came_first():
    code = """
fresh = openapi_json(build_app())
used = build_app()
for path in ("/v1/orgs/o-1/webhook", "/v1/orgs/o-1/records", "/v1/orgs/o-1/contacts/c/invoices"):
    used.include_routes_for(path)
print(json.dumps(fresh == openapi_json(used)))
"""
    assert _in_fresh_interpreter(code) == "true"
