"""The sample events in events/<name>/ are what their function receives in AWS: HTTP API (v2)
events whose route is one the template gives that function (so they paste into the AWS console
as test events and drive the integration tests through the right route)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from template_rules import REPO, TEMPLATE

from local.stack.http_gateway import Route, RouteTable
from local.stack.template import Template

EVENT_FILES = sorted((REPO / "events").glob("*/*.json"))


def _function_for_folder(template: Template, folder: str) -> str:
    for logical_id, spec in template.functions().items():
        if re.fullmatch(rf"functions/{folder}/?", str(spec.properties.get("CodeUri"))):
            return logical_id
    raise AssertionError(f"events/{folder}/ belongs to no function of template.yaml")


def _routes(template: Template) -> RouteTable:
    routes = []
    for logical_id, spec in template.functions().items():
        for event in spec.events.values():
            if event.get("Type") == "HttpApi":
                properties = event.get("Properties") or {}
                routes.append(
                    Route(str(properties.get("Method", "ANY")).upper(), str(properties.get("Path", "")), logical_id)
                )
    return RouteTable(routes)


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_sample_event_matches_a_route_of_its_function(path: Path):
    template = Template.load(TEMPLATE)
    event = json.loads(path.read_text())
    function = _function_for_folder(template, path.parent.name)
    if event.get("version") != "2.0":
        pytest.skip("not an HTTP API event")  # SQS and schedule samples are checked by their own tests

    found = _routes(template).match(event["requestContext"]["http"]["method"], event["rawPath"])

    assert found is not None, f"{path.name}: no route takes it"
    route, parameters = found
    assert route.function == function
    assert event["routeKey"] == event["requestContext"]["routeKey"] == route.route_key
    assert event.get("pathParameters", {}) == parameters
    assert all(name == name.lower() for name in event["headers"])
    assert event["requestContext"]["stage"] == "$default"
    assert isinstance(event["isBase64Encoded"], bool)
